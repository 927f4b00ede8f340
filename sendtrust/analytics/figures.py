"""The figures behind trust and school analytics: one data layer for pages, exports and API.

Every function returns plain dataclasses or `Table`s. Disclosure control for aggregate-only
viewers (trustees) is applied here and only here: `school_rates` runs secondary suppression on
the schools-by-status table once, and every other figure about the trust's own pupils (funnel
positions, need mix, trend) is built from values that have already been through it.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections import defaultdict
from dataclasses import dataclass, field
from functools import cached_property

import numpy as np
from django.core.cache import cache
from django.db import connection
from django.db.models import Count, Max, Min, Subquery, Sum
from django.utils import timezone

from sendtrust.access.policy import is_aggregate_only
from sendtrust.analytics import stats
from sendtrust.analytics.suppression import is_small, suppress_table
from sendtrust.analytics.tables import (
    PROTECTING,
    RATE_WITHHELD,
    SMALL,
    Column,
    Table,
    Withheld,
)
from sendtrust.benchmarks import queries as benchmarks
from sendtrust.benchmarks.models import Dataset, Figure, Level, Phase
from sendtrust.organisations.models import School, Trust
from sendtrust.organisations.overview import school_counts
from sendtrust.pupils.models import Enrolment, NeedType, Provision, Pupil, SenEpisode

ENGLAND = benchmarks.ENGLAND
LEVELS = (0.95, 0.998)
METHODS = ("additive", "multiplicative", "binomial")
DEFAULT_METHOD = "additive"
FUNNEL_MEASURES = {
    "sen_support": ("sen_support_count", "SEN support"),
    "ehcp": ("ehcp_count", "EHC plan"),
}
SAMPLE_POINTS = 1000  # national schools drawn as dots; the limits use every school
CACHE_SECONDS = 24 * 3600


# --------------------------------------------------------------------------- helpers


def rate(part, whole) -> float | Withheld | None:
    """A percentage to one decimal; withheld when either count is; None without pupils."""
    if isinstance(part, Withheld) or isinstance(whole, Withheld):
        return RATE_WITHHELD
    if part is None or not whole:
        return None
    return round(100 * part / whole, 1)


def shown(n: int | None, hide: bool) -> int | Withheld | None:
    """A count as an aggregate-only viewer may see it."""
    return SMALL if hide and is_small(n) else n


def benchmark_phase(school: School) -> str | None:
    """The DfE phase a school is compared within, or None when no school-level file has it."""
    if school.type == School.Type.SPECIAL:
        return Phase.SPECIAL
    if school.type == School.Type.ALTERNATIVE:
        return Phase.AP
    return {
        School.Phase.PRIMARY: Phase.PRIMARY,
        School.Phase.SECONDARY: Phase.SECONDARY,
        School.Phase.NURSERY: Phase.NURSERY,
    }.get(school.phase)


PHASE_LABELS = dict(Phase.choices)


def data_version() -> str:
    """A token that changes whenever benchmark files are loaded again (one small query)."""
    agg = Dataset.objects.aggregate(n=Count("id"), last=Max("loaded_at"), top=Max("id"))
    raw = f"{agg['n']}:{agg['top']}:{agg['last'] and agg['last'].isoformat()}"
    return hashlib.sha1(raw.encode()).hexdigest()[:16]


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


# --------------------------------------------------------------------------- funnel


@dataclass(frozen=True)
class NationalFunnel:
    """A funnel of every school of one phase in England from one DfE file (cacheable)."""

    phase: str
    measure: str
    label: str
    dataset: str
    period: str
    year: int
    requested: str
    method: str
    note: str
    p0: float
    phi: float | None
    tau2: float | None
    n_units: int
    excluded: int  # rows with a missing value, no pupils, or more cases than pupils
    outside: dict  # level -> schools outside
    above: dict  # level -> schools above
    # The limits on a grid of school sizes (n, lo95, hi95, lo998, hi998, as percentages) and
    # a sample of schools (n, rate %), kept as CSV text: the compact inline data the chart
    # draws, built once and cached with the funnel (see `grid` and `sample` for the rows).
    grid_csv: str = ""
    sample_csv: str = ""
    sample_max: float = 0.0  # the highest sampled rate %, for the chart's y scale

    @property
    def grid(self) -> list[tuple]:
        """[(n, lo95, hi95, lo998, hi998)] as percentages."""
        return [(int(n), *map(float, rest)) for n, *rest in _csv_rows(self.grid_csv)]

    @property
    def sample(self) -> list[tuple]:
        """[(n, rate %)] for the sampled schools."""
        return [(int(n), float(r)) for n, r in _csv_rows(self.sample_csv)]

    def limits_at(self, n) -> stats.Limits:
        n = np.asarray(n, dtype=float)
        if self.method == "binomial":
            return stats.binomial_limits(self.p0, n, LEVELS)
        if self.method == "multiplicative":
            return stats.normal_limits(self.p0, n, LEVELS, phi=self.phi)
        return stats.normal_limits(self.p0, n, LEVELS, tau2=self.tau2)


def _funnel_source(phase: str, count_measure: str) -> tuple | None:
    """(dataset id, title, period, year) of the newest school-level file with this phase."""
    found = (
        Figure.objects.filter(level=Level.SCHOOL, measure_id=count_measure, phase=phase,
                              sen="", need="", breakdown="", value__isnull=False)
        .values_list("dataset_id", "dataset__title", "period", "year")
        .order_by("-year", "-dataset_id")
        .first()
    )
    return found


def national_funnel(phase: str, measure: str, method: str = DEFAULT_METHOD,
                    version: str | None = None) -> NationalFunnel | None:
    """The national funnel for a phase and measure, cached per (data version, phase, ...)."""
    if method not in METHODS:
        raise ValueError(f"unknown limits {method!r}")
    version = version or data_version()
    key = f"analytics:funnel:v3:{version}:{phase}:{measure}:{method}"
    hit = cache.get(key)
    if hit is not None:
        return hit or None  # False caches "no file has this phase"
    result = _compute_funnel(phase, measure, method)
    cache.set(key, result or False, CACHE_SECONDS)
    return result


def _compute_funnel(phase: str, measure: str, method: str) -> NationalFunnel | None:
    count_measure, label = FUNNEL_MEASURES[measure]
    source = _funnel_source(phase, count_measure)
    if source is None:
        return None
    dataset_id, title, period, year = source
    values: dict[str, dict] = defaultdict(dict)
    for code, m, v in Figure.objects.filter(
        dataset_id=dataset_id, level=Level.SCHOOL, phase=phase, year=year,
        measure_id__in=["pupils", count_measure], sen="", need="", breakdown="",
    ).values_list("geo_code", "measure_id", "value"):
        values[code][m] = v
    y, n, excluded = [], [], 0
    for v in values.values():
        p, c = v.get("pupils"), v.get(count_measure)
        if p is None or c is None or p <= 0 or c > p:
            excluded += 1
            continue
        y.append(round(c))
        n.append(round(p))
    if len(n) < 2:
        return None
    y_arr, n_arr = np.array(y, dtype=float), np.array(n, dtype=float)
    res = stats.funnel(y_arr, n_arr, method=method, levels=LEVELS)
    od = res.overdispersion
    partial = NationalFunnel(
        phase, measure, label, title, period, year, method, res.method, res.note, res.p0,
        od.phi if od else None, od.tau2 if od else None, res.n_units, excluded,
        {lv: res.outside(lv) for lv in LEVELS},
        {lv: int(np.count_nonzero(res.flags[lv] == stats.ABOVE)) for lv in LEVELS},
    )
    grid = np.unique(np.round(np.geomspace(max(1.0, n_arr.min()), n_arr.max(), 160)))
    lim = partial.limits_at(grid)
    grid_rows = [
        (int(g), *(round(100 * float(lim[lv][k][i]), 3) for lv in LEVELS for k in (0, 1)))
        for i, g in enumerate(grid)
    ]
    rng = np.random.default_rng(2019)
    pick = np.sort(rng.choice(len(n), size=min(len(n), SAMPLE_POINTS), replace=False))
    sample = [(int(n_arr[i]), round(float(100 * y_arr[i] / n_arr[i]), 2)) for i in pick]
    return NationalFunnel(**{
        **partial.__dict__,
        "grid_csv": _csv(("pupils", "lo95", "hi95", "lo998", "hi998"), grid_rows),
        "sample_csv": _csv(("pupils", "rate"), sample),
        "sample_max": max((r for _, r in sample), default=0.0),
    })


def _csv_rows(text: str) -> list[list[str]]:
    return [line.split(",") for line in text.splitlines()[1:]]


def _csv(header, rows) -> str:
    """Numbers as CSV text (str of a float is its shortest exact form)."""
    return "\n".join([",".join(header), *(",".join(map(str, row)) for row in rows)])


FLAG_WORDS = {
    "above_998": "Above the 99.8% limit",
    "above_95": "Above the 95% limit",
    "within": "Within the limits",
    "below_95": "Below the 95% limit",
    "below_998": "Below the 99.8% limit",
    "withheld": "Not shown (small numbers)",
    "none": "Not placed (no figures)",
}


@dataclass
class FunnelSection:
    phase: str
    measure: str
    national: NationalFunnel
    points: list[dict]  # the trust's schools placed on the funnel
    table: Table
    reading: str

    @property
    def title(self) -> str:
        return f"{self.national.label}: {PHASE_LABELS[self.phase].lower()} schools"

    @property
    def slug(self) -> str:
        return f"funnel-{self.phase}-{self.measure}"


def _flag_code(f95: str, f998: str) -> str:
    if f998 == stats.ABOVE:
        return "above_998"
    if f998 == stats.BELOW:
        return "below_998"
    if f95 == stats.ABOVE:
        return "above_95"
    if f95 == stats.BELOW:
        return "below_95"
    if f95 == stats.WITHIN:
        return "within"
    return "none"


def funnel_sections(sr: SchoolRates, method: str = DEFAULT_METHOD,
                    only: School | None = None) -> list[FunnelSection]:
    """A funnel per (phase, measure) the trust's schools fall in, with each school flagged."""
    version = data_version()
    by_phase: dict[str, list[SchoolFigures]] = defaultdict(list)
    for f in sr.rows:
        if f.phase and (only is None or f.school.pk == only.pk):
            by_phase[f.phase].append(f)
    out = []
    for phase in sorted(by_phase):
        for measure in FUNNEL_MEASURES:
            nf = national_funnel(phase, measure, method, version)
            if nf is None:
                continue
            out.append(_place(nf, by_phase[phase], measure, sr.hide))
    return out


