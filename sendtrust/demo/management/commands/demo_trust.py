import sys

from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from sendtrust.benchmarks.queries import national_sen_rates_many
from sendtrust.demo import ehc as demo_ehc
from sendtrust.demo import provision as demo_provision
from sendtrust.demo import support as demo_support
from sendtrust.demo.leadership import seed_leadership
from sendtrust.demo.services import build_demo_trust, write_accounts_csv


class Command(BaseCommand):
    help = (
        "Build a synthetic trust (invented schools, pupils and SEN history) with one account "
        "per role, all with the given password. Deterministic for a seed. If the demo usernames "
        "are taken, this trust's accounts get the first free suffix -t2, -t3, ..."
    )

    def add_arguments(self, parser):
        parser.add_argument("--schools", type=int, default=12)
        parser.add_argument("--pupils", type=int, default=8000)
        parser.add_argument("--seed", type=int, default=1)
        parser.add_argument("--password", required=True, help="Password of every demo account")
        parser.add_argument("--accounts-csv", help="Also write the accounts to this CSV file")
        parser.add_argument("--trust-name", help="Name of the trust (invented if not given)")
        parser.add_argument("--quiet", action="store_true", help="No progress bar")
        parser.add_argument(
            "--no-leadership", action="store_true",
            help="Pupils and accounts only: no context profile, self-evaluation rounds or plan",
        )

    def handle(
        self, *, schools, pupils, seed, password, accounts_csv, trust_name, quiet,
        no_leadership=False, **options
    ):
        try:
            # Demo accounts are real accounts: the same password rules as everyone's.
            validate_password(password)
        except ValidationError as e:
            raise CommandError("--password: " + " ".join(e.messages)) from None
        progress = not quiet and sys.stderr.isatty()
        try:
            result = build_demo_trust(
                schools=schools,
                pupils=pupils,
                seed=seed,
                password=password,
                trust_name=trust_name,
                progress=progress,
            )
        except ValueError as e:
            raise CommandError(str(e)) from None
        out = self.stdout.write
        out(
            f"Built {result.trust.name!r}: {len(result.schools)} schools, {result.pupils:,} "
            f"pupils in {result.seconds:.1f} s (seed {seed})."
        )
        if not no_leadership:
            made = seed_leadership(result.trust, seed=seed)
            out(
                f"Leadership: context profile, {made['rounds']} self-evaluation rounds, "
                f"{made['ratings']:,} ratings, {made['moderations']} moderations; "
                f"a strategic plan of {made['goals']} goals and {made['actions']} actions."
            )
            # The practice layer: support plans, provision, EHC journeys (one module each).
            for area in (demo_support, demo_provision, demo_ehc):
                counts = area.seed(result.trust, seed=seed)
                if counts:
                    name = area.__name__.rsplit(".", 1)[-1]
                    out(f"{name.title()}: " + ", ".join(f"{v:,} {k}" for k, v in counts.items()))
        out("")
        out(summary_table(result))
        out("")
        if result.outliers:
            out("Outliers, on purpose (SEN support identification against the expected rate):")
            for o in result.outliers:
                verb = "over-identifies" if o.direction == "over" else "under-identifies"
                out(f"  {o.school.name} (URN {o.school.urn}) {verb}: x{o.factor:.2f}")
            out("")
        if result.username_suffix:
            out(
                f"The demo usernames were taken: this trust's accounts end in "
                f"{result.username_suffix!r}."
            )
        out("Accounts:")
        rows = [("role", "username", "password", "school_urn")]
        rows += [(a.role, a.username, a.password, a.school_urn) for a in result.accounts]
        out(_columns(rows))
        if accounts_csv:
            path = write_accounts_csv(accounts_csv, result.accounts)
            out(f"Accounts written to {path}")


def summary_table(result) -> str:
    """Return pupils, SEN support and EHC plans per school, the trust and the nation."""

    def pct(n, whole):
        return f"{n:,} ({100 * n / whole:.1f}%)" if whole else "0"

    flags = {o.school.pk: f"{o.direction} x{o.factor:.2f}" for o in result.outliers}
    rows = [
        ("school", "urn", "kind", "local authority", "pupils", "SEN support", "EHC plan", "outlier")
    ]
    for s in result.schools:
        rows.append(
            (
                s.school.name,
                s.school.urn,
                s.kind,
                s.school.la_name,
                f"{s.pupils:,}",
                pct(s.sen_support, s.pupils),
                pct(s.ehcp, s.pupils),
                flags.get(s.school.pk, ""),
            )
        )
    rows.append(
        (
            "Trust",
            "",
            "",
            "",
            f"{result.pupils:,}",
            pct(result.sen_support, result.pupils),
            pct(result.ehcp, result.pupils),
            "",
        )
    )
    # England's rates come from the loaded DfE files, never from figures typed into the code;
    # with no files loaded there is no national row.
    phases = [None, "primary", "secondary"]
    national = national_sen_rates_many(phases)
    for phase in phases:
        rates = national.get(phase)
        if rates is None or rates.sen_support_rate is None is None or rates.ehcp_rate is None:
            continue
        kind = f"{phase} schools" if phase else "all schools"
        rows.append((f"England {rates.period}, {kind} (DfE)", "", "", "", "",
                     f"{rates.sen_support_rate:.1f}%", f"{rates.ehcp_rate:.1f}%", ""))
    return _columns(rows)


def _columns(rows) -> str:
    widths = [max(len(str(r[i])) for r in rows) for i in range(len(rows[0]))]
    return "\n".join(
        "  ".join(str(c).ljust(w) for c, w in zip(r, widths, strict=True)).rstrip() for r in rows
    )
