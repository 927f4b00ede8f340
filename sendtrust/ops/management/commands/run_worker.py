"""python manage.py run_worker [--batch] [--interval S]: run queued background work.

The worker of django-tasks-db's database queue (`db_worker`), plus a heartbeat: while the
process runs, a thread stamps its row in WorkerHeartbeat every WORKER_HEARTBEAT_SECONDS, so
/health/ can say whether a worker has been seen recently. Run one or more per deployment
(`make worker`); on PostgreSQL any number share the queue (rows are claimed with SKIP
LOCKED), on SQLite one is enough.

The heartbeat also queues each day's digests once they are due (sendtrust.ops.daily): no cron
is needed, and several workers queue them once between them.
"""

import os
import socket
import threading

from django.conf import settings
from django.db import close_old_connections, connection
from django.utils import timezone
from django.utils.crypto import get_random_string
from django_tasks_db.management.commands.db_worker import Command as DbWorker

from sendtrust.ops import daily
from sendtrust.ops.models import WorkerHeartbeat


class Heartbeat(threading.Thread):
    def __init__(self, worker_id: str, every: float):
        super().__init__(name="sendtrust-heartbeat", daemon=True)
        self.worker_id, self.every = worker_id, every
        self.stopped = threading.Event()
        self.started_at = timezone.now()

    def beat(self) -> None:
        WorkerHeartbeat.objects.update_or_create(
            worker_id=self.worker_id,
            defaults={"host": socket.gethostname()[:255], "pid": os.getpid(),
                      "started_at": self.started_at, "seen_at": timezone.now()})

    def run(self) -> None:
        while not self.stopped.is_set():
            try:
                close_old_connections()
                self.beat()
                daily.queue_due()
            except Exception:  # noqa: BLE001 - a missed beat is retried; the worker goes on
                connection.close()
            self.stopped.wait(self.every)
        connection.close()


class Command(DbWorker):
    help = ("Run queued background work (large imports, PDF reports, the daily digests) and "
            "stamp a heartbeat that /health/ reports.")

    def handle(self, *args, **options):
        worker_id = options.get("worker_id") or get_random_string(32)
        options["worker_id"] = worker_id
        # No autoreloader: its parent process would keep beating while a crashed child did
        # no work.
        options["reload"] = False
        heartbeat = Heartbeat(worker_id, settings.WORKER_HEARTBEAT_SECONDS)
        heartbeat.beat()  # seen from the moment it starts, before the first task
        daily.queue_due()  # and today's digests queued before it looks for work
        heartbeat.start()
        try:
            return super().handle(*args, **options)
        finally:
            heartbeat.stopped.set()
            heartbeat.join(timeout=5)
