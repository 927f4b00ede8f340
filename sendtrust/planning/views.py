"""Strategic plan pages: the plan by horizon, forms for the SEND leader, an action page where
its owner records progress, "My actions", and a printable plan."""

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST, require_safe

from sendtrust.access import policy
from sendtrust.access.policy import Decision, PlanRight
from sendtrust.analytics.figures.schools import counts_shared
from sendtrust.evaluation.forms import is_uuid
from sendtrust.evaluation.models import Round
from sendtrust.ops import reports as ops_reports
from sendtrust.organisations.models import Trust
from sendtrust.people.twofactor import ensure_recent_auth, require_recent_auth
from sendtrust.planning import plan, report, services
from sendtrust.planning.forms import (
    ActionForm,
    CriterionForm,
    GoalForm,
    ProgressForm,
    _raise_on,
)
from sendtrust.planning.models import Goal, PlanAction, SuccessCriterion

# Access helpers: None is 404 for everyone, then the policy decides.


def get_trust(request, code, right=PlanRight.VIEW) -> Trust:
    trust = Trust.objects.filter(code=code).first()
    if trust is None:
        raise Http404("Not found")
    return policy.require_plan(request.user, right, trust)


def get_goal(request, code, right=PlanRight.EDIT) -> Goal:
    goal = Goal.objects.select_related("trust").filter(code=code).first()
    if goal is None:
        raise Http404("Not found")
    return policy.require_plan(request.user, right, goal)


def get_criterion(request, code, right=PlanRight.EDIT) -> SuccessCriterion:
    criterion = (SuccessCriterion.objects.select_related("goal__trust", "school")
                 .filter(code=code).first())
    if criterion is None:
        raise Http404("Not found")
    return policy.require_plan(request.user, right, criterion)


def get_action(request, code) -> PlanAction:
    """An action its reader may open: anyone who may read the plan, and the action's owner."""
    action = (PlanAction.objects.select_related("goal__trust", "owner")
              .filter(code=code).first())
    if action is None:
        raise Http404("Not found")
    user = request.user
    decision = policy.decide_plan(user, PlanRight.VIEW, action)
    if decision is not Decision.ALLOW and policy.allows_plan(user, PlanRight.UPDATE_ACTION,
                                                            action):
        decision = Decision.ALLOW
    return policy.enforce(decision, action)


def _status(request):
    return 400 if request.method == "POST" else 200


def _goal_anchor(goal) -> str:
    return reverse("planning:plan", args=[goal.trust.code]) + f"#goal-{goal.code}"


def _save_form(request, form, save, *, done, template, context):
    """The pattern of every add and edit page: check the form, save through the service (whose
    rules may still refuse, naming the field), then say what happened and go back; or show the
    form again with its errors."""
    if request.method == "POST" and form.is_valid():
        try:
            saved = save(form.cleaned_data)
        except ValidationError as e:
            _raise_on(form, e)
        else:
            message, target = done(saved)
            messages.success(request, message)
            return redirect(target)
    return render(request, template, {**context, "form": form}, status=_status(request))


# The plan ------------------------------------------------------------------------------------


@login_required
@require_safe
@counts_shared()  # each indicator reads the same per-school counts
def plan_page(request, code):
    """The trust's plan: goals by horizon, criteria against their indicators, actions."""
    trust = get_trust(request, code)
    ctx = plan.build_plan(trust, request.user)
    ctx["gaps"] = plan.gaps(trust, request.user, ctx["goals"])
    return render(request, "planning/plan.html", ctx)


@login_required
@require_safe
@counts_shared()  # each indicator reads the same per-school counts
def plan_print(request, code):
    """The same plan on clean A4 pages: no navigation, no forms."""
    trust = get_trust(request, code)
    ctx = plan.build_plan(trust, request.user)
    ctx["printed_at"] = timezone.localtime()
    return render(request, "planning/plan_print.html", ctx)


@login_required
@require_POST
def plan_pdf(request, code):
    """Start the printable plan as a PDF (WeasyPrint), for board papers and email, in the
    worker: its indicators cover every school. Its page shows progress, then the download."""
    trust = get_trust(request, code)
    return ops_reports.start(request, trust, report.PLAN_PDF)


# Goals ---------------------------------------------------------------------------------------


def _goal_values(data):
    return {"horizon": data["horizon"], "title": data["title"],
            "description": data["description"], "themes": data["themes"],
            "source_round": data["source_round"], "order": data["order"]}


