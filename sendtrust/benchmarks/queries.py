"""The stable interface the rest of sendtrust uses to read benchmark figures.

Every function runs a small, fixed number of queries whatever it is asked for, so that a page
listing many schools or authorities calls the `_many` variants once.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, replace

from sendtrust.benchmarks.models import (
    Establishment,
    EstablishmentLink,
    Figure,
    Level,
    LocalAuthority,
    Phase,
)

ENGLAND = "E92000001"
COUNTS = {"pupils": "pupils", "sen_support_count": "sen_support", "ehcp_count": "ehcp"}
RATES = {"sen_support_rate": "sen_support_rate", "ehcp_rate": "ehcp_rate"}
HEADLINE = (*COUNTS, *RATES)


@dataclass(frozen=True)
class Rates:
    """SEN support and EHC plan figures for one place and period, from one DfE file."""

    period: str  # the DfE label, e.g. "2025" (LAIT, January census) or "2024/25"
    pupils: int | None
    sen_support: int | None
    ehcp: int | None
    sen_support_rate: float | None  # per cent of pupils
    ehcp_rate: float | None  # per cent of pupils
    source: str
    geography_name: str
    geography_code: str = ""
    year: int = 0  # calendar year the period ends in, for sorting and "how old" checks
    phase: str = ""  # "" = all schools the file covers


def national_sen_rates(phase: str | None = None) -> Rates | None:
    """The latest national SEN support and EHC plan rates (for a phase if given), or None."""
    return _latest(Level.NATIONAL, [ENGLAND], _phase(phase)).get(ENGLAND)


def national_sen_rates_many(phases: Iterable[str | None]) -> dict[str | None, Rates]:
    """The latest national rates for each phase asked (None = all schools), in one query."""
    stored = {phase: _phase(phase) for phase in set(phases)}
    groups = _groups(Level.NATIONAL, {ENGLAND}, set(stored.values()))
    best = _best(groups, by=lambda key: key[4])
    return {phase: best[value] for phase, value in stored.items() if value in best}


def la_sen_rates(la_code: str, phase: str | None = None) -> Rates | None:
    """The latest rates for a local authority (old 3-digit code or E-code), or None."""
    return la_sen_rates_many([la_code], phase).get(la_code.strip())


def la_sen_rates_many(la_codes: Iterable[str], phase: str | None = None) -> dict[str, Rates]:
    """Latest rates per local authority, keyed by the codes given; absent when none is loaded."""
    asked = {code.strip() for code in la_codes if code and code.strip()}
    old_for = _old_la_codes(asked)
    found = _latest(Level.LA, set(old_for.values()), _phase(phase))
    return {code: found[old] for code, old in old_for.items() if old in found}


def school_census(urn: str) -> Rates | None:
    """A school's own published census figures (January 2019) by URN, or None."""
    return school_census_many([urn]).get(str(urn).strip())


def school_census_many(urns: Iterable[str]) -> dict[str, Rates]:
    """Published census figures per URN; a URN with none falls back to its predecessor's."""
    asked = {str(u).strip() for u in urns if u}
    found = _latest(Level.SCHOOL, asked, phase=None)
    if missing := asked - set(found):
        found.update(_from_predecessors(missing))
    names = dict(Establishment.objects.filter(urn__in=found).values_list("urn", "name"))
    return {
        urn: replace(rates, geography_name=names.get(urn) or rates.geography_name or f"URN {urn}")
        for urn, rates in found.items()
    }


def _from_predecessors(urns: set[str]) -> dict[str, Rates]:
    """Figures of the one school each URN replaced (an academy's figures before conversion)."""
    links: dict[str, set[str]] = defaultdict(set)
    for urn, earlier in EstablishmentLink.objects.filter(
        urn__in=urns, link_type__startswith="Predecessor"
    ).values_list("urn", "linked_urn"):
        links[urn].add(earlier)
    # A school formed from several others has no single past to show.
    single = {urn: earlier.pop() for urn, earlier in links.items() if len(earlier) == 1}
    found = _latest(Level.SCHOOL, set(single.values()), phase=None)
    return {
        urn: replace(found[old], source=f"{found[old].source}; figures of predecessor URN {old}")
        for urn, old in single.items()
        if old in found
    }


def _phase(phase: str | None) -> str:
    """The stored phase value for a phase name; '' for all schools."""
    if phase in (None, ""):
        return Phase.ALL
    if phase not in Phase.values:
        raise ValueError(f"unknown phase {phase!r}; use one of {sorted(Phase.values)[1:]}")
    return phase


def _old_la_codes(codes: set[str]) -> dict[str, str]:
    """Asked code -> old 3-digit LA code; E-codes are mapped through dfe-vocab."""
    new = {c for c in codes if c[:1] in "Ee"}
    mapped = {}
    if new:
        mapped = dict(
            LocalAuthority.objects.filter(new_code__in={c.upper() for c in new}).values_list(
                "new_code", "old_code"
            )
        )
    old_for = {c: mapped.get(c.upper(), "") if c in new else c for c in codes}
    return {c: old for c, old in old_for.items() if old}


def _latest(level: str, codes: set[str], phase: str | None) -> dict[str, Rates]:
    """Per place, Rates from the newest period (and file) that has both rates, else any rate."""
    if not codes:
        return {}
    groups = _groups(level, codes, None if phase is None else {phase})
    return _best(groups, by=lambda key: key[0])


def _groups(level: str, codes: set[str], phases: set[str] | None) -> dict[tuple, dict]:
    """Headline figures keyed by (code, year, file, period, phase): one query."""
    rows = Figure.objects.filter(
        level=level,
        geo_code__in=codes,
        measure_id__in=HEADLINE,
        sen="",
        need="",
        breakdown="",
    )
    if phases is not None:
        rows = rows.filter(phase__in=phases)
    groups: dict[tuple, dict] = defaultdict(dict)
    for code, name, title, period, year, row_phase, measure, value in rows.values_list(
        "geo_code", "geo_name", "dataset__title", "period", "year", "phase", "measure_id", "value"
    ):
        group = groups[(code, year, title, period, row_phase)]
        group[measure] = value
        group.setdefault("name", name)
    return groups


def _best(groups: dict[tuple, dict], by) -> dict:
    """The best-ranked group for each value of by(key), as Rates."""
    best: dict = {}
    for key, values in groups.items():
        rank = _rank(key, values)
        if rank is not None and (by(key) not in best or rank > best[by(key)][0]):
            best[by(key)] = (rank, key, values)
    return {k: _rates(key, values) for k, (_, key, values) in best.items()}


def _rank(key: tuple, values: dict) -> tuple | None:
    """Newest first, then files with both rates, then with more counts; None without a rate."""
    rates = sum(values.get(m) is not None for m in RATES)
    if not rates:
        return None
    counts = sum(values.get(m) is not None for m in COUNTS)
    _, year, title, period, _ = key
    return (rates == len(RATES), year, counts, title, period)


def _rates(key: tuple, values: dict) -> Rates:
    code, year, title, period, phase = key

    def count(measure: str) -> int | None:
        value = values.get(measure)
        return None if value is None else int(round(value))

    return Rates(
        period=period,
        pupils=count("pupils"),
        sen_support=count("sen_support_count"),
        ehcp=count("ehcp_count"),
        sen_support_rate=values.get("sen_support_rate"),
        ehcp_rate=values.get("ehcp_rate"),
        source=title,
        geography_name=values.get("name", ""),
        geography_code=code,
        year=year,
        phase=phase,
    )
