"""Live evidence from the provision app: indicators registered with evidence.register().

Figures come from sendtrust.analytics.figures.provision (one set of queries per page, kept on
the Facts object). For an aggregate-only viewer, counts from 1 to 4 and shares built on them
are withheld.
"""

from __future__ import annotations

from sendtrust.analytics.suppression import is_small
from sendtrust.evaluation import evidence
from sendtrust.evaluation.evidence import Comparison, Indicator, Reading, fmt

MAPPING = "robust-provision-mapping"
INTERVENTIONS = "impactful-interventions"
FUNDING = "effective-use-of-send-funding"
TAS = "effective-use-of-teaching-assistants"


def _counts(facts):
    cached = getattr(facts, "_provision_counts", None)
    if cached is None:
        from sendtrust.analytics.figures.provision import evidence_counts

        cached = evidence_counts(facts.trust, on=facts.on)
        facts._provision_counts = cached
    return cached


def _own(facts):
    from sendtrust.analytics.figures.provision import EvidenceCounts

    counts = _counts(facts)
    return counts.get(facts.school.pk if facts.school else None, EvidenceCounts())


def _no_data(indicator, text) -> Reading:
    return Reading(indicator, False, None, (), f"No data yet: {text}.")


def _withheld(indicator) -> Reading:
    return Reading(indicator, False, None, (), "Withheld: fewer than 5 pupils.", suppressed=True)


def _share_reader(part: str, whole: str, words: str, missing: str):
    """A percentage of two counts, with the trust's beside a school's."""

    def read(facts, indicator) -> Reading:
        own = _own(facts)
        n, d = getattr(own, part), getattr(own, whole)
        if not d:
            return _no_data(indicator, f"{facts.name} {missing}")
        if facts.hide_small and (is_small(n) or is_small(d) or is_small(d - n)):
            return _withheld(indicator)
        value = 100 * n / d
        text = f"{fmt(value, 'percent')} of {words} at {facts.name} ({n:,} of {d:,})"
        comparisons = []
        trust = _counts(facts)[None]
        tn, td = getattr(trust, part), getattr(trust, whole)
        if facts.school is not None and td and not (facts.hide_small and (
                is_small(tn) or is_small(td) or is_small(td - tn))):
            comparisons.append(Comparison(f"Trust ({facts.trust.name})", 100 * tn / td,
                                          "sendtrust provision records"))
            text += f", against {fmt(100 * tn / td, 'percent')} across the trust"
        return Reading(indicator, True, value, tuple(comparisons), text + ".")

    return read


def _spend(facts, indicator) -> Reading:
    own = _own(facts)
    if not own.budget:
        return _no_data(indicator, f"no notional SEN budget is entered for {facts.name} "
                                   "this school year")
    value = float(100 * own.spend / own.budget)
    text = (f"{facts.name} has spent £{own.spend:,.0f} on additional provision this school "
            f"year, {fmt(value, 'percent')} of its notional SEN budget of £{own.budget:,.0f}.")
    return Reading(indicator, True, value, (), text)


def _ta(facts, indicator) -> Reading:
    own = _own(facts)
    total = own.ta_class + own.ta_groups + own.ta_one
    if not total:
        return _no_data(indicator, f"no teaching assistant hours are recorded for {facts.name}")
    value = float(100 * own.ta_groups / total)
    text = (f"Of {total:,.0f} teaching assistant hours a week at {facts.name}, "
            f"{own.ta_class:,.0f} are in class, {own.ta_groups:,.0f} in interventions and "
            f"{own.ta_one:,.0f} one-to-one ({fmt(value, 'percent')} in interventions).")
    return Reading(indicator, True, value, (), text)


evidence.register(Indicator(
    "provision_mapped", "Pupils on the SEN register with provision recorded", "percent",
    (MAPPING,),
    "Pupils with SEN support or an EHC plan who have group or individual provision recorded "
    "in the provision map this school year, as a percentage of the register."),
    _share_reader("with_provision", "register",
                  "pupils on the SEN register have provision recorded this school year",
                  "has no pupils on the SEN register"))
evidence.register(Indicator(
    "intervention_expected_progress", "Pupils making expected progress in interventions",
    "percent", (INTERVENTIONS, TAS),
    "Of the pupils who finished an intervention in the last twelve months with entry and exit "
    "scores, the percentage whose gain reached the measure's expected progress."),
    _share_reader("expected", "finished",
                  "pupils finishing an intervention in the last twelve months made expected "
                  "progress", "has no intervention with entry and exit scores in the last "
                  "twelve months"))
evidence.register(Indicator(
    "send_spend_share", "Spend on additional provision against the notional SEN budget",
    "percent", (FUNDING,),
    "Costed additional provision this school year (staff time from hourly rates by role, "
    "equipment and bought-in services) as a percentage of the notional SEN budget entered."),
    _spend)
evidence.register(Indicator(
    "ta_hours_in_interventions", "Teaching assistant hours spent on interventions", "percent",
    (TAS,),
    "Teaching assistant hours a week in intervention groups, as a percentage of their hours "
    "in class, in interventions and one-to-one."), _ta)
