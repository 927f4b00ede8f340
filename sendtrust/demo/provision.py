"""Demo records of the provision app, built after the trust's pupils (see demo_trust).

A core offer of five interventions with their outcome measures, hourly rates by role, groups
at every school (finished ones last year and this autumn with entry and exit scores, running
ones with sessions and attendance), one-to-one support, equipment and services (some pupils
above or near £6,000), the hours EHC plans specify (some short-delivered), notional SEN
budgets and staff training. The language programme works much better at some schools than
others, so its forest plot shows real heterogeneity. Deterministic for a seed.
"""

from __future__ import annotations

import datetime as dt
import random
from collections import defaultdict
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from sendtrust.organisations.models import Membership, Role
from sendtrust.provision.facts import school_year
from sendtrust.provision.models import (
    EhcHours,
    GroupEnrolment,
    GroupSession,
    HourlyRate,
    IndividualProvision,
    Intervention,
    MeasureKind,
    OutcomeMeasure,
    ProvisionGroup,
    SenBudget,
    StaffQualification,
)
from sendtrust.pupils.models import Provision, Pupil

CL, CI, SEMH, SP = ("Cognition and learning", "Communication and interaction",
                    "Social, emotional and mental health", "Sensory and/or physical")

MEASURES = {
    # name: kind, unit, min, max, expected gain, largest accepted fall, entry mean, entry sd
    "Standardised reading score": (MeasureKind.STANDARDISED, "points", 40, 160, 5, 15, 82, 7),
    "Reading age": (MeasureKind.AGE_MONTHS, "months", 36, 216, 6, 12, 84, 12),
    "Language screening score": (MeasureKind.STANDARDISED, "points", 40, 160, 5, 15, 80, 8),
    "Social skills rating": (MeasureKind.RATING, "points", 1, 10, 1, 3, 4, 1.2),
    "Standardised maths score": (MeasureKind.STANDARDISED, "points", 40, 160, 5, 15, 83, 7),
}
# name: area, measure, size, sessions, minutes, weeks, staff, evidence, cost model, £/pupil,
# mean gain (in entry SDs) and how much it varies between schools.
CORE_OFFER = [
    ("Phonics catch-up", CL, "Standardised reading score", 4, 4, 20, 12, Role.TA, "strong",
     "staff_materials", 35, 0.55, 0.05,
     "Daily synthetic phonics in small groups for pupils behind in decoding."),
    ("Precision teaching", CL, "Reading age", 1, 5, 10, 10, Role.TA, "moderate",
     "staff_time", 0, 0.45, 0.08,
     "Short daily one-to-one fluency practice on a few target words, charted each day."),
    ("Language programme", CI, "Language screening score", 4, 3, 30, 20, Role.TA, "strong",
     "staff_materials", 60, 0.40, 0.45,
     "Oral language groups with scripted sessions on vocabulary, narrative and listening."),
    ("Social skills group", SEMH, "Social skills rating", 6, 1, 45, 10, Role.TEACHER,
     "emerging", "staff_time", 0, 0.35, 0.10,
     "A weekly group practising turn-taking, conversation and managing feelings."),
    ("Maths intervention", CL, "Standardised maths score", 3, 3, 30, 12, Role.TA, "moderate",
     "bought_in", 120, 0.30, 0.06,
     "A structured number-sense programme bought in with its training and materials."),
]
RATES = {Role.TA: Decimal("17.50"), Role.TEACHER: Decimal("36.00"),
         Role.SENCO: Decimal("42.00"), Role.SEND_LEADER: Decimal("48.00")}


def _clip(value, lo, hi):
    return max(lo, min(hi, value))


