"""Facts of the provision app as plain functions: who gets what, for how long, at what cost,
and the gains of pupils who finished an intervention. No viewer and no suppression here: the
figures a person sees are built from these in sendtrust/analytics/figures/provision.py.

Each function runs a fixed number of queries, whatever the number of pupils or enrolments.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Count, FloatField, OuterRef, Q, Subquery
from django.db.models.functions import Cast

from sendtrust.provision.models import (
    SCHOOL_WEEKS,
    CostModel,
    EhcHours,
    GroupEnrolment,
    GroupSession,
    HourlyRate,
    IndividualKind,
    IndividualProvision,
    ProvisionGroup,
)

GROUP = "group"
ZERO = Decimal(0)


def school_year(on: dt.date) -> tuple[dt.date, dt.date]:
    """The English school year (1 September to 31 August) that contains on."""
    start_year = on.year if on.month >= 9 else on.year - 1
    return dt.date(start_year, 9, 1), dt.date(start_year + 1, 8, 31)


def year_label(start: dt.date) -> str:
    return f"{start.year}/{(start.year + 1) % 100:02d}"


def overlap_weeks(starts_on, ends_on, start: dt.date, end: dt.date) -> int:
    """Whole weeks of [starts_on, ends_on] inside [start, end], at most a school year's."""
    lo = max(starts_on, start)
    hi = min(ends_on or end, end)
    if hi < lo:
        return 0
    return min(SCHOOL_WEEKS, ((hi - lo).days + 1 + 6) // 7)


def rates(trust_id: int) -> dict[str, Decimal]:
    """Hourly cost of each role's time in this trust."""
    return dict(HourlyRate.objects.filter(trust_id=trust_id).values_list("role", "rate"))


@dataclass(frozen=True)
class Item:
    """One piece of provision one pupil receives in a period."""

    pupil_id: int
    pupil_code: object
    pupil_name: str
    year_group: int
    pupil_school_id: int  # where the pupil is now
    school_id: int  # the school that runs (and pays for) it
    area: str
    kind: str  # "group" or an IndividualKind
    name: str
    staff_role: str
    hours_per_week: Decimal
    cost: Decimal  # in the period, to this pupil
    starts_on: dt.date
    ends_on: dt.date | None
    source_code: object  # the group's or the individual provision's code


def group_cost_per_pupil(*, hours_per_week, weeks, rate, enrolled, cost_model, per_pupil):
    """Staff time shared between the pupils of a group, plus any price or materials a pupil."""
    staff = ZERO
    if cost_model != CostModel.BOUGHT_IN:
        staff = Decimal(hours_per_week) * weeks * (rate or ZERO) / max(1, enrolled)
    extra = per_pupil if cost_model != CostModel.STAFF_TIME else ZERO
    return staff + extra


def items(*, trust_id: int, start: dt.date, end: dt.date, pupil_q: Q | None = None,
          school_ids=None) -> list[Item]:
    """Every group place and individual provision overlapping [start, end].

    pupil_q narrows by pupil (a Q over Pupil, used as pupil__in); school_ids narrows by the
    school that runs the provision. Three queries.
    """
    hourly = rates(trust_id)
    enrolled = (GroupEnrolment.objects.filter(group=OuterRef("group"))
                .values("group").annotate(n=Count("pk")).values("n"))
    places = GroupEnrolment.objects.filter(
        group__school__trust_id=trust_id, group__starts_on__lte=end, group__ends_on__gte=start)
    singles = IndividualProvision.objects.filter(
        school__trust_id=trust_id, starts_on__lte=end).filter(
        Q(ends_on__isnull=True) | Q(ends_on__gte=start))
    if pupil_q is not None:
        from sendtrust.pupils.models import Pupil

        pupils = Pupil.objects.filter(pupil_q).values("pk")
        places = places.filter(pupil__in=pupils)
        singles = singles.filter(pupil__in=pupils)
    if school_ids is not None:
        places = places.filter(school_id__in=school_ids)
        singles = singles.filter(school_id__in=school_ids)
    out: list[Item] = []
    rows = places.annotate(enrolled=Subquery(enrolled)).values_list(
        "pupil_id", "pupil__code", "pupil__forename", "pupil__surname", "pupil__year_group",
        "pupil__school_id", "school_id", "group__intervention__area", "group__name",
        "group__staff_role", "group__sessions_per_week", "group__minutes_per_session",
        "group__starts_on", "group__ends_on", "group__code", "enrolled",
        "group__intervention__cost_model", "group__intervention__cost_per_pupil")
    per_group: dict = {}  # every pupil of a group costs the same: work it out once
    for (pid, pcode, fore, sur, yg, pschool, school, area, name, role, spw, mins, s, e, gcode,
         n, model, per_pupil) in rows:
        if gcode not in per_group:
            hours = Decimal(spw * mins) / 60
            per_group[gcode] = (hours, group_cost_per_pupil(
                hours_per_week=hours, weeks=overlap_weeks(s, e, start, end),
                rate=hourly.get(role), enrolled=n, cost_model=model, per_pupil=per_pupil))
        hours, cost = per_group[gcode]
        out.append(Item(pid, pcode, f"{fore} {sur}", yg, pschool, school, area, GROUP, name,
                        role, hours, cost, s, e, gcode))
    rows = singles.values_list(
        "pupil_id", "pupil__code", "pupil__forename", "pupil__surname", "pupil__year_group",
        "pupil__school_id", "school_id", "area", "kind", "description", "staff_role",
        "hours_per_week", "annual_cost", "starts_on", "ends_on", "code")
    for (pid, pcode, fore, sur, yg, pschool, school, area, kind, name, role, hours, annual, s,
         e, code) in rows:
        weeks = overlap_weeks(s, e, start, end)
        if kind == IndividualKind.ONE_TO_ONE:
            cost = hours * weeks * hourly.get(role, ZERO)
        else:
            cost = annual * weeks / SCHOOL_WEEKS
        out.append(Item(pid, pcode, f"{fore} {sur}", yg, pschool, school, area, kind, name,
                        role, hours, cost.quantize(Decimal("0.01")), s, e, code))
    return out


def cost_by_pupil(found: list[Item]) -> dict[int, Decimal]:
    totals: dict[int, Decimal] = defaultdict(lambda: ZERO)
    for item in found:
        totals[item.pupil_id] += item.cost
    return dict(totals)


@dataclass(frozen=True)
class Gain:
    """One finished enrolment: the pupil's gain in the measure's better direction."""

    intervention_id: int
    school_id: int
    gain: float
    expected: float  # the measure's expected gain
    cost: Decimal  # the cost of the whole intervention to this pupil


def gains(*, trust_id: int, start: dt.date | None = None, end: dt.date | None = None,
          intervention_ids=None) -> list[Gain]:
    """Gains of every enrolment with an entry and an exit score at the trust's schools,
    for groups that ended within [start, end] when given. Three queries.

    Each group's cost a pupil is worked out once from one row per group; the enrolments
    come back as plain numbers (scores cast to floats in SQL), which is what keeps this
    fast at tens of thousands of enrolments.
    """
    hourly = rates(trust_id)
    where = Q(school__trust_id=trust_id)
    if start is not None:
        where &= Q(ends_on__gte=start)
    if end is not None:
        where &= Q(ends_on__lte=end)
    if intervention_ids is not None:
        where &= Q(intervention_id__in=intervention_ids)
    groups = ProvisionGroup.objects.filter(where)
    about = {}
    for (gid, iid, role, spw, mins, s, e, n, model, per_pupil, higher,
         expected) in groups.annotate(enrolled=Count("enrolments")).values_list(
            "pk", "intervention_id", "staff_role", "sessions_per_week", "minutes_per_session",
            "starts_on", "ends_on", "enrolled", "intervention__cost_model",
            "intervention__cost_per_pupil", "intervention__measure__higher_is_better",
            "intervention__measure__expected_gain"):
        weeks = max(1, ((e - s).days + 1 + 6) // 7)
        cost = group_cost_per_pupil(hours_per_week=Decimal(spw * mins) / 60, weeks=weeks,
                                    rate=hourly.get(role), enrolled=n, cost_model=model,
                                    per_pupil=per_pupil)
        about[gid] = (iid, higher, float(expected), cost)
    # The same conditions through the join, not `group__in=groups`: that subquery carries
    # the grouped count above, which SQLite then works out again for every enrolment.
    on_group = Q(*[Q(**{f"group__{k}": v}) for k, v in where.children])
    rows = (GroupEnrolment.objects.filter(on_group, entry_score__isnull=False,
                                          exit_score__isnull=False)
            .annotate(a=Cast("entry_score", FloatField()), b=Cast("exit_score", FloatField()))
            .values_list("group_id", "school_id", "a", "b"))
    out = []
    for gid, school, entry, exit_ in rows:
        iid, higher, expected, cost = about[gid]
        out.append(Gain(iid, school, (exit_ - entry) if higher else (entry - exit_), expected,
                        cost))
    return out


def ehc_hours(*, trust_id: int, start: dt.date, end: dt.date, pupil_q: Q | None = None):
    """Per pupil with EHC-specified hours: (hours specified, hours delivered) in [start, end].

    Specified: the plan's weekly hours times the weeks they applied. Delivered: minutes of
    group sessions the pupil attended, plus one-to-one hours a week over the weeks they ran.
    Three queries.
    """
    specified: dict[int, Decimal] = defaultdict(lambda: ZERO)
    specs = EhcHours.objects.filter(pupil__school__trust_id=trust_id, starts_on__lte=end).filter(
        Q(ends_on__isnull=True) | Q(ends_on__gte=start))
    sessions = GroupSession.attended.through.objects.filter(
        groupsession__held_on__range=(start, end),
        groupenrolment__group__school__trust_id=trust_id)
    singles = IndividualProvision.objects.filter(
        kind=IndividualKind.ONE_TO_ONE, school__trust_id=trust_id, starts_on__lte=end).filter(
        Q(ends_on__isnull=True) | Q(ends_on__gte=start))
    if pupil_q is not None:
        from sendtrust.pupils.models import Pupil

        pupils = Pupil.objects.filter(pupil_q).values("pk")
        specs = specs.filter(pupil__in=pupils)
        sessions = sessions.filter(groupenrolment__pupil__in=pupils)
        singles = singles.filter(pupil__in=pupils)
    for pid, hours, s, e in specs.values_list("pupil_id", "hours_per_week", "starts_on",
                                              "ends_on"):
        specified[pid] += hours * overlap_weeks(s, e, start, end)
    delivered: dict[int, Decimal] = defaultdict(lambda: ZERO)
    sessions = sessions.filter(groupenrolment__pupil_id__in=list(specified))
    for pid, minutes in sessions.values_list("groupenrolment__pupil_id",
                                             "groupsession__minutes"):
        delivered[pid] += Decimal(minutes) / 60
    for pid, hours, s, e in singles.filter(pupil_id__in=list(specified)).values_list(
            "pupil_id", "hours_per_week", "starts_on", "ends_on"):
        delivered[pid] += hours * overlap_weeks(s, e, start, end)
    return {pid: (spec, delivered.get(pid, ZERO)) for pid, spec in specified.items()}
