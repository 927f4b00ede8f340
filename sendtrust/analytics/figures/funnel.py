"""Funnel plots: every school of a phase in England, exact binomial or overdispersion-adjusted
limits, and the trust's schools placed and flagged on them."""


from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.core.cache import cache

from sendtrust.analytics.figures.common import (
    CACHE_SECONDS,
    DEFAULT_METHOD,
    FUNNEL_MEASURES,
    LEVELS,
    METHODS,
    PHASE_LABELS,
    SAMPLE_POINTS,
    data_version,
    rate,
)
from sendtrust.analytics.figures.schools import (
    SchoolFigures,
    SchoolRates,
)
from sendtrust.analytics.tables import (
    Column,
    Table,
    Withheld,
)
from sendtrust.benchmarks.models import Figure, Level
from sendtrust.organisations.models import School

if TYPE_CHECKING:
    from sendtrust.analytics import stats

# numpy and sendtrust.analytics.stats (numpy, scipy) are imported inside the functions that
# compute or place a funnel: importing this module (every worker does, through the URLs)
# must not pay for them. The flag words below are stats.ABOVE etc.
ABOVE, BELOW, WITHIN = "above", "below", "within"

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
    # Every school's rate (proportion), sorted: each trust school's centile is read from it.
    ranked: tuple = ()
    p_value: float | None = None  # the overdispersion test's p-value

    @property
    def grid(self) -> list[tuple]:
        """[(n, lo95, hi95, lo998, hi998)] as percentages."""
        return [(int(n), *map(float, rest)) for n, *rest in _csv_rows(self.grid_csv)]

    @property
    def sample(self) -> list[tuple]:
        """[(n, rate %)] for the sampled schools."""
        return [(int(n), float(r)) for n, r in _csv_rows(self.sample_csv)]

    def limits_at(self, n) -> stats.Limits:
        import numpy as np

        from sendtrust.analytics import stats

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


def _funnel_key(version: str, phase: str, measure: str, method: str) -> str:
    return f"analytics:funnel:v4:{version}:{phase}:{measure}:{method}"


def national_funnels(pairs: list[tuple[str, str]], method: str = DEFAULT_METHOD,
                     version: str | None = None) -> dict[tuple[str, str], NationalFunnel | None]:
    """The national funnels for these (phase, measure) pairs, cached per (data version,
    phase, measure, method): one read of the shared cache for them all, so that a page asks
    the cache once however many phases its schools fall in (issue 15)."""
    if method not in METHODS:
        raise ValueError(f"unknown limits {method!r}")
    version = version or data_version()
    keys = {pair: _funnel_key(version, *pair, method) for pair in pairs}
    hits = cache.get_many(list(keys.values())) if keys else {}
    out = {}
    for pair, key in keys.items():
        hit = hits.get(key)
        if hit is None:
            hit = _compute_funnel(*pair, method) or False  # False: no file has this phase
            cache.set(key, hit, CACHE_SECONDS)
        out[pair] = hit or None
    return out


def national_funnel(phase: str, measure: str, method: str = DEFAULT_METHOD,
                    version: str | None = None) -> NationalFunnel | None:
    """The national funnel for a phase and measure, cached per (data version, phase, ...)."""
    return national_funnels([(phase, measure)], method, version)[(phase, measure)]


def warm_national_cache() -> str:
    """Compute every national funnel of the DfE data now loaded, into the shared cache.

    Called by `load_benchmarks` once the files are in (one line there), so that no visitor
    waits for a funnel (1.5 s and 16 extra queries the first time). The cache is the database
    cache every process reads (settings.CACHES), keyed by the data version: each funnel is
    computed once per version, whichever process asks first. Returns a line for the command.
    """
    version = data_version()
    made = 0
    for phase in PHASE_LABELS:
        for measure in FUNNEL_MEASURES:
            for method in METHODS:
                made += national_funnel(phase, measure, method, version) is not None
    return f"national funnels cached for data version {version}: {made}"