def _place(nf: NationalFunnel, schools: list[SchoolFigures], measure: str,
           hide: bool) -> FunnelSection:
    placeable = [f for f in schools
                 if isinstance(f.pupils, int) and f.pupils > 0
                 and isinstance(getattr(f, measure), int)]
    codes: dict[int, str] = {}
    if placeable:
        n = np.array([f.pupils for f in placeable], dtype=float)
        y = np.array([getattr(f, measure) for f in placeable], dtype=float)
        lim = nf.limits_at(n)
        flags = stats.flag(y, n, lim)
        for i, f in enumerate(placeable):
            codes[id(f)] = (_flag_code(flags[0.95][i], flags[0.998][i]), i)
    points, rows = [], []
    for f in schools:
        count = getattr(f, measure)
        code, i = codes.get(id(f), (None, None))
        if code is None:
            code = "withheld" if isinstance(count, Withheld) or isinstance(
                f.pupils, Withheld) else "none"
        row = {
            "school": f.name,
            "pupils": f.pupils,
            "count": count,
            "rate": rate(count, f.pupils),
            "national": round(100 * nf.p0, 1),
            "lo95": None, "hi95": None, "lo998": None, "hi998": None,
            "flag": FLAG_WORDS[code],
        }
        if i is not None:
            row.update({
                "lo95": round(100 * float(lim[0.95][0][i]), 1),
                "hi95": round(100 * float(lim[0.95][1][i]), 1),
                "lo998": round(100 * float(lim[0.998][0][i]), 1),
                "hi998": round(100 * float(lim[0.998][1][i]), 1),
            })
            points.append({"school": f.name, "pupils": f.pupils, "rate": row["rate"],
                           "flag": FLAG_WORDS[code]})
        if f.school is not None:
            row["_link"] = f.school.code
        rows.append(row)
    label = nf.label
    table = Table(
        f"funnel-{nf.phase}-{measure}",
        f"{label} rate of each {PHASE_LABELS[nf.phase].lower()} school against the national "
        f"funnel ({nf.period})",
        [
            Column("school", "School"), Column("pupils", "Pupils", "count"),
            Column("count", label, "count"), Column("rate", f"{label} %", "pct"),
            Column("national", "National %", "pct"),
            Column("lo95", "95% lower", "pct"), Column("hi95", "95% upper", "pct"),
            Column("lo998", "99.8% lower", "pct"), Column("hi998", "99.8% upper", "pct"),
            Column("flag", "Flag"),
        ],
        rows=rows,
        notes=[funnel_limits_note(nf)],
    )
    return FunnelSection(nf.phase, measure, nf, points, table, funnel_reading(nf, points))


