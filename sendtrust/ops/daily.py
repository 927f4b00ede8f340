"""Work the worker does by itself each day: the digests, with no cron.

While `manage.py run_worker` runs, its heartbeat calls `queue_due()` (every
WORKER_HEARTBEAT_SECONDS, and once as it starts). On a digest day (DIGEST_DAYS, Monday by
default) from DIGEST_HOUR (7 by default, local time), each digest not yet queued for that day
is queued once: the first worker to insert the DailyRun row (kind, day) queues it, in the same
transaction; every other worker's insert meets the unique constraint and queues nothing. So
however many workers run, on PostgreSQL or SQLite, each day's digests are sent once. A worker
that starts after the hour sends that day's digests then; a day with no worker running sends
none (the next digest day does).

`manage.py plan_digest` and `support_digest` still send a digest by hand (for another day with
--on, or a dry run); they do not record a DailyRun, so running one does not stop the worker's.
"""

from __future__ import annotations

import datetime as dt
import importlib
import logging

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone

from sendtrust.ops.jobs import prune
from sendtrust.ops.models import DailyRun

try:  # Django 6 has the task framework built in; on 5.2 it is the django-tasks backport
    from django.tasks import task
except ImportError:
    from django_tasks import task

logger = logging.getLogger("sendtrust.jobs")

# kind -> the module whose send(today, base_url=...) sends that digest.
DAILY = {
    "plan_digest": "sendtrust.planning.digest",
    "support_digest": "sendtrust.support.digest",
}
KEEP = dt.timedelta(days=400)  # DailyRun rows (counts only) kept a year and more


def is_due(now: dt.datetime) -> bool:
    local = timezone.localtime(now)
    return (local.hour >= settings.DIGEST_HOUR
            and local.strftime("%a").lower() in settings.DIGEST_DAYS)


def queue_due(now: dt.datetime | None = None) -> list[str]:
    """Queue each daily piece of work that is due and not yet queued today; return the kinds
    this call queued (none when another worker, or an earlier call, already has)."""
    now = now or timezone.now()
    if not is_due(now):
        return []
    today = timezone.localtime(now).date()
    done = set(DailyRun.objects.filter(day=today, kind__in=DAILY).values_list("kind",
                                                                              flat=True))
    queued = []
    for kind in DAILY:
        if kind in done:
            continue
        try:
            with transaction.atomic():
                DailyRun.objects.create(kind=kind, day=today, queued_at=now)
                send_daily.enqueue(kind, today.isoformat())
        except IntegrityError:
            continue  # another worker queued it first
        queued.append(kind)
    if queued:
        DailyRun.objects.filter(day__lt=today - KEEP).delete()
    return queued


@task()
def send_daily(kind: str, day: str) -> str:
    today = dt.date.fromisoformat(day)
    run = DailyRun.objects.filter(kind=kind, day=today).first()
    if run is None or run.finished_at:
        return "gone"  # a repeated delivery of work already done
    messages, no_email, sent = importlib.import_module(DAILY[kind]).send(
        today, base_url=settings.SITE_URL)
    DailyRun.objects.filter(pk=run.pk).update(
        finished_at=timezone.now(),
        result={"emails": len(messages), "sent": sent, "no_email": len(no_email)})
    logger.info("%s for %s: %d email(s) sent, %d without an address", kind, day, sent,
                len(no_email))
    prune()  # finished jobs past their retention go too, even on a day no job runs
    return "sent"
