"""Live evidence from the ehc app: indicators registered with evidence.register().

Both read sendtrust.analytics.figures.ehc (suppressed there for aggregate-only viewers) and
evidence "Rigorous monitoring and evaluation".
"""

from __future__ import annotations

from sendtrust.analytics.figures.ehc import review_figures
from sendtrust.analytics.tables import Withheld
from sendtrust.evaluation import evidence
from sendtrust.evaluation.evidence import Comparison, Indicator, Reading

MONITORING = "rigorous-monitoring-and-evaluation"

REVIEWS_ON_TIME = Indicator(
    "ehc_reviews_on_time", "EHC annual reviews held on time", "percent", (MONITORING,),
    "Share of EHC plan annual reviews due in the last 12 months that were held within 12 "
    "months of the plan or the last review, computed from the EHC events recorded in sendtrust.")
REVIEWS_OVERDUE = Indicator(
    "ehc_reviews_overdue", "EHC annual reviews overdue", "count", (MONITORING,),
    "EHC plan annual reviews past their statutory date today, for pupils on roll.")


def _figures(facts, school):
    cache = facts.__dict__.setdefault("_ehc_reviews", {})
    key = school.pk if school is not None else None
    if key not in cache:
        cache[key] = review_figures(facts.trust, hide=facts.hide_small, today=facts.on,
                                    school=school)
    return cache[key]


def read_on_time(facts, indicator) -> Reading:
    own = _figures(facts, facts.school)
    if isinstance(own.pct, Withheld):
        return Reading(indicator, True, None, (), "Withheld: the annual reviews due rest on "
                       "fewer than 5 pupils, which is not shown to aggregate-only viewers.",
                       suppressed=True)
    if own.pct is None:
        return Reading(indicator, False, None, (), f"No data yet: no EHC annual review of "
                       f"{facts.name} fell due in the last 12 months.")
    comparisons = []
    if facts.school is not None:
        trust = _figures(facts, None)
        if isinstance(trust.pct, float | int):
            comparisons.append(Comparison(facts.trust.name, trust.pct, "sendtrust EHC events"))
    return Reading(indicator, True, own.pct, tuple(comparisons),
                   f"{own.pct:.1f}% of the {own.due} EHC annual reviews due at {facts.name} in "
                   f"the last 12 months were held on time.")


def read_overdue(facts, indicator) -> Reading:
    own = _figures(facts, facts.school)
    if isinstance(own.overdue_now, Withheld):
        return Reading(indicator, True, None, (), "Withheld: fewer than 5 annual reviews are "
                       "overdue, which is not shown to aggregate-only viewers.", suppressed=True)
    n = own.overdue_now
    words = "annual review is" if n == 1 else "annual reviews are"
    return Reading(indicator, True, float(n), (), f"{n} EHC {words} overdue at {facts.name} "
                   "today.")


evidence.register(REVIEWS_ON_TIME, read_on_time)
evidence.register(REVIEWS_OVERDUE, read_overdue)
