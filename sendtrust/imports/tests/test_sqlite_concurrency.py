"""On SQLite, an import and the people using the site at the same time: the import checks
its file outside any transaction and writes in one short one, so a pupil's record read (an
audited read, hence a small write) and another write both succeed while it runs.

Two real threads in a process of their own against a file database in WAL mode, as in
production (an in-memory database locks differently). Fails on an import that holds its
write transaction while it parses: the other writes wait out SQLite's busy timeout and fail.
"""

import json
import subprocess
import sys

import pytest
from django.db import connection

from sendtrust.ops.tests.helpers import ROOT, committed_cast, shared_database, subprocess_env


@pytest.mark.django_db(transaction=True)
def test_a_pupil_record_is_read_and_a_note_saved_while_an_import_runs(tmp_path):
    if connection.vendor != "sqlite":
        pytest.skip("SQLite's database-wide write lock: run by the SQLite pass of make test")
    cast = committed_cast()
    with shared_database(tmp_path) as url:
        run = subprocess.run(
            [sys.executable, "-m", "sendtrust.imports.tests.concurrent_import",
             str(cast.school_a.code), str(cast.pupil_a1.code), "senco_a", "3000"],
            cwd=ROOT, env=subprocess_env(url, ALLOWED_HOSTS="testserver"), capture_output=True,
            text=True, timeout=300)
    assert run.returncode == 0, run.stderr[-3000:]
    outcome = json.loads(run.stdout.strip().splitlines()[-1])
    assert outcome["import"] == {"ok": True, "created": 3000, "errors": []}, outcome
    assert outcome["read_during_check"]["status"] == 200, outcome
    assert outcome["write_during_check"]["status"] == 302, outcome
    assert outcome["read_during_write"]["status"] == 200, outcome
