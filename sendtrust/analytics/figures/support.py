"""Support plans, reviews, views and conversations per school, as the viewer may see them.

Read from sendtrust.support.facts; for aggregate-only viewers (trustees) each measure is a
schools x (yes, no) table with the denominators as row totals, run through secondary
suppression once, so no hidden count from 1 to 4 can be worked out from the rest.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.utils import timezone

from sendtrust.access.policy import is_aggregate_only
from sendtrust.analytics.suppression import suppress_table
from sendtrust.analytics.tables import PROTECTING, SMALL, Column, Table, Withheld
from sendtrust.support import facts

# (key, label, numerator attribute, denominator attribute, what the share is of)
MEASURES = (
    ("current_plan", "SEN pupils with a current support plan", "with_plan", "sen",
     "pupils on the SEN register"),
    ("reviews_on_time", "Reviews on time", "reviews_on_time", "reviews_due",
     "reviews held in the last 12 months and reviews now overdue"),
    ("pupil_views", "Reviews with the pupil's views", "pupil_views", "reviews",
     "reviews held in the last 12 months"),
    ("parent_views", "Reviews with the parents' views", "parent_views", "reviews",
     "reviews held in the last 12 months"),
    ("conversation_term", "SEN support pupils whose family had a conversation this term",
     "conversation_term", "support", "pupils on SEN support"),
)


@dataclass
class Share:
    part: int | Withheld
    whole: int | Withheld

    @property
    def percent(self) -> float | Withheld | None:
        if isinstance(self.part, Withheld) or isinstance(self.whole, Withheld):
            return self.part if isinstance(self.part, Withheld) else self.whole
        if not self.whole:
            return None
        return round(100 * self.part / self.whole, 1)


@dataclass
class SupportFigures:
    trust: object
    on: dt.date
    term_start: dt.date
    hide: bool
    rows: list[tuple[object, dict[str, Share]]]  # (school, {measure key: Share})
    total: dict[str, Share]

    @property
    def period(self) -> str:
        return (f"on {self.on:%-d %B %Y}; conversations since the term began on "
                f"{self.term_start:%-d %B %Y}; reviews in the 12 months to {self.on:%-d %B %Y}")


def _mark(value, reason):
    if reason is None:
        return value
    return SMALL if reason == "primary" else PROTECTING


def support_figures(trust, user, on: dt.date | None = None) -> SupportFigures:
    """Every school's support measures for this viewer; suppressed for aggregate-only ones."""
    on = on or timezone.localdate()
    schools = list(trust.schools.order_by("name"))
    counts = facts.counts_by_school(schools, on)
    hide = user is not None and is_aggregate_only(user, trust)
    per_school = {s.pk: {} for s in schools}
    total: dict[str, Share] = {}
    for key, _, num, den, _ in MEASURES:
        parts = [getattr(counts.get(s.pk, facts.SchoolSupportCounts()), num) for s in schools]
        wholes = [getattr(counts.get(s.pk, facts.SchoolSupportCounts()), den) for s in schools]
        cells = [[p, w - p] for p, w in zip(parts, wholes, strict=True)]
        col_totals = [sum(parts), sum(wholes) - sum(parts)]
        grand = sum(wholes)
        shown_parts: list = list(parts)
        shown_wholes: list = list(wholes)
        total_part, total_whole = col_totals[0], grand
        if hide and schools:
            t = suppress_table(cells, wholes, col_totals, grand)
            shown_parts = [_mark(row[0], rr[0]) for row, rr in zip(t.cells, t.cell_reasons,
                                                                   strict=True)]
            # A "no" cell hidden means the part could be worked out from the whole: hide both.
            shown_wholes = [_mark(w, r) for w, r in zip(t.row_totals, t.row_total_reasons,
                                                       strict=True)]
            for i, rr in enumerate(t.cell_reasons):
                if rr[1] is not None and not isinstance(shown_parts[i], Withheld):
                    shown_parts[i] = PROTECTING
            total_part = _mark(t.col_totals[0], t.col_total_reasons[0])
            if t.col_total_reasons[1] is not None and not isinstance(total_part, Withheld):
                total_part = PROTECTING
            total_whole = _mark(t.grand_total, t.grand_total_reason)
        for i, s in enumerate(schools):
            per_school[s.pk][key] = Share(shown_parts[i], shown_wholes[i])
        total[key] = Share(total_part, total_whole)
    return SupportFigures(trust, on, facts.term_start(on), hide,
                          [(s, per_school[s.pk]) for s in schools], total)


def support_table(f: SupportFigures) -> Table:
    """The same figures as one table: for the page, the CSV and .xlsx exports."""
    columns = [Column("school", "School")]
    for key, label, *_ in MEASURES:
        columns += [Column(f"{key}_n", f"{label}: number", "count"),
                    Column(f"{key}_of", f"{label}: out of", "count"),
                    Column(f"{key}_pct", f"{label}: %", "pct")]

    def row(name, shares):
        out = {"school": name}
        for key, *_ in MEASURES:
            s = shares[key]
            out.update({f"{key}_n": s.part, f"{key}_of": s.whole, f"{key}_pct": s.percent})
        return out

    table = Table("support-plans", f"Support plans, reviews and conversations by school, "
                                   f"{f.period}", columns)
    table.rows = [row(s.name, shares) for s, shares in f.rows]
    table.footer = [row("Whole trust", f.total)]
    table.notes = [f"{label}: the share of {of}." for _, label, _, _, of in MEASURES]
    if f.hide:
        table.notes.append("Counts from 1 to 4, and any figure that would reveal one, are "
                           "withheld.")
    return table


def trust_shares(trust, user, on: dt.date | None = None, school=None) -> dict[str, Share]:
    """One scope's shares (a school, or the whole trust when school is None)."""
    f = support_figures(trust, user, on)
    if school is None:
        return f.total
    for s, shares in f.rows:
        if s.pk == school.pk:
            return shares
    return {}
