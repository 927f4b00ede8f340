"""The figures behind trust and school analytics: one data layer for pages, exports and API.

Every function returns plain dataclasses or `Table`s. Disclosure control for aggregate-only
viewers (trustees) is applied here and only here: `school_rates` runs secondary suppression on
the schools-by-status table once, and every other figure about the trust's own pupils (funnel
positions, need mix, trend) is built from values that have already been through it.

One module per kind of figure: common (constants, helpers), schools (rates), funnel, needs,
trend, outcomes (gaps and LA timeliness); this module puts a whole page together and
re-exports the rest, so `figures.<name>` keeps working.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property

from sendtrust.access.policy import is_aggregate_only
from sendtrust.analytics.figures.common import (  # noqa: F401  (re-exported)
    CACHE_SECONDS,
    DEFAULT_METHOD,
    ENGLAND,
    FUNNEL_MEASURES,
    LEVELS,
    METHODS,
    PHASE_LABELS,
    SAMPLE_POINTS,
    benchmark_phase,
    data_version,
    rate,
    shown,
)
from sendtrust.analytics.figures.funnel import (  # noqa: F401  (re-exported)
    FLAG_WORDS,
    FUNNEL_MEANING,
    FunnelSection,
    NationalFunnel,
    _compute_funnel,
    _csv,
    _csv_rows,
    _flag_code,
    _funnel_source,
    _place,
    funnel_limits_note,
    funnel_reading,
    funnel_sections,
    national_funnel,
    national_funnels,
)
from sendtrust.analytics.figures.needs import (  # noqa: F401  (re-exported)
    NeedMix,
    _national_need,
    _need_labels,
    _shares,
    need_mix,
)
from sendtrust.analytics.figures.outcomes import (  # noqa: F401  (re-exported)
    OUTCOMES,
    SEN_GROUPS,
    _count_pair,
    _with_any_sen,
    la_timeliness,
    outcome_gaps,
)
from sendtrust.analytics.figures.schools import (  # noqa: F401  (re-exported)
    SchoolFigures,
    SchoolRates,
    comparator_cells,
    counts_shared,
    record_counts,
    school_rates,
    school_rates_table,
)
from sendtrust.analytics.figures.trend import (  # noqa: F401  (re-exported)
    Trend,
    _as_date,
    _national_series,
    _status_by_day,
    census_day,
    census_days,
    trend,
    trend_query,
)
from sendtrust.analytics.tables import Table
from sendtrust.organisations.models import School, Trust

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
        return school_rates_table(self.rates)

    def tables(self) -> dict[str, Table]:
        out = {"schools": self.rates_table}
        out.update({f.slug: f.table for f in self.funnels})
        out["need-mix"] = self.need.table
        if self.need.by_school is not None:
            out["need-mix-schools"] = self.need.by_school
        out.update({"trend": self.trend.table, "gaps": self.gaps,
                    "timeliness": self.timeliness})
        return out


@counts_shared()  # the schools' counts and the need mix share one read of the pupils
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