@login_required
def add_goal(request, code):
    trust = get_trust(request, code, PlanRight.EDIT)
    initial = {}
    if request.method == "GET":
        # "Plan for this gap" on the plan page arrives with the theme and the round.
        theme = request.GET.get("theme")
        if theme:
            initial["themes"] = [theme]
        round_code = request.GET.get("round")
        if round_code:
            initial["source_round"] = (Round.objects.filter(trust=trust, code=round_code).first()
                                       if is_uuid(round_code) else None)
        initial["horizon"] = request.GET.get("horizon") or None
    return _save_form(
        request, GoalForm(request.POST or None, trust=trust, initial=initial),
        lambda data: services.create_goal(trust, by=request.user, request=request,
                                          **_goal_values(data)),
        done=lambda goal: (f"Goal added: {goal.title}.", _goal_anchor(goal)),
        template="planning/goal_form.html", context={"trust": trust, "goal": None})


@login_required
def edit_goal(request, code):
    goal = get_goal(request, code)
    initial = {"horizon": goal.horizon, "title": goal.title, "description": goal.description,
               "themes": goal.themes, "order": goal.order,
               "source_round": goal.source_round.code if goal.source_round_id else None}
    return _save_form(
        request, GoalForm(request.POST or None, trust=goal.trust, initial=initial),
        lambda data: services.update_goal(goal, by=request.user, request=request,
                                          **_goal_values(data)),
        done=lambda saved: (f"Goal saved: {saved.title}.", _goal_anchor(saved)),
        template="planning/goal_form.html", context={"trust": goal.trust, "goal": goal})


# Success criteria ----------------------------------------------------------------------------


def _criterion_values(data):
    return {"description": data["description"], "indicator_key": data["indicator_key"],
            "school": data["school"], "target": data["target"], "direction": data["direction"]}


@login_required
def add_criterion(request, code):
    goal = get_goal(request, code)
    return _save_form(
        request, CriterionForm(request.POST or None, trust=goal.trust),
        lambda data: services.create_criterion(goal, by=request.user, request=request,
                                               **_criterion_values(data)),
        done=lambda _: ("Success criterion added.", _goal_anchor(goal)),
        template="planning/criterion_form.html",
        context={"trust": goal.trust, "goal": goal, "criterion": None})


@login_required
def edit_criterion(request, code):
    criterion = get_criterion(request, code)
    goal = criterion.goal
    initial = {"description": criterion.description, "indicator_key": criterion.indicator_key,
               "school": criterion.school.code if criterion.school_id else None,
               "target": criterion.target, "direction": criterion.direction}
    return _save_form(
        request, CriterionForm(request.POST or None, trust=goal.trust, initial=initial),
        lambda data: services.update_criterion(criterion, by=request.user, request=request,
                                               **_criterion_values(data)),
        done=lambda _: ("Success criterion saved.", _goal_anchor(goal)),
        template="planning/criterion_form.html",
        context={"trust": goal.trust, "goal": goal, "criterion": criterion})


# Actions -------------------------------------------------------------------------------------


def _action_values(data):
    return {"title": data["title"], "description": data["description"], "owner": data["owner"],
            "due_on": data["due_on"], "status": data["status"], "themes": data["themes"],
            "schools": list(data["schools"])}


def _action_form(request, trust, initial):
    """The action form: bound to a POST that saves; unbound for a page, for the owner search
    as you type (htmx GET) and for "Show matching people" without JavaScript (a POST with
    find_owner, which saves nothing and so shows no errors)."""
    search_url = request.path
    if request.method == "POST" and "find_owner" not in request.POST:
        return ActionForm(request.POST, trust=trust, search_url=search_url)
    sent = request.POST if request.method == "POST" else request.GET
    form = ActionForm(trust=trust, search_url=search_url)
    picked = dict(initial)
    for name, field in form.fields.items():
        if name in sent:
            multiple = isinstance(field, forms.MultipleChoiceField | forms.ModelMultipleChoiceField)
            picked[name] = sent.getlist(name) if multiple else sent.get(name)
    if request.method == "POST":
        picked.setdefault("schools", [])
        picked.setdefault("themes", [])
    return ActionForm(trust=trust, search_url=search_url, initial=picked)


def _save_action(request, form, save, *, done, context):
    if request.method == "POST" and "find_owner" in request.POST:
        return render(request, "planning/action_form.html", {**context, "form": form})
    return _save_form(request, form, save, done=done, template="planning/action_form.html",
                      context=context)


@login_required
def add_action(request, code):
    goal = get_goal(request, code)
    # The people of the school the goal measures, when its criteria name one school.
    schools = {c.school for c in goal.criteria.select_related("school") if c.school_id}
    initial = {"owner_school": schools.pop()} if len(schools) == 1 else {}
    return _save_action(
        request, _action_form(request, goal.trust, initial),
        lambda data: services.create_action(goal, by=request.user, request=request,
                                            **_action_values(data)),
        done=lambda action: (f"Action added: {action.title}.", _goal_anchor(goal)),
        context={"trust": goal.trust, "goal": goal, "action": None})


