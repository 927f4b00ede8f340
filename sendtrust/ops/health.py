"""GET /health/: is this app server fit to take requests? For the load balancer and monitoring.

Answers 200 with {"status": "ok", ...} when the database answers and every migration is
applied, 503 otherwise, naming what failed. It reads no personal data and needs no sign-in.

It also says whether a background worker (`manage.py run_worker`) has been seen in the last
WORKER_STALE_SECONDS ("worker_seen", and checks.worker in words, with the queue's length).
That does not fail the check: an app server without a worker still serves every page, and a
load balancer must not take it out of service for that; monitoring alerts on worker_seen.
"""

import time
from datetime import timedelta

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, connections
from django.db.migrations.executor import MigrationExecutor
from django.http import JsonResponse
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET


def _database() -> tuple[bool, str]:
    started = time.perf_counter()
    try:
        with connections[DEFAULT_DB_ALIAS].cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception as exc:  # noqa: BLE001 - any failure means "not healthy", said in words
        return False, f"database unreachable: {type(exc).__name__}"
    return True, f"answered in {1000 * (time.perf_counter() - started):.1f} ms"


MIGRATIONS_KEPT_SECONDS = 60
_migrated_at: float | None = None  # when every migration was last seen applied


def _migrations() -> tuple[bool, str]:
    # Loading the migration graph costs a few hundred ms of CPU, and a load balancer checks
    # every few seconds, beside the pages: "all applied" is kept for a minute (a pending
    # migration is looked for on every check until it is applied).
    global _migrated_at
    if _migrated_at is not None and time.monotonic() - _migrated_at < MIGRATIONS_KEPT_SECONDS:
        return True, "all applied"
    executor = MigrationExecutor(connections[DEFAULT_DB_ALIAS])
    pending = executor.migration_plan(executor.loader.graph.leaf_nodes())
    if pending:
        names = ", ".join(f"{m.app_label}.{m.name}" for m, _ in pending[:5])
        return False, f"{len(pending)} migration(s) not applied: {names}"
    _migrated_at = time.monotonic()
    return True, "all applied"


def worker_seen() -> bool:
    """Has a worker stamped its heartbeat in the last WORKER_STALE_SECONDS?"""
    from sendtrust.ops.models import WorkerHeartbeat

    since = timezone.now() - timedelta(seconds=settings.WORKER_STALE_SECONDS)
    return WorkerHeartbeat.objects.filter(seen_at__gte=since).exists()


def _worker() -> tuple[bool, str]:
    from django_tasks_db.models import DBTaskResult

    from sendtrust.ops.models import WorkerHeartbeat

    stale = settings.WORKER_STALE_SECONDS
    last = WorkerHeartbeat.objects.order_by("-seen_at").first()
    waiting = DBTaskResult.objects.ready().count()
    queue = f"{waiting} job{'s' if waiting != 1 else ''} waiting"
    if last is None:
        return False, f"no worker has run yet; {queue}"
    ago = (timezone.now() - last.seen_at).total_seconds()
    live = WorkerHeartbeat.objects.filter(
        seen_at__gte=timezone.now() - timedelta(seconds=stale)).count()
    if ago > stale:
        return False, (f"no worker seen in the last {stale} s (last {ago:.0f} s ago); {queue}")
    return True, f"{live} worker{'s' if live != 1 else ''} seen, last {ago:.0f} s ago; {queue}"


@never_cache
@require_GET
def health(request):
    checks = {}
    ok, checks["database"] = _database()
    if ok:
        migrated, checks["migrations"] = _migrations()
        ok = ok and migrated
    body = {"status": "ok" if ok else "failing", "checks": checks}
    if ok:
        body["worker_seen"], checks["worker"] = _worker()
    return JsonResponse(body, status=200 if ok else 503)
