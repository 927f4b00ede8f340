"""Start long work in the worker and follow it: the Job row is what its page polls.

    job = start_job("census_import", run_census_import, user=..., school=..., payload=bytes)

creates the Job, queues the task (django-tasks, database queue) with the job's code and
returns the job. The task calls `run_job(code, work)`; `work(job, progress)` does the work,
calls `progress(done, total, stage)` as it goes and returns a JSON-able result, or a
FileResult when it made a file (a PDF report) for the person to download. Nothing here holds
a transaction open: each progress report is one short UPDATE.
"""

from __future__ import annotations

import datetime as dt
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass

from django.db.models import F
from django.db.models.functions import Coalesce
from django.utils import timezone

from sendtrust.ops.models import Job

logger = logging.getLogger("sendtrust.jobs")

RETENTION = dt.timedelta(days=7)  # a finished job's result (it may name pupils) is then deleted
PROGRESS_SECONDS = 0.5  # at most two progress writes a second


@dataclass
class FileResult:
    """What a job that makes a file returns: the file, kept in the Job row until RETENTION
    (never on an app server's disk), and a JSON-able result beside it."""

    data: bytes
    name: str
    content_type: str
    result: dict


class JobRefused(Exception):
    """The work may not be done (the person lost the right meanwhile); the message says why,
    in their words, and the job fails with it."""


def prune() -> int:
    """Delete jobs finished more than RETENTION ago, with their results and files."""
    return Job.objects.filter(finished_at__lt=timezone.now() - RETENTION).delete()[0]


def start_job(kind: str, task, *, user, school=None, trust=None, payload: bytes | None = None,
              payload_name: str = "", options: dict | None = None) -> Job:
    job = Job.objects.create(kind=kind, created_by=user, school=school, trust=trust,
                             payload=payload, payload_name=payload_name[:255],
                             options=options or {})
    try:
        queued = task.enqueue(str(job.code))
    except Exception:
        Job.objects.filter(pk=job.pk).update(
            status=Job.Status.FAILED, payload=None, finished_at=timezone.now(),
            result={"failure": "the job could not be queued; try again"})
        raise
    Job.objects.filter(pk=job.pk).update(task_id=str(queued.id)[:64])
    job.task_id = str(queued.id)
    return job


def run_job(code: str, work: Callable[[Job, Callable], object]) -> str:
    """Run work(job, progress) for the job with this code; record its result or its failure."""
    prune()
    job = (Job.objects.filter(code=code).select_related("created_by", "school__trust", "trust")
           .first())
    if job is None or job.finished:
        return "gone"  # deleted meanwhile, or a repeated delivery of a finished job
    now = timezone.now()
    Job.objects.filter(pk=job.pk).update(status=Job.Status.RUNNING, started_at=now)
    last = [0.0]

    def progress(done: int, total: int | None = None, stage: str = "") -> None:
        if time.monotonic() - last[0] < PROGRESS_SECONDS and total != done:
            return
        last[0] = time.monotonic()
        fields = {"done": done, "total": total}
        if stage:
            fields["stage"] = stage[:200]
        Job.objects.filter(pk=job.pk).update(**fields)

    try:
        result = work(job, progress)
    except JobRefused as refused:
        Job.objects.filter(pk=job.pk).update(
            status=Job.Status.FAILED, payload=None, finished_at=timezone.now(),
            result={"failure": str(refused)})
        return "refused"
    except Exception:
        logger.exception("job %s (%s) failed", job.code, job.kind)
        Job.objects.filter(pk=job.pk).update(
            status=Job.Status.FAILED, payload=None, finished_at=timezone.now(),
            result={"failure": "the job stopped with an error; nothing was saved. Try again, "
                               "and if it fails again tell your trust's SEND leader"})
        raise
    fields = {}
    if isinstance(result, FileResult):
        fields = {"output": result.data, "output_name": result.name[:255],
                  "output_type": result.content_type[:100]}
        result = result.result
    Job.objects.filter(pk=job.pk).update(
        status=Job.Status.DONE, payload=None, finished_at=timezone.now(), result=result,
        done=Coalesce(F("total"), F("done")), **fields)
    return "done"
