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
from fractions import Fraction

from django.db import connection
from django.db.models import Count, OuterRef, Q, Subquery

from sendtrust.organisations.models import School
from sendtrust.provision.models import (
    SCHOOL_WEEKS,
    CostModel,
    EhcHours,
    GroupEnrolment,
    GroupSession,
    HourlyRate,
    IndividualKind,
    IndividualProvision,
    Intervention,
    OutcomeMeasure,
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
class GainSums:
    """Finished enrolments (an entry and an exit score) summed: how many, their gains in the
    measure's better direction, how many reached its expected gain, and what they cost.

    Gains are held in hundredths of the measure's unit (scores have two decimal places), so
    the sums are whole numbers and exact on SQLite and PostgreSQL alike.
    """

    n: int
    total: int  # sum of gains, in hundredths
    squares: int  # sum of squared gains, in hundredths squared
    made: int  # gains of at least the measure's expected gain
    cost: Decimal  # the cost of the whole intervention to each of these pupils, summed

    def __add__(self, other: GainSums) -> GainSums:
        return GainSums(self.n + other.n, self.total + other.total,
                        self.squares + other.squares, self.made + other.made,
                        self.cost + other.cost)

    @property
    def mean(self) -> float:
        return float(Fraction(self.total, 100 * self.n))

    @property
    def variance(self) -> float | None:
        """The sample variance of the gains (None with fewer than 2), worked out exactly."""
        if self.n < 2:
            return None
        return float(Fraction(self.n * self.squares - self.total * self.total,
                              10_000 * self.n * (self.n - 1)))


NO_GAINS = GainSums(0, 0, 0, 0, ZERO)


def gain_sums(*, trust_id: int, start: dt.date | None = None, end: dt.date | None = None,
              intervention_ids=None) -> dict[tuple[int, int], GainSums]:
    """Finished enrolments at the trust's schools summed per (school, intervention), for groups
    that ended within [start, end] when given. The school is the enrolment's (the school the
    pupil was at when enrolled). Three queries, whatever the number of enrolments.

    The database sums per group, then per school and what a pupil's cost depends on (role,
    timetable, dates, how many are enrolled), so a few rows come back however many pupils
    there are; each distinct cost is worked out once with group_cost_per_pupil.
    """
    hourly = rates(trust_id)
    e, g = GroupEnrolment._meta.db_table, ProvisionGroup._meta.db_table
    i, m = Intervention._meta.db_table, OutcomeMeasure._meta.db_table
    s = School._meta.db_table
    ops = connection.ops
    where, params = ["s.trust_id = %s"], [trust_id]
    if start is not None:
        where.append("g.ends_on >= %s")
        params.append(ops.adapt_datefield_value(start))
    if end is not None:
        where.append("g.ends_on <= %s")
        params.append(ops.adapt_datefield_value(end))
    if intervention_ids is not None:
        ids = [int(pk) for pk in intervention_ids]
        if not ids:
            return {}
        where.append(f"g.intervention_id IN ({', '.join(['%s'] * len(ids))})")
        params.extend(ids)
    # Hundredths, exactly: PostgreSQL's numeric is exact, so it sums the scores' differences
    # and scales the sums; SQLite holds two-place decimals as floats, so each difference is
    # rounded to whole hundredths first (numeric arithmetic per row is what costs on
    # PostgreSQL, rounding is cheap on SQLite).
    if connection.vendor == "postgresql":
        change, expected, scale = "(e.exit_score - e.entry_score)", "m.expected_gain", 100
    else:
        cents = "CAST(ROUND({} * 100) AS BIGINT)"
        change = cents.format("(e.exit_score - e.entry_score)")
        expected, scale = cents.format("m.expected_gain"), 1
    gain = f"(CASE WHEN m.higher_is_better THEN {change} ELSE -{change} END)"
    sql = f"""
        SELECT x.school_id, g.intervention_id, g.staff_role, g.sessions_per_week,
               g.minutes_per_session, g.starts_on, g.ends_on, x.enrolled,
               SUM(x.n), SUM(x.total), SUM(x.squares), SUM(x.made)
        FROM (
            SELECT e.group_id, e.school_id,
                   (SELECT COUNT(*) FROM {e} u WHERE u.group_id = e.group_id) AS enrolled,
                   COUNT(*) AS n, SUM({gain}) * {scale} AS total,
                   SUM({change} * {change}) * {scale * scale} AS squares,
                   SUM(CASE WHEN {gain} >= {expected} THEN 1 ELSE 0 END) AS made
            FROM {e} e
            JOIN {g} g ON g.id = e.group_id
            JOIN {s} s ON s.id = g.school_id
            JOIN {i} i ON i.id = g.intervention_id
            JOIN {m} m ON m.id = i.measure_id
            WHERE e.entry_score IS NOT NULL AND e.exit_score IS NOT NULL AND {' AND '.join(where)}
            GROUP BY e.group_id, e.school_id
        ) x
        JOIN {g} g ON g.id = x.group_id
        GROUP BY x.school_id, g.intervention_id, g.staff_role, g.sessions_per_week,
                 g.minutes_per_session, g.starts_on, g.ends_on, x.enrolled"""
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        rows = cursor.fetchall()
    priced = {pk: (model, per_pupil) for pk, model, per_pupil in Intervention.objects.filter(
        pk__in={row[1] for row in rows}).values_list("pk", "cost_model", "cost_per_pupil")}
    out: dict[tuple[int, int], GainSums] = {}
    for school, iid, role, spw, mins, s_on, e_on, enrolled, n, total, squares, made in rows:
        s_on, e_on = _date(s_on), _date(e_on)
        model, per_pupil = priced[iid]
        cost = group_cost_per_pupil(
            hours_per_week=Decimal(spw * mins) / 60,
            weeks=max(1, ((e_on - s_on).days + 1 + 6) // 7), rate=hourly.get(role),
            enrolled=enrolled, cost_model=model, per_pupil=per_pupil)
        # PostgreSQL sums whole numbers as numeric (Decimal): exact, made int here.
        sums = GainSums(int(n), int(total), int(squares), int(made), cost * int(n))
        out[(school, iid)] = out.get((school, iid), NO_GAINS) + sums
    return out


def _date(value) -> dt.date:
    """A date column read by raw SQL: a date on PostgreSQL, ISO text on SQLite."""
    return value if isinstance(value, dt.date) else dt.date.fromisoformat(value)


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
