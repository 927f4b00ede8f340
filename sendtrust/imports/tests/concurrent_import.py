"""Run by test_sqlite_concurrency in a process of its own, on a file database (DATABASE_URL):
a census import in one thread while another thread reads a pupil's record (an audited read,
so itself a small write) and records a chronology entry, through the real views.

The import is held at two points: mid-check (rows being parsed, no transaction open) until
the other thread has read and written; and inside its write transaction for WRITE_HOLD
seconds, a short transaction's length, while the other thread reads. Prints one JSON line.
"""

import datetime as dt
import json
import sys
import tempfile
import threading
import time

import django

WRITE_HOLD = 0.5  # seconds the write transaction is held open while the record is read


def main(school_code, pupil_code, username, rows):
    django.setup()
    from django.contrib.auth import get_user_model
    from django.db import connection
    from django.test import Client

    from sendtrust.imports import services
    from sendtrust.imports.samples import write_sample_csv
    from sendtrust.organisations.models import School

    school = School.objects.select_related("trust").get(code=school_code)
    with tempfile.NamedTemporaryFile(suffix=".csv", delete=False) as f:
        census = f.name
    write_sample_csv(census, rows, school_la=int(school.la_code or 801), seed=7)

    checking, checked_go, writing = threading.Event(), threading.Event(), threading.Event()
    original_save = services._Import.save

    def held_save(self):
        writing.set()
        time.sleep(WRITE_HOLD)
        return original_save(self)

    services._Import.save = held_save
    outcome = {}

    def progress(done, total):
        if not checking.is_set():
            checking.set()
            checked_go.wait(30)

    def run_import():
        try:
            result = services.import_file(census, school=school, progress=progress)
            outcome["import"] = {"ok": result.ok, "created": result.created,
                                 "errors": [str(e) for e in result.errors[:3]]}
        finally:
            connection.close()
            checking.set()
            writing.set()

    client = Client()
    client.force_login(get_user_model().objects.get(username=username))

    def timed(method, url, **data):
        started = time.perf_counter()
        response = getattr(client, method)(url, data) if data else getattr(client, method)(url)
        return {"status": response.status_code,
                "ms": round(1000 * (time.perf_counter() - started))}

    importer = threading.Thread(target=run_import)
    importer.start()
    checking.wait(60)
    outcome["read_during_check"] = timed("get", f"/pupils/{pupil_code}/")
    outcome["write_during_check"] = timed(
        "post", f"/pupils/{pupil_code}/chronology/new/", on=dt.date.today().isoformat(),
        kind="meeting", title="Review while an import runs", notes="")
    checked_go.set()
    writing.wait(60)
    outcome["read_during_write"] = timed("get", f"/pupils/{pupil_code}/")
    importer.join(120)
    print(json.dumps(outcome))


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4]))
