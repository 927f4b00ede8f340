"""Each school's pupils, SEN support and EHC plan counts and rates, suppressed once for
aggregate-only viewers."""


from __future__ import annotations

from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field

from django.db.models import Count
from django.utils import timezone

from sendtrust.analytics import comparators
from sendtrust.analytics.figures.common import (
    benchmark_phase,
    on_roll,
    rate,
)
from sendtrust.analytics.figures.history import stored_for_today
from sendtrust.analytics.models import RollCount
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
from sendtrust.pupils.models import Provision, Pupil

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
    compare: comparators.Comparators | None = None  # England and LA, like for like
    census: benchmarks.Rates | None = None  # a public trust's published figures
    note: str = ""  # where a public school's figures come from, when not its own

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
    schools_with_figures: int = 0

    @property
    def from_predecessor(self) -> list[SchoolFigures]:
        """Schools whose figures are not their own (a public trust's successor schools)."""
        return [f for f in self.rows if f.note]


# Counts already made in this request (see counts_shared): trust id -> counts.
_SHARED: ContextVar[dict | None] = ContextVar("sendtrust_record_counts", default=None)


@contextmanager
def counts_shared():
    """Within this block (one request), each trust's per-school counts are read once.

    A page that asks several figures of the same trust (the plan's indicators each read
    `school_rates`) shares the one count instead of scanning the pupils again. Nothing is kept
    after the block: the next request counts afresh. Also a decorator: @counts_shared().
    """
    if _SHARED.get() is not None:  # already inside one: share its counts
        yield
        return
    token = _SHARED.set({})
    try:
        yield
    finally:
        _SHARED.reset(token)


def record_counts(trust: Trust) -> dict[int, tuple[int, int, int]]:
    """(pupils, SEN support, EHC plan) per school of the trust, from pupil records.

    The only count of a school's pupils in sendtrust: every page, export and route reads it
    through `school_rates`, which applies the viewer's suppression. Inside `counts_shared`
    (one request) the pupils are read once per trust and day (see `_pupils_on_roll`).
    """
    counts: dict[int, list[int]] = {}
    for (school_id, status, _), n in _pupils_on_roll(trust).items():
        c = counts.setdefault(school_id, [0, 0, 0])
        c[0] += n
        if status == Provision.SUPPORT:
            c[1] += n
        elif status == Provision.EHCP:
            c[2] += n
    return {school_id: tuple(c) for school_id, c in counts.items()}


def record_need_counts(trust: Trust) -> dict[int, dict[int | None, int]]:
    """Pupils on SEN support or with an EHC plan per school and primary need id (None: no
    need recorded), from the same read as `record_counts`. Raw counts: the caller (need_mix)
    suppresses them for aggregate-only viewers."""
    out: dict[int, dict[int | None, int]] = {}
    for (school_id, status, need_id), n in _pupils_on_roll(trust).items():
        if status in (Provision.SUPPORT, Provision.EHCP):
            by = out.setdefault(school_id, {})
            by[need_id] = by.get(need_id, 0) + n
    return out


def _pupils_on_roll(trust: Trust) -> dict[tuple[int, str, int | None], int]:
    """Pupils on roll today per (school, SEN status, primary need id), shared within
    `counts_shared`, and stored (analytics.RollCount) for the day while the trust's records
    stand: two small queries, the count made again only after a write to an enrolment, an
    SEN status or a pupil's register entry of the trust (see analytics.figures.history).

    The count (`_count_on_roll`) is served by indexes alone: each school's pupils from
    pupil_school_status (school, status, need), and whether each is on roll from the
    enrolment summary in the same index, neither table read. The schools are a list
    (school_id IN ...), not a join, so that SQLite reads the pupils in the index's order and
    groups them without sorting (issue 15).
    """
    shared = _SHARED.get()
    key = (trust.pk, timezone.localdate())
    if shared is not None and key in shared:
        return shared[key]
    stored = stored_for_today(RollCount, trust, lambda day: [
        [*k, n] for k, n in _count_on_roll(trust, day).items()])
    counts = {(school_id, status, need): n for school_id, status, need, n in stored}
    if shared is not None:
        shared[key] = counts
    return counts


def _count_on_roll(trust: Trust, day) -> dict[tuple[int, str, int | None], int]:
    """The count itself (one query; ~45 ms on SQLite and ~55 ms on PostgreSQL at 50,000
    pupils, stored so that each page does not make it again: issue 15)."""
    rows = (
        Pupil.objects.filter(on_roll(day), school__in=School.objects.filter(trust=trust)
                             .values("pk"))
        .values_list("school_id", "sen_provision", "primary_need_id")
        .annotate(n=Count("id"))
        .order_by()
    )
    return {(school_id, status, need): n for school_id, status, need, n in rows}


PREDECESSOR = "; figures of predecessor URN "  # how benchmarks marks a predecessor's figures


