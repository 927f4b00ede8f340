"""Background work: the jobs people wait for, and the workers that run them."""

import uuid

from django.conf import settings
from django.db import models
from django.utils import timezone


class Job(models.Model):
    """A piece of long work someone started and waits for (a large import, a PDF report).

    The page polls it for progress and then shows `result`. The task itself is queued with
    django-tasks (see sendtrust.ops.tasks); this row is what the person may see of it: its
    progress in their words, the file it works on until it is done, and what came of it.
    Only the person who started a job sees it (and only while they keep the right to start it).
    """

    class Status(models.TextChoices):
        QUEUED = "queued", "Waiting for a worker"
        RUNNING = "running", "Running"
        DONE = "done", "Finished"
        FAILED = "failed", "Failed"

    code = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    kind = models.CharField(max_length=40)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE,
                                   related_name="+")
    school = models.ForeignKey("organisations.School", null=True, blank=True,
                               on_delete=models.CASCADE, related_name="+")
    trust = models.ForeignKey("organisations.Trust", null=True, blank=True,
                              on_delete=models.CASCADE, related_name="+")
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.QUEUED)
    stage = models.CharField(max_length=200, blank=True)  # "Checking rows", in the user's words
    done = models.PositiveIntegerField(default=0)
    total = models.PositiveIntegerField(null=True, blank=True)
    # The uploaded file, kept in the database so that any worker on any machine can read it;
    # emptied as soon as the job ends (it holds pupils' personal data).
    payload = models.BinaryField(null=True, blank=True, editable=False)
    payload_name = models.CharField(max_length=255, blank=True)
    options = models.JSONField(default=dict, blank=True)  # e.g. the effective date
    result = models.JSONField(null=True, blank=True)
    # The file the job made (a PDF report), kept in the database so that any app server can
    # send it (none keeps files on disk); deleted with the job after RETENTION (ops.jobs).
    output = models.BinaryField(null=True, blank=True, editable=False)
    output_name = models.CharField(max_length=255, blank=True)
    output_type = models.CharField(max_length=100, blank=True)
    task_id = models.CharField(max_length=64, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [models.Index(fields=["created_at"], name="ops_job_created_idx")]

    def __str__(self) -> str:
        return f"{self.kind} {self.code} ({self.status})"

    @property
    def finished(self) -> bool:
        return self.status in (self.Status.DONE, self.Status.FAILED)

    @property
    def percent(self) -> int | None:
        if not self.total:
            return None
        return min(100, round(100 * self.done / self.total))


class DailyRun(models.Model):
    """One row per daily piece of work (the digests) and day: the first worker to insert it
    queues that day's work; any other worker's insert fails on the unique constraint, so the
    work is queued once however many workers run (see sendtrust.ops.daily)."""

    kind = models.CharField(max_length=40)
    day = models.DateField()
    queued_at = models.DateTimeField(default=timezone.now)
    finished_at = models.DateTimeField(null=True, blank=True)
    result = models.JSONField(null=True, blank=True)  # counts only: never a name

    class Meta:
        constraints = [models.UniqueConstraint(fields=["kind", "day"], name="ops_daily_once")]

    def __str__(self) -> str:
        return f"{self.kind} {self.day}"


class WorkerHeartbeat(models.Model):
    """One row per worker process, stamped every WORKER_HEARTBEAT_SECONDS while it runs."""

    worker_id = models.CharField(max_length=64, primary_key=True)
    host = models.CharField(max_length=255)
    pid = models.PositiveIntegerField()
    started_at = models.DateTimeField()
    seen_at = models.DateTimeField(db_index=True)

    def __str__(self) -> str:
        return f"worker {self.worker_id} on {self.host} (pid {self.pid})"
