"""EHC compliance figures: statutory deadlines met on time, per school, per authority and for
the trust, beside each authority's and England's 20-week figure from the DfE files.

The deadlines come from sendtrust.ehc.facts (computed from events, never typed in). For an
aggregate-only viewer (a trustee) each measure's schools-or-authorities by on-time/late table
goes through secondary suppression (sendtrust.analytics.suppression.suppress_table), so that
no count from 1 to 4 is shown nor can be worked out from the totals.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sendtrust.analytics.figures.common import ENGLAND, shown
from sendtrust.analytics.figures.outcomes import la_timeliness
from sendtrust.analytics.suppression import suppress_table
from sendtrust.analytics.tables import RATE_WITHHELD, Column, Table, Withheld
from sendtrust.ehc import facts
from sendtrust.ehc.clocks import Clock
from sendtrust.ehc.models import Journey
from sendtrust.lib.statutory import add_days, add_months

# (key, clock, label): the measures shown, in order.
MEASURES = [
    ("reviews", Clock.REVIEW, "Annual reviews held within 12 months"),
    ("reports", Clock.REPORT, "Review reports sent within 2 weeks of the meeting"),
    ("new_plans", Clock.FINAL, "New plans issued within 20 weeks of the request"),
]


@dataclass
class Compliance:
    start: dt.date
    end: dt.date
    scope: str  # "Riverside Learning Trust" or a school's name
    by_school: Table
    by_authority: Table
    hide: bool

    @property
    def period(self) -> str:
        return f"deadlines falling from {self.start:%-d %B %Y} to {self.end:%-d %B %Y}"


def period_to(today: dt.date) -> tuple[dt.date, dt.date]:
    """The 12 months up to and including today."""
    return add_days(add_months(today, -12), 1), today


def compliance(trust, *, hide: bool, today: dt.date, school=None) -> Compliance:
    """Compliance of the trust (or one school of it) over the 12 months to today."""
    start, end = period_to(today)
    scope = Journey.objects.filter(pupil__school__trust=trust)
    rows = facts.journeys(scope, today=today)
    settled = {key: facts.settled(rows, clock, start=start, end=end)
               for key, clock, _ in MEASURES}
    if school is not None:
        settled = {k: [s for s in v if s.school_id == school.pk] for k, v in settled.items()}
    schools = [school] if school is not None else list(trust.schools.order_by("name"))
    school_groups = [(s.pk, s.name) for s in schools]
    names = {s.la_code: s.la_name for s in schools}
    names.update({r.journey.la_code: r.journey.la_name for r in rows})
    la_codes = sorted({s.la_code for v in settled.values() for s in v} | (
        {r.journey.la_code for r in rows if school is None or r.pupil.school_id == school.pk}))
    la_groups = [(code, names.get(code, code)) for code in la_codes]
    label = school.name if school is not None else trust.name
    by_school = _table("by_school", f"EHC deadlines met on time by school, {label}", "School",
                       school_groups, settled, lambda s: s.school_id, hide, label)
    by_la = _table("by_authority", f"EHC deadlines met on time by local authority, {label}",
                   "Local authority", la_groups, settled, lambda s: s.la_code, hide, label)
    _add_dfe_timeliness(by_la, la_groups)
    note = (f"Deadlines falling from {start:%-d %B %Y} to {end:%-d %B %Y}, computed from the "
            "events recorded in sendtrust. A deadline met late, missed or closed without a "
            "record counts as not on time; one still running is left out.")
    for t in (by_school, by_la):
        t.notes.insert(0, note)
    return Compliance(start, end, label, by_school, by_la, hide)


def _table(key, caption, head, groups, settled, group_of, hide, total_label) -> Table:
    columns = [Column("group", head)]
    for mkey, _, mlabel in MEASURES:
        columns += [Column(f"{mkey}_on_time", f"{mlabel}: on time", "count"),
                    Column(f"{mkey}_due", f"{mlabel}: deadlines", "count"),
                    Column(f"{mkey}_pct", f"{mlabel}: % on time", "pct")]
    rows = [{"group": name} for _, name in groups]
    footer = {"group": f"All ({total_label})"}
    for mkey, _, _ in MEASURES:
        counts = [[0, 0] for _ in groups]
        index = {g: i for i, (g, _) in enumerate(groups)}
        for s in settled[mkey]:
            i = index.get(group_of(s))
            if i is not None:
                counts[i][0 if s.on_time else 1] += 1
        totals = [a + b for a, b in counts]
        cols = [sum(c[0] for c in counts), sum(c[1] for c in counts)]
        grand = sum(totals)
        if hide:
            t = suppress_table(counts, totals, cols, grand)
            on_time = [r[0] for r in t.cells]
            due = list(t.row_totals)
            f_on, f_due = t.col_totals[0], t.grand_total
            reasons = [(r[0], rt) for r, rt in zip(t.cell_reasons, t.row_total_reasons,
                                                   strict=True)]
            f_reasons = (t.col_total_reasons[0], t.grand_total_reason)
        else:
            on_time, due = [c[0] for c in counts], totals
            f_on, f_due = cols[0], grand
            reasons = [(None, None)] * len(groups)
            f_reasons = (None, None)
        for row, n, d, (rn, rd) in zip(rows, on_time, due, reasons, strict=True):
            _fill(row, mkey, n, d, rn, rd)
        _fill(footer, mkey, f_on, f_due, *f_reasons)
    return Table(key, caption, columns, rows=rows, footer=[footer],
                 notes=["Counts from 1 to 4, and cells that would reveal them, are withheld "
                        "for aggregate-only viewers."] if hide else [])


def _fill(row, mkey, on_time, due, on_reason, due_reason) -> None:
    row[f"{mkey}_on_time"] = Withheld(on_reason) if on_reason else on_time
    row[f"{mkey}_due"] = Withheld(due_reason) if due_reason else due
    if on_reason or due_reason:
        row[f"{mkey}_pct"] = RATE_WITHHELD
    else:
        row[f"{mkey}_pct"] = round(100 * on_time / due, 1) if due else None


def _add_dfe_timeliness(table: Table, la_groups) -> None:
    """Each authority's and England's latest 20-week figure from the DfE files, with its year."""
    dfe = la_timeliness([(code, name) for code, name in la_groups])
    latest: dict[str, dict] = {}
    for r in dfe.rows:
        if r["place"] not in latest or r["year"] > latest[r["place"]]["year"]:
            latest[r["place"]] = r
    table.columns.append(Column("dfe_20wk", "Authority's new plans within 20 weeks (DfE)"))
    for row, (_, name) in zip(table.rows, la_groups, strict=True):
        row["dfe_20wk"] = _dfe_text(latest.get(name))
    england = latest.get("England")
    table.footer.append({"group": "England (DfE)", "dfe_20wk": _dfe_text(england)})
    sources = sorted({r["source"] for r in latest.values()})
    table.notes.append("DfE figures: new EHC plans issued within 20 weeks, including "
                       "exceptions, in the calendar year shown; from "
                       + ("; ".join(sources) if sources else "no DfE file loaded") + ".")


def _dfe_text(row) -> str:
    if row is None:
        return "No DfE figure loaded"
    return f"{row['rate']:.1f}% in {row['year']}"


__all__ = ["Compliance", "ENGLAND", "MEASURES", "compliance", "period_to"]


@dataclass(frozen=True)
class ReviewFigures:
    """Annual reviews of one scope for the self-evaluation evidence."""

    on_time: int | Withheld | None
    due: int | Withheld | None
    pct: float | Withheld | None
    overdue_now: int | Withheld  # open annual reviews past their date today


def review_figures(trust, *, hide: bool, today: dt.date, school=None) -> ReviewFigures:
    """Reviews held on time over the 12 months to today, and reviews overdue now."""
    data = compliance(trust, hide=hide, today=today, school=school)
    total = data.by_school.footer[0]
    scope = Journey.objects.filter(pupil__school__trust=trust)
    if school is not None:
        scope = scope.filter(pupil__school=school)
    rows = facts.journeys(facts.on_roll(scope), today=today, open_only=True)
    overdue = sum(d.clock == Clock.REVIEW and d.state(today) == "overdue"
                  for r in rows for d in r.clocks.deadlines)
    return ReviewFigures(total["reviews_on_time"], total["reviews_due"], total["reviews_pct"],
                         shown(overdue, hide))