def funnel_limits_note(nf: NationalFunnel) -> str:
    drawn = {
        "additive": "adjusted for overdispersion (additive random-effects, Spiegelhalter 2005)",
        "multiplicative": "adjusted for overdispersion (multiplicative factor)",
        "binomial": "plain exact binomial",
    }[nf.method]
    text = (f"National comparison: {nf.n_units:,} {PHASE_LABELS[nf.phase].lower()} schools in "
            f"England, {nf.dataset}, {nf.period}. Limits are {drawn}.")
    if nf.note:
        text += f" ({nf.note}.)"
    if nf.excluded:
        text += f" {nf.excluded:,} school rows with a missing figure were left out."
    return text


def funnel_reading(nf: NationalFunnel, points: list[dict]) -> str:
    outside = [p for p in points if p["flag"] in (FLAG_WORDS["above_998"],
                                                   FLAG_WORDS["below_998"])]
    return (
        f"Nationally {nf.outside[0.998]:,} of {nf.n_units:,} schools fall outside the 99.8% "
        f"limits for {nf.label} around the England rate of {100 * nf.p0:.1f}%; of the "
        f"{len(points)} placed here from this trust, {len(outside)} "
        f"{'does' if len(outside) == 1 else 'do'}."
    )


FUNNEL_MEANING = (
    "Each dot is a school: its rate against its number of pupils. The funnel shows how far a "
    "school's rate can sit from the England rate just because schools differ, more so for "
    "small schools. A school above or below the 99.8% limit is unusual, and worth a closer "
    "look: it may identify needs differently, or serve a different community, or the data "
    "may be out of date. A flag does not show that identification is wrong, and a school "
    "within the limits is not thereby right. The national figures are from an older census "
    "year than a trust's own records, so compare with care."
)


# --------------------------------------------------------------------------- need mix


