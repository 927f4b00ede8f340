"""The worker: `manage.py run_worker` runs queued work for real, and /health/ says when a
worker was last seen."""

import datetime as dt
import subprocess
import sys

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from sendtrust.imports.tests.helpers import csv_file, row
from sendtrust.ops.models import Job, WorkerHeartbeat
from sendtrust.ops.tests.helpers import ROOT, committed_cast, shared_database, subprocess_env
from sendtrust.pupils.models import Pupil


def test_health_says_whether_a_worker_was_seen_recently(client, db, settings):
    settings.WORKER_STALE_SECONDS = 120
    now = timezone.now()
    clock = time_machine.travel(now, tick=False)
    clock.start()
    body = client.get("/health/").json()
    assert body["worker_seen"] is False
    assert body["checks"]["worker"] == "no worker has run yet; 0 jobs waiting"

    WorkerHeartbeat.objects.create(worker_id="old", host="h", pid=1, started_at=now,
                                   seen_at=now - dt.timedelta(seconds=600))
    response = client.get("/health/")
    body = response.json()
    # An app server without a worker still serves pages: reported, not failed.
    assert response.status_code == 200 and body["status"] == "ok"
    assert body["worker_seen"] is False
    assert body["checks"]["worker"] == ("no worker seen in the last 120 s (last 600 s ago); "
                                        "0 jobs waiting")

    WorkerHeartbeat.objects.create(worker_id="new", host="h", pid=2, started_at=now,
                                   seen_at=now - dt.timedelta(seconds=5))
    body = client.get("/health/").json()
    assert body["worker_seen"] is True
    assert body["checks"]["worker"] == "1 worker seen, last 5 s ago; 0 jobs waiting"
    clock.stop()


def test_health_reads_the_migration_graph_at_most_once_a_minute(client, db, monkeypatch):
    from sendtrust.ops import health

    built = []
    real = health.MigrationExecutor
    monkeypatch.setattr(health, "MigrationExecutor", lambda c: built.append(1) or real(c))
    monkeypatch.setattr(health, "_migrated_at", None)
    for _ in range(3):
        assert client.get("/health/").json()["checks"]["migrations"] == "all applied"
    assert len(built) == 1
    monkeypatch.setattr(health, "_migrated_at", health.time.monotonic() - 61)
    client.get("/health/")
    assert len(built) == 2


@pytest.mark.django_db(transaction=True)
def test_the_worker_command_runs_a_queued_import_once_and_is_seen(client, settings, tmp_path):
    cast = committed_cast()
    settings.IMPORT_BACKGROUND_KB = 1
    client.force_login(cast.users["senco_a"])
    rows = [row() for _ in range(40)]
    client.post(f"/schools/{cast.school_a.code}/import/",
                {"file": SimpleUploadedFile("census.csv", csv_file(rows).getvalue())})
    job = Job.objects.get()
    assert job.status == "queued"
    assert client.get("/health/").json()["checks"]["worker"].endswith("; 1 job waiting")

    with shared_database(tmp_path) as url:
        run = subprocess.run(
            [sys.executable, "manage.py", "run_worker", "--batch", "--no-startup-delay",
             "--verbosity", "1"],
            cwd=ROOT, env=subprocess_env(url), capture_output=True, text=True, timeout=300)
    assert run.returncode == 0, run.stderr[-3000:] + run.stdout[-3000:]

    job.refresh_from_db()
    assert job.status == "done", (job.result, run.stdout[-2000:])
    assert job.result["created"] == 40 and job.payload is None
    assert Pupil.objects.filter(school=cast.school_a, upn__in=[r[0] for r in rows]).count() == 40
    body = client.get("/health/").json()
    assert body["worker_seen"] is True and body["checks"]["worker"].endswith("; 0 jobs waiting")
