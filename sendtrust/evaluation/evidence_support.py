"""Live evidence from the support app: indicators registered with evidence.register().

Figures come from sendtrust.analytics.figures.support (suppressed there for aggregate-only
viewers); they are read once per Facts object, whatever the number of indicators shown.
"""

from __future__ import annotations

from sendtrust.evaluation import evidence
from sendtrust.evaluation.evidence import Comparison, Indicator, Reading

PARENTS = ("working-with-parents-and-carers",)
VOICE = ("pupil-voice-and-participation",)
MONITORING = ("rigorous-monitoring-and-evaluation",)

INDICATORS = (
    (Indicator("support_conversations_term",
               "SEN support families with a structured conversation this term", "percent",
               PARENTS, "Pupils on SEN support whose family has had a structured conversation "
               "(explore, focus, plan, review) since the term began, as a percentage of pupils "
               "on SEN support. sendtrust support records."),
     "conversation_term", "of pupils on SEN support at {name} have had a structured "
                          "conversation with their family since {term}"),
    (Indicator("support_pupil_views", "Reviews with the pupil's own views", "percent", VOICE,
               "Support plan reviews held in the last 12 months that recorded the pupil's own "
               "views (in words or with the picture questions), as a percentage of those "
               "reviews. sendtrust support records."),
     "pupil_views", "of support plan reviews at {name} in the last 12 months recorded the "
                    "pupil's own views"),
    (Indicator("support_parent_views", "Reviews with the parents' views", "percent", PARENTS,
               "Support plan reviews held in the last 12 months that recorded the parents' or "
               "carers' views, as a percentage of those reviews. sendtrust support records."),
     "parent_views", "of support plan reviews at {name} in the last 12 months recorded the "
                     "parents' views"),
    (Indicator("support_reviews_on_time", "Support plan reviews on time", "percent",
               MONITORING,
               "Support plan reviews held on or before their review date in the last 12 "
               "months, as a percentage of those reviews and of the plans now overdue. "
               "sendtrust support records."),
     "reviews_on_time", "of support plan reviews at {name} were held on time (last 12 months, "
                        "counting the plans now overdue)"),
    (Indicator("support_current_plan", "SEN pupils with a current support plan", "percent",
               MONITORING,
               "Pupils on the SEN register with a current support plan (an open assess, "
               "plan, do, review cycle), as a percentage of the register. sendtrust support "
               "records."),
     "current_plan", "of pupils on the SEN register at {name} have a current support plan"),
)


def _figures(facts):
    """The support figures for the viewer, computed once per Facts."""
    cached = getattr(facts, "_support_figures", None)
    if cached is None:
        from sendtrust.analytics.figures.support import support_figures

        cached = facts._support_figures = support_figures(facts.trust, facts.user, facts.on)
    return cached


def _shares(facts, school):
    f = _figures(facts)
    if school is None:
        return f.total
    return next((shares for s, shares in f.rows if s.pk == school.pk), {})


def _reader(key: str, words: str):
    def read(facts, indicator: Indicator) -> Reading:
        share = _shares(facts, facts.school).get(key)
        comparisons = []
        if facts.school is not None:
            trust = _shares(facts, None).get(key)
            if trust is not None and isinstance(trust.percent, float):
                comparisons.append(Comparison(f"Trust ({facts.trust.name})", trust.percent,
                                              "sendtrust support records"))
        if share is None or share.whole == 0:
            return Reading(indicator, False, None, tuple(comparisons),
                           f"No data yet: {facts.name} has nothing recorded for this.")
        value = share.percent
        if not isinstance(value, float):
            return Reading(indicator, True, None, tuple(comparisons),
                           f"Withheld: the {indicator.label.lower()} rests on fewer than 5 "
                           "pupils, which is not shown to aggregate-only viewers.",
                           suppressed=True)
        text = f"{value:.1f}% " + words.format(name=facts.name,
                                               term=f"{facts.term_start:%-d %B %Y}")
        if comparisons:
            text += f", against {comparisons[0].value:.1f}% across the trust"
        return Reading(indicator, True, value, tuple(comparisons), text + ".")

    return read


for _indicator, _key, _words in INDICATORS:
    evidence.register(_indicator, _reader(_key, _words))
