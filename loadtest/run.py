"""`make loadtest`: the production server under locust, with a large import at the same time.

Builds a demo trust in a throwaway database (SQLite in a temporary folder, or
LOADTEST_DATABASE_URL for PostgreSQL: it must be an empty database you can throw away),
collects static files, starts gunicorn exactly as `make serve` does (DEBUG off, a random
SECRET_KEY, 127.0.0.1 only), runs locust headless with LOADTEST_USERS users for
LOADTEST_SECONDS seconds and, meanwhile, `manage.py import_pupils` of a LOADTEST_IMPORT_ROWS-row
census CSV into one school. Prints p50/p95 per request type and failures; exits non-zero on
any failure; always stops the server.

Users sign in as school-level accounts (SENCOs and the headteacher), which need no second
factor; trust-wide pages (overview, trust analytics) need a second factor and are not loaded.
"""

from __future__ import annotations

import csv
import json
import os
import secrets
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PY = str(ROOT / ".venv" / "bin" / "python")
PASSWORD = "Loadtest-Orchard-2026"


def env_int(name, default):
    return int(os.environ.get(name) or default)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def write_targets(out: str, accounts_csv: str, per_school: int = 200) -> None:
    """Run inside Django: the school-level accounts, and codes of each school's pupils."""
    import django

    django.setup()
    from sendtrust.organisations.models import School

    accounts = [a for a in csv.DictReader(open(accounts_csv))
                if a["role"] in ("senco", "headteacher") and a["school_urn"]]
    schools = {}
    for school in School.objects.filter(urn__in={a["school_urn"] for a in accounts}):
        codes = [str(c) for c in school.pupils.order_by("?").values_list("code", flat=True)[:per_school]]
        schools[school.urn] = {"code": str(school.code), "pupils": codes, "la": school.la_code}
    accounts = [a for a in accounts if a["school_urn"] in schools and schools[a["school_urn"]]["pupils"]]
    json.dump({"password": PASSWORD, "accounts": accounts, "schools": schools}, open(out, "w"))


