"""Provision figures for a viewer: the provision map, the element 2 list, the trust map,
funding and TA deployment, EHC hours delivered, and impact by school with its pooled estimate.

Every figure names its period and scope in its caption. Named lists only ever hold pupils from
`visible_pupils()`. For a viewer who sees a school only in aggregate (a trustee; a SENCO
looking at another school's impact), counts from 1 to 4 are withheld and so is anything that
would let one be worked out (secondary suppression, or leaving the group out of a pool).
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from sendtrust.access.policy import is_aggregate_only, visible_pupils
from sendtrust.access.policy import provision as rules
from sendtrust.analytics.suppression import is_small, suppress_table
from sendtrust.analytics.tables import PROTECTING, SMALL, Column, Table, Withheld
from sendtrust.lib import effects
from sendtrust.provision import facts
from sendtrust.provision.models import (
    APPROACHING_SHARE,
    AREA_NAMES,
    ELEMENT_2_THRESHOLD,
    IndividualKind,
    Intervention,
    SenBudget,
)

# Fewer finished pupils than this at a school: the line is marked "small group".
SMALL_GROUP = 10
KIND_LABELS = {"group": "Group intervention", **dict(IndividualKind.choices)}


def _pounds(value) -> int:
    return int(Decimal(value).quantize(Decimal(1)))


def _visible_q(user, school=None):
    from django.db.models import Q

    return Q(pk__in=visible_pupils(user, school).values("pk"))


# ------------------------------------------------------------------ map of one school or pupil


def school_map(user, school, *, on: dt.date, area: str = "", kind: str = "",
               year_group: int | None = None, teaching_group=None) -> Table:
    """Who gets what at school this school year, for the pupils user may see (optionally
    one class: a teaching group)."""
    start, end = facts.school_year(on)
    pupil_q = _visible_q(user, school)
    if teaching_group is not None:
        from django.db.models import Q

        pupil_q &= Q(teaching_groups=teaching_group)
    found = facts.items(trust_id=school.trust_id, start=start, end=end, pupil_q=pupil_q)
    found = [i for i in found if (not area or i.area == area) and (not kind or i.kind == kind)
             and (year_group is None or i.year_group == year_group)]
    found.sort(key=lambda i: (i.pupil_name, i.area, i.name))
    table = Table(
        key="provision-map",
        caption=(f"Provision map, {school.name}"
                 f"{f', class {teaching_group.name}' if teaching_group else ''}, school year "
                 f"{facts.year_label(start)} "
                 f"(1 September {start.year} to 31 August {end.year})"),
        columns=[Column("pupil", "Pupil"), Column("year_group", "Year", "count"),
                 Column("area", "Area of need"), Column("kind", "Kind"),
                 Column("name", "Provision"), Column("hours", "Hours a week", "num"),
                 Column("cost", "Cost this year (£)", "count"),
                 Column("dates", "Dates")],
        notes=["Group costs share the staff's time between the pupils of the group, from the "
               "trust's hourly rates by role; one-to-one support is hours × rate; equipment and "
               "services are their yearly cost for the weeks they run in the year."],
    )
    for i in found:
        table.rows.append({
            "pupil": i.pupil_name, "_link": f"/pupils/{i.pupil_code}/",
            "year_group": i.year_group, "area": i.area, "kind": KIND_LABELS.get(i.kind, i.kind),
            "name": i.name, "hours": float(round(i.hours_per_week, 2)),
            "cost": _pounds(i.cost),
            "dates": f"{i.starts_on:%-d %b %Y} to "
                     f"{i.ends_on:%-d %b %Y}" if i.ends_on else f"from {i.starts_on:%-d %b %Y}",
        })
    if found:
        table.footer.append({
            "pupil": f"{len({i.pupil_id for i in found})} pupils",
            "hours": float(round(sum(i.hours_per_week for i in found), 2)),
            "cost": _pounds(sum(i.cost for i in found)),
        })
    return table


def pupil_items(user, pupil, *, on: dt.date) -> list[facts.Item]:
    """The provision one pupil receives this school year (all schools of the trust)."""
    from django.db.models import Q

    start, end = facts.school_year(on)
    return facts.items(trust_id=pupil.school.trust_id, start=start, end=end,
                       pupil_q=Q(pk=pupil.pk))


# ------------------------------------------------------------------------- element 2 list


def element2(user, trust, *, on: dt.date, school=None) -> Table:
    """Pupils whose additional provision this year is above or approaching £6,000."""
    start, end = facts.school_year(on)
    found = facts.items(trust_id=trust.pk, start=start, end=end,
                        pupil_q=_visible_q(user, school))
    totals = facts.cost_by_pupil(found)
    about = {i.pupil_id: i for i in found}
    floor = ELEMENT_2_THRESHOLD * APPROACHING_SHARE
    scope = school.name if school is not None else trust.name
    table = Table(
        key="element-2",
        caption=(f"Pupils above or approaching the £{ELEMENT_2_THRESHOLD:,.0f} element 2 "
                 f"threshold, {scope}, school year {facts.year_label(start)}"),
        columns=[Column("pupil", "Pupil"), Column("year_group", "Year", "count"),
                 Column("cost", "Additional provision this year (£)", "count"),
                 Column("share", "Share of £6,000 (%)", "pct"), Column("status", "Status")],
        notes=[f"Approaching means from £{floor:,.0f}. Above £6,000 the local authority's "
               "high-needs top-up (element 3) may be requested; the list is the costed "
               "evidence for that request or for an EHC needs assessment."],
    )
    for pid, cost in sorted(totals.items(), key=lambda kv: -kv[1]):
        if cost < floor:
            continue
        i = about[pid]
        table.rows.append({
            "pupil": i.pupil_name, "_link": f"/pupils/{i.pupil_code}/",
            "year_group": i.year_group, "cost": _pounds(cost),
            "share": float(100 * cost / ELEMENT_2_THRESHOLD),
            "status": "Above £6,000" if cost > ELEMENT_2_THRESHOLD else "Approaching £6,000",
        })
    return table


# ------------------------------------------------------------------------------ trust map


def trust_map(user, trust, *, on: dt.date) -> Table:
    """Pupils receiving provision by school and area of need, their hours and cost."""
    start, end = facts.school_year(on)
    found = facts.items(trust_id=trust.pk, start=start, end=end)
    schools = list(trust.schools.order_by("name"))
    places: dict[tuple[int, str], set] = defaultdict(set)
    hours: dict[int, Decimal] = defaultdict(Decimal)
    cost: dict[int, Decimal] = defaultdict(Decimal)
    for i in found:
        places[(i.pupil_school_id, i.area)].add(i.pupil_id)
        hours[i.pupil_school_id] += i.hours_per_week
        cost[i.pupil_school_id] += i.cost
    cells = [[len(places[(s.pk, a)]) for a in AREA_NAMES] for s in schools]
    row_totals = [sum(r) for r in cells]
    col_totals = [sum(c) for c in zip(*cells, strict=True)] if cells else [0] * len(AREA_NAMES)
    grand = sum(row_totals)
    hide = is_aggregate_only(user, trust)
    if hide:
        t = suppress_table(cells, row_totals, col_totals, grand)

        def shown(value, reason):
            return value if reason is None else Withheld(reason)

        cells = [[shown(v, r) for v, r in zip(row, rr, strict=True)]
                 for row, rr in zip(t.cells, t.cell_reasons, strict=True)]
        row_totals = [shown(v, r) for v, r in zip(t.row_totals, t.row_total_reasons,
                                                  strict=True)]
        col_totals = [shown(v, r) for v, r in zip(t.col_totals, t.col_total_reasons,
                                                  strict=True)]
        grand = shown(t.grand_total, t.grand_total_reason)
    keys = [f"a{n}" for n in range(len(AREA_NAMES))]
    table = Table(
        key="trust-provision-map",
        caption=(f"Pupils receiving additional provision by school and area of need, "
                 f"{trust.name}, school year {facts.year_label(start)}"),
        columns=[Column("school", "School"),
                 *[Column(k, a, "count") for k, a in zip(keys, AREA_NAMES, strict=True)],
                 Column("places", "Places (a pupil counts once in each area)", "count"),
                 Column("hours", "Hours a week", "num"), Column("cost", "Cost this year (£)",
                                                               "count")],
        notes=["Pupils are counted at the school they attend now; provision moves with them."],
    )
    if hide:
        table.notes.append("Counts from 1 to 4 are withheld, and other cells where they would "
                           "let a withheld count be worked out.")
    for s, row, total in zip(schools, cells, row_totals, strict=True):
        withheld = isinstance(total, Withheld)
        table.rows.append({
            "school": s.name, **dict(zip(keys, row, strict=True)), "places": total,
            "hours": PROTECTING if withheld else float(round(hours[s.pk], 1)),
            "cost": PROTECTING if withheld else _pounds(cost[s.pk]),
        })
    table.footer.append({"school": "Trust", **dict(zip(keys, col_totals, strict=True)),
                         "places": grand, "hours": float(round(sum(hours.values()), 1)),
                         "cost": _pounds(sum(cost.values(), Decimal(0)))})
    return table


# ------------------------------------------------------------------ funding and TA deployment


def funding(user, trust, *, on: dt.date) -> Table:
    """Each school's spend on additional provision against its notional SEN budget, and
    teaching assistants' hours a week by deployment."""
    start, end = facts.school_year(on)
    found = facts.items(trust_id=trust.pk, start=start, end=end)
    budgets = {b.school_id: b for b in SenBudget.objects.filter(school__trust=trust,
                                                                year=start.year)}
    spend: dict[int, Decimal] = defaultdict(Decimal)
    ta_groups: dict[int, Decimal] = defaultdict(Decimal)
    ta_single: dict[int, Decimal] = defaultdict(Decimal)
    seen_groups: set = set()
    for i in found:
        spend[i.school_id] += i.cost
        if i.staff_role == "ta" and i.kind == "group" and i.source_code not in seen_groups:
            seen_groups.add(i.source_code)  # a group's TA hours count once, not per pupil
            ta_groups[i.school_id] += i.hours_per_week
        elif i.staff_role == "ta" and i.kind == IndividualKind.ONE_TO_ONE:
            ta_single[i.school_id] += i.hours_per_week
    table = Table(
        key="send-funding",
        caption=(f"Spend on additional provision against the notional SEN budget, and "
                 f"teaching assistant hours a week by deployment, {trust.name}, school year "
                 f"{facts.year_label(start)}"),
        columns=[Column("school", "School"), Column("budget", "Notional SEN budget (£)",
                                                    "count"),
                 Column("spend", "Spend on additional provision (£)", "count"),
                 Column("share", "Spend as % of budget", "pct"),
                 Column("ta_class", "TA hours: in class", "num"),
                 Column("ta_groups", "TA hours: interventions", "num"),
                 Column("ta_one", "TA hours: one-to-one", "num")],
        notes=["The notional SEN budget is entered per school per year; spend is costed from "
               "hourly rates by role, equipment and bought-in services.",
               "Where no budget is entered the share says so rather than showing 0."],
    )
    for s in trust.schools.order_by("name"):
        b = budgets.get(s.pk)
        table.rows.append({
            "school": s.name,
            "budget": _pounds(b.amount) if b else Withheld("missing"),
            "spend": _pounds(spend[s.pk]),
            "share": float(100 * spend[s.pk] / b.amount) if b and b.amount else
            Withheld("missing"),
            "ta_class": float(b.ta_in_class_hours) if b else Withheld("missing"),
            "ta_groups": float(round(ta_groups[s.pk], 1)),
            "ta_one": float(round(ta_single[s.pk], 1)),
        })
    return table


