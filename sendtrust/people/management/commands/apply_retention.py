from django.core.management.base import BaseCommand

from sendtrust.people import retention


class Command(BaseCommand):
    help = ("Apply the retention policy: anonymise pupils past it, switch off accounts whose "
            "roles ended long ago, delete long-expired API tokens. Run with --dry-run first.")

    def add_arguments(self, parser):
        parser.add_argument("--dry-run", action="store_true",
                            help="Only list what would be done; change nothing")

    def handle(self, dry_run, **options):
        for rule in retention.rules():
            self.stdout.write(f"- {rule.kind}: kept {rule.kept}; then {rule.then}.")
        outcome = retention.apply(dry_run=dry_run)
        for line in outcome.lines:
            self.stdout.write(line)
        verb = "would be" if dry_run else "were"
        self.stdout.write(
            f"{outcome.pupils} pupil(s) {verb} anonymised, {outcome.accounts} account(s) "
            f"switched off, {outcome.tokens} token(s) deleted."
            + (" Nothing was changed: run again without --dry-run to apply." if dry_run else "")
        )