@login_required
def edit_action(request, code):
    action = get_action(request, code)
    policy.require_plan(request.user, PlanRight.EDIT, action)
    goal = action.goal
    schools = list(action.schools.all())
    initial = {"title": action.title, "description": action.description,
               "owner": action.owner, "due_on": action.due_on, "status": action.status,
               "themes": action.themes, "schools": schools,
               "owner_school": schools[0] if schools else None}
    return _save_action(
        request, _action_form(request, goal.trust, initial),
        lambda data: services.update_action(action, by=request.user, request=request,
                                            **_action_values(data)),
        done=lambda saved: (f"Action saved: {saved.title}.",
                            reverse("planning:action_detail", args=[saved.code])),
        context={"trust": goal.trust, "goal": goal, "action": action})


def _action_context(request, action, form=None):
    today = timezone.localdate()
    user = request.user
    trust = action.goal.trust
    can_edit = policy.allows_plan(user, PlanRight.EDIT, action)
    plan.annotate(action, today, user, can_edit)
    titles = services.theme_titles(trust)
    action.theme_list = [(s, titles.get(s, s)) for s in action.themes]
    can_update = policy.allows_plan(user, PlanRight.UPDATE_ACTION, action)
    if form is None and can_update:
        form = ProgressForm(initial={"status": action.status})
    return {
        "action": action, "goal": action.goal, "trust": trust,
        "notes": list(action.notes.select_related("author")),
        "schools": list(action.schools.all()),
        "form": form, "can_update": can_update, "can_edit": can_edit,
        "can_view_plan": policy.allows_plan(user, PlanRight.VIEW, trust),
    }


@login_required
@require_safe
def action_detail(request, code):
    """One action: its owner and due date, its history of notes; the owner records progress."""
    action = get_action(request, code)
    return render(request, "planning/action.html", _action_context(request, action))


@login_required
@require_POST
def record_progress(request, code):
    """The owner (or the SEND leader) adds a note and, if it changed, the status."""
    action = get_action(request, code)
    policy.require_plan(request.user, PlanRight.UPDATE_ACTION, action)
    form = ProgressForm(request.POST)
    status = 200
    if form.is_valid():
        try:
            services.record_progress(action, text=form.cleaned_data["text"],
                                     status=form.cleaned_data["status"], by=request.user,
                                     request=request)
        except ValidationError as e:
            _raise_on(form, e)
            status = 400
        else:
            if not request.htmx:
                messages.success(request, "Progress recorded.")
                return redirect("planning:action_detail", action.code)
            ctx = _action_context(request, action)
            ctx["saved"] = True
            return render(request, "planning/action.html#progress", ctx)
    else:
        status = 400
    template = "planning/action.html#progress" if request.htmx else "planning/action.html"
    return render(request, template, _action_context(request, action, form), status=status)


# My actions ----------------------------------------------------------------------------------


@login_required
@require_safe
def my_actions(request):
    """Every signed-in user: their own actions, overdue first."""
    return render(request, "planning/my_actions.html", plan.my_actions(request.user))


# Deleting ------------------------------------------------------------------------------------


def _delete(request, obj, remove, *, what, back):
    """POST with confirm=yes deletes (SEND leader, through the policy); anything else returns
    to the edit page saying that the box must be ticked."""
    if request.POST.get("confirm") != "yes":
        messages.error(request, f"Tick the box to confirm that the {what} should be deleted.")
        return redirect(back)
    ensure_recent_auth(request, back=back)  # then back to the edit page, never a replayed POST
    remove(obj, by=request.user, request=request)
    messages.success(request, f"Deleted the {what} “{obj}”.")
    return redirect(reverse("planning:plan", args=[obj.trust.code]))


@login_required
@require_POST
@require_recent_auth
def delete_goal(request, code):
    goal = get_goal(request, code)
    return _delete(request, goal, services.delete_goal, what="goal",
                   back=reverse("planning:edit_goal", args=[goal.code]))


@login_required
@require_POST
@require_recent_auth
def delete_criterion(request, code):
    criterion = get_criterion(request, code)
    return _delete(request, criterion, services.delete_criterion, what="success criterion",
                   back=reverse("planning:edit_criterion", args=[criterion.code]))


@login_required
@require_POST
@require_recent_auth
def delete_action(request, code):
    action = get_action(request, code)
    policy.require_plan(request.user, PlanRight.EDIT, action)
    return _delete(request, action, services.delete_action, what="action",
                   back=reverse("planning:edit_action", args=[action.code]))