# ------------------------------------------------------------------------- EHC hours delivered


def term_of(on: dt.date) -> tuple[dt.date, dt.date, str]:
    """The school term containing on: autumn (Sep–Dec), spring (Jan–Mar), summer (Apr–Aug)."""
    if on.month >= 9:
        return dt.date(on.year, 9, 1), dt.date(on.year, 12, 31), f"autumn term {on.year}"
    if on.month <= 3:
        return dt.date(on.year, 1, 1), dt.date(on.year, 3, 31), f"spring term {on.year}"
    return dt.date(on.year, 4, 1), dt.date(on.year, 8, 31), f"summer term {on.year}"


def ehc_delivery(user, trust, *, on: dt.date, school=None, shortfall_only=False) -> Table:
    """Hours EHC plans specify against hours delivered this term, per visible pupil."""
    start, end, label = term_of(on)
    rows = facts.ehc_hours(trust_id=trust.pk, start=start, end=min(end, on),
                           pupil_q=_visible_q(user, school))
    from sendtrust.pupils.models import Pupil

    pupils = Pupil.objects.in_bulk(list(rows))
    scope = school.name if school is not None else trust.name
    table = Table(
        key="ehc-hours",
        caption=f"EHC plan provision hours specified and delivered, {scope}, {label} to date",
        columns=[Column("pupil", "Pupil"), Column("specified", "Hours specified", "num"),
                 Column("delivered", "Hours delivered", "num"),
                 Column("shortfall", "Shortfall (hours)", "num"), Column("status", "Status")],
        notes=["Specified: the plan's hours a week for the weeks of the term so far. "
               "Delivered: group sessions attended and one-to-one support recorded."],
    )
    for pid, (spec, done) in sorted(rows.items(), key=lambda kv: kv[1][1] - kv[1][0]):
        gap = spec - done
        if shortfall_only and gap <= 0:
            continue
        p = pupils[pid]
        table.rows.append({
            "pupil": f"{p.forename} {p.surname}", "_link": f"/pupils/{p.code}/",
            "specified": float(round(spec, 1)), "delivered": float(round(done, 1)),
            "shortfall": float(round(max(gap, Decimal(0)), 1)),
            "status": "Shortfall" if gap > 0 else "Delivered in full",
        })
    return table


