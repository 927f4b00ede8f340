"""GET /health/: is this app server fit to take requests? For the load balancer and monitoring.

Answers 200 with {"status": "ok", ...} when the database answers and every migration is
applied, 503 otherwise, naming what failed. It reads no personal data and needs no sign-in.
"""

import time

from django.db import DEFAULT_DB_ALIAS, connections
from django.db.migrations.executor import MigrationExecutor
from django.http import JsonResponse
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


def _migrations() -> tuple[bool, str]:
    executor = MigrationExecutor(connections[DEFAULT_DB_ALIAS])
    pending = executor.migration_plan(executor.loader.graph.leaf_nodes())
    if pending:
        names = ", ".join(f"{m.app_label}.{m.name}" for m, _ in pending[:5])
        return False, f"{len(pending)} migration(s) not applied: {names}"
    return True, "all applied"


@never_cache
@require_GET
def health(request):
    checks = {}
    ok, checks["database"] = _database()
    if ok:
        migrated, checks["migrations"] = _migrations()
        ok = ok and migrated
    return JsonResponse({"status": "ok" if ok else "failing", "checks": checks},
                        status=200 if ok else 503)