@transaction.atomic
def seed(trust, *, seed: int) -> dict:
    """Build this app's demo records for trust; return counts to print."""
    rng = random.Random(f"provision-{seed}")
    today = timezone.localdate()
    this_year, _ = school_year(today)
    last_year = this_year.replace(year=this_year.year - 1)
    schools = list(trust.schools.order_by("urn"))
    HourlyRate.objects.bulk_create([HourlyRate(trust=trust, role=r, rate=v)
                                    for r, v in RATES.items()])
    measures = {}
    for name, (kind, unit, lo, hi, gain, fall, _, _) in MEASURES.items():
        measures[name] = OutcomeMeasure.objects.create(
            trust=trust, name=name, kind=kind, unit=unit, minimum=lo, maximum=hi,
            higher_is_better=True, expected_gain=gain, max_decline=fall)
    offer = []
    for (name, area, measure, size, spw, mins, weeks, role, evidence, cost_model, per_pupil,
         effect, spread, description) in CORE_OFFER:
        offer.append((Intervention.objects.create(
            trust=trust, name=name, area=area, measure=measures[measure], group_size=size,
            sessions_per_week=spw, minutes_per_session=mins, weeks=weeks, staff_role=role,
            evidence_strength=evidence, cost_model=cost_model, cost_per_pupil=per_pupil,
            description=description,
            evidence_url="https://educationendowmentfoundation.org.uk/education-evidence"),
            effect, spread))

    staff = defaultdict(lambda: defaultdict(list))
    for user_id, school_id, role in Membership.objects.current().filter(
            trust=trust, school__isnull=False).values_list("user_id", "school_id", "role"):
        staff[school_id][role].append(user_id)
    pupils = defaultdict(lambda: defaultdict(list))
    sen = list(Pupil.objects.filter(school__trust=trust,
                                    sen_provision__in=[Provision.SUPPORT, Provision.EHCP])
               .order_by("pk").values_list("pk", "school_id", "sen_provision",
                                           "primary_need__broad_area"))
    for pk, school_id, _, area in sen:
        pupils[school_id][area or CL].append(pk)

    # Each school's own effect per intervention: the spread makes the pool heterogeneous.
    group_rows, members = [], []
    for school in schools:
        for intervention, effect, spread in offer:
            school_effect = effect + rng.gauss(0, spread)
            pool = list(pupils[school.pk][intervention.area]) or list(pupils[school.pk][CL])
            rng.shuffle(pool)
            for n, (starts, finished) in enumerate((
                    (last_year + dt.timedelta(days=14), True),
                    (last_year + dt.timedelta(days=125), True),
                    (last_year + dt.timedelta(days=230), True),
                    (this_year + dt.timedelta(days=7), True),
                    (today - dt.timedelta(days=21), False))):
                take = intervention.group_size if intervention.group_size > 1 else 4
                chosen, pool = pool[:take], pool[take:]
                if not chosen:
                    continue
                ends = starts + dt.timedelta(weeks=intervention.weeks)
                if finished and ends >= today:
                    starts, ends = starts - dt.timedelta(weeks=intervention.weeks + 1), \
                        today - dt.timedelta(days=7)
                group = ProvisionGroup(
                    school=school, intervention=intervention,
                    name=f"{intervention.name} {n + 1}", staff_role=intervention.staff_role,
                    timetable=rng.choice(["Mon, Wed, Fri 9:10", "Tue, Thu 13:15",
                                          "Daily 8:50", "Mon to Thu 14:30"]),
                    sessions_per_week=intervention.sessions_per_week,
                    minutes_per_session=intervention.minutes_per_session,
                    starts_on=starts, ends_on=ends)
                group_rows.append(group)
                members.append((group, chosen, finished, school_effect))
    ProvisionGroup.objects.bulk_create(group_rows)
    through = ProvisionGroup.staff.through
    links = []
    for group in group_rows:
        people = staff[group.school_id].get(group.staff_role) or staff[group.school_id].get(
            Role.TA, [])
        if people:
            links.append(through(provisiongroup_id=group.pk,
                                 user_id=people[rng.randrange(len(people))]))
    through.objects.bulk_create(links)

    enrolments = []
    for group, chosen, finished, school_effect in members:
        _, _, lo, hi, _, _, mean, sd = MEASURES[group.intervention.measure.name]
        for pk in chosen:
            entry = round(_clip(rng.gauss(mean, sd), lo, hi))
            exit_ = None
            if finished:
                gain = rng.gauss(school_effect * sd, sd * 0.8)
                exit_ = round(_clip(entry + gain, max(lo, entry - sd), hi))
            enrolments.append(GroupEnrolment(
                group=group, pupil_id=pk, school_id=group.school_id, entry_score=entry,
                entry_on=group.starts_on, exit_score=exit_,
                exit_on=group.ends_on if finished else None))
    GroupEnrolment.objects.bulk_create(enrolments)

    # Sessions and attendance for the groups running now.
    by_group = defaultdict(list)
    for e in enrolments:
        by_group[e.group_id].append(e.pk)
    sessions, attended = [], []
    for group in group_rows:
        if group.ends_on < today:
            continue
        day = group.starts_on
        while day < today:
            if day.weekday() < min(5, group.sessions_per_week):
                sessions.append(GroupSession(group=group, held_on=day,
                                             minutes=group.minutes_per_session))
            day += dt.timedelta(days=1)
    GroupSession.objects.bulk_create(sessions)
    link = GroupSession.attended.through
    for s in sessions:
        for e in by_group[s.group_id]:
            if rng.random() < 0.9:
                attended.append(link(groupsession_id=s.pk, groupenrolment_id=e))
    link.objects.bulk_create(attended, batch_size=2000)

    # Individual provision, EHC hours specified and delivered, some pupils near £6,000.
    singles, specs = [], []
    for pk, school_id, provision, area in sen:
        area = area or CL
        if provision == Provision.EHCP:
            hours = Decimal(rng.choice([10, 12, 15, 20, 25]))
            specs.append(EhcHours(pupil_id=pk, hours_per_week=hours, starts_on=last_year,
                                  description="Adult support in class and small groups"))
            delivered = hours if rng.random() < 0.75 else hours - rng.choice([3, 5, 8])
            singles.append(IndividualProvision(
                pupil_id=pk, school_id=school_id, kind="one_to_one", area=area,
                description="One-to-one adult support", hours_per_week=delivered,
                staff_role=Role.TA, starts_on=last_year))
        elif rng.random() < 0.12:
            # SEN support pupils with one-to-one time or a bought-in service: a few approach
            # or pass the £6,000 that the school meets from its notional SEN budget.
            hours = Decimal(rng.choice([2, 4, 6, 8]))
            singles.append(IndividualProvision(
                pupil_id=pk, school_id=school_id, kind="one_to_one", area=area,
                description="Targeted one-to-one support", hours_per_week=hours,
                staff_role=Role.TA, starts_on=this_year))
            if rng.random() < 0.4:
                singles.append(IndividualProvision(
                    pupil_id=pk, school_id=school_id, kind="service", area=area,
                    description=rng.choice(["Speech and language therapy (bought in)",
                                            "Educational psychology sessions",
                                            "Occupational therapy (bought in)"]),
                    annual_cost=Decimal(rng.choice([900, 1400, 2200])), starts_on=this_year))
        elif area == SP and rng.random() < 0.3:
            singles.append(IndividualProvision(
                pupil_id=pk, school_id=school_id, kind="equipment", area=area,
                description=rng.choice(["Radio aid", "Sloped writing board", "Laptop"]),
                annual_cost=Decimal(rng.choice([150, 400, 1200])), starts_on=this_year))
    IndividualProvision.objects.bulk_create(singles)
    EhcHours.objects.bulk_create(specs)

    counts = Pupil.objects.filter(school__trust=trust)
    on_roll = {s: 0 for s in (x.pk for x in schools)}
    for school_id in counts.values_list("school_id", flat=True):
        on_roll[school_id] += 1
    SenBudget.objects.bulk_create([
        SenBudget(school=s, year=y.year, amount=Decimal(on_roll[s.pk] * rng.choice([380, 420,
                                                                                    460])),
                  ta_in_class_hours=Decimal(10 * rng.randrange(6, 20)))
        for s in schools for y in (last_year, this_year)])

    quals = []
    for i, school in enumerate(schools):
        for user_id in staff[school.pk].get(Role.SENCO, []):
            if i % 4 != 3:  # some schools lack a NASENCO: the gap the page should show
                quals.append(StaffQualification(
                    trust=trust, school=school, person_id=user_id, kind="nasenco",
                    title="National award for SEN co-ordination",
                    awarded_on=dt.date(2015 + rng.randrange(9), 7, 1)))
        for user_id in staff[school.pk].get(Role.TA, [])[:3]:
            intervention, _, _ = offer[rng.randrange(len(offer))]
            quals.append(StaffQualification(
                trust=trust, school=school, person_id=user_id, kind="intervention",
                title=f"Trained to deliver {intervention.name}", area=intervention.area,
                intervention=intervention, awarded_on=today - dt.timedelta(days=rng.randrange(
                    60, 1500))))
    StaffQualification.objects.bulk_create(quals)
    return {"interventions": len(offer), "provision groups": len(group_rows),
            "enrolments": len(enrolments), "sessions": len(sessions),
            "individual provisions": len(singles), "EHC hour specifications": len(specs),
            "qualifications": len(quals)}