# ---------------------------------------------------------------------------------- impact


@dataclass
class ImpactFigure:
    intervention: Intervention
    title: str
    reading: str
    table: Table
    spec: dict | None
    pooled: effects.Pooled | None
    id: str = "forest"
    exports: dict = field(default_factory=dict)


def _change(sums: facts.GainSums) -> effects.Change:
    return effects.change_from_moments(sums.n, sums.mean, sums.variance)


def impact(user, trust, intervention, *, start=None, end=None) -> ImpactFigure:
    """Impact of intervention per school and pooled (DerSimonian–Laird random effects)."""
    by_school: dict[int, facts.GainSums] = defaultdict(lambda: facts.NO_GAINS)
    for (school_id, _), sums in facts.gain_sums(trust_id=trust.pk, start=start, end=end,
                                                intervention_ids=[intervention.pk]).items():
        by_school[school_id] += sums
    names = dict(trust.schools.values_list("pk", "name"))
    measure = intervention.measure
    period = ("groups that ended between "
              f"{start:%-d %B %Y} and {end:%-d %B %Y}" if start and end else
              "every group with entry and exit scores")
    table = Table(
        key="impact",
        caption=f"Impact of {intervention.name} by school, {trust.name}, {period}",
        columns=[Column("school", "School"), Column("n", "Pupils", "count"),
                 Column("mean", f"Mean change ({measure.unit or measure.name})", "num"),
                 Column("mean_ci", "95% interval of the mean"),
                 Column("g", "Effect size (g)", "num"), Column("g_ci", "95% interval of g"),
                 Column("expected", "Made expected progress (%)", "pct"),
                 Column("cost", "Cost per pupil (£)", "count"),
                 Column("per_effect", "Cost per unit of effect (£)", "count"),
                 Column("note", "Note")],
        notes=[f"Change is exit minus entry score on {measure.name}, in the direction that "
               "means progress. g is the standardised mean change (mean change over the "
               "standard deviation of changes, Hedges-corrected) with a normal 95% interval.",
               f"Expected progress: a gain of at least {measure.expected_gain:g}. Groups of "
               f"fewer than {SMALL_GROUP} pupils are marked small: read them with care.",
               "Pooled: DerSimonian–Laird random-effects model across schools."],
    )
    points, ys, vs = [], [], []
    left_out = 0
    for school_id in sorted(by_school, key=lambda s: names.get(s, "")):
        sums = by_school[school_id]
        name = names.get(school_id, "A school that left the trust")
        if is_small(sums.n) and not rules.sees_whole(user, trust, school_id):
            left_out += 1
            table.rows.append({"school": name, "n": SMALL, "mean": PROTECTING,
                               "g": PROTECTING, "expected": PROTECTING, "cost": PROTECTING,
                               "per_effect": PROTECTING, "note": "Fewer than 5 pupils"})
            continue
        c = _change(sums)
        small = sums.n < SMALL_GROUP
        table.rows.append(_impact_row(name, c, 100 * sums.made / sums.n, sums.cost / sums.n,
                                      small))
        if c.g is not None:
            ys.append(c.g)
            vs.append(c.g_variance)
            points.append({"school": name, "g": round(c.g, 3), "low": round(c.g_low, 3),
                           "high": round(c.g_high, 3), "n": c.n,
                           "kind": "Small group (under 10)" if small else "School"})
    pooled = effects.pool(ys, vs) if ys else None
    shown = sum((sums for s, sums in by_school.items()
                 if not is_small(sums.n) or rules.sees_whole(user, trust, s)), facts.NO_GAINS)
    if pooled is not None and shown.n:
        c = _change(shown)
        cost = shown.cost / shown.n
        row = _impact_row("Trust (pooled, random effects)", c, 100 * shown.made / shown.n,
                          cost, False)
        row.update({"g": round(pooled.estimate, 2),
                    "g_ci": f"{pooled.low:.2f} to {pooled.high:.2f}",
                    "per_effect": _pounds(cost / Decimal(pooled.estimate))
                    if pooled.estimate > 0 else None,
                    "note": pooled.heterogeneity})
        table.footer.append(row)
        points.append({"school": "Trust (pooled)", "g": round(pooled.estimate, 3),
                       "low": round(pooled.low, 3), "high": round(pooled.high, 3),
                       "n": c.n, "kind": "Pooled estimate"})
    if left_out:
        table.notes.append(f"{left_out} school(s) with fewer than 5 pupils are withheld and "
                           "left out of the pooled estimate.")
    if pooled is None:
        reading = (f"No school has yet recorded entry and exit scores for at least 3 pupils "
                   f"in {intervention.name}, so there is no effect size to show.")
    else:
        reading = (f"Across {pooled.k} school(s), pupils in {intervention.name} gained an "
                   f"effect size of {pooled.estimate:.2f} (95% interval {pooled.low:.2f} to "
                   f"{pooled.high:.2f}); {pooled.heterogeneity}.")
    title = f"{intervention.name}: effect size by school ({measure.name})"
    return ImpactFigure(intervention, title, reading, table,
                        forest_spec(points, reading, title) if points else None, pooled)


