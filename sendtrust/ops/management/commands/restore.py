from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from sendtrust.ops.backup import BackupError, restore


class Command(BaseCommand):
    help = ("Restore a backup made by `manage.py backup` into an empty database "
            "(--force replaces one that holds data).")

    def add_arguments(self, parser):
        parser.add_argument("path", help="The backup file")
        parser.add_argument("--database-url", help="Another database than the configured one")
        parser.add_argument("--force", action="store_true",
                            help="Replace a database that already holds data")

    def handle(self, *, path, database_url, force, **options):
        try:
            rows = restore(Path(path), url=database_url, force=force)
        except BackupError as exc:
            raise CommandError(str(exc)) from None
        self.stdout.write(f"Restored {sum(rows.values()):,} rows in {len(rows)} tables "
                          f"from {path}")
