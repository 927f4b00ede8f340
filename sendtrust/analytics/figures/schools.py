"""Each school's pupils, SEN support and EHC plan counts and rates, suppressed once for
aggregate-only viewers."""


from __future__ import annotations

from dataclasses import dataclass, field

from django.utils import timezone

from sendtrust.analytics.figures.common import (
    PHASE_LABELS,
    benchmark_phase,
    rate,
)
from sendtrust.analytics.suppression import suppress_table
from sendtrust.analytics.tables import (
    PROTECTING,
    SMALL,
    Column,
    Table,
    Withheld,
)
from sendtrust.benchmarks import queries as benchmarks
from sendtrust.organisations.models import School, Trust
from sendtrust.organisations.overview import school_counts

# --------------------------------------------------------------------------- school rates


@dataclass
class SchoolFigures:
    """One school's (or the trust's) pupils, SEN support and EHC plans, as the viewer sees them."""

    school: School | None
    name: str
    pupils: int | Withheld | None
    sen_support: int | Withheld | None
    ehcp: int | Withheld | None
    no_sen: int | Withheld | None
    phase: str | None = None  # benchmark phase
    source: str = ""

    @property
    def sen_support_rate(self):
        return rate(self.sen_support, self.pupils)

    @property
    def ehcp_rate(self):
        return rate(self.ehcp, self.pupils)


@dataclass
class SchoolRates:
    rows: list[SchoolFigures]
    total: SchoolFigures
    hide: bool
    from_records: bool  # False for a read-only trust: published census figures
    sources: list[str] = field(default_factory=list)


def _counts_from_records(trust: Trust) -> dict[int, tuple[int, int, int]]:
    """(pupils, SEN support, EHC plan) per school: the same query as the trust overview."""
    return {
        school_id: (r["pupils"], r["sen_support"], r["ehcp"])
        for school_id, r in school_counts(trust).items()
    }


def school_rates(trust: Trust, *, hide: bool) -> SchoolRates:
    """Every school's counts and rates; for aggregate-only viewers, secondary-suppressed.

    The suppressed table is schools x (SEN support, EHC plan, no SEN) with pupils as row
    totals: no withheld count can be worked out from the published ones and the totals.
    """
    schools = list(trust.schools.order_by("name"))
    sources: list[str] = []
    if trust.read_only:
        published = benchmarks.school_census_many([s.urn for s in schools])
        raw = {}
        for s in schools:
            r = published.get(s.urn)
            raw[s.pk] = (r.pupils, r.sen_support, r.ehcp) if r else (None, None, None)
        for label in sorted({f"{r.source} ({r.period})" for r in published.values()}):
            sources.append(label)
    else:
        counts = _counts_from_records(trust)
        raw = {s.pk: counts.get(s.pk, (0, 0, 0)) for s in schools}
        sources.append("sendtrust pupil records, current SEN status on "
                       f"{timezone.localdate():%d %B %Y}")

    def no_sen(p, k, e):
        return None if None in (p, k, e) else p - k - e

    cells = [[raw[s.pk][1], raw[s.pk][2], no_sen(*raw[s.pk])] for s in schools]
    row_totals = [raw[s.pk][0] for s in schools]

    def total(values):
        return None if any(v is None for v in values) else sum(values)

    col_totals = [total([c[j] for c in cells]) for j in range(3)]
    grand = total(row_totals)
    if hide and schools:
        t = suppress_table(cells, row_totals, col_totals, grand)

        def mark(value, reason):
            if reason is None:
                return value
            return SMALL if reason == "primary" else (PROTECTING if reason == "secondary" else None)

        cells = [[mark(v, r) for v, r in zip(row, rr, strict=True)]
                 for row, rr in zip(t.cells, t.cell_reasons, strict=True)]
        row_totals = [mark(v, r) for v, r in zip(t.row_totals, t.row_total_reasons, strict=True)]
        col_totals = [mark(v, r) for v, r in zip(t.col_totals, t.col_total_reasons, strict=True)]
        grand = mark(t.grand_total, t.grand_total_reason)
    rows = [
        SchoolFigures(s, s.name, row_totals[i], cells[i][0], cells[i][1], cells[i][2],
                      benchmark_phase(s))
        for i, s in enumerate(schools)
    ]
    total_row = SchoolFigures(None, "Whole trust", grand, *col_totals)
    return SchoolRates(rows, total_row, hide, not trust.read_only, sources)


def school_rates_table(sr: SchoolRates, national=None, la=None) -> Table:
    """The schools table: counts, rates, and the national and LA rates beside them."""
    columns = [
        Column("school", "School"),
        Column("phase", "Phase compared within"),
        Column("la", "Local authority"),
        Column("pupils", "Pupils", "count"),
        Column("sen_support", "SEN support", "count"),
        Column("sen_support_rate", "SEN support %", "pct"),
        Column("ehcp", "EHC plans", "count"),
        Column("ehcp_rate", "EHC plan %", "pct"),
        Column("national_sen_support_rate", "National SEN support %", "pct"),
        Column("national_ehcp_rate", "National EHC plan %", "pct"),
        Column("la_sen_support_rate", "LA SEN support %", "pct"),
        Column("la_ehcp_rate", "LA EHC plan %", "pct"),
    ]
    national = national or {}
    la = la or {}

    def row(f: SchoolFigures, school: School | None):
        nat = national.get(f.phase) or national.get(None)
        local = la.get(school.pk) if school else None
        out = {
            "school": f.name,
            "phase": PHASE_LABELS.get(f.phase, "") if school else "",
            "la": school.la_name if school else "",
            "pupils": f.pupils,
            "sen_support": f.sen_support,
            "sen_support_rate": f.sen_support_rate,
            "ehcp": f.ehcp,
            "ehcp_rate": f.ehcp_rate,
            "national_sen_support_rate": nat.sen_support_rate if nat else None,
            "national_ehcp_rate": nat.ehcp_rate if nat else None,
            "la_sen_support_rate": local.sen_support_rate if local else None,
            "la_ehcp_rate": local.ehcp_rate if local else None,
        }
        if school is not None:
            out["_link"] = school.code
        return out

    notes = list(sr.sources)
    for key, nat in sorted(national.items(), key=lambda kv: str(kv[0])):
        if nat is not None:
            notes.append(f"National {PHASE_LABELS.get(key or '', 'all schools').lower()}: "
                         f"{nat.source}, {nat.period}.")
    if sr.hide:
        notes.append("Counts from 1 to 4 are shown as 'fewer than 5', with no rate, and other "
                     "cells are withheld where they would let a hidden count be worked out.")
    return Table(
        "schools", "SEN support and EHC plans by school", columns,
        rows=[row(f, f.school) for f in sr.rows], footer=[row(sr.total, None)], notes=notes,
    )


