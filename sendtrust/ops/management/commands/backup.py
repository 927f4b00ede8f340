from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.db import connection
from django.utils import timezone

from sendtrust.ops.backup import BackupError, backup


class Command(BaseCommand):
    help = ("Back up the database while it is in use: SQLite with its online backup API, "
            "PostgreSQL with pg_dump (custom format).")

    def add_arguments(self, parser):
        parser.add_argument("path", nargs="?", help="Where to write (default var/backups/DATE)")
        parser.add_argument("--database-url", help="Another database than the configured one")

    def handle(self, *, path, database_url, **options):
        suffix = ".sqlite3" if connection.vendor == "sqlite" else ".dump"
        target = Path(path or f"var/backups/sendtrust-{timezone.now():%Y%m%d-%H%M%S}{suffix}")
        try:
            written = backup(target, url=database_url,
                             connection=None if database_url else connection)
        except BackupError as exc:
            raise CommandError(str(exc)) from None
        self.stdout.write(f"Backup written to {written} ({written.stat().st_size:,} bytes)")