def _impact_row(name, c: effects.Change, expected: float, cost: Decimal, small: bool) -> dict:
    return {
        "school": name, "n": c.n, "mean": round(c.mean, 2),
        "mean_ci": (f"{c.mean_low:.2f} to {c.mean_high:.2f}" if c.mean_low is not None
                    else "too few pupils"),
        "g": None if c.g is None else round(c.g, 2),
        "g_ci": (f"{c.g_low:.2f} to {c.g_high:.2f}" if c.g is not None
                 else "too few pupils or no spread"),
        "expected": expected, "cost": _pounds(cost),
        "per_effect": _pounds(cost / Decimal(c.g)) if c.g and c.g > 0 else None,
        "note": "Small group: read with care" if small else "",
    }


def forest_spec(points: list[dict], description: str, title: str) -> dict:
    """A forest plot: one line per school (interval and point), the pooled estimate last."""
    from sendtrust.analytics.charts import BLUE, ORANGE, VERMILION, _base

    order = [p["school"] for p in points]
    spec = _base(description, title)
    spec["height"] = max(120, 28 * len(points))
    spec["data"] = {"values": points}
    y = {"field": "school", "type": "nominal", "sort": order, "title": None}
    kinds = ["School", "Small group (under 10)", "Pooled estimate"]
    spec["layer"] = [
        {"mark": {"type": "rule", "color": "#6b6b6b", "strokeDash": [4, 4]},
         "data": {"values": [{"zero": 0}]}, "encoding": {"x": {"field": "zero",
                                                               "type": "quantitative"}}},
        {"mark": {"type": "rule", "strokeWidth": 2},
         "encoding": {"y": y, "x": {"field": "low", "type": "quantitative",
                                    "title": "Effect size g with 95% interval"},
                      "x2": {"field": "high"},
                      "color": {"field": "kind", "type": "nominal", "legend": None,
                                "scale": {"domain": kinds, "range": [BLUE, ORANGE, VERMILION]}}}},
        {"mark": {"type": "point", "filled": True, "size": 90},
         "encoding": {"y": y, "x": {"field": "g", "type": "quantitative"},
                      "shape": {"field": "kind", "type": "nominal", "title": None,
                                "scale": {"domain": kinds,
                                          "range": ["square", "triangle-up", "diamond"]}},
                      "color": {"field": "kind", "type": "nominal", "title": None,
                                "scale": {"domain": kinds, "range": [BLUE, ORANGE, VERMILION]}},
                      "tooltip": [{"field": "school"}, {"field": "g"}, {"field": "low"},
                                  {"field": "high"}, {"field": "n", "title": "pupils"}]}},
    ]
    return spec


