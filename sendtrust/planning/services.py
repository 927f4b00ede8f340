"""Writes to the plan: each one checked, all-or-nothing, and written to the audit log."""

from __future__ import annotations

import datetime as dt

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from sendtrust.access.audit import log_action
from sendtrust.evaluation.models import Theme
from sendtrust.evaluation.services import frameworks_for
from sendtrust.organisations.models import Membership, Role
from sendtrust.planning import indicators
from sendtrust.planning.models import Goal, PlanAction, ProgressNote, SuccessCriterion

User = get_user_model()

# Who may own an action: the trust's staff and board; not parents or visiting professionals.
OWNER_ROLES = [Role.SEND_LEADER, Role.EXECUTIVE, Role.TRUSTEE, Role.HEADTEACHER, Role.SENCO,
               Role.TEACHER, Role.TA]


# Choices -------------------------------------------------------------------------------------


DEFAULT_FRAMEWORK = "six-area-leadership"


def plan_framework(trust):
    """The framework the plan works from: that of the trust's latest self-evaluation round,
    or (before any round) the newest version of the shipped six-area model."""
    from sendtrust.evaluation.models import Round

    latest = (Round.objects.filter(trust=trust).select_related("framework")
              .order_by("-opened_at", "-id").first())
    if latest is not None:
        return latest.framework
    return (frameworks_for(trust).filter(trust=None, slug=DEFAULT_FRAMEWORK)
            .order_by("-version").first())


def theme_choices(trust) -> list[tuple[str, list[tuple[str, str]]]]:
    """Themes of the plan's framework (plan_framework), grouped by area: [(area, [(slug,
    title)])]. Themes are kept by slug, which stays the same across versions."""
    framework = plan_framework(trust)
    if framework is None:
        return []
    rows = (Theme.objects.filter(framework=framework).order_by("area__order", "order")
            .values_list("area__title", "slug", "title"))
    groups: dict[str, list[tuple[str, str]]] = {}
    for area, slug, title in rows:
        groups.setdefault(area, []).append((slug, title))
    return list(groups.items())


def theme_titles(trust) -> dict[str, str]:
    """Every theme title the trust's frameworks give a slug (newest version first), so that a
    goal written against an older framework still reads in words."""
    rows = (Theme.objects.filter(framework__in=frameworks_for(trust))
            .order_by("framework__slug", "-framework__version").values_list("slug", "title"))
    titles: dict[str, str] = {}
    for slug, title in rows:
        titles.setdefault(slug, title)
    return titles


def owners_for(trust, on=None):
    """Current members of the trust who may own an action, by name."""
    ids = (Membership.objects.current(on).filter(trust=trust, role__in=OWNER_ROLES)
           .values("user_id"))
    return User.objects.filter(pk__in=ids, is_active=True).order_by(
        "last_name", "first_name", "username")


def display_name(user) -> str:
    return (user.get_full_name() or user.username) if user is not None else "nobody"


def owner_choices(trust, *, query="", school=None, keep=None) -> list[tuple[int, str]]:
    """Who may own an action, each once, as (user id, "Name: role, school; role, school").

    query keeps the people whose name, username, role or school contains it; school keeps
    the people of that school; keep (a user id) stays in the list whatever the filter, so
    that the owner already chosen is never dropped. Two queries.
    """
    roles = dict(Role.choices)
    people: dict[int, dict] = {}
    memberships = (Membership.objects.current().filter(
        trust=trust, role__in=OWNER_ROLES, user__is_active=True)
        .select_related("user", "school").order_by("user__last_name", "user__first_name",
                                                   "user__username", "school__name", "role"))
    for m in memberships:
        person = people.setdefault(m.user_id, {"user": m.user, "posts": [], "schools": set()})
        person["posts"].append(f"{roles[m.role]}, {m.school.name if m.school else trust.name}")
        person["schools"].add(m.school_id)
    words = query.strip().lower().split()
    choices = []
    for pk, person in people.items():
        label = f"{display_name(person['user'])}: {'; '.join(person['posts'])}"
        haystack = f"{label} {person['user'].username}".lower()
        wanted = (all(w in haystack for w in words)
                  and (school is None or school.pk in person["schools"]))
        if wanted or pk == keep:
            choices.append((pk, label))
    return choices


# Checks --------------------------------------------------------------------------------------


def check_themes(trust, themes) -> list[str]:
    known = theme_titles(trust)
    unknown = [t for t in themes if t not in known]
    if unknown:
        raise ValidationError({"themes": f"Unknown theme: {', '.join(unknown)}."})
    return list(dict.fromkeys(themes))


def check_owner(trust, owner) -> None:
    if owner is None or not owners_for(trust).filter(pk=owner.pk).exists():
        raise ValidationError({"owner": "The owner must be a current member of the trust's "
                                        "staff or board."})


