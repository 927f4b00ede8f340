"""The national picture: DfE headline figures a SEND leader quotes, beside the trust's LAs.

`FIGURES` lists every figure in page order, grouped; `picture(areas)` builds them all and
`figure(key, areas)` one of them (for its download or API route). Every figure reads the
loaded DfE files only (sendtrust.benchmarks), never a number typed into code.
"""

from __future__ import annotations

from collections.abc import Callable

from sendtrust.analytics.national import ehc, outcomes, rates
from sendtrust.analytics.national.base import Area, NationalFigure, areas_for

Builder = Callable[[list[Area]], NationalFigure]

GROUPS: list[tuple[str, str, list[Builder]]] = [
    ("ehc", "EHC plans", [ehc.ehc_plans, ehc.new_plans, ehc.requests, ehc.timeliness,
                          ehc.primary_need, ehc.placement]),
    ("rates", "SEN support and EHC plan rates", [rates.rates_all_years, rates.rates_by_phase]),
    ("exclusions", "Exclusions and suspensions", [outcomes.permanent_exclusions,
                                                  outcomes.suspensions]),
    ("outcomes", "Outcomes", [outcomes.ks2, outcomes.ks4]),
    ("destinations", "Destinations after key stage 4", [outcomes.destinations]),
]
KEYS = {
    "ehc-plans": ehc.ehc_plans, "new-plans": ehc.new_plans, "requests": ehc.requests,
    "timeliness": ehc.timeliness, "primary-need": ehc.primary_need,
    "placement": ehc.placement, "sen-rates": rates.rates_all_years,
    "sen-rates-by-phase": rates.rates_by_phase,
    "permanent-exclusions": outcomes.permanent_exclusions,
    "suspensions": outcomes.suspensions, "ks2": outcomes.ks2, "ks4": outcomes.ks4,
    "destinations": outcomes.destinations,
}


GROUP_OF = {build: key for key, _, builders in GROUPS for build in builders}


def _built(build: Builder, areas: list[Area]) -> NationalFigure:
    f = build(areas)
    f.group = GROUP_OF[build]
    if f.spec:
        # Series names carry a place and a measure ("Bristol, City of, excluding
        # exceptions"): show them whole in the legend rather than cut at 160 pixels.
        f.spec["config"].setdefault("legend", {})["labelLimit"] = 0
    return f


def picture(areas: list[Area]) -> list[tuple[str, str, list[NationalFigure]]]:
    """Every figure, grouped as the page shows them: [(group key, heading, figures)]."""
    return [(key, heading, [_built(build, areas) for build in builders])
            for key, heading, builders in GROUPS]


def figure(key: str, areas: list[Area]) -> NationalFigure | None:
    """One figure by its key, or None for an unknown key."""
    build = KEYS.get(key)
    return _built(build, areas) if build else None


__all__ = ["GROUPS", "KEYS", "Area", "NationalFigure", "areas_for", "figure", "picture"]