def public_census(schools: list[School]) -> tuple[dict, dict[int, str]]:
    """A public trust's published figures per URN, each predecessor's given to one school only.

    GIAS can name one predecessor for several schools of a trust (a split school), or a
    predecessor that is itself one of the trust's schools. Its census figures then go to the
    one school that is not already counted, the first by name; the others show none, and
    their note names the school the figures are counted under.
    """
    published = benchmarks.school_census_many([s.urn for s in schools])
    own = {s.urn: s for s in schools if s.urn in published
           and PREDECESSOR not in published[s.urn].source}
    taken: dict[str, School] = dict(own)
    notes: dict[int, str] = {}
    for s in schools:
        r = published.get(s.urn)
        if r is None or s.urn in own:
            continue
        _, _, old = r.source.partition(PREDECESSOR)
        if old in taken:
            notes[s.pk] = (f"its predecessor's figures (URN {old}) are counted once, under "
                           f"{taken[old].name}")
            del published[s.urn]
        else:
            taken[old] = s
            notes[s.pk] = f"figures of its predecessor, URN {old}"
    return published, notes


def school_rates(trust: Trust, *, hide: bool) -> SchoolRates:
    """Every school's counts, rates and like-for-like comparators, as this viewer may see them.

    The one source of a school's figures: the overview, analytics, the public profile, the
    self-evaluation evidence, every export and the API read it. For aggregate-only viewers
    the table schools x (SEN support, EHC plan, no SEN), with pupils as row totals and the
    whole trust as column totals, is suppressed as one table, so that no withheld count can
    be worked out from anything else it publishes.
    """
    schools = list(trust.schools.order_by("name"))
    sources: list[str] = []
    census: dict = {}
    notes: dict[int, str] = {}
    if trust.read_only:
        census, notes = public_census(schools)
        raw = {}
        for s in schools:
            r = census.get(s.urn)
            raw[s.pk] = (r.pupils, r.sen_support, r.ehcp) if r else (None, None, None)
        # The file's title, without the note a predecessor's figures carry after it.
        for label in sorted({f"{r.source.partition(PREDECESSOR)[0]}, {r.period}"
                             for r in census.values()}):
            sources.append(f"School figures: {label}.")
        # A public trust's whole-trust figures are the sums over the schools with figures.
        counted = [s for s in schools if None not in raw[s.pk]]
    else:
        counts = record_counts(trust)
        raw = {s.pk: counts.get(s.pk, (0, 0, 0)) for s in schools}
        sources.append("sendtrust pupil records, current SEN status on "
                       f"{timezone.localdate():%d %B %Y}")
        counted = schools
    compare, trust_compare, basis = comparators.for_schools(schools)
    sources += basis

    def no_sen(p, k, e):
        return None if None in (p, k, e) else p - k - e

    cells = [[raw[s.pk][1], raw[s.pk][2], no_sen(*raw[s.pk])] for s in schools]
    row_totals = [raw[s.pk][0] for s in schools]

    in_total = [i for i, s in enumerate(schools) if s in counted]

    def total(values):
        values = [values[i] for i in in_total]
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
                      benchmark_phase(s), compare=compare[s.pk], census=census.get(s.urn),
                      note=notes.get(s.pk, ""))
        for i, s in enumerate(schools)
    ]
    total_row = SchoolFigures(None, "Whole trust", grand, *col_totals, compare=trust_compare)
    return SchoolRates(rows, total_row, hide, not trust.read_only, sources,
                       schools_with_figures=len(counted))


def comparator_cells(f: SchoolFigures) -> dict:
    """The comparator columns of one row: labelled rates, or why there is none."""
    out = {}
    for place in ("national", "la"):
        c = getattr(f.compare, place) if f.compare else None
        out[f"{place}_label"] = c.label if c else ""
        out[f"{place}_sen_support_rate"] = c.sen_support_rate if c else None
        out[f"{place}_ehcp_rate"] = c.ehcp_rate if c else None
    return out


def school_rates_table(sr: SchoolRates) -> Table:
    """The schools table: counts, rates, and like-for-like England and LA rates, labelled."""
    columns = [
        Column("school", "School"),
        Column("la", "Local authority"),
        Column("pupils", "Pupils", "count"),
        Column("sen_support", "SEN support", "count"),
        Column("sen_support_rate", "SEN support %", "pct"),
        Column("ehcp", "EHC plans", "count"),
        Column("ehcp_rate", "EHC plan %", "pct"),
        Column("national_label", "England comparator"),
        Column("national_sen_support_rate", "England SEN support %", "pct"),
        Column("national_ehcp_rate", "England EHC plan %", "pct"),
        Column("la_label", "LA comparator"),
        Column("la_sen_support_rate", "LA SEN support %", "pct"),
        Column("la_ehcp_rate", "LA EHC plan %", "pct"),
    ]

    def row(f: SchoolFigures):
        school = f.school
        out = {
            "school": f.name,
            "la": school.la_name if school else "",
            "pupils": f.pupils,
            "sen_support": f.sen_support,
            "sen_support_rate": f.sen_support_rate,
            "ehcp": f.ehcp,
            "ehcp_rate": f.ehcp_rate,
            **comparator_cells(f),
        }
        if school is not None:
            out["_link"] = school.code
        return out

    notes = list(sr.sources)
    moved = [f for f in sr.rows if f.note]
    if moved:
        notes.append("Figures not the school's own: " + "; ".join(
            f"{f.name}: {f.note}" for f in moved) + ".")
    if sr.hide:
        notes.append("Counts from 1 to 4 are shown as 'fewer than 5', with no rate, and other "
                     "cells, totals included, are withheld where they would let a hidden count "
                     "be worked out.")
    return Table(
        "schools", "SEN support and EHC plans by school", columns,
        rows=[row(f) for f in sr.rows], footer=[row(sr.total)], notes=notes,
    )
