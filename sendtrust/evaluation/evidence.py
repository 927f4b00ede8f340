"""Live evidence: indicators over sendtrust's own data, shown beside the themes they evidence.

The interface (Indicator, Comparison, Reading, INDICATORS, evaluate, readings_for_theme) is
stable; other modules (the strategic plan) import it. Figures come from the pupils' current SEN
provision and SEN episodes, and from the DfE files loaded by sendtrust.benchmarks. Where a figure
is missing a reading says "No data yet" and never shows 0 in its place.

Disclosure control: for an aggregate-only viewer (a trustee) counts from 1 to 4, and rates
computed from them, are withheld (sendtrust.analytics.suppression).

A `Facts` object gathers every figure for one scope in a fixed number of queries, whatever the
number of schools or indicators; `readings_by_theme` uses one for a whole rating page.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date
from functools import cached_property

from dateutil.easter import easter
from django.db.models import Count, Exists, OuterRef, Q
from django.utils import timezone

from sendtrust.analytics.figures.common import benchmark_phase, on_roll
from sendtrust.analytics.suppression import is_small
from sendtrust.benchmarks.models import Figure, Level

# --------------------------------------------------------------------------------- interface


@dataclass(frozen=True)
class Indicator:
    key: str  # stable, e.g. "sen_support_rate"
    label: str  # "SEN support rate"
    unit: str  # "percent" | "count" | "share" | "text"
    themes: tuple[str, ...]  # theme slugs it evidences
    description: str  # what it measures and where the figures come from


@dataclass(frozen=True)
class Comparison:
    label: str
    value: float | None
    source: str = ""


@dataclass(frozen=True)
class Reading:
    indicator: Indicator
    available: bool  # False means "no data yet"
    value: float | None  # the scope's own value (school, or trust when school is None)
    comparisons: tuple[Comparison, ...]
    text: str  # one plain-English sentence
    suppressed: bool = False  # hidden from an aggregate-only viewer (small numbers)

    @property
    def shown(self) -> str:
        """The value as a page shows it: with its unit, or why there is none."""
        if self.suppressed:
            return "Withheld (fewer than 5)"
        if not self.available or self.value is None:
            return "No data yet"
        return fmt(self.value, self.indicator.unit)


ASSESSMENT = "accurate-assessment-and-identification"
DATA = "analysis-of-send-data"
SYSTEMS = "establishing-systems-and-processes"
MONITORING = "rigorous-monitoring-and-evaluation"
PROVISION = "robust-provision-mapping"
OUTCOMES = "securing-positive-outcomes"


def _indicators(*items: Indicator) -> dict[str, Indicator]:
    return {i.key: i for i in items}


INDICATORS: dict[str, Indicator] = _indicators(
    Indicator(
        "sen_support_rate", "SEN support rate", "percent", (ASSESSMENT, DATA),
        "Pupils whose current SEN provision is SEN support (census code K), as a percentage "
        "of pupils on roll in sendtrust, against the latest national and local authority rates "
        "from the DfE files loaded into sendtrust.",
    ),
    Indicator(
        "ehcp_rate", "EHC plan rate", "percent", (ASSESSMENT, DATA, OUTCOMES),
        "Pupils whose current SEN provision is an education, health and care plan (census code "
        "E), as a percentage of pupils on roll in sendtrust, against the latest national and "
        "local authority rates from the DfE files loaded into sendtrust.",
    ),
    Indicator(
        "need_mix", "Most common primary need", "share", (ASSESSMENT, DATA, PROVISION),
        "Share of the SEN register (SEN support and EHC plans) whose primary need is the most "
        "common one, with the next two, against the local authority's pupils with SEN by "
        "primary need (DfE Special educational needs in England). The loaded DfE files hold "
        "no national figure by need.",
    ),
    Indicator(
        "register_added_sen_support", "Added to SEN support this term", "count",
        (ASSESSMENT, MONITORING),
        "Pupils whose SEN provision became SEN support since the start of the current term, "
        "from the SEN episodes recorded in sendtrust (a change of need alone is not counted).",
    ),
    Indicator(
        "register_added_ehcp", "Given an EHC plan this term", "count", (ASSESSMENT, MONITORING),
        "Pupils whose SEN provision became an EHC plan since the start of the current term, "
        "from the SEN episodes recorded in sendtrust.",
    ),
    Indicator(
        "register_removed", "Removed from the SEN register this term", "count",
        (ASSESSMENT, MONITORING),
        "Pupils who moved from SEN support or an EHC plan to no SEN since the start of the "
        "current term, from the SEN episodes recorded in sendtrust.",
    ),
    Indicator(
        "identification_recorded", "SEN pupils with their identification recorded", "percent",
        (ASSESSMENT, SYSTEMS),
        "Pupils on the SEN register whose current SEN episode has a record of who identified "
        "the need, when and on what evidence, as a percentage of the register.",
    ),
)


def evaluate(key: str, *, trust, school=None, user=None, on: date | None = None) -> Reading:
    """One indicator for a school (or the trust when school is None), as user may see it."""
    if key not in INDICATORS:
        raise KeyError(f"no live indicator {key!r}; known: {', '.join(sorted(INDICATORS))}")
    return Facts(trust, school, user=user, on=on).reading(key)


def readings_for_theme(theme_slug: str, *, trust, school=None, user=None) -> list[Reading]:
    """Every indicator that evidences a theme (none for a theme sendtrust holds no data on)."""
    facts = Facts(trust, school, user=user)
    return [facts.reading(key) for key, i in INDICATORS.items() if theme_slug in i.themes]


def readings_by_theme(theme_slugs: Iterable[str], *, trust, school=None, user=None,
                      on: date | None = None) -> dict[str, list[Reading]]:
    """Readings for many themes, each indicator computed once (a fixed number of queries)."""
    facts = Facts(trust, school, user=user, on=on)
    cache: dict[str, Reading] = {}
    out: dict[str, list[Reading]] = {}
    for slug in theme_slugs:
        keys = [key for key, i in INDICATORS.items() if slug in i.themes]
        for key in keys:
            if key not in cache:
                cache[key] = facts.reading(key)
        out[slug] = [cache[key] for key in keys]
    return out


# --------------------------------------------------------------------------------- helpers


def term_start(on: date) -> date:
    """The first day of the school term `on` falls in (England's usual pattern).

    Autumn term from 1 September, spring term from 1 January, summer term from the Monday a
    week after Easter Monday (schools break for about two weeks around Easter).
    """
    summer = easter(on.year) + dt.timedelta(days=8)
    if on.month >= 9:
        return date(on.year, 9, 1)
    if on >= summer:
        return summer
    return date(on.year, 1, 1)


def fmt(value: float | None, unit: str) -> str:
    if value is None:
        return "no figure"
    if unit in ("percent", "share"):
        return f"{value:.1f}%"
    return f"{value:,.0f}"


def _compare(value: float, other: float) -> str:
    if round(value, 1) == round(other, 1):
        return "the same as"
    return "above" if value > other else "below"


def _pct(part: int, whole: int) -> float | None:
    return round(100 * part / whole, 1) if whole else None


# --------------------------------------------------------------------------------- facts


class Facts:
    """Every figure one scope's readings need, each gathered once, lazily."""

    def __init__(self, trust, school=None, *, user=None, on: date | None = None):
        self.trust, self.school, self.user = trust, school, user
        self.on = on or timezone.localdate()
        self.term_start = term_start(self.on)
        self.need_labels: dict[str, str] = {}

    # Scope ------------------------------------------------------------------------------------

    @property
    def name(self) -> str:
        return self.school.name if self.school is not None else self.trust.name

    @cached_property
    def hide_small(self) -> bool:
        if self.user is None:
            return False
        from sendtrust.access.policy import is_aggregate_only

        return is_aggregate_only(self.user, self.trust)

    @cached_property
    def schools(self) -> list:
        return list(self.trust.schools.all())

    # Our own counts ---------------------------------------------------------------------------

    @cached_property
    def rates(self):
        """Every school's figures as this viewer may see them: the one analytics source."""
        from sendtrust.analytics.figures import school_rates

        return school_rates(self.trust, hide=self.hide_small)

    def figures(self, school=None):
        """The school's row of `rates` (the whole trust's when school is None)."""
        if school is None:
            return self.rates.total
        return next(f for f in self.rates.rows if f.school.pk == school.pk)

    @cached_property
    def identified_by_school(self) -> dict[int, int]:
        """Pupils on the SEN register whose identification is recorded, per school.

        One query (~65-100 ms on PostgreSQL at 50,000 pupils), stored for the day while the
        trust's records stand (analytics.IdentifiedCount; issue 15). The register itself
        (SEN support and EHC plans) comes from `rates`.
        """
        from sendtrust.analytics.figures.history import stored_for_today
        from sendtrust.analytics.models import IdentifiedCount
        from sendtrust.pupils.models import Identification, Provision, Pupil

        def count(day):
            identified = Exists(Identification.objects.filter(
                pupil=OuterRef("pk"), episode__ends_on__isnull=True, episode__isnull=False))
            rows = (
                Pupil.objects.filter(on_roll(day), school__trust=self.trust,
                                     sen_provision__in=[Provision.SUPPORT, Provision.EHCP])
                .filter(identified).values("school_id").annotate(n=Count("id")).order_by()
            )
            return [[r["school_id"], r["n"]] for r in rows]

        return dict(stored_for_today(IdentifiedCount, self.trust, count))

    def has_pupils(self, school=None) -> bool:
        """Whether the scope has pupils on roll (a withheld count still means it has some)."""
        return self.figures(school).pupils not in (0, None)

    @cached_property
    def needs_by_school(self) -> dict[int, Counter]:
        """The SEN register per school by primary need code, from the read of the pupils
        that gives every school's figures (`record_need_counts`; one read per request)."""
        from sendtrust.analytics.figures.schools import record_need_counts
        from sendtrust.pupils.models import NeedType

        raw = record_need_counts(self.trust)
        ids = {need for by_need in raw.values() for need in by_need if need is not None}
        names = {pk: (code, label) for pk, code, label in
                 NeedType.objects.filter(pk__in=ids).values_list("pk", "code", "label")}
        out: dict[int, Counter] = defaultdict(Counter)
        for school_id, by_need in raw.items():
            for need, n in by_need.items():
                code, label = names.get(need, ("", ""))
                out[school_id][code] += n
                if code:
                    self.need_labels[code] = label
        return out

    def needs(self, school=None) -> Counter:
        if school is not None:
            return self.needs_by_school.get(school.pk, Counter())
        total: Counter = Counter()
        for c in self.needs_by_school.values():
            total.update(c)
        return total

    @cached_property
    def term_changes(self) -> dict[int, Counter]:
        """Per school: pupils added to SEN support, to an EHC plan, removed, this term."""
        from sendtrust.pupils.models import Provision, SenEpisode

        since = self.term_start
        rows = (
            SenEpisode.objects.filter(pupil__school__trust=self.trust)
            .filter(Q(starts_on__gte=since, starts_on__lte=self.on)
                    | Q(ends_on__gte=since - dt.timedelta(days=1), starts_on__lt=since))
            .values_list("pupil_id", "pupil__school_id", "provision", "starts_on")
            .order_by("pupil_id", "starts_on", "id")
        )
        by_pupil: dict[int, list] = defaultdict(list)
        school_of: dict[int, int] = {}
        for pupil_id, school_id, provision, starts_on in rows:
            by_pupil[pupil_id].append((provision, starts_on))
            school_of[pupil_id] = school_id
        out: dict[int, Counter] = defaultdict(Counter)
        on_register = {Provision.SUPPORT, Provision.EHCP}
        for pupil_id, episodes in by_pupil.items():
            before = Provision.NONE
            changed = Counter()
            for provision, starts_on in episodes:
                if starts_on >= since and provision != before:
                    if provision == Provision.SUPPORT:
                        changed["register_added_sen_support"] = 1
                    elif provision == Provision.EHCP:
                        changed["register_added_ehcp"] = 1
                    elif before in on_register:
                        changed["register_removed"] = 1
                before = provision
            out[school_of[pupil_id]].update(changed)
        return out

    def changes(self, school=None) -> Counter:
        if school is not None:
            return self.term_changes.get(school.pk, Counter())
        total: Counter = Counter()
        for c in self.term_changes.values():
            total.update(c)
        return total

    # Benchmarks -------------------------------------------------------------------------------

    @cached_property
    def la_needs(self) -> dict[tuple[str, str], tuple[str, str, Counter]]:
        """(LA code, phase) -> (period, source, pupils with SEN by need), latest year: 1 query."""
        codes = {s.la_code for s in self.schools}
        if not codes:
            return {}
        rows = (
            Figure.objects.filter(level=Level.LA, la_code__in=codes, measure_id="sen_need_count",
                                  sen="", breakdown="", value__isnull=False)
            .exclude(need="")
            .values_list("la_code", "phase", "year", "period", "dataset__title", "need", "value")
        )
        latest: dict[tuple[str, str], int] = {}
        found: dict[tuple[str, str, int], tuple[str, str, Counter]] = {}
        for la, phase, year, period, title, need, value in rows:
            latest[(la, phase)] = max(year, latest.get((la, phase), year))
            entry = found.setdefault((la, phase, year), (period, title, Counter()))
            entry[2][need] += value
        return {key: found[(*key, year)] for key, year in latest.items()}

    def la_need_mix(self, school=None) -> tuple[str, str, str, Counter] | None:
        """(label, period, source, counts by need) for the local authorities of the scope."""
        schools = [school] if school is not None else self.schools
        total: Counter = Counter()
        periods, sources, names = set(), set(), set()
        for s in schools:
            phase = benchmark_phase(s)
            keys = ([(s.la_code, phase)] if phase else
                    [k for k in self.la_needs if k[0] == s.la_code])
            for key in keys:
                if key in self.la_needs:
                    period, source, counts = self.la_needs[key]
                    total.update(counts)
                    periods.add(period)
                    sources.add(source)
                    names.add(s.la_name or s.la_code)
        if not total:
            return None
        if school is not None:
            label = f"{school.la_name or 'Local authority'} ({', '.join(sorted(periods))})"
        else:
            label = (f"Local authorities of the trust's schools ({', '.join(sorted(periods))})"
                     if len(names) > 1 else
                     f"{names.pop()} ({', '.join(sorted(periods))})")
        return label, ", ".join(sorted(periods)), "; ".join(sorted(sources)), total

    # Readings ---------------------------------------------------------------------------------

    def reading(self, key: str) -> Reading:
        return READERS[key](self, INDICATORS[key])


# --------------------------------------------------------------------------------- readers


def _no_pupils(facts: Facts, indicator: Indicator) -> Reading:
    return Reading(indicator, False, None, (),
                   f"No data yet: {facts.name} has no pupils recorded in sendtrust.")


def _withheld(indicator: Indicator, comparisons=()) -> Reading:
    return Reading(indicator, True, None, tuple(comparisons),
                   f"Withheld: the {indicator.label.lower()} rests on fewer than 5 pupils, "
                   "which is not shown to aggregate-only viewers.", suppressed=True)


def _value(v) -> tuple[float | None, bool]:
    """A figure of `rates` as a reading holds it: (value, withheld)."""
    if v is None or isinstance(v, int | float):
        return v, False
    return None, True


def _rate_reader(part: str, benchmark: str, words: str) -> Callable[[Facts, Indicator], Reading]:
    """SEN support or EHC plan rate against the trust and like-for-like England and LA rates.

    Every figure is the one the overview and analytics show this viewer (`Facts.rates`).
    """

    def read(facts: Facts, indicator: Indicator) -> Reading:
        own = facts.figures(facts.school)
        comparisons: list[Comparison] = []
        nouns: list[str] = []
        if facts.school is not None:
            value, hidden = _value(getattr(facts.rates.total, benchmark))
            if not hidden and value is not None:
                comparisons.append(Comparison(f"Trust ({facts.trust.name})", value,
                                              "sendtrust pupil records"))
                nouns.append("the trust's")
        missing: list = []
        for c in (own.compare.national, own.compare.la) if own.compare else ():
            if c.available and getattr(c, benchmark) is not None:
                comparisons.append(Comparison(c.label, getattr(c, benchmark), c.source))
                nouns.append(c.label)
            else:
                comparisons.append(Comparison(c.label, None, c.source))
                missing.append(c)
        if not facts.has_pupils(facts.school):
            reading = _no_pupils(facts, indicator)
            return Reading(indicator, False, None, tuple(comparisons), reading.text)
        value, hidden = _value(getattr(own, benchmark))
        if hidden or value is None:
            return _withheld(indicator, comparisons)
        against = [f"{_compare(value, c.value)} {noun} {fmt(c.value, 'percent')}"
                   for noun, c in zip(nouns, [c for c in comparisons if c.value is not None],
                                      strict=True)]
        reasons = "; ".join(dict.fromkeys(c.reason for c in missing if c.reason))
        if against:
            tail = "; ".join(against[:-1]) + ("; and " if len(against) > 1 else "") + against[-1]
            text = f"{fmt(value, 'percent')} of pupils at {facts.name} {words}: {tail}."
            if reasons:
                text += f" No like-for-like figure for {missing[0].geography}: {reasons}."
        else:
            text = (f"{fmt(value, 'percent')} of pupils at {facts.name} {words}; there is no "
                    "like-for-like national or local authority figure to compare with"
                    + (f" ({reasons})." if reasons else "."))
        return Reading(indicator, True, value, tuple(comparisons), text)

    return read


def _need_mix(facts: Facts, indicator: Indicator) -> Reading:
    own = facts.needs(facts.school)
    register = sum(own.values())
    la = facts.la_need_mix(facts.school)
    national_note = Comparison("England: no figure by primary need in the loaded DfE files",
                               None, "")
    if not register:
        why = (f"{facts.name} has no pupils recorded in sendtrust"
               if not facts.has_pupils(facts.school)
               else f"{facts.name} has no pupils on the SEN register")
        return Reading(indicator, False, None, (national_note,), f"No data yet: {why}.")
    if facts.hide_small and is_small(register):
        return _withheld(indicator, (national_note,))
    ranked = [(code, n) for code, n in own.most_common() if code]
    if not ranked:
        return Reading(indicator, False, None, (national_note,),
                       f"No data yet: no primary need is recorded for {facts.name}'s SEN "
                       "register.")
    la_total = sum(la[3].values()) if la else 0
    parts = []
    comparisons: list[Comparison] = []
    top_value = None
    for code, n in ranked[:3]:
        if facts.hide_small and is_small(n):
            continue
        share = round(100 * n / register, 1)
        top_value = share if top_value is None else top_value
        name = facts.need_labels.get(code, code).lower()
        part = f"{name} ({code}) {fmt(share, 'share')}"
        if la and la_total:
            la_share = round(100 * la[3].get(code, 0) / la_total, 1)
            part += f" against {fmt(la_share, 'share')} locally"
            if not comparisons:
                comparisons.append(Comparison(f"{la[0]}: {code}", la_share, la[2]))
        parts.append(part)
    if top_value is None:
        return _withheld(indicator, (national_note,))
    comparisons.append(national_note)
    text = (f"The commonest primary needs on {facts.name}'s SEN register are "
            + "; ".join(parts) + ". No national figure by need is loaded yet"
            + ("" if la else ", nor a local authority one") + ".")
    return Reading(indicator, True, top_value, tuple(comparisons), text)


def _change_reader(words: str) -> Callable[[Facts, Indicator], Reading]:
    def read(facts: Facts, indicator: Indicator) -> Reading:
        if not facts.has_pupils(facts.school):
            return _no_pupils(facts, indicator)
        n = facts.changes(facts.school)[indicator.key]
        comparisons: list[Comparison] = []
        if facts.school is not None:
            trust_n = facts.changes()[indicator.key]
            if not (facts.hide_small and is_small(trust_n)):
                comparisons.append(Comparison(f"Trust ({facts.trust.name})", trust_n,
                                              "sendtrust SEN episodes"))
        if facts.hide_small and is_small(n):
            return _withheld(indicator, comparisons)
        since = f"{facts.term_start.day} {facts.term_start:%B %Y}"
        pupils = "pupil" if n == 1 else "pupils"
        text = f"{n:,} {pupils} at {facts.name} {words} since the term began on {since}"
        if comparisons:
            text += f" ({comparisons[0].value:,.0f} across the trust)"
        return Reading(indicator, True, n, tuple(comparisons), text + ".")

    return read


def _identification(facts: Facts, indicator: Indicator) -> Reading:
    """The share of the SEN register with its identification recorded, as the viewer may see.

    The register (SEN support plus EHC plans) is the one `rates` gives; a share is withheld
    whenever either part or the identified count is.
    """
    def share(f, identified: int) -> tuple[float | None, bool]:
        k, e = f.sen_support, f.ehcp
        if not isinstance(k, int) or not isinstance(e, int):
            return None, k is not None and e is not None
        if facts.hide_small and (is_small(identified) or is_small(k + e)
                                 or is_small(k + e - identified)):
            return None, True
        return _pct(identified, k + e), False

    ident = facts.identified_by_school
    own = facts.figures(facts.school)
    own_n = (ident.get(facts.school.pk, 0) if facts.school is not None
             else sum(ident.values()))
    value, hidden = share(own, own_n)
    if not hidden and not value and own.sen_support in (0, None) and own.ehcp in (0, None):
        why = ("has no pupils recorded in sendtrust" if not facts.has_pupils(facts.school)
               else "has no pupils on the SEN register")
        return Reading(indicator, False, None, (), f"No data yet: {facts.name} {why}.")
    comparisons: list[Comparison] = []
    if facts.school is not None:
        trust_value, trust_hidden = share(facts.rates.total, sum(ident.values()))
        if not trust_hidden and trust_value is not None:
            comparisons.append(Comparison(f"Trust ({facts.trust.name})", trust_value,
                                          "sendtrust pupil records"))
    if hidden or value is None:
        return _withheld(indicator, comparisons)
    text = (f"{fmt(value, 'percent')} of pupils on {facts.name}'s SEN register have a record of "
            "who identified their need and on what evidence")
    if comparisons:
        text += f", against {fmt(comparisons[0].value, 'percent')} across the trust"
    return Reading(indicator, True, value, tuple(comparisons), text + ".")


READERS: dict[str, Callable[[Facts, Indicator], Reading]] = {
    "sen_support_rate": _rate_reader("sen_support", "sen_support_rate", "are on SEN support"),
    "ehcp_rate": _rate_reader("ehcp", "ehcp_rate", "have an EHC plan"),
    "need_mix": _need_mix,
    "register_added_sen_support": _change_reader("were added to SEN support"),
    "register_added_ehcp": _change_reader("were given an EHC plan"),
    "register_removed": _change_reader("left the SEN register"),
    "identification_recorded": _identification,
}
assert set(READERS) == set(INDICATORS)


def register(indicator: Indicator, reader: Callable[[Facts, Indicator], Reading]) -> None:
    """Add a live indicator from another area (support plans, provision, EHC plans).

    The reader gets the same Facts (trust, school, user, hide_small, on) and must return a
    Reading that applies the viewer's suppression; it reads its figures from analytics.
    """
    if indicator.key in INDICATORS:
        raise ValueError(f"indicator {indicator.key!r} is registered twice")
    INDICATORS[indicator.key] = indicator
    READERS[indicator.key] = reader


# The practice layer's indicators, one module per area (each calls register()).
from sendtrust.evaluation import evidence_ehc, evidence_provision, evidence_support  # noqa: E402, F401
