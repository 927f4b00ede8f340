import datetime as dt

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone
from tqdm import tqdm

from sendtrust.support import digest


class Command(BaseCommand):
    help = ("Email every SENCO their school's support worklist: reviews overdue and due in "
            "the next 14 days, plans without outcomes, pupils on SEN support without a plan, "
            "families without a conversation this term. Run it weekly.")

    def add_arguments(self, parser):
        parser.add_argument("--dry-run", action="store_true",
                            help="Print the emails instead of sending them.")
        parser.add_argument("--on", help="Pretend today is this date (YYYY-MM-DD).")
        parser.add_argument("--base-url", default="",
                            help="Start of the links in the email, e.g. https://send.example.org")

    def handle(self, *args, dry_run=False, on=None, base_url="", **options):
        try:
            today = dt.date.fromisoformat(on) if on else timezone.localdate()
        except ValueError:
            raise CommandError(f"--on: “{on}” is not a date in the form YYYY-MM-DD.") from None
        def progress(rows):
            return tqdm(rows, desc="SENCOs", unit="SENCO", disable=dry_run)

        messages, no_email, sent = digest.send(today, base_url=base_url.rstrip("/"),
                                               dry_run=dry_run, out=self.stdout,
                                               progress=progress)
        if dry_run:
            self.stdout.write(f"Dry run: {len(messages)} email(s) would be sent; none sent.")
        else:
            self.stdout.write(f"Sent {sent} email(s).")
        if no_email:
            names = ", ".join(sorted(u.username for u in no_email))
            self.stdout.write(f"{len(no_email)} SENCO(s) have no email address: {names}.")