def _need_labels() -> dict[str, str]:
    return dict(
        NeedType.objects.filter(taxonomy="england-census")
        .order_by("sort_order").values_list("code", "label")
    )


def _national_need(phases: set[str], la_code: str | None = None) -> tuple[dict, dict, str]:
    """Latest census SEN pupils by primary need: national (sum of LA rows) and one LA.

    One grouped query for the national sums and their source (a second for one LA's).
    """
    rows = (
        Figure.objects.filter(level=Level.LA, measure_id="sen_need_count", phase__in=phases,
                              sen="", breakdown="", value__isnull=False)
        .exclude(need="")
    )
    latest = rows.order_by("-year").values("year")[:1]
    rows = rows.filter(year=Subquery(latest))
    national: dict[str, float] = defaultdict(float)
    first = None  # (lowest id, title, period): the file named as the source
    for need, title, period, total, low in (
        rows.values("need", "dataset__title", "period")
        .annotate(t=Sum("value"), low=Min("id")).order_by()
        .values_list("need", "dataset__title", "period", "t", "low")
    ):
        national[need] += total
        if first is None or low < first[0]:
            first = (low, title, period)
    if first is None:
        return {}, {}, ""
    local = {}
    if la_code:
        local = dict(rows.filter(geo_code=la_code).values("need").annotate(t=Sum("value"))
                     .values_list("need", "t"))
    source = f"{first[1]}, {first[2]} (national = sum of LA rows)"
    return dict(national), local, source


def _shares(counts: dict) -> dict:
    total = sum(v for v in counts.values() if v)
    return {k: (round(100 * v / total, 1) if total and v is not None else None)
            for k, v in counts.items()}


@dataclass
class NeedMix:
    table: Table
    chart: list[dict]  # long rows: need, group, share
    by_school: Table | None = None
    available: bool = True


def need_mix(trust: Trust, sr: SchoolRates, school: School | None = None) -> NeedMix:
    """SEN pupils by primary need: the trust's (or a school's) against national shares."""
    labels = _need_labels()
    schools = [f.school for f in sr.rows if school is None or f.school.pk == school.pk]
    phases = {benchmark_phase(s) for s in schools} - {None}
    national, local, source = _national_need(phases or {Phase.PRIMARY, Phase.SECONDARY},
                                             school.la_code if school else None)
    counts: dict[int, dict[str, int]] = defaultdict(dict)
    if sr.from_records:
        for sid, code, n in (
            Pupil.objects.filter(school__trust=trust,
                                 sen_provision__in=[Provision.SUPPORT, Provision.EHCP])
            .values_list("school_id", "primary_need__code").annotate(n=Count("id")).order_by()
        ):
            counts[sid][code or "none"] = n
    trust_counts: dict[str, int] = defaultdict(int)
    for by in counts.values():
        for k, v in by.items():
            trust_counts[k] += v
    codes = [c for c in labels if c in trust_counts or c in national]
    codes += sorted(c for c in trust_counts if c not in labels and c != "none")
    if "none" in trust_counts:
        codes.append("none")
    label_of = {**labels, "none": "No primary need recorded"}

    def group(by: dict[str, int]):
        """Counts by need, 1-D suppressed for aggregate-only viewers."""
        values = [by.get(c, 0) for c in codes]
        total = sum(values)
        if not sr.hide or not values:
            return values, total
        t = suppress_table([[v] for v in values], values, [total], total)
        shown_vals = [v if r is None else (SMALL if r == "primary" else PROTECTING)
                      for v, r in zip((c[0] for c in t.cells),
                                      (r[0] for r in t.cell_reasons), strict=True)]
        shown_total = t.col_totals[0] if t.col_total_reasons[0] is None else SMALL
        return shown_vals, shown_total

    nat_share = _shares({c: national.get(c) for c in codes})
    la_share = _shares({c: local.get(c) for c in codes}) if local else {}
    trust_vals, trust_total = group(trust_counts)
    columns = [Column("need", "Primary need")]
    rows = [{"need": label_of.get(c, c)} for c in codes]
    chart = []
    if school is not None:
        s_vals, s_total = group(counts.get(school.pk, {}))
        columns += [Column("school", f"{school.name} pupils", "count"),
                    Column("school_share", f"{school.name} %", "pct")]
        for r, v in zip(rows, s_vals, strict=True):
            r.update(school=v, school_share=rate(v, s_total))
    columns += [Column("trust", "Trust pupils", "count"), Column("trust_share", "Trust %", "pct")]
    for r, v in zip(rows, trust_vals, strict=True):
        r.update(trust=v, trust_share=rate(v, trust_total))
    if school is not None:
        columns.append(Column("la_share", f"{school.la_name} %", "pct"))
    columns.append(Column("national_share", "England %", "pct"))
    for r, c in zip(rows, codes, strict=True):
        r["national_share"] = nat_share.get(c)
        if school is not None:
            r["la_share"] = la_share.get(c)
    series = [("school_share", school.name)] if school else []
    series += [("trust_share", "Trust"), ("la_share", school.la_name if school else ""),
               ("national_share", "England")]
    for r in rows:
        for key, name in series:
            if key in r and isinstance(r[key], float):
                chart.append({"need": r["need"], "group": name, "share": r[key]})
    notes = []
    if source:
        notes.append(f"England shares: {source}, "
                     f"{', '.join(sorted(PHASE_LABELS[p].lower() for p in phases))} schools.")
    if sr.from_records:
        notes.append("Trust: pupils on SEN support or with an EHC plan now, by primary need, "
                     "from sendtrust pupil records.")
    else:
        notes.append("This trust is built from public data: DfE publishes no primary need by "
                     "school, so there is no trust need mix.")
    table = Table("need-mix", "Pupils with SEN by primary need", columns, rows=rows,
                  footer=[{"need": "All pupils with SEN", "trust": trust_total,
                           **({"school": s_total} if school else {})}], notes=notes)
    by_school = None
    if not sr.hide and school is None and sr.from_records:
        cols = [Column("school", "School")] + [
            Column(c, c if c != "none" else "Not recorded", "count") for c in codes]
        cols.append(Column("total", "All with SEN", "count"))
        srows = []
        for f in sr.rows:
            by = counts.get(f.school.pk, {})
            srows.append({"school": f.name, **{c: by.get(c, 0) for c in codes},
                          "total": sum(by.values()), "_link": f.school.code})
        by_school = Table("need-mix-schools", "Pupils with SEN by primary need and school",
                          cols, rows=srows, notes=["Column headings are census need codes."])
    return NeedMix(table, chart, by_school, available=sr.from_records)


