"""The figures behind the trust overview: one aggregate query, plus the national rates."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Count, Q

from sendtrust.access.policy import Action, allows, is_aggregate_only
from sendtrust.analytics.suppression import is_small, safe_rate
from sendtrust.benchmarks import queries as benchmarks
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