def main() -> int:
    users = env_int("LOADTEST_USERS", 50)
    seconds = env_int("LOADTEST_SECONDS", 120)
    schools = env_int("LOADTEST_SCHOOLS", 12)
    pupils = env_int("LOADTEST_PUPILS", 8000)
    import_rows = env_int("LOADTEST_IMPORT_ROWS", 3000)
    workers = env_int("WEB_CONCURRENCY", 5)
    tmp = Path(tempfile.mkdtemp(prefix="sendtrust-loadtest-"))
    port = free_port()
    db_url = os.environ.get("LOADTEST_DATABASE_URL") or f"sqlite:///{tmp / 'loadtest.sqlite3'}"
    env = {**os.environ, "DATABASE_URL": db_url, "DEBUG": "0", "SECRET_KEY": secrets.token_urlsafe(50),
           "COLLECTED_STATIC": "1", "STATIC_ROOT": str(tmp / "static"), "ALLOWED_HOSTS": "127.0.0.1",
           "BIND": f"127.0.0.1:{port}", "WEB_CONCURRENCY": str(workers), "HTTPS": "",
           "DJANGO_SETTINGS_MODULE": "sendtrust.settings", "PYTHONPATH": str(ROOT)}
    env.pop("REQUEST_LOG", None)

    def manage(*args, **kw):
        return subprocess.run([PY, "manage.py", *args], cwd=ROOT, env=env, check=True, **kw)

    print(f"loadtest: database {'PostgreSQL (LOADTEST_DATABASE_URL)' if 'postgres' in db_url else 'SQLite ' + db_url}")
    t0 = time.perf_counter()
    manage("migrate", "--verbosity", "0")
    accounts_csv = tmp / "accounts.csv"
    manage("demo_trust", "--schools", str(schools), "--pupils", str(pupils), "--seed", "1",
           "--password", PASSWORD, "--accounts-csv", str(accounts_csv), "--no-leadership",
           stdout=subprocess.DEVNULL)
    manage("collectstatic", "--noinput", "--verbosity", "0")
    targets = tmp / "targets.json"
    subprocess.run([PY, __file__, "--targets", str(targets), str(accounts_csv)], cwd=ROOT, env=env, check=True)
    data = json.load(open(targets))
    print(f"loadtest: built {schools} schools / {pupils:,} pupils in {time.perf_counter() - t0:.0f} s; "
          f"{len(data['accounts'])} school-level accounts")

    # The import: a census CSV into the school of the first SENCO, started once the users run.
    urn = next(a["school_urn"] for a in data["accounts"] if a["role"] == "senco")
    import_csv = tmp / "import.csv"
    subprocess.run([PY, "-c", "import sys, django; django.setup();"
                    "from sendtrust.imports.samples import write_sample_csv;"
                    "write_sample_csv(sys.argv[1], int(sys.argv[2]), school_la=int(sys.argv[3]), seed=5)",
                    str(import_csv), str(import_rows), str(data["schools"][urn]["la"] or 801)],
                   cwd=ROOT, env=env, check=True)

    server = subprocess.Popen([PY, "-m", "gunicorn", "sendtrust.wsgi:application", "-c", "gunicorn.conf.py"],
                              cwd=ROOT, env=env, start_new_session=True)
    importer = None
    status = 0
    try:
        for _ in range(60):
            try:
                if urllib.request.urlopen(f"http://127.0.0.1:{port}/health/", timeout=2).status == 200:
                    break
            except OSError:
                time.sleep(0.5)
        else:
            print("loadtest: the server did not answer /health/ within 30 s")
            return 1
        stats = tmp / "stats"
        locust = subprocess.Popen(
            [PY, "-m", "locust", "-f", str(ROOT / "loadtest" / "locustfile.py"), "--headless",
             "-u", str(users), "-r", str(max(1, users // 10)), "-t", f"{seconds}s",
             "--host", f"http://127.0.0.1:{port}", "--csv", str(stats), "--only-summary",
             "--stop-timeout", "10", "--exit-code-on-error", "1", "--loglevel", "WARNING"],
            cwd=ROOT, env={**env, "LOADTEST_TARGETS": str(targets)}, stdout=subprocess.DEVNULL)
        time.sleep(min(10, seconds / 4))  # let users sign in, then import during their reads
        t_import = time.perf_counter()
        importer = subprocess.Popen([PY, "manage.py", "import_pupils", str(import_csv), "--school", urn],
                                    cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        import_out, _ = importer.communicate(timeout=seconds + 300)
        import_s = time.perf_counter() - t_import
        locust_rc = locust.wait(timeout=seconds + 120)
        report(stats, users, seconds, workers)
        print(f"\nImport of {import_rows:,} rows (manage.py import_pupils, subprocess, started "
              f"{min(10, seconds / 4):.0f} s into the run): {import_s:.1f} s, exit {importer.returncode}")
        if importer.returncode:
            print(import_out[-2000:])
            status = 1
        if locust_rc:
            print(f"loadtest: locust exited {locust_rc} (failed requests)")
            status = 1
    finally:
        if importer and importer.poll() is None:
            importer.kill()
        os.killpg(server.pid, signal.SIGTERM)
        try:
            server.wait(timeout=40)
        except subprocess.TimeoutExpired:
            os.killpg(server.pid, signal.SIGKILL)
        print("loadtest: server stopped")
    print("loadtest: PASS" if status == 0 else "loadtest: FAIL")
    return status


def report(stats: Path, users: int, seconds: int, workers: int) -> None:
    print(f"\nlocust headless: {users} users (school-level SENCO/headteacher sessions, 1-3 s "
          f"think time) for {seconds} s against gunicorn ({workers} sync workers, DEBUG off) on "
          f"127.0.0.1; client-side response times in ms, from locust's stats CSV")
    print(f"  {'request':<28} {'count':>7} {'fail':>5} {'p50':>7} {'p95':>7} {'max':>7}")
    for row in csv.DictReader(open(f"{stats}_stats.csv")):
        print(f"  {row['Name'][:28]:<28} {row['Request Count']:>7} {row['Failure Count']:>5} "
              f"{row['50%']:>7} {row['95%']:>7} {float(row['Max Response Time']):>7.0f}")
    failures = list(csv.DictReader(open(f"{stats}_failures.csv")))
    for f in failures[:10]:
        print(f"  FAILED {f['Method']} {f['Name']}: {f['Error'][:120]} x{f['Occurrences']}")


if __name__ == "__main__":
    if len(sys.argv) > 1 and sys.argv[1] == "--targets":
        write_targets(sys.argv[2], sys.argv[3])
        sys.exit(0)
    sys.exit(main())