# --------------------------------------------------------------------------- trend


def census_day(year: int) -> dt.date:
    """The spring census day: the third Thursday of January."""
    first = dt.date(year, 1, 1)
    return first + dt.timedelta(days=(3 - first.weekday()) % 7 + 14)


def census_days(trust: Trust, school: School | None = None, today=None) -> list[dt.date]:
    """January census days from the first SEN episode of the trust's pupils to today."""
    today = today or timezone.localdate()
    episodes = SenEpisode.objects.filter(pupil__school__trust=trust)
    if school is not None:
        episodes = episodes.filter(pupil__school=school)
    first = episodes.aggregate(d=Min("starts_on"))["d"]
    if first is None:
        return []
    years = range(max(first.year, today.year - 11), today.year + 1)
    return [d for d in map(census_day, years) if first <= d <= today]


TREND_SQL = """
WITH days(d) AS (VALUES {days})
SELECT days.d, COUNT(DISTINCT e.pupil_id),
 COUNT(DISTINCT CASE WHEN ep.provision = %s AND ep.starts_on <= days.d
   AND (ep.ends_on IS NULL OR ep.ends_on >= days.d) THEN e.pupil_id END),
 COUNT(DISTINCT CASE WHEN ep.provision = %s AND ep.starts_on <= days.d
   AND (ep.ends_on IS NULL OR ep.ends_on >= days.d) THEN e.pupil_id END)
FROM days
JOIN {enrolment} e ON e.starts_on <= days.d AND (e.ends_on IS NULL OR e.ends_on >= days.d)
JOIN {school} s ON s.id = e.school_id
LEFT JOIN {episode} ep ON ep.pupil_id = e.pupil_id
WHERE s.trust_id = %s{only_school}
GROUP BY days.d
"""


def trend_query(trust: Trust, days: list[dt.date],
                school: School | None = None) -> tuple[str, list]:
    """One grouped query for every census day: (SQL, params), run by the page and the bench.

    Per day: pupils enrolled at the trust (or the school) that day, and those of them with an
    SEN support / EHC plan episode covering it, each pupil counted once.
    """
    cast = "CAST(%s AS date)" if connection.vendor == "postgresql" else "%s"
    sql = TREND_SQL.format(
        days=", ".join(f"({cast})" for _ in days),
        enrolment=Enrolment._meta.db_table, school=School._meta.db_table,
        episode=SenEpisode._meta.db_table,
        only_school=" AND e.school_id = %s" if school is not None else "",
    )
    params = [*days, Provision.SUPPORT, Provision.EHCP, trust.pk]
    if school is not None:
        params.append(school.pk)
    return sql, params


def _status_by_day(trust: Trust, days: list[dt.date],
                   school: School | None) -> dict[dt.date, tuple[int, int, int]]:
    """Pupils enrolled on each day, and those on SEN support / with a plan then (one query)."""
    if not days:
        return {}
    sql, params = trend_query(trust, days, school)
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        found = {_as_date(d): (p, k, e) for d, p, k, e in cursor.fetchall()}
    return {day: found.get(day, (0, 0, 0)) for day in days}


def _as_date(value) -> dt.date:
    return value if isinstance(value, dt.date) else dt.date.fromisoformat(str(value)[:10])


