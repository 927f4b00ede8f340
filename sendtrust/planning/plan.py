"""Read side of the plan: the whole plan of a trust in a fixed number of queries, the gaps
from the latest moderated self-evaluation, and one person's actions grouped by when due."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.db.models import Prefetch
from django.utils import timezone

from sendtrust.access import policy
from sendtrust.access.policy import EvalAction
from sendtrust.planning import indicators, services
from sendtrust.planning.models import Goal, Horizon, PlanAction, SuccessCriterion

DUE_SOON_DAYS = 7


def due_words(action, today: dt.date) -> str:
    """When an action is due, in words (never colour alone)."""
    if not action.is_open:
        return ""
    days = (action.due_on - today).days
    if days < 0:
        n = -days
        return f"Overdue by {n} day{'s' if n != 1 else ''}"
    if days == 0:
        return "Due today"
    if days == 1:
        return "Due tomorrow"
    return f"Due in {days} days"


def annotate(action, today: dt.date, user=None, can_edit=False):
    action.overdue = action.is_overdue(today)
    action.due_soon = action.is_open and 0 <= (action.due_on - today).days <= DUE_SOON_DAYS
    action.when = due_words(action, today)
    action.owner_name = services.display_name(action.owner)
    if user is not None:
        action.can_update = can_edit or action.owner_id == user.pk
    return action


def plan_goals(trust):
    """Goals with their criteria and actions: four queries however many actions there are."""
    return list(
        Goal.objects.filter(trust=trust).select_related("source_round").prefetch_related(
            Prefetch("criteria", SuccessCriterion.objects.select_related("school")),
            Prefetch("actions", PlanAction.objects.select_related("owner")
                     .prefetch_related("schools")),
        )
    )


@dataclass
class HorizonGroup:
    horizon: Horizon
    goals: list = field(default_factory=list)


def build_plan(trust, user, *, today: dt.date | None = None) -> dict:
    today = today or timezone.localdate()
    can_edit = policy.allows_plan(user, policy.PlanRight.EDIT, trust)
    goals = plan_goals(trust)
    titles = services.theme_titles(trust)
    readings: dict[tuple[str, int | None], object] = {}
    counts = {"actions": 0, "overdue": 0, "done": 0}
    for goal in goals:
        goal.trust = trust
        goal.theme_list = [(s, titles.get(s, s)) for s in goal.themes]
        goal.criterion_list = list(goal.criteria.all())
        for c in goal.criterion_list:
            c.progress = indicators.progress(c, user=user, cache=readings)
            c.unit = indicators.unit(c.indicator_key)
            c.indicator_label = indicators.label(c.indicator_key) if c.indicator_key else ""
        goal.action_list = [annotate(a, today, user, can_edit) for a in goal.actions.all()]
        for a in goal.action_list:
            a.theme_list = [(s, titles.get(s, s)) for s in a.themes]
            counts["actions"] += 1
            counts["overdue"] += a.overdue
            counts["done"] += a.status == PlanAction.Status.DONE
    groups = [HorizonGroup(h) for h in Horizon]
    by_h = {g.horizon.value: g for g in groups}
    for goal in goals:
        by_h[goal.horizon].goals.append(goal)
    return {"trust": trust, "groups": groups, "goals": goals, "can_edit": can_edit,
            "counts": counts, "today": today}


# Gaps to plan for ----------------------------------------------------------------------------

GAP_COUNT = 5


def latest_moderated_round(trust):
    from sendtrust.evaluation.models import Rating, Round

    return (Round.objects.filter(trust=trust, units__ratings__status=Rating.Status.MODERATED)
            .select_related("framework").order_by("-opened_at", "-id").distinct().first())


def gaps(trust, user, goals=()) -> dict | None:
    """The weakest themes of the trust's latest moderated round, by mean moderated level.

    Shown only to those who may see that round's heat map; None when there is nothing to show.
    Reads the evaluation models directly (one aggregate query) rather than the heat map's
    display structure, which belongs to the evaluation pages.
    """
    from django.db.models import Avg, Count, Max

    from sendtrust.evaluation.models import Rating, ScaleLevel, Theme

    round_ = latest_moderated_round(trust)
    if round_ is None or not policy.allows_evaluation(user, EvalAction.HEAT_MAP, round_):
        return None
    means = {
        row["theme_id"]: row
        for row in Rating.objects.filter(unit__round=round_, status=Rating.Status.MODERATED,
                                         level__isnull=False)
        .values("theme_id").annotate(mean=Avg("level__value"), units=Count("id"))
    }
    top = (ScaleLevel.objects.filter(framework_id=round_.framework_id)
           .aggregate(top=Max("value"))["top"] or 0)
    planned = {slug for g in goals for slug in g.themes}
    rows = [
        {"theme": t, "area": t.area, "mean": float(means[t.pk]["mean"]),
         "units": means[t.pk]["units"], "planned": t.slug in planned}
        for t in Theme.objects.filter(pk__in=means).select_related("area")
    ]
    rows.sort(key=lambda r: (r["mean"], r["area"].order, r["theme"].order))
    return {"round": round_, "themes": rows[:GAP_COUNT], "top": top}


# My actions ----------------------------------------------------------------------------------


def my_actions(user, *, today: dt.date | None = None) -> dict:
    """The user's actions in trusts they still belong to, grouped by when they are due."""
    today = today or timezone.localdate()
    actor = policy.actor_for(user)
    actions = (PlanAction.objects.filter(owner=user, goal__trust_id__in=actor.member_of,
                                         goal__trust__read_only=False)
               .select_related("goal__trust", "owner").prefetch_related("schools")
               .order_by("due_on", "id"))
    groups = {"overdue": [], "soon": [], "later": [], "closed": []}
    for a in actions:
        annotate(a, today)
        if not a.is_open:
            groups["closed"].append(a)
        elif a.overdue:
            groups["overdue"].append(a)
        elif a.due_soon:
            groups["soon"].append(a)
        else:
            groups["later"].append(a)
    groups["closed"].sort(key=lambda a: a.updated_at, reverse=True)
    sections = [
        ("overdue", "Overdue", groups["overdue"]),
        ("soon", f"Due in the next {DUE_SOON_DAYS} days", groups["soon"]),
        ("later", "Due later", groups["later"]),
        ("closed", "Done or dropped", groups["closed"]),
    ]
    trusts = {a.goal.trust_id for items in groups.values() for a in items}
    return {"groups": groups, "sections": sections, "today": today,
            "count": sum(len(v) for v in groups.values()), "multi_trust": len(trusts) > 1}
