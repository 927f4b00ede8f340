"""The figures behind the trust overview: one aggregate query, plus the national rates."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Count, Q

from sendtrust.access.policy import Action, allows, is_aggregate_only
from sendtrust.analytics.suppression import is_small, safe_rate
from sendtrust.benchmarks import queries as benchmarks
from sendtrust.benchmarks.models import Figure, Level
from sendtrust.organisations.models import School, Trust
from sendtrust.pupils.models import Provision, Pupil


def rate(part: int, whole: int) -> float | None:
    return round(100 * part / whole, 1) if whole else None


@dataclass
class SchoolRow:
    school: School
    pupils: int
    sen_support: int
    ehcp: int
    national: benchmarks.Rates | None
    la: benchmarks.Rates | None
    can_open: bool
    # Trustees never see a count from 1 to 4, nor a rate computed from one.
    hide_small: bool

    def _rate(self, part: int) -> float | None:
        if not self.hide_small:
            return rate(part, self.pupils)
        proportion = safe_rate(part, self.pupils)
        return None if proportion is None else round(100 * proportion, 1)

    @property
    def sen_support_rate(self):
        return self._rate(self.sen_support)

    @property
    def ehcp_rate(self):
        return self._rate(self.ehcp)

    def shown(self, n: int) -> str:
        return "fewer than 5" if self.hide_small and is_small(n) else f"{n:,}"

    @property
    def pupils_shown(self):
        return self.shown(self.pupils)

    # The year beside a national rate when it is not the headline year; set by trust_overview.
    national_note: str = ""

    @property
    def sen_support_shown(self):
        return self.shown(self.sen_support)

    @property
    def ehcp_shown(self):
        return self.shown(self.ehcp)


def school_counts(trust: Trust) -> dict[int, dict[str, int]]:
    """Return pupils, SEN support and EHC plan counts per school of the trust, in one query."""
    rows = (
        Pupil.objects.filter(school__trust=trust)
        .values("school_id")
        .annotate(
            pupils=Count("id"),
            sen_support=Count("id", filter=Q(sen_provision=Provision.SUPPORT)),
            ehcp=Count("id", filter=Q(sen_provision=Provision.EHCP)),
        )
        .order_by()
    )
    return {r["school_id"]: r for r in rows}


NATIONAL_PHASE = {
    School.Phase.PRIMARY: "primary",
    School.Phase.SECONDARY: "secondary",
    School.Phase.ALL_THROUGH: None,
    School.Phase.NURSERY: None,
    School.Phase.SIXTEEN_PLUS: None,
}


def _phase_key(school: School) -> str | None:
    if school.type == School.Type.SPECIAL:
        return "special"
    return NATIONAL_PHASE.get(school.phase)


def trust_overview(trust: Trust, *, user) -> dict:
    """Return the rows and totals for the overview page, suppressed for aggregate-only users."""
    hide_small = is_aggregate_only(user, trust)
    schools = list(trust.schools.order_by("name"))
    counts = school_counts(trust)
    national_by_phase = benchmarks.national_sen_rates_many({None, *map(_phase_key, schools)})
    la = benchmarks.la_sen_rates_many({s.la_code for s in schools})
    rows = []
    for s in schools:
        c = counts.get(s.pk, {"pupils": 0, "sen_support": 0, "ehcp": 0})
        rows.append(
            SchoolRow(
                school=s,
                pupils=c["pupils"],
                sen_support=c["sen_support"],
                ehcp=c["ehcp"],
                national=national_by_phase.get(_phase_key(s)) or national_by_phase.get(None),
                la=la.get(s.la_code),
                can_open=allows(user, Action.SCHOOL_REGISTER, s),
                hide_small=hide_small,
            )
        )
    total = SchoolRow(
        school=None,
        pupils=sum(r.pupils for r in rows),
        sen_support=sum(r.sen_support for r in rows),
        ehcp=sum(r.ehcp for r in rows),
        national=national_by_phase.get(None),
        la=None,
        can_open=False,
        hide_small=hide_small,
    )
    headline = total.national.period if total.national else None
    for r in rows:
        if r.national is not None and r.national.period != headline:
            r.national_note = f"({r.national.period})"
    # Every national series the page draws on, so that the footnote names each source and
    # year: the phase series can be older than the headline one.
    sources = {}
    for rates in [total.national, *(r.national for r in rows)]:
        if rates is not None:
            sources.setdefault((rates.source, rates.period, rates.phase), rates)
    return {"rows": rows, "total": total, "hide_small": hide_small,
            "national_sources": list(sources.values())}


# ------------------------------------------------------------------ read-only (public) trusts


@dataclass
class PublicSchoolRow:
    """A school of a read-only trust: its published census figures and the same-year rates."""

    school: School
    census: benchmarks.Rates | None  # the school's own figures (or its predecessor's)
    national: dict | None  # national rates for the same year and phase, same kind of file
    la: dict | None  # the school's LA for the same year and phase

    @property
    def predecessor_note(self) -> str:
        source = self.census.source if self.census else ""
        _, _, note = source.partition("; ")
        return note


@dataclass
class PublicTotal:
    schools_with_figures: int
    schools: int
    pupils: int
    sen_support: int
    ehcp: int

    @property
    def sen_support_rate(self):
        return rate(self.sen_support, self.pupils)

    @property
    def ehcp_rate(self):
        return rate(self.ehcp, self.pupils)


def _published(level: str, codes: set[str], years: set[int], phases: set[str]) -> dict:
    """Headline rates per (code, year, phase): {title: {measure: value}}, in one query."""
    if not codes or not years:
        return {}
    rows = Figure.objects.filter(
        level=level, geo_code__in=codes, year__in=years, phase__in=phases,
        measure_id__in=benchmarks.HEADLINE, sen="", need="", breakdown="",
    ).values_list("geo_code", "year", "phase", "period", "dataset__title", "measure_id", "value")
    found: dict = {}
    for code, year, phase, period, title, measure, value in rows:
        group = found.setdefault((code, year, phase), {}).setdefault(
            title, {"source": title, "period": period, "phase": phase}
        )
        group[measure] = value
    return found


def _pick(groups: dict | None, title: str) -> dict | None:
    """The same file's figures when it has both rates, else any file's with both rates."""
    if not groups:
        return None
    complete = {t: g for t, g in groups.items()
                if g.get("sen_support_rate") is not None and g.get("ehcp_rate") is not None}
    return complete.get(title) or next(iter(sorted(complete.items())), (None, None))[1]


def public_trust_overview(trust: Trust) -> dict:
    """The overview of a read-only trust: each school's published census figures.

    Counts and rates are the DfE's own, from the school-level census file (an academy that
    replaced a school shows its predecessor's figures, labelled so). Each school is compared
    with the national and LA rates of the same year and phase, so that no rate is set against
    a rate from another year. A fixed number of queries, whatever the number of schools.
    """
    schools = list(trust.schools.order_by("name"))
    census = benchmarks.school_census_many(s.urn for s in schools)
    years = {r.year for r in census.values()}
    phases = {r.phase for r in census.values()}
    national = _published(Level.NATIONAL, {benchmarks.ENGLAND}, years, phases | {""})
    la = _published(Level.LA, {s.la_code for s in schools if s.la_code}, years, phases)
    rows = []
    for s in schools:
        c = census.get(s.urn)
        title = c.source.partition("; ")[0] if c else ""
        rows.append(PublicSchoolRow(
            school=s,
            census=c,
            national=c and _pick(national.get((benchmarks.ENGLAND, c.year, c.phase)), title),
            la=c and _pick(la.get((s.la_code, c.year, c.phase)), title),
        ))
    complete = [r.census for r in rows if r.census and None not in (
        r.census.pupils, r.census.sen_support, r.census.ehcp)]
    total = PublicTotal(
        schools_with_figures=len(complete),
        schools=len(rows),
        pupils=sum(c.pupils for c in complete),
        sen_support=sum(c.sen_support for c in complete),
        ehcp=sum(c.ehcp for c in complete),
    )
    sources = sorted({(c.source.partition("; ")[0], c.period) for c in census.values()})
    all_schools = (_pick(national.get((benchmarks.ENGLAND, y, "")), "") for y in sorted(years))
    national_all = [g for g in all_schools if g]
    return {"public_rows": rows, "public_total": total, "census_sources": sources,
            "national_all": national_all}
