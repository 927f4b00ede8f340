"""The census import as background work: a file over IMPORT_BACKGROUND_KB is checked and
saved by the worker (`manage.py run_worker`) while the import page shows its progress."""

from __future__ import annotations

import dataclasses
import datetime as dt
import io

from django.conf import settings

from sendtrust.ops.jobs import run_job, start_job
from sendtrust.ops.models import Job

try:  # Django 6 has the task framework built in; on 5.2 it is the django-tasks backport
    from django.tasks import task
except ImportError:
    from django_tasks import task

KIND = "census_import"


def runs_in_background(upload) -> bool:
    return upload.size > settings.IMPORT_BACKGROUND_KB * 1024


def queue_import(upload, *, school, user, effective: dt.date | None) -> Job:
    upload.seek(0)
    return start_job(KIND, run_census_import, user=user, school=school,
                     payload=upload.read(), payload_name=upload.name,
                     options={"effective": effective.isoformat() if effective else None})


@task()
def run_census_import(job_code: str) -> str:
    return run_job(job_code, _import)


def _import(job: Job, progress) -> dict:
    from sendtrust.imports.services import import_file

    effective = job.options.get("effective")

    def rows_read(done, total):
        if total is not None and done >= total:
            progress(done, total, f"Checked all {done:,} rows; saving")
        else:
            progress(done, total, "Checking every row")

    result = import_file(io.BytesIO(bytes(job.payload)), school=job.school, by=job.created_by,
                         effective=dt.date.fromisoformat(effective) if effective else None,
                         progress=rows_read)
    return result_to_json(result)


def result_to_json(result) -> dict:
    data = dataclasses.asdict(result)
    data["effective"] = result.effective.isoformat() if result.effective else None
    return data


def result_from_json(data: dict):
    from sendtrust.imports.services import ImportResult, RowError

    fields = {**data, "errors": [RowError(**e) for e in data.get("errors", [])]}
    if fields.get("effective"):
        fields["effective"] = dt.date.fromisoformat(fields["effective"])
    return ImportResult(**fields)