def _national_series() -> tuple[dict[int, dict], list[str]]:
    """England SEN support and EHC plan rates (all schools) per year, one file per year."""
    rows = list(
        Figure.objects.filter(level=Level.NATIONAL, geo_code=ENGLAND, phase="", sen="",
                              need="", breakdown="", value__isnull=False,
                              measure_id__in=["sen_support_rate", "ehcp_rate"])
        .values_list("dataset_id", "dataset__title", "year", "period", "measure_id", "value")
    )
    cover: dict[int, set] = defaultdict(set)
    for ds, _, year, *_ in rows:
        cover[ds].add(year)
    series: dict[int, dict] = {}
    # Rows of the files covering the most years come last, so they win a year they share.
    for ds, title, year, period, measure, value in sorted(
            rows, key=lambda r: (len(cover[r[0]]), r[0])):
        entry = series.get(year)
        if entry is None or entry["ds"] != ds:
            entry = series[year] = {"ds": ds, "source": title, "period": period}
        entry[measure] = value
    used = {e["source"] for e in series.values()}
    return series, sorted(used)


@dataclass
class Trend:
    table: Table
    chart: list[dict]
    has_trust: bool


def trend(trust: Trust, sr: SchoolRates, school: School | None = None) -> Trend:
    """The trust's (or school's) rates at each January census, beside England's series."""
    hide = sr.hide
    mine = {}
    if sr.from_records:
        for day, (p, k, e) in _status_by_day(trust, census_days(trust, school), school).items():
            mine[day.year] = (day, shown(p, hide), shown(k, hide), shown(e, hide))
    national, sources = _national_series()
    who = school.name if school else "Trust"
    rows, chart = [], []
    for year in sorted(set(mine) | set(national)):
        day, p, k, e = mine.get(year, (None, None, None, None))
        nat = national.get(year, {})
        row = {
            "year": year,
            "census_day": day.isoformat() if day else "",
            "pupils": p, "sen_support": k, "sen_support_rate": rate(k, p) if day else None,
            "ehcp": e, "ehcp_rate": rate(e, p) if day else None,
            "national_sen_support_rate": nat.get("sen_support_rate"),
            "national_ehcp_rate": nat.get("ehcp_rate"),
        }
        rows.append(row)
        for key, measure, group in (
            ("sen_support_rate", "SEN support", who), ("ehcp_rate", "EHC plan", who),
            ("national_sen_support_rate", "SEN support", "England"),
            ("national_ehcp_rate", "EHC plan", "England"),
        ):
            if isinstance(row[key], float):
                chart.append({"year": year, "measure": measure, "group": group,
                              "series": f"{group}: {measure}", "rate": row[key]})
    notes = [f"England, all schools: {s}." for s in sources]
    if sr.from_records:
        notes.append("Trust figures are rebuilt from the SEN episode history of the pupils "
                     "enrolled on each January census day.")
    else:
        notes.append("This trust is built from public data and holds no pupil records, so "
                     "there is no trust trend.")
    table = Table(
        "trend", f"SEN support and EHC plan rates at each January census: {who} and England",
        [Column("year", "Year", "year"), Column("census_day", "Census day"),
         Column("pupils", "Pupils", "count"), Column("sen_support", "SEN support", "count"),
         Column("sen_support_rate", "SEN support %", "pct"),
         Column("ehcp", "EHC plans", "count"), Column("ehcp_rate", "EHC plan %", "pct"),
         Column("national_sen_support_rate", "England SEN support %", "pct"),
         Column("national_ehcp_rate", "England EHC plan %", "pct")],
        rows=rows, notes=notes,
    )
    return Trend(table, chart, bool(mine))


# --------------------------------------------------------------------------- outcome gaps

# measure, label, kind, (count measure, denominator measure) for a confidence interval
OUTCOMES = [
    ("absence_overall_pct", "Overall absence, % of sessions", "pct", None),
    ("excl_one_plus_fixed_rate", "Pupils with one or more suspensions, %", "pct",
     ("excl_one_plus_fixed", "excl_headcount")),
    ("excl_permanent_rate", "Permanent exclusions, % of pupils", "pct",
     ("excl_permanent", "excl_headcount")),
    ("ks2_rwm_expected_pct", "KS2 reading, writing and maths at the expected standard, %",
     "pct", ("ks2_rwm_expected_count", "ks2_rwm_pupils")),
    ("ks4_attainment8_avg", "KS4 average Attainment 8 score", "num", None),
]
SEN_GROUPS = ("any_sen", "ehcp", "sen_support", "no_sen")


