"""Who may reach each route of this area, read by sendtrust/access/tests/test_permission_matrix.py.

ROUTES: route name -> (method, {object name: (roles that succeed, roles refused with 403)},
how to build the path). Anyone else must get 404. See sendtrust/evaluation/tests/matrix.py.

Reading the plan: SEND leader, executive, trustee and the trust's headteachers and SENCOs.
Changing it: the SEND leader. Updating an action: the SEND leader or the action's owner
(senco_a owns plan_action; teacher_a, who may not read the plan, owns plan_teacher_action).
"""

import datetime as dt

from django.utils import timezone

from sendtrust.ops.models import Job
from sendtrust.planning import services
from sendtrust.planning.models import Horizon
from sendtrust.testing import ROLES

ALL = set(ROLES)
TRUST_A_MEMBERS = ALL - {"other_trust_senco", "no_role"}
SL, EX, TR = "send_leader", "executive", "trustee"
READERS = {SL, EX, TR, "headteacher_a", "senco_a", "senco_b"}


def only(*allowed_sets):
    """Cases for trust-A objects: these roles succeed, the other members of trust A get 403."""
    allowed = set().union(*allowed_sets)
    return (allowed, TRUST_A_MEMBERS - allowed)


OTHER_OK = ({"other_trust_senco"}, set())
OTHER_NO = (set(), {"other_trust_senco"})
EVERYONE = {None: (ALL, set())}

PLAN_VIEW = {"trust": only(READERS), "other_trust": OTHER_OK}
PLAN_EDIT = {"trust": only({SL}), "other_trust": OTHER_NO}
GOAL_EDIT = {"plan_goal": only({SL}), "plan_other_goal": OTHER_NO}
CRITERION_EDIT = {"plan_criterion": only({SL}), "plan_other_criterion": OTHER_NO}
ACTION_EDIT = {"plan_action": only({SL}), "plan_other_action": OTHER_NO}
ACTION_VIEW = {
    "plan_action": only(READERS),
    "plan_teacher_action": only(READERS, {"teacher_a"}),
    "plan_other_action": OTHER_OK,
}
ACTION_UPDATE = {
    "plan_action": only({SL, "senco_a"}),
    "plan_teacher_action": only({SL, "teacher_a"}),
    "plan_other_action": OTHER_OK,  # other_trust_senco owns it
}

# Another reader of the plan gets 404: the trustee's PDF is not theirs.
PDF_JOB = {"plan_pdf_job": ({TR}, TRUST_A_MEMBERS - READERS)}

