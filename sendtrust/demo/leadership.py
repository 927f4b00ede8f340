"""The demo trust's leadership work: context profile, two self-evaluation rounds and a plan.

A demo that shows only pupils leaves the heart of sendtrust empty, so the demo trust also gets:
- the trust's context profile, written as a SEND leader would write it;
- a closed "Summer" round: every school and the trust rated on every theme, submitted, a few
  ratings moderated with a reason;
- an open "Autumn" round: most schools rated (a little better than in summer), some submitted,
  some moderated, some still in draft, one school not started, so every state is on show;
- a strategic plan drawn from the summer round's weakest themes: goals at each horizon,
  success criteria tied to live indicators, and actions owned by the SENCOs, a headteacher and
  the SEND leader, some done, some in progress, one overdue and one due this week.

Levels come from one `random.Random(seed)`: each school has a level it tends to, each area an
offset (the trust is weakest at planning and organising and at team working), plus noise.
Ratings are written in bulk; submitting and moderating go through `evaluation.services`, so
the audit log and the locks are the ones users get.
"""

from __future__ import annotations

import datetime as dt
import random

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from sendtrust.evaluation import services
from sendtrust.evaluation.models import Framework, Rating, Round, RoundUnit, ScaleLevel, Theme
from sendtrust.organisations.models import Membership, Role, Trust
from sendtrust.planning import services as plans
from sendtrust.planning.models import Horizon, PlanAction, SuccessCriterion

FRAMEWORK = "six-area-leadership"
# Where a trust like the demo one tends to be strong (+) or weak (-), in scale steps.
AREA_OFFSETS = {
    "setting-strategic-direction": 0.4,
    "creating-alignment": 0.1,
    "building-and-sustaining-relationships": 0.5,
    "team-working": -0.4,
    "planning-and-organising": -0.6,
    "delivering-results": -0.2,
}
EVIDENCE = [
    "SEND policy reviewed by governors this year; minutes on the shared drive.",
    "Provision map updated each half term and discussed at pupil progress meetings.",
    "Learning walks in two year groups; notes shared with the SENCO.",
    "Parent survey (42 replies) and three structured conversations this term.",
    "Training log: all teaching assistants completed the trust's core SEND module.",
    "Pupil voice panel met twice; their suggestions are in the SEND action plan.",
]
STRENGTHS = [
    "Staff know the pupils on the register well.",
    "Clear link between the school improvement plan and SEND priorities.",
    "Parents say they are listened to.",
    "Quick referral route to the trust's specialist team.",
]
TO_DEVELOP = [
    "Measure the impact of interventions, not just attendance at them.",
    "Review identification in Key Stage 2: support rates differ between year groups.",
    "Give teaching assistants time to plan with teachers.",
    "Use the trust's data to compare with similar schools.",
]
TRUST_CONTEXT = {
    "size_and_phase": "{schools} schools: {phases}. Most joined in the last six years.",
    "deprivation": "Above-average deprivation in about half of the schools; free school meals "
                   "from 12% to 41%.",
    "geography": "Schools across {las}; each local authority runs its own EHC needs "
                 "assessment process and panel.",
    "maturity_and_growth": "An established trust, expecting two more primary schools next year.",
    "mission_and_vision": "Every child belongs, learns and thrives in their local school.",
    "governance": "Board of trustees with a SEND link trustee; CEO and executive team; local "
                  "governing bodies with delegated SEND monitoring.",
    "school_improvement": "Central school-improvement team; SEND reviews of each school every "
                          "two years.",
    "autonomy_and_alignment": "Aligned on identification, provision mapping and data; schools "
                              "choose interventions from a trust menu.",
    "send_capacity": "A trust SEND leader (0.8 FTE) and a SENCO in every school; two SENCOs "
                     "are new this year.",
}


