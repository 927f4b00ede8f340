"""manage.py public_trust --trust-code CODE: build a read-only trust from the GIAS extract."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError

from sendtrust.public.services import (
    LOAD_HINT,
    PublicTrustError,
    build_public_trust,
    gias_loaded,
    gias_trusts,
)


class Command(BaseCommand):
    help = (
        "Create or refresh a read-only trust (no pupil records) from the loaded GIAS extract: "
        "its schools by URN, phase, type, local authority and number on roll."
    )

    def add_arguments(self, parser):
        group = parser.add_mutually_exclusive_group(required=True)
        group.add_argument("--trust-code", metavar="CODE",
                           help="GIAS trust code, as in the extract (e.g. TR01234 or 3320)")
        group.add_argument("--list", action="store_true",
                           help="List the trusts in the GIAS extract with their school counts")
        parser.add_argument("--search", default="", help="With --list: match name or code")

    def handle(self, *args, trust_code=None, list=False, search="", **options):
        if list:
            return self._list(search)
        try:
            result = build_public_trust(trust_code)
        except PublicTrustError as exc:
            raise CommandError(str(exc)) from None
        for line in result.summary():
            self.stdout.write(line)
        self.stdout.write(f"overview: /trusts/{result.trust.code}/")

    def _list(self, search: str) -> None:
        if not gias_loaded():
            raise CommandError(LOAD_HINT)
        trusts = gias_trusts(search)
        self.stdout.write(f"{'code':<10} {'schools':>7}  name (local authorities)")
        for t in trusts:
            built = " [profile built]" if t.profile else ""
            self.stdout.write(
                f"{t.code:<10} {t.schools:>7}  {t.name} ({', '.join(t.la_names)}){built}"
            )
        self.stdout.write(f"{len(trusts)} trust(s)")