ROUTES = {
    "planning:plan": ("get", PLAN_VIEW, lambda c, o: f"/trusts/{o.code}/plan/"),
    "planning:plan_print": ("get", PLAN_VIEW, lambda c, o: f"/trusts/{o.code}/plan/print/"),
    # The PDF: the button starts a job; its page and file are for whoever started it (the
    # trustee here), while the policy still lets them read the plan.
    "planning:plan_pdf": ("post", PLAN_VIEW, lambda c, o: f"/trusts/{o.code}/plan/pdf/"),
    "planning:plan_pdf_job": (
        "get", PDF_JOB, lambda c, o: f"/trusts/{o.trust.code}/plan/pdf/{o.code}/"),
    "planning:plan_pdf_download": (
        "get", PDF_JOB, lambda c, o: f"/trusts/{o.trust.code}/plan/pdf/{o.code}/send-plan.pdf"),
    "planning:add_goal": ("get", PLAN_EDIT, lambda c, o: f"/trusts/{o.code}/plan/goals/new/"),
    "planning:edit_goal": ("get", GOAL_EDIT, lambda c, o: f"/plan/goals/{o.code}/edit/"),
    "planning:add_criterion": (
        "get", GOAL_EDIT, lambda c, o: f"/plan/goals/{o.code}/criteria/new/"),
    "planning:edit_criterion": (
        "get", CRITERION_EDIT, lambda c, o: f"/plan/criteria/{o.code}/edit/"),
    "planning:add_action": ("get", GOAL_EDIT, lambda c, o: f"/plan/goals/{o.code}/actions/new/"),
    "planning:action_detail": ("get", ACTION_VIEW, lambda c, o: f"/plan/actions/{o.code}/"),
    "planning:edit_action": ("get", ACTION_EDIT, lambda c, o: f"/plan/actions/{o.code}/edit/"),
    "planning:record_progress": (
        "post", ACTION_UPDATE, lambda c, o: f"/plan/actions/{o.code}/progress/"),
    "planning:my_actions": ("get", EVERYONE, lambda c, o: "/plan/mine/"),
    "planning:delete_goal": ("post", GOAL_EDIT, lambda c, o: f"/plan/goals/{o.code}/delete/"),
    "planning:delete_criterion": (
        "post", CRITERION_EDIT, lambda c, o: f"/plan/criteria/{o.code}/delete/"),
    "planning:delete_action": (
        "post", ACTION_EDIT, lambda c, o: f"/plan/actions/{o.code}/delete/"),
    # The forms' POSTs (empty: refused before the form is read, or the form's errors).
    "planning:add_goal:post": (
        "post", PLAN_EDIT, lambda c, o: f"/trusts/{o.code}/plan/goals/new/"),
    "planning:edit_goal:post": ("post", GOAL_EDIT, lambda c, o: f"/plan/goals/{o.code}/edit/"),
    "planning:add_criterion:post": (
        "post", GOAL_EDIT, lambda c, o: f"/plan/goals/{o.code}/criteria/new/"),
    "planning:edit_criterion:post": (
        "post", CRITERION_EDIT, lambda c, o: f"/plan/criteria/{o.code}/edit/"),
    "planning:add_action:post": (
        "post", GOAL_EDIT, lambda c, o: f"/plan/goals/{o.code}/actions/new/"),
    "planning:edit_action:post": (
        "post", ACTION_EDIT, lambda c, o: f"/plan/actions/{o.code}/edit/"),
    "api:plan_goals": ("get", PLAN_VIEW, lambda c, o: f"/api/v1/plan/trusts/{o.code}/goals"),
    "api:plan_action": ("get", ACTION_VIEW, lambda c, o: f"/api/v1/plan/actions/{o.code}"),
    "api:my_plan_actions": ("get", EVERYONE, lambda c, o: "/api/v1/plan/mine"),
}


def build_objects(cast):
    """A goal with a criterion and two actions in trust A, and the same in the other trust."""
    u = cast.users
    due = dt.date.today() + dt.timedelta(days=30)
    goal = services.create_goal(cast.trust, horizon=Horizon.ONE_YEAR, title="Earlier help",
                                by=u["send_leader"])
    cast.plan_goal = goal
    cast.plan_criterion = services.create_criterion(
        goal, description="Every SENCO reviews the register each half term", by=u["send_leader"])
    cast.plan_action = services.create_action(
        goal, title="Termly register review", owner=u["senco_a"], due_on=due,
        schools=[cast.school_a], by=u["send_leader"])
    cast.plan_teacher_action = services.create_action(
        goal, title="Share class strategies", owner=u["teacher_a"], due_on=due,
        by=u["send_leader"])
    cast.plan_pdf_job = Job.objects.create(
        kind="plan_pdf", created_by=u[TR], trust=cast.trust, status="done",
        finished_at=timezone.now(), output=b"%PDF-1.7 a plan", output_type="application/pdf",
        output_name="send-plan.pdf", result={"bytes": 15})
    other = services.create_goal(cast.other_trust, horizon=Horizon.THREE_MONTHS,
                                 title="Other trust goal", by=u["other_trust_senco"])
    cast.plan_other_goal = other
    cast.plan_other_criterion = services.create_criterion(
        other, description="Something measurable", by=u["other_trust_senco"])
    cast.plan_other_action = services.create_action(
        other, title="Other trust action", owner=u["other_trust_senco"], due_on=due,
        by=u["other_trust_senco"])
    return cast


def post_data(cast, route, obj):
    if route == "planning:record_progress":
        return {"status": "in_progress", "text": "Started"}
    if route.startswith("planning:delete_"):
        return {"confirm": "yes"}
    return {}