def _compute_funnel(phase: str, measure: str, method: str) -> NationalFunnel | None:
    import numpy as np

    from sendtrust.analytics import stats

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
        ranked=tuple(np.sort(y_arr / n_arr).tolist()),
        p_value=od.p_value if od else None,
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
    if f998 == ABOVE:
        return "above_998"
    if f998 == BELOW:
        return "below_998"
    if f95 == ABOVE:
        return "above_95"
    if f95 == BELOW:
        return "below_95"
    if f95 == WITHIN:
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
    pairs = [(phase, measure) for phase in sorted(by_phase) for measure in FUNNEL_MEASURES]
    funnels = national_funnels(pairs, method, version)
    out = []
    for phase, measure in pairs:
        nf = funnels[(phase, measure)]
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
        import numpy as np

        from sendtrust.analytics import stats

        n = np.array([f.pupils for f in placeable], dtype=float)
        y = np.array([getattr(f, measure) for f in placeable], dtype=float)
        lim = nf.limits_at(n)
        if nf.method == "binomial":
            flags = stats.exact_flag(y, n, nf.p0, LEVELS)
        else:
            flags = stats.flag(y, n, lim)
        centile = stats.centiles(y / n, nf.ranked) if nf.ranked else [None] * len(placeable)
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
            "centile": None, "band": "",
        }
        if i is not None:
            c = centile[i]
            row["centile"] = None if c is None else round(float(c), 1)
            row["band"] = centile_band(row["centile"])
            row.update({
                "lo95": round(100 * float(lim[0.95][0][i]), 1),
                "hi95": round(100 * float(lim[0.95][1][i]), 1),
                "lo998": round(100 * float(lim[0.998][0][i]), 1),
                "hi998": round(100 * float(lim[0.998][1][i]), 1),
            })
            points.append({"school": f.name, "pupils": f.pupils, "rate": row["rate"],
                           "flag": FLAG_WORDS[code], "centile": row["centile"],
                           "band": row["band"]})
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
            Column("centile", f"Centile among {PHASE_LABELS[nf.phase].lower()} schools", "num"),
            Column("band", "Lowest or highest 5%"),
        ],
        rows=rows,
        notes=[funnel_limits_note(nf), CENTILE_MEANING],
    )
    return FunnelSection(nf.phase, measure, nf, points, table, funnel_reading(nf, points))


CENTILE_MEANING = (
    "Centile: where the school's rate sits among every school of its kind in England (50 is "
    "the middle); the limits ask whether a rate could be chance variation around the England "
    "rate, so a school can be within wide limits yet in the lowest or highest 5% of schools."
)


def centile_band(centile: float | None) -> str:
    """"Lowest 5%" or "Highest 5%" of schools of the kind in England, else ""."""
    if centile is None:
        return ""
    if centile < 5:
        return "Lowest 5%"
    if centile > 95:
        return "Highest 5%"
    return ""


def funnel_limits_note(nf: NationalFunnel) -> str:
    drawn = {
        "additive": "adjusted for overdispersion (additive random-effects, Spiegelhalter 2005)",
        "multiplicative": "adjusted for overdispersion (multiplicative factor)",
        "binomial": "exact binomial: a school is flagged only where its own tail probability "
                    "is below the level",
    }[nf.method]
    text = (f"National comparison: {nf.n_units:,} {PHASE_LABELS[nf.phase].lower()} schools in "
            f"England, {nf.dataset}, {nf.period}. Limits are {drawn}.")
    if nf.method != "binomial" and nf.phi is not None:
        text += (f" The test finds overdispersion (phi = {nf.phi:.2f}, "
                 f"p {'< 0.001' if (nf.p_value or 0) < 0.001 else f'= {nf.p_value:.3f}'}), "
                 "so the limits are widened.")
    if nf.note:
        text += f" ({nf.note[0].upper()}{nf.note[1:]}.)"
    if nf.excluded:
        rows = "school row" if nf.excluded == 1 else "school rows"
        was = "was" if nf.excluded == 1 else "were"
        text += f" {nf.excluded:,} {rows} with a missing figure {was} left out."
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