def outcome_gaps(la_codes: list[tuple[str, str]]) -> Table:
    """SEN minus no-SEN gaps for England and partner LAs, latest year each, with 95% CIs."""
    geos = [ENGLAND, *(code for code, _ in la_codes)]
    names = {ENGLAND: "England", **dict(la_codes)}
    measures = [m for m, *_ in OUTCOMES] + [c for *_, cn in OUTCOMES if cn for c in cn]
    data: dict[tuple, dict] = defaultdict(dict)  # (geo, measure, year) -> group -> value
    titles: dict[tuple, str] = {}
    years: dict[tuple, set] = defaultdict(set)  # (geo, measure) -> years with figures
    for geo, m, year, period, sen, value, title in (
        Figure.objects.filter(level__in=[Level.NATIONAL, Level.LA], geo_code__in=geos,
                              measure_id__in=measures, phase="", need="", breakdown="",
                              sen__in=SEN_GROUPS, value__isnull=False)
        .values_list("geo_code", "measure_id", "year", "period", "sen", "value",
                     "dataset__title")
    ):
        data[(geo, m, year)].setdefault(sen, value)
        titles[(geo, m, year)] = (title, period)
        years[(geo, m)].add(year)
    rows = []
    for measure, label, kind, counts in OUTCOMES:
        for geo in geos:
            best = None
            for year in sorted(years.get((geo, measure), ()), reverse=True):
                groups = _with_any_sen(data, geo, measure, year, counts)
                if groups.get("any_sen") is not None and groups.get("no_sen") is not None:
                    best = (year, groups)
                    break
            if best is None:
                continue
            year, groups = best
            title, period = titles[(geo, measure, year)]
            sen_v, no_v = groups["any_sen"], groups["no_sen"]
            lo = hi = None
            if counts:
                x1, n1 = _count_pair(data, geo, year, counts, "any_sen")
                x0, n0 = _count_pair(data, geo, year, counts, "no_sen")
                if n1 and n0 and x1 is not None and x0 is not None:
                    # The counts give the exact rates; the published ones are rounded.
                    gap = stats.proportion_gap(round(x1), round(n1), round(x0), round(n0))
                    sen_v, no_v = 100 * x1 / n1, 100 * x0 / n0
                    lo, hi = round(100 * gap.lower, 2), round(100 * gap.upper, 2)
            rows.append({
                "outcome": label, "place": names.get(geo, geo),
                "period": f"{title}, {period}".rsplit(", ", 1)[-1],
                "sen": round(sen_v, 2), "no_sen": round(no_v, 2),
                "gap": round(sen_v - no_v, 2), "ci_low": lo, "ci_high": hi,
                "trust": "no trust data yet",
                "source": f"{title}, {period}".rsplit(", ", 1)[0],
                "_pct": kind == "pct",
            })
    return Table(
        "gaps", "Gaps between pupils with and without SEN: England and partner local authorities",
        [Column("outcome", "Outcome"), Column("place", "Place"), Column("period", "Year"),
         Column("sen", "Pupils with SEN", "num"), Column("no_sen", "Pupils without SEN", "num"),
         Column("gap", "Gap (SEN minus no SEN)", "num"),
         Column("ci_low", "95% CI lower", "num"), Column("ci_high", "95% CI upper", "num"),
         Column("trust", "Trust"), Column("source", "Source")],
        rows=rows,
        notes=["Gaps are in percentage points (Attainment 8: points). Confidence intervals "
               "(Newcombe hybrid score) are given where the file publishes the counts.",
               "sendtrust holds no attendance, exclusion or attainment records for the trust "
               "yet, so the trust column says so rather than showing a figure."],
    )


def _with_any_sen(data, geo, measure, year, counts) -> dict:
    groups = dict(data.get((geo, measure, year), {}))
    if groups.get("any_sen") is None and counts:
        x1, n1 = _count_pair(data, geo, year, counts, "any_sen")
        if x1 is not None and n1:
            groups["any_sen"] = 100 * x1 / n1
    return groups


def _count_pair(data, geo, year, counts, group):
    num, den = counts
    x = data.get((geo, num, year), {})
    n = data.get((geo, den, year), {})
    if group == "any_sen" and x.get("any_sen") is None:
        parts = [(x.get(g), n.get(g)) for g in ("ehcp", "sen_support")]
        if all(a is not None and b is not None for a, b in parts):
            return sum(a for a, _ in parts), sum(b for _, b in parts)
        return None, None
    return x.get(group), n.get(group)


# --------------------------------------------------------------------------- LA timeliness


def la_timeliness(la_codes: list[tuple[str, str]]) -> Table:
    """EHC plans issued within 20 weeks (excluding exceptions not applied), per LA and England."""
    geos = [ENGLAND, *(code for code, _ in la_codes)]
    names = {ENGLAND: "England", **dict(la_codes)}
    best: dict[tuple, dict] = {}
    for geo, m, year, value, ds, title in (
        Figure.objects.filter(level__in=[Level.NATIONAL, Level.LA], geo_code__in=geos,
                              measure_id__in=["ehcp_20wk_rate", "ehcp_20wk_den",
                                              "ehcp_20wk_count"],
                              phase="", sen="", need="", breakdown="", value__isnull=False)
        .values_list("geo_code", "measure_id", "year", "value", "dataset_id", "dataset__title")
    ):
        best.setdefault((geo, year), {}).setdefault(ds, {"title": title})[m] = value
    rows = []
    for (geo, year), by_ds in sorted(best.items(), key=lambda kv: (geos.index(kv[0][0]),
                                                                  kv[0][1])):
        # Prefer the file that also gives the counts behind the rate.
        pick = max(by_ds.values(), key=lambda v: ("ehcp_20wk_den" in v, "ehcp_20wk_rate" in v))
        value = pick.get("ehcp_20wk_rate")
        den, num = pick.get("ehcp_20wk_den"), pick.get("ehcp_20wk_count")
        lo = hi = None
        if den and num is not None and 0 <= num <= den:
            w = stats.wilson(round(num), round(den))
            lo, hi = round(100 * w.lower, 1), round(100 * w.upper, 1)
            value = value if value is not None else round(100 * num / den, 1)
        if value is None:
            continue
        rows.append({"place": names.get(geo, geo), "year": year,
                     "plans": int(den) if den else None, "within": int(num) if num else None,
                     "rate": value, "ci_low": lo, "ci_high": hi, "source": pick["title"]})
    return Table(
        "timeliness", "New EHC plans issued within 20 weeks: partner local authorities and "
        "England", [Column("place", "Place"), Column("year", "Calendar year", "year"),
                    Column("plans", "New plans", "count"),
                    Column("within", "Within 20 weeks", "count"),
                    Column("rate", "Within 20 weeks %", "pct"),
                    Column("ci_low", "95% CI lower", "pct"),
                    Column("ci_high", "95% CI upper", "pct"), Column("source", "Source")],
        rows=rows,
        notes=["Including exceptions. Years are calendar years of the plans issued. Where the "
               "file gives the counts, a Wilson 95% interval is shown."],
    )