# ---------------------------------------------------------------------------- staff expertise


def expertise_gaps(user, trust, *, on: dt.date) -> Table:
    """By school and area of need: pupils on the SEN register whose primary need is in that
    area, and staff holding current training in it (a NASENCO covers every area)."""
    from django.db.models import Count, Q

    from sendtrust.provision.models import QualificationKind, StaffQualification
    from sendtrust.pupils.models import Provision, Pupil

    need = dict(((s, a), n) for s, a, n in Pupil.objects.filter(
        school__trust=trust, sen_provision__in=[Provision.SUPPORT, Provision.EHCP])
        .values_list("school_id", "primary_need__broad_area").annotate(n=Count("pk")))
    current = StaffQualification.objects.filter(trust=trust, awarded_on__lte=on).filter(
        Q(expires_on__isnull=True) | Q(expires_on__gte=on))
    held: dict[tuple[int, str], set] = defaultdict(set)
    for school_id, area, kind, person in current.values_list("school_id", "area", "kind",
                                                             "person_id"):
        for a in (AREA_NAMES if kind == QualificationKind.NASENCO or not area else [area]):
            held[(school_id, a)].add(person)
    table = Table(
        key="send-expertise",
        caption=f"SEND expertise against pupils' needs by school, {trust.name}, on "
                f"{on:%-d %B %Y}",
        columns=[Column("school", "School"), Column("area", "Area of need"),
                 Column("pupils", "Pupils on the SEN register with this primary need", "count"),
                 Column("staff", "Staff with current training in it", "count"),
                 Column("status", "Status")],
        notes=["Training counts while it is current (no expiry date, or not yet expired). "
               "A NASENCO award or training with no named area counts for every area."],
    )
    for s in trust.schools.order_by("name"):
        whole = rules.sees_whole(user, trust, s.pk)
        for a in AREA_NAMES:
            n = need.get((s.pk, a), 0)
            staff = len(held[(s.pk, a)])
            if not n and not staff:
                continue
            gap = n > 0 and staff == 0
            table.rows.append({
                "school": s.name, "area": a,
                "pupils": SMALL if is_small(n) and not whole else n, "staff": staff,
                "status": "No trained staff for pupils with this need" if gap else "Covered"
                if n else "No pupils with this need",
            })
    return table