def check_schools(trust, schools) -> None:
    for s in schools:
        if s.trust_id != trust.pk:
            raise ValidationError({"schools": f"{s.name} is not a school of this trust."})


def check_criterion(trust, *, description, indicator_key, school, target) -> None:
    errors = {}
    if indicator_key and not indicators.exists(indicator_key):
        errors["indicator_key"] = f"There is no indicator called “{indicator_key}”."
    if not description.strip() and not indicator_key:
        errors["description"] = "Say how we will know, or choose an indicator that measures it."
    if target is not None and not indicator_key and not description.strip():
        errors["target"] = "A target needs an indicator or a description of what is measured."
    if school is not None and school.trust_id != trust.pk:
        errors["school"] = f"{school.name} is not a school of this trust."
    if errors:
        raise ValidationError(errors)


def check_target(*, baseline, target, direction, indicator_key) -> None:
    """Refuse a target already met on the day it is written: one on the baseline, or on the
    side of it that the direction calls better. Nothing to check without both figures."""
    if baseline is None or target is None:
        return
    up = direction == SuccessCriterion.Direction.UP
    if (target > baseline) if up else (target < baseline):
        return
    unit = indicators.unit(indicator_key)
    today, wanted = indicators.fmt(baseline, unit), indicators.fmt(target, unit)
    side, better = ("above", "higher") if up else ("below", "lower")
    raise ValidationError({"target": (
        f"Enter a target {side} today's value of {today}: {better} is better, so a target "
        f"of {wanted} is already met.")})


# Goals ---------------------------------------------------------------------------------------


def _audit(request, verb, obj, by, **detail):
    log_action(request, f"plan.{verb}", user=by, trust=obj.trust, object_repr=str(obj)[:200],
               **detail)


@transaction.atomic
def create_goal(trust, *, horizon, title, description="", themes=(), source_round=None,
                order=0, by, request=None) -> Goal:
    themes = check_themes(trust, themes)
    if source_round is not None and source_round.trust_id != trust.pk:
        raise ValidationError({"source_round": "That round belongs to another trust."})
    goal = Goal.objects.create(trust=trust, horizon=horizon, title=title,
                               description=description, themes=themes,
                               source_round=source_round, order=order, created_by=by)
    _audit(request, "goal.created", goal, by, goal=str(goal.code), horizon=horizon)
    return goal


GOAL_FIELDS = ["horizon", "title", "description", "themes", "source_round", "order"]


def _apply(obj, values: dict, fields) -> list[str]:
    changed = []
    for f in fields:
        if f in values and getattr(obj, f) != values[f]:
            setattr(obj, f, values[f])
            changed.append(f)
    return changed


@transaction.atomic
def update_goal(goal, *, by, request=None, **values) -> Goal:
    if "themes" in values:
        values["themes"] = check_themes(goal.trust, values["themes"])
    changed = _apply(goal, values, GOAL_FIELDS)
    if changed:
        goal.updated_at = timezone.now()
        goal.save()
        _audit(request, "goal.updated", goal, by, goal=str(goal.code), fields=changed)
    return goal


# Success criteria ----------------------------------------------------------------------------


@transaction.atomic
def create_criterion(goal, *, description="", indicator_key="", school=None, target=None,
                     direction=SuccessCriterion.Direction.UP, order=0, by,
                     request=None) -> SuccessCriterion:
    check_criterion(goal.trust, description=description, indicator_key=indicator_key,
                    school=school, target=target)
    baseline = None
    if indicator_key:
        baseline = indicators.current_value(indicator_key, trust=goal.trust, school=school)
    check_target(baseline=baseline, target=target, direction=direction,
                 indicator_key=indicator_key)
    criterion = SuccessCriterion.objects.create(
        goal=goal, description=description, indicator_key=indicator_key, school=school,
        baseline=baseline, baseline_on=timezone.localdate() if indicator_key else None,
        target=target, direction=direction, order=order)
    _audit(request, "criterion.created", criterion, by, goal=str(goal.code),
           criterion=str(criterion.code), indicator=indicator_key, baseline=baseline,
           target=target)
    return criterion


CRITERION_FIELDS = ["description", "indicator_key", "school", "target", "direction", "order"]