def seed_leadership(trust: Trust, *, seed: int, on: dt.date | None = None) -> dict[str, int]:
    """Add the context profile and two rounds to a demo trust; return what was made."""
    rng = random.Random(seed * 7919 + 1)
    today = on or timezone.localdate()
    framework = Framework.objects.filter(trust=None, slug=FRAMEWORK).order_by("-version").first()
    if framework is None:
        raise RuntimeError("the six-area framework is not loaded: run manage.py migrate")
    leader = _member(trust, Role.SEND_LEADER, school=None)
    schools = list(trust.schools.order_by("pk"))  # creation order: same for a seed
    sencos = {m.school_id: m.user for m in Membership.objects.filter(
        trust=trust, role=Role.SENCO).select_related("user")}
    themes = list(Theme.objects.filter(framework=framework).select_related("area"))
    levels = {s.value: s for s in ScaleLevel.objects.filter(framework=framework)}
    base = {s.pk: rng.uniform(1.7, 3.3) for s in schools}
    base[None] = 2.6
    made = {"rounds": 0, "ratings": 0, "moderations": 0, "goals": 0, "actions": 0}
    summer_opened, autumn_opened = _round_dates(today)
    with transaction.atomic():
        _context(trust, leader, schools)
        summer = services.open_round(trust, name=f"Summer {summer_opened.year}",
                                     framework=framework, schools=schools, by=leader)
        autumn = services.open_round(trust, name=f"Autumn {autumn_opened.year}",
                                     framework=framework, schools=schools, by=leader)
        Round.objects.filter(pk=summer.pk).update(opened_at=_at(summer_opened))
        Round.objects.filter(pk=autumn.pk).update(opened_at=_at(autumn_opened))
        made["rounds"] = 2
        units = list(summer.units.select_related("school", "round").order_by("pk"))
        for unit in units:
            made["ratings"] += _rate(unit, themes, levels, base[unit.school_id], 0.0,
                                     sencos.get(unit.school_id, leader), rng)
            services.submit_unit(unit, by=sencos.get(unit.school_id, leader))
        made["moderations"] += _moderate(units, leader, rng, share=0.08)
        services.close_round(summer, by=leader)
        Round.objects.filter(pk=summer.pk).update(closed_at=_at(summer_opened + dt.timedelta(55)))

        units = list(autumn.units.select_related("school", "round").order_by("pk"))
        submitted = []
        for i, unit in enumerate(units):
            if i == len(units) - 1 and len(units) > 2:
                continue  # one school has not started yet
            rater = sencos.get(unit.school_id, leader)
            made["ratings"] += _rate(unit, themes, levels, base[unit.school_id], 0.25, rater, rng,
                                     partial=i % 4 == 3)
            if i % 4 in (0, 1) or unit.school_id is None:
                services.submit_unit(unit, by=rater)
                submitted.append(unit)
        made["moderations"] += _moderate(submitted[: max(1, len(submitted) // 2)], leader, rng,
                                         share=0.15)
        head = _member(trust, Role.HEADTEACHER, school=schools[0]) if Membership.objects.filter(
            trust=trust, role=Role.HEADTEACHER).exists() else leader
        owners = [sencos.get(s.pk, leader) for s in schools] + [head, leader]
        made["goals"], made["actions"] = _plan(trust, summer, leader, owners, schools, today, rng)
    return made


# (horizon, title, themes, criteria [(indicator, description, target, direction)], actions
#  [(title, owner index, days from today, status)]). Owner index -1 is the SEND leader, -2 the
#  first school's headteacher, 0.. the schools' SENCOs.
PLAN = [
    (Horizon.THREE_MONTHS, "Identify SEN support consistently across our schools",
     ["accurate-assessment-and-identification", "analysis-of-send-data"],
     [("sen_support_rate", "The trust's SEN support rate moves towards the national rate.",
       13.0, SuccessCriterion.Direction.UP),
      ("identification_recorded", "Every pupil on SEN support has their identification "
       "recorded: who, when and on what evidence.", 95.0, SuccessCriterion.Direction.UP)],
     [("Moderate SEN support decisions across the primary schools", 0, -9, "in_progress"),
      ("Record identification evidence for every pupil added this term", 1, 5, "in_progress"),
      ("Share the trust's funnel plot with headteachers", -1, -30, "done")]),
    (Horizon.ONE_YEAR, "Make provision mapping show impact, not just attendance",
     ["robust-provision-mapping", "impactful-interventions", "rigorous-monitoring-and-evaluation"],
     [("", "Every school's provision map records entry and exit data for each intervention.",
       None, SuccessCriterion.Direction.UP)],
     [("Agree a trust template for intervention entry and exit data", -1, 40, "not_started"),
      ("Pilot the template in one school and report back", 0, 75, "not_started")]),
    (Horizon.THREE_YEARS, "Parents and carers are partners in every plan",
     ["working-with-parents-and-carers", "pupil-voice-and-participation"],
     [("", "Three in four parents of pupils with SEN say in the annual survey that they are "
       "listened to.", None, SuccessCriterion.Direction.UP)],
     [("Train every SENCO in the structured conversation", -2, 120, "not_started"),
      ("Run the first trust-wide parent survey", -1, 200, "blocked")]),
]


def _plan(trust, source_round, leader, owners, schools, today, rng) -> tuple[int, int]:
    goals = actions = 0
    for order, (horizon, title, themes, criteria, steps) in enumerate(PLAN):
        goal = plans.create_goal(trust, horizon=horizon, title=title, themes=themes,
                                 source_round=source_round, order=order, by=leader)
        goals += 1
        for i, (key, description, target, direction) in enumerate(criteria):
            values = {"description": description, "indicator_key": key,
                      "direction": direction, "order": i, "by": leader}
            try:
                plans.create_criterion(goal, target=target, **values)
            except ValidationError:  # the trust already meets it: a target would mean nothing
                plans.create_criterion(goal, target=None, **values)
        for step_title, who, days, status in steps:
            owner = owners[min(who, len(schools) - 1)] if who >= 0 else owners[who]
            action = plans.create_action(
                goal, title=step_title, owner=owner, due_on=today + dt.timedelta(days=days),
                themes=themes[:1], schools=schools[:2] if who >= 0 else [], by=leader)
            actions += 1
            if status != PlanAction.Status.NOT_STARTED:
                note = {"in_progress": "Started: first meeting held, dates set for the rest.",
                        "done": "Done and shared at the headteachers' meeting.",
                        "blocked": "Waiting for the survey tool to be approved."}[status]
                plans.record_progress(action, text=note, status=status, by=owner)
    return goals, actions


def _round_dates(today: dt.date) -> tuple[dt.date, dt.date]:
    """The summer round opened last May and the autumn one this October (school year)."""
    autumn_year = today.year if today.month >= 9 else today.year - 1
    return dt.date(autumn_year, 5, 6), dt.date(autumn_year, 10, 1)


def _at(day: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time(9, 0)))


def _member(trust, role, school):
    m = Membership.objects.filter(trust=trust, role=role, school=school).select_related("user")
    found = m.first()
    if found is None:
        raise RuntimeError(f"the demo trust has no {role} account")
    return found.user


def _context(trust, leader, schools) -> None:
    phases = sorted({s.get_phase_display().lower() for s in schools})
    las = sorted({s.la_name for s in schools})
    values = {
        k: v.format(schools=len(schools), phases=", ".join(phases), las=", ".join(las))
        for k, v in TRUST_CONTEXT.items()
    }
    services.save_context(services.context_profile(trust), by=leader, **values)


def _rate(unit, themes, levels, base, lift, rater, rng, partial=False) -> int:
    """Write one unit's ratings in bulk; a partial unit leaves a quarter of themes unrated."""
    now = timezone.now()
    rows = []
    for theme in themes:
        if partial and rng.random() < 0.25:
            continue
        raw = base + lift + AREA_OFFSETS.get(theme.area.slug, 0.0) + rng.gauss(0, 0.45)
        value = min(max(round(raw), min(levels)), max(levels))
        rows.append(Rating(
            unit=unit, theme=theme, level=levels[value],
            evidence=rng.choice(EVIDENCE), strengths=rng.choice(STRENGTHS),
            areas_to_develop=rng.choice(TO_DEVELOP) if value <= 2 else "",
            updated_by=rater, updated_at=now,
        ))
    Rating.objects.bulk_create(rows)
    return len(rows)


def _moderate(units: list[RoundUnit], leader, rng, share: float) -> int:
    """Agree most sampled ratings; move some by one level with a reason, as moderation does."""
    n = 0
    ratings = list(Rating.objects.filter(unit__in=units).select_related("level").order_by("pk"))
    for rating in ratings:
        if rng.random() >= share:
            continue
        value = rating.level.value
        if rng.random() < 0.6:
            services.moderate_rating(rating, level=value, by=leader)
        else:
            to = value - 1 if value > 1 else value + 1
            reason = ("The evidence shows this in some classes, not yet across the school."
                      if to < value else "Impact data since the visit supports the higher level.")
            services.moderate_rating(rating, level=to, reason=reason, by=leader)
        n += 1
    return n


def leader_of(trust: Trust):
    """The trust's SEND leader account (for other demo seeding steps)."""
    return _member(trust, Role.SEND_LEADER, school=None)

