"""python manage.py import_pupils FILE --school URN [--effective YYYY-MM-DD] [--quiet]"""

import datetime as dt
import sys

from django.core.management.base import BaseCommand, CommandError
from tqdm import tqdm

from sendtrust.imports.services import import_file
from sendtrust.organisations.models import School


def _date(text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise CommandError(f"--effective: {text!r} is not a date as YYYY-MM-DD") from None


class Command(BaseCommand):
    help = ("Import pupils and SEN data from a census CSV or .xlsx into one school. Every row "
            "is checked first; a file with any error saves nothing.")

    def add_arguments(self, parser):
        parser.add_argument("file", help="a .csv or .xlsx file with census column names")
        parser.add_argument("--school", required=True, metavar="URN", help="the school's URN")
        parser.add_argument("--effective", metavar="YYYY-MM-DD",
                            help="when new pupils and status changes start (default today)")
        parser.add_argument("--quiet", action="store_true", help="no progress bar")

    def handle(self, *args, file, school, effective, quiet, **options):
        on = _date(effective) if effective else None
        target = School.objects.select_related("trust").filter(urn=school).first()
        if target is None:
            raise CommandError(f"No school has the URN {school}")
        show = not quiet and sys.stderr.isatty() and options["verbosity"] > 0
        with tqdm(desc="Checking rows", unit=" rows", disable=not show) as bar:
            def progress(done, total):
                bar.total = max(total or 0, done)
                bar.update(done - bar.n)

            try:
                result = import_file(file, school=target, effective=on, progress=progress)
            except OSError as e:
                raise CommandError(f"Cannot read {file}: {e.strerror}") from None
        if not result.ok:
            for error in result.errors:
                self.stderr.write(str(error))
            if result.error_count > len(result.errors):
                self.stderr.write(f"... and {result.error_count - len(result.errors)} more")
            raise CommandError(f"{result.error_count} problem(s) in {file}: nothing was saved")
        self.stdout.write(
            f"Imported {result.rows} rows into {target.name} (effective {result.effective}): "
            f"{result.created} new, {result.updated} updated, "
            f"{result.status_changes} SEN status changes, {result.unchanged} unchanged"
        )