@transaction.atomic
def update_criterion(criterion, *, by, request=None, **values) -> SuccessCriterion:
    merged = {f: values.get(f, getattr(criterion, f))
              for f in ("description", "indicator_key", "school", "target")}
    check_criterion(criterion.goal.trust, **merged)
    before = (criterion.indicator_key, criterion.school_id)
    changed = _apply(criterion, values, CRITERION_FIELDS)
    if (criterion.indicator_key, criterion.school_id) != before:
        # A different measure (or scope) starts from its own baseline.
        criterion.baseline = (indicators.current_value(
            criterion.indicator_key, trust=criterion.goal.trust, school=criterion.school)
            if criterion.indicator_key else None)
        criterion.baseline_on = timezone.localdate() if criterion.indicator_key else None
        changed.append("baseline")
    if {"target", "direction", "baseline"} & set(changed):
        check_target(baseline=criterion.baseline, target=criterion.target,
                     direction=criterion.direction, indicator_key=criterion.indicator_key)
    if changed:
        criterion.save()
        _audit(request, "criterion.updated", criterion, by, criterion=str(criterion.code),
               fields=changed)
    return criterion


# Actions -------------------------------------------------------------------------------------


@transaction.atomic
def create_action(goal, *, title, owner, due_on: dt.date, description="", themes=(),
                  schools=(), status=PlanAction.Status.NOT_STARTED, by,
                  request=None) -> PlanAction:
    trust = goal.trust
    check_owner(trust, owner)
    check_schools(trust, schools)
    themes = check_themes(trust, themes)
    action = PlanAction.objects.create(goal=goal, title=title, description=description,
                                       owner=owner, due_on=due_on, status=status,
                                       themes=themes, created_by=by)
    action.schools.set(schools)
    _audit(request, "action.created", action, by, plan_action=str(action.code),
           goal=str(goal.code), owner=owner.username, due_on=due_on.isoformat())
    return action


ACTION_FIELDS = ["title", "description", "owner", "due_on", "status", "themes"]


@transaction.atomic
def update_action(action, *, by, request=None, **values) -> PlanAction:
    trust = action.trust
    if "owner" in values and values["owner"].pk != action.owner_id:
        check_owner(trust, values["owner"])
    if "themes" in values:
        values["themes"] = check_themes(trust, values["themes"])
    schools = values.pop("schools", None)
    status_before = action.status
    changed = _apply(action, values, ACTION_FIELDS)
    if schools is not None:
        check_schools(trust, schools)
        if {s.pk for s in schools} != set(action.schools.values_list("pk", flat=True)):
            action.schools.set(schools)
            changed.append("schools")
    if changed:
        action.updated_at = timezone.now()
        action.save()
        if "status" in changed:
            ProgressNote.objects.create(action=action, author=by, text="",
                                        status_from=status_before, status_to=action.status)
        detail = {"fields": changed}
        if "owner" in changed:
            detail["owner"] = action.owner.username
        _audit(request, "action.updated", action, by, plan_action=str(action.code), **detail)
    return action


@transaction.atomic
def record_progress(action, *, text="", status=None, by, request=None) -> ProgressNote:
    """The owner's note on progress, with a change of status when there is one."""
    text = (text or "").strip()
    new_status = status or action.status
    if new_status not in PlanAction.Status.values:
        raise ValidationError({"status": f"“{new_status}” is not a status."})
    if not text and new_status == action.status:
        raise ValidationError({"text": "Write a note or change the status."})
    # Lock the row so that two people recording at once do not lose a status change.
    locked = PlanAction.objects.select_for_update().get(pk=action.pk)
    note = ProgressNote.objects.create(action=locked, author=by, text=text,
                                       status_from=locked.status, status_to=new_status)
    if new_status != locked.status:
        locked.status = new_status
        locked.updated_at = timezone.now()
        locked.save(update_fields=["status", "updated_at"])
        action.status, action.updated_at = locked.status, locked.updated_at
    log_action(request, "plan.action.progress", user=by, trust=action.trust,
               object_repr=str(action)[:200], plan_action=str(action.code),
               status_from=note.status_from, status_to=note.status_to, note=bool(text))
    return note


# Deleting ------------------------------------------------------------------------------------
# The audit log keeps what was deleted (titles and what went with it); the plan itself keeps
# only what is still meant. An action that is merely abandoned should be "dropped" instead.


@transaction.atomic
def delete_goal(goal, *, by, request=None) -> None:
    """Delete a goal with its criteria, actions and their progress notes."""
    detail = {"goal": str(goal.code), "title": goal.title,
              "criteria": goal.criteria.count(), "actions": goal.actions.count()}
    _audit(request, "goal.deleted", goal, by, **detail)
    goal.delete()


@transaction.atomic
def delete_criterion(criterion, *, by, request=None) -> None:
    _audit(request, "criterion.deleted", criterion, by, goal=str(criterion.goal.code),
           description=criterion.description, indicator=criterion.indicator_key)
    criterion.delete()


@transaction.atomic
def delete_action(action, *, by, request=None) -> None:
    """Delete an action with its progress notes."""
    _audit(request, "action.deleted", action, by, plan_action=str(action.code),
           title=action.title, owner=action.owner.username, notes=action.notes.count())
    action.delete()