# ------------------------------------------------------------- counts for live evidence


@dataclass
class EvidenceCounts:
    """One school's (or the trust's) provision counts for the self-evaluation evidence."""

    register: int = 0  # pupils on the SEN register
    with_provision: int = 0  # of them, with provision recorded this school year
    finished: int = 0  # enrolments finished in the last twelve months with both scores
    expected: int = 0  # of them, making the measure's expected progress
    spend: Decimal = Decimal(0)
    budget: Decimal | None = None
    ta_class: Decimal = Decimal(0)
    ta_groups: Decimal = Decimal(0)
    ta_one: Decimal = Decimal(0)

    def add(self, other: EvidenceCounts) -> None:
        for name in ("register", "with_provision", "finished", "expected", "spend", "ta_class",
                     "ta_groups", "ta_one"):
            setattr(self, name, getattr(self, name) + getattr(other, name))
        if other.budget is not None:
            self.budget = (self.budget or Decimal(0)) + other.budget


def evidence_counts(trust, *, on: dt.date) -> dict[int | None, EvidenceCounts]:
    """Per school id, and the trust under None: a fixed number of queries."""
    from django.db.models import Count

    from sendtrust.pupils.models import Provision, Pupil

    start, end = facts.school_year(on)
    out: dict[int | None, EvidenceCounts] = defaultdict(EvidenceCounts)
    register = dict(Pupil.objects.filter(
        school__trust=trust, sen_provision__in=[Provision.SUPPORT, Provision.EHCP])
        .values_list("school_id").annotate(n=Count("pk")))
    on_register = set(Pupil.objects.filter(
        school__trust=trust, sen_provision__in=[Provision.SUPPORT, Provision.EHCP])
        .values_list("pk", flat=True))
    found = facts.items(trust_id=trust.pk, start=start, end=end)
    provided: dict[int, set] = defaultdict(set)
    seen_groups: set = set()
    for i in found:
        c = out[i.school_id]
        c.spend += i.cost
        if i.pupil_id in on_register:
            provided[i.pupil_school_id].add(i.pupil_id)
        if i.staff_role == "ta" and i.kind == "group" and i.source_code not in seen_groups:
            seen_groups.add(i.source_code)
            c.ta_groups += i.hours_per_week
        elif i.staff_role == "ta" and i.kind == IndividualKind.ONE_TO_ONE:
            c.ta_one += i.hours_per_week
    for (school_id, _), sums in facts.gain_sums(trust_id=trust.pk,
                                                start=on - dt.timedelta(days=365),
                                                end=on).items():
        out[school_id].finished += sums.n
        out[school_id].expected += sums.made
    for b in SenBudget.objects.filter(school__trust=trust, year=start.year):
        out[b.school_id].budget = b.amount
        out[b.school_id].ta_class = b.ta_in_class_hours
    for school_id, n in register.items():
        out[school_id].register = n
        out[school_id].with_provision = len(provided[school_id])
    total = EvidenceCounts()
    for c in list(out.values()):
        total.add(c)
    out[None] = total
    return dict(out)
