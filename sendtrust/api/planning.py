"""API routes for planning, mounted in sendtrust/api/urls.py; same policy as the pages."""

import datetime as dt
from uuid import UUID

from django.http import Http404
from ninja import Router, Schema

from sendtrust.access import policy
from sendtrust.access.policy import PlanRight
from sendtrust.api.schemas import ErrorOut
from sendtrust.organisations.models import Trust
from sendtrust.planning import plan as plan_read
from sendtrust.planning import services
from sendtrust.planning.models import PlanAction

router = Router(tags=["planning"])


class ReadingOut(Schema):
    available: bool
    suppressed: bool
    value: float | None
    text: str


class CriterionOut(Schema):
    code: UUID
    description: str
    indicator_key: str
    school_code: UUID | None
    baseline: float | None
    baseline_on: dt.date | None
    target: float | None
    direction: str
    current: float | None
    progress: str
    progress_text: str


class ActionOut(Schema):
    code: UUID
    goal_code: UUID
    title: str
    description: str
    owner: str
    due_on: dt.date
    status: str
    overdue: bool
    themes: list[str]
    school_codes: list[UUID]


class GoalOut(Schema):
    code: UUID
    horizon_months: int
    horizon: str
    title: str
    description: str
    themes: list[str]
    source_round_code: UUID | None
    criteria: list[CriterionOut]
    actions: list[ActionOut]


class NoteOut(Schema):
    at: dt.datetime
    author: str
    text: str
    status_from: str
    status_to: str


class ActionDetailOut(ActionOut):
    trust_code: UUID
    goal_title: str
    notes: list[NoteOut]


def _action_out(a, schools=None) -> dict:
    return {
        "code": a.code, "goal_code": a.goal.code, "title": a.title,
        "description": a.description, "owner": services.display_name(a.owner),
        "due_on": a.due_on, "status": a.status, "overdue": a.is_overdue(),
        "themes": list(a.themes),
        "school_codes": [s.code for s in (a.schools.all() if schools is None else schools)],
    }


def _criterion_out(c) -> dict:
    p = c.progress
    return {
        "code": c.code, "description": c.description, "indicator_key": c.indicator_key,
        "school_code": c.school.code if c.school_id else None, "baseline": p.baseline,
        "baseline_on": c.baseline_on, "target": c.target, "direction": c.direction,
        "current": p.current, "progress": p.status, "progress_text": p.words,
    }


@router.get("/trusts/{code}/goals", response={200: list[GoalOut], 403: ErrorOut, 404: ErrorOut})
def plan_goals(request, code: UUID):
    """A trust's goals by horizon, each with its success criteria (read now) and actions."""
    trust = Trust.objects.filter(code=code).first()
    if trust is None:
        raise Http404("Not found")
    policy.require_plan(request.user, PlanRight.VIEW, trust)
    data = plan_read.build_plan(trust, request.user)
    return [
        {"code": g.code, "horizon_months": g.horizon, "horizon": g.get_horizon_display(),
         "title": g.title, "description": g.description, "themes": list(g.themes),
         "source_round_code": g.source_round.code if g.source_round_id else None,
         "criteria": [_criterion_out(c) for c in g.criterion_list],
         "actions": [_action_out(a) for a in g.action_list]}
        for g in data["goals"]
    ]


@router.get("/actions/{code}", response={200: ActionDetailOut, 403: ErrorOut, 404: ErrorOut})
def plan_action(request, code: UUID):
    """One action with its progress notes: for readers of the plan and the action's owner."""
    action = (PlanAction.objects.select_related("goal__trust", "owner")
              .filter(code=code).first())
    if action is None:
        raise Http404("Not found")
    decision = policy.decide_plan(request.user, PlanRight.VIEW, action)
    if policy.allows_plan(request.user, PlanRight.UPDATE_ACTION, action):
        decision = policy.Decision.ALLOW
    policy.enforce(decision, action)
    out = _action_out(action)
    out.update({
        "trust_code": action.goal.trust.code, "goal_title": action.goal.title,
        "notes": [{"at": n.at, "author": services.display_name(n.author), "text": n.text,
                   "status_from": n.status_from, "status_to": n.status_to}
                  for n in action.notes.select_related("author")],
    })
    return out


@router.get("/mine", response=list[ActionOut])
def my_plan_actions(request):
    """The signed-in user's own actions, soonest due first."""
    data = plan_read.my_actions(request.user)
    actions = [a for _, _, items in data["sections"] for a in items]
    return [_action_out(a) for a in actions]