# --------------------------------------------------------------------------- whole pages


def partner_las(schools) -> list[tuple[str, str]]:
    seen = {}
    for s in schools:
        if s.la_code:
            seen.setdefault(s.la_code, s.la_name or s.la_code)
    return sorted(seen.items(), key=lambda kv: kv[1])


@dataclass
class Analytics:
    trust: Trust
    school: School | None
    hide: bool
    method: str
    rates: SchoolRates
    funnels: list[FunnelSection]
    need: NeedMix
    trend: Trend
    gaps: Table
    timeliness: Table

    @cached_property
    def rates_table(self) -> Table:
        """The schools table, built on first use: the funnel section never shows it, so it
        does not pay for the national and LA rates beside each school."""
        national, la = _rates_context([f.school for f in self.rates.rows])
        return school_rates_table(self.rates, national=national, la=la)

    def tables(self) -> dict[str, Table]:
        out = {"schools": self.rates_table}
        out.update({f.slug: f.table for f in self.funnels})
        out["need-mix"] = self.need.table
        if self.need.by_school is not None:
            out["need-mix-schools"] = self.need.by_school
        out.update({"trend": self.trend.table, "gaps": self.gaps,
                    "timeliness": self.timeliness})
        return out


def _la_rates_by_phase(codes, phases) -> dict[str | None, dict[str, benchmarks.Rates]]:
    """Latest LA rates per phase asked (None = all schools), keyed by LA code: one query.

    The same choice of file and period as `benchmarks.la_sen_rates_many`, for every phase at
    once, so the query count does not grow with the phases a trust's schools span.
    """
    asked = {c.strip() for c in codes if c and c.strip()}
    old_for = benchmarks._old_la_codes(asked)
    if not old_for:
        return {p: {} for p in phases}
    stored = {p: benchmarks._phase(p) for p in phases}
    groups = benchmarks._groups(Level.LA, set(old_for.values()), set(stored.values()))
    best = benchmarks._best(groups, by=lambda key: (key[0], key[4]))
    return {p: {code: best[(old, stored[p])] for code, old in old_for.items()
                if (old, stored[p]) in best} for p in phases}


def _rates_context(schools):
    """National rates per phase, and each school's LA rate for its phase (else all schools)."""
    phases = {benchmark_phase(s) for s in schools} - {None}
    national = benchmarks.national_sen_rates_many({None, *phases})
    by_phase = _la_rates_by_phase({s.la_code for s in schools}, {None, *phases})
    la = {}
    for s in schools:
        p = benchmark_phase(s)
        found = by_phase.get(p, {}).get(s.la_code) or by_phase[None].get(s.la_code)
        if found is not None:
            la[s.pk] = found
    return national, la


def analytics(trust: Trust, user, *, school: School | None = None,
              method: str = DEFAULT_METHOD, sections=None) -> Analytics:
    """Everything the trust (or school) analytics page shows, for this viewer.

    sections: the names to compute; None = all. Each school's counts are always computed;
    the schools table beside them (`rates_table`) is built when first read.
    """
    if method not in METHODS:
        method = DEFAULT_METHOD
    hide = is_aggregate_only(user, trust)
    sr = school_rates(trust, hide=hide)
    if school is not None:
        sr = SchoolRates([f for f in sr.rows if f.school.pk == school.pk], sr.total, hide,
                         sr.from_records, sr.sources)
    schools = [f.school for f in sr.rows]
    want = (lambda name: True) if sections is None else (lambda name: name in sections)
    empty = Table("empty", "", [])
    las = partner_las(schools)
    return Analytics(
        trust, school, hide, method, sr,
        funnels=funnel_sections(sr, method) if want("funnel") else [],
        need=need_mix(trust, sr, school) if want("need") else NeedMix(empty, [], None),
        trend=trend(trust, sr, school) if want("trend") else Trend(empty, [], False),
        gaps=outcome_gaps(las) if want("gaps") else empty,
        timeliness=la_timeliness(las) if want("timeliness") else empty,
    )
