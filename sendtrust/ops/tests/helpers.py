"""Helpers for tests of background work: run the queue in-process, or share the test
database with a real subprocess."""

from __future__ import annotations

import os
import sqlite3
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import quote

from django.conf import settings
from django.db import connection
from django_tasks_db.management.commands.db_worker import Worker

ROOT = Path(settings.BASE_DIR)


def run_queued_tasks() -> int:
    """Run every queued task in this process with the real worker loop; return how many.

    The loop calls close_old_connections() between tasks, as requests do; inside a test's
    transaction that would drop the connection (and the test's data) on PostgreSQL, so it is
    left out here, as Django's test client leaves it out of requests.
    """
    from django_tasks_db.management.commands import db_worker

    worker = Worker(queue_names=["default"], interval=0, batch=True, backend_name="default",
                    startup_delay=False, max_tasks=None, worker_id="in-process-test",
                    excluded_queue_names=[])
    original, db_worker.close_old_connections = db_worker.close_old_connections, lambda: None
    try:
        worker.run()
    finally:
        db_worker.close_old_connections = original
    return worker._run_tasks


def committed_cast():
    """The shared cast in a transactional test, which starts from a flushed database: what
    the migrations loaded (need types) is put back first."""
    from sendtrust.pupils.models import NeedType
    from sendtrust.pupils.taxonomy import load_taxonomy
    from sendtrust.testing import build_cast

    load_taxonomy(NeedType)
    return build_cast()


def subprocess_env(database_url: str, **extra) -> dict:
    env = {**os.environ, "DATABASE_URL": database_url, "DJANGO_SETTINGS_MODULE":
           "sendtrust.settings", "PYTHONPATH": str(ROOT), "DEBUG": "0",
           "SECRET_KEY": settings.SECRET_KEY, **extra}
    env.pop("REQUEST_LOG", None)
    return env


@contextmanager
def shared_database(tmp_path: Path):
    """Yield a DATABASE_URL under which another process sees the test database's committed
    rows; what that process writes is in the test database afterwards.

    PostgreSQL: the test database itself. SQLite: the test database lives in this process's
    memory, so it is copied to a file (the backup API, a page-for-page copy) and the file is
    copied back when the block ends. Use with transactional_db (committed rows only).
    """
    if connection.vendor != "sqlite":
        s = connection.settings_dict
        yield (f"postgres://{quote(s['USER'], safe='')}:{quote(s['PASSWORD'] or '', safe='')}"
               f"@{s['HOST'] or 'localhost'}:{s['PORT'] or 5432}/{s['NAME']}")
        return
    path = tmp_path / "shared.sqlite3"
    connection.ensure_connection()
    with sqlite3.connect(path) as target:
        connection.connection.backup(target)
        # As in production: WAL, so readers and the writer do not block each other.
        target.execute("PRAGMA journal_mode=WAL")
    try:
        yield f"sqlite:///{path}"
    finally:
        source = sqlite3.connect(path)
        try:
            source.backup(connection.connection)
        finally:
            source.close()

