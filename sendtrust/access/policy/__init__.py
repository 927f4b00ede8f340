"""The one policy module: who may see or change what.

Every view, export and API endpoint asks `decide()` (or a helper built on it) before it
touches an object, and lists pupils only through `visible_pupils()`. Outsiders to a trust
get NOT_FOUND (404), so a pupil's existence is not revealed; members without the right get
FORBIDDEN (403).
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, field

from django.core.exceptions import PermissionDenied
from django.db.models import F, Q, QuerySet
from django.http import Http404
from django.utils import timezone

from sendtrust.organisations.models import (
    ExternalAssignment,
    Membership,
    ParentLink,
    Role,
    School,
    Trust,
)
from sendtrust.pupils.models import Pupil


class Decision(enum.Enum):
    ALLOW = 200
    FORBIDDEN = 403
    NOT_FOUND = 404


class Action(enum.StrEnum):
    TRUST_OVERVIEW = "trust.overview"  # aggregates for every school of a trust
    TRUST_AUDIT = "trust.audit"  # read the audit log
    SCHOOL_REGISTER = "school.register"  # list a school's pupils (only those one may see)
    SCHOOL_EXPORT = "school.export"  # download the register
    SCHOOL_IMPORT = "school.import"  # load pupils and SEN data into a school
    PUPIL_VIEW = "pupil.view"  # read one pupil's record
    PUPIL_CHANGE = "pupil.change"  # record a status change, identification
    PUPIL_MOVE = "pupil.move"  # move a pupil to another school of the trust
    TRUST_ANALYTICS = "trust.analytics"  # trust analytics (aggregate-only roles: suppressed)
    SCHOOL_ANALYTICS = "school.analytics"  # one school's analytics
    DATA_QUALITY = "data.quality"  # the pupil-level data-quality list of a trust or school


# Which roles may do what. Trust-wide roles act on every school of their trust; school roles
# only on their school. Teachers and TAs see pupils through teaching groups, parents through
# a parent link, external professionals through a current assignment (see visible_pupils).
TRUST_GRANTS: dict[Action, set[Role]] = {
    Action.TRUST_OVERVIEW: {Role.SEND_LEADER, Role.EXECUTIVE, Role.TRUSTEE},
    Action.TRUST_AUDIT: {Role.SEND_LEADER},
    Action.SCHOOL_REGISTER: {Role.SEND_LEADER, Role.EXECUTIVE},
    Action.SCHOOL_EXPORT: {Role.SEND_LEADER},
    Action.SCHOOL_IMPORT: {Role.SEND_LEADER},
    Action.PUPIL_VIEW: {Role.SEND_LEADER, Role.EXECUTIVE},
    Action.PUPIL_CHANGE: {Role.SEND_LEADER},
    Action.PUPIL_MOVE: {Role.SEND_LEADER},
    Action.TRUST_ANALYTICS: {Role.SEND_LEADER, Role.EXECUTIVE, Role.TRUSTEE},
    Action.SCHOOL_ANALYTICS: {Role.SEND_LEADER, Role.EXECUTIVE},
    Action.DATA_QUALITY: {Role.SEND_LEADER, Role.EXECUTIVE},
}
SCHOOL_GRANTS: dict[Action, set[Role]] = {
    Action.SCHOOL_REGISTER: {Role.HEADTEACHER, Role.SENCO, Role.TEACHER, Role.TA},
    Action.SCHOOL_EXPORT: {Role.HEADTEACHER, Role.SENCO},
    Action.SCHOOL_IMPORT: {Role.SENCO},
    Action.PUPIL_VIEW: {Role.HEADTEACHER, Role.SENCO},
    Action.PUPIL_CHANGE: {Role.SENCO},
    Action.SCHOOL_ANALYTICS: {Role.HEADTEACHER, Role.SENCO},
    Action.DATA_QUALITY: {Role.HEADTEACHER, Role.SENCO},
}
# Roles that see a pupil only through a link to that pupil; each also holds a Membership
# in the trust, which is what turns a refusal into 403 rather than 404.
LINKED_VIEWERS = {Role.TEACHER, Role.TA, Role.PARENT, Role.EXTERNAL}
AGGREGATE_ONLY = {Role.TRUSTEE}
WRITE_ACTIONS = {Action.SCHOOL_IMPORT, Action.PUPIL_CHANGE, Action.PUPIL_MOVE}
# A read-only trust is built from public data alone (GIAS + census, no pupils): any signed-in
# user may read its published figures.
PUBLIC_READ_ACTIONS = {Action.TRUST_OVERVIEW, Action.TRUST_ANALYTICS, Action.SCHOOL_ANALYTICS}


@dataclass
class Actor:
    """What one user holds today, read once per request."""

    user_id: int
    trust_roles: dict[int, set[str]] = field(default_factory=dict)
    school_roles: dict[int, set[str]] = field(default_factory=dict)
    # Every trust the user belongs to in any role (for 404 versus 403).
    member_of: set[int] = field(default_factory=set)
    # For each role, the trusts and the schools where the user holds it today: a link
    # (teaching group, parent link, assignment) grants access only through one of these.
    role_trusts: dict[str, set[int]] = field(default_factory=dict)
    role_schools: dict[str, set[int]] = field(default_factory=dict)
    _trusts: list | None = field(default=None, repr=False, compare=False)

    def roles_in_trust(self, trust_id: int) -> set[str]:
        return self.trust_roles.get(trust_id, set())

    def roles_in_school(self, school_id: int) -> set[str]:
        return self.school_roles.get(school_id, set())

    def all_roles(self) -> set[str]:
        roles: set[str] = set()
        for r in self.trust_roles.values():
            roles |= r
        for r in self.school_roles.values():
            roles |= r
        return roles


def actor_for(user) -> Actor:
    """Return the user's current roles; cached on the user object for one request."""
    cached = getattr(user, "_sendtrust_actor", None)
    if cached is not None:
        return cached
    actor = Actor(user_id=user.pk)
    if user.is_authenticated and user.is_active:
        rows = Membership.objects.current().filter(user=user).values_list(
            "role", "trust_id", "school_id"
        )
        for role, trust_id, school_id in rows:
            actor.member_of.add(trust_id)
            actor.role_trusts.setdefault(role, set()).add(trust_id)
            if school_id is not None:
                actor.role_schools.setdefault(role, set()).add(school_id)
            if school_id is None:
                actor.trust_roles.setdefault(trust_id, set()).add(role)
            else:
                actor.school_roles.setdefault(school_id, set()).add(role)
    user._sendtrust_actor = actor
    return actor


def member_trusts(user) -> list[Trust]:
    """The trusts the user belongs to today in any role, by name, read once per request
    (cached with the actor): the navigation's six menus each pick theirs from it by role
    instead of one query each (issue 15: ~1 ms a query on PostgreSQL on every page)."""
    actor = actor_for(user)
    if actor._trusts is None:
        actor._trusts = (list(Trust.objects.filter(pk__in=actor.member_of).order_by("name"))
                         if actor.member_of else [])
    return actor._trusts


def member_trusts_with(user, roles: set[str]) -> list[Trust]:
    """member_trusts() that are not public (read-only) where the user holds one of `roles`
    trust-wide."""
    actor = actor_for(user)
    return [t for t in member_trusts(user)
            if not t.read_only and actor.roles_in_trust(t.pk) & roles]


def _trust_of(obj) -> Trust:
    if isinstance(obj, Trust):
        return obj
    if isinstance(obj, School):
        return obj.trust
    if isinstance(obj, Pupil):
        return obj.school.trust
    raise TypeError(f"No policy for {type(obj).__name__}")


def _trust_id(obj) -> int:
    if isinstance(obj, Trust):
        return obj.pk
    if isinstance(obj, School):
        return obj.trust_id
    if isinstance(obj, Pupil):
        return obj.school.trust_id
    raise TypeError(f"No policy for {type(obj).__name__}")


def _granted(actor: Actor, action: Action, trust_id: int, school_id: int | None) -> bool:
    if actor.roles_in_trust(trust_id) & TRUST_GRANTS.get(action, set()):
        return True
    if school_id is None:
        return False
    return bool(actor.roles_in_school(school_id) & SCHOOL_GRANTS.get(action, set()))


def decide(user, action: Action, obj) -> Decision:
    """Return whether user may do action on obj (a Trust, School or Pupil)."""
    if not (user.is_authenticated and user.is_active):
        return Decision.NOT_FOUND
    actor = actor_for(user)
    trust_id = _trust_id(obj)
    if isinstance(obj, Trust):
        school_id = None
    elif isinstance(obj, School):
        school_id = obj.pk
    else:
        school_id = obj.school_id
    if _trust_of(obj).read_only:
        if action in PUBLIC_READ_ACTIONS:
            return Decision.ALLOW
        if action in WRITE_ACTIONS:
            # A trust built from public data holds no pupils and takes no changes.
            return Decision.FORBIDDEN if trust_id in actor.member_of else Decision.NOT_FOUND
    if _granted(actor, action, trust_id, school_id):
        return Decision.ALLOW
    if action == Action.PUPIL_VIEW and _linked(user, obj):
        return Decision.ALLOW
    if trust_id in actor.member_of:
        return Decision.FORBIDDEN
    return Decision.NOT_FOUND


def allows(user, action: Action, obj) -> bool:
    return decide(user, action, obj) is Decision.ALLOW


def enforce(decision: Decision, obj):
    """Return obj if allowed; raise Http404 for outsiders and PermissionDenied for members."""
    if decision is Decision.NOT_FOUND:
        raise Http404("Not found")
    if decision is Decision.FORBIDDEN:
        raise PermissionDenied("You do not have access to this")
    return obj


def require(user, action: Action, obj):
    """Return obj if user may do action on it; otherwise raise 404 or 403 (see enforce)."""
    return enforce(decide(user, action, obj), obj)


def _linked_q(user, on=None) -> Q:
    """Pupils linked to user: taught by them, their child, or assigned to them now.

    A link counts only with a current membership of the matching role behind it: a teaching
    group needs the user to teach or assist at that school today (and the pupil to be on roll
    there), a parent link a current parent role in the child's trust, an assignment a current
    external role in the pupil's trust. Ending the membership ends what it gave, on the day.
    """
    on = on or timezone.localdate()
    actor = actor_for(user)
    teaching_schools: set[int] = set()
    for role in (Role.TEACHER, Role.TA):
        teaching_schools |= actor.role_schools.get(role, set())
    parent_trusts = actor.role_trusts.get(Role.PARENT, set())
    external_trusts = actor.role_trusts.get(Role.EXTERNAL, set())
    condition = Q(pk__in=[])
    if teaching_schools:
        # A join, as before links needed a membership: PostgreSQL plans the nested IN form
        # of this (pupil -> group pupils -> pupil) badly enough to run for minutes.
        condition |= Q(
            school_id__in=sorted(teaching_schools),
            teaching_groups__staff=user,
            teaching_groups__school=F("school"),
        )
    if parent_trusts:
        condition |= Q(
            school__trust_id__in=sorted(parent_trusts),
            pk__in=ParentLink.objects.filter(parent=user).values("pupil_id"),
        )
    if external_trusts:
        assigned = ExternalAssignment.objects.current(on).filter(professional=user)
        condition |= Q(
            school__trust_id__in=sorted(external_trusts), pk__in=assigned.values("pupil_id")
        )
    return condition


def _linked(user, pupil: Pupil) -> bool:
    actor = actor_for(user)
    roles = actor.all_roles()
    if not roles & LINKED_VIEWERS:
        return False
    return Pupil.objects.filter(pk=pupil.pk).filter(_linked_q(user)).exists()


def visible_pupils(user, school: School | None = None) -> QuerySet[Pupil]:
    """Return the pupils user may read, optionally within one school. Same rule as decide()."""
    qs = Pupil.objects.all()
    if school is not None:
        qs = qs.filter(school=school)
    if not (user.is_authenticated and user.is_active):
        return qs.none()
    actor = actor_for(user)
    view = Action.PUPIL_VIEW
    trusts = [t for t, r in actor.trust_roles.items() if r & TRUST_GRANTS[view]]
    schools = [s for s, r in actor.school_roles.items() if r & SCHOOL_GRANTS[view]]
    condition = Q(school__trust_id__in=trusts) | Q(school_id__in=schools)
    if actor.all_roles() & LINKED_VIEWERS:
        linked = Pupil.objects.filter(_linked_q(user)).values("pk")
        condition |= Q(pk__in=linked)
    if not trusts and not schools and not actor.all_roles() & LINKED_VIEWERS:
        return qs.none()
    return qs.filter(condition)


def trusts_for(user, action: Action = Action.TRUST_OVERVIEW) -> QuerySet[Trust]:
    """Return the trusts whose overview user may open."""
    if not user.is_authenticated:
        return Trust.objects.none()
    actor = actor_for(user)
    ids = [t for t, r in actor.trust_roles.items() if r & TRUST_GRANTS.get(action, set())]
    return Trust.objects.filter(pk__in=ids)


def schools_for(user, action: Action) -> QuerySet[School]:
    """Return the schools on which user may do action."""
    if not user.is_authenticated:
        return School.objects.none()
    actor = actor_for(user)
    trusts = [t for t, r in actor.trust_roles.items() if r & TRUST_GRANTS.get(action, set())]
    schools = [s for s, r in actor.school_roles.items() if r & SCHOOL_GRANTS.get(action, set())]
    return School.objects.filter(Q(trust_id__in=trusts) | Q(pk__in=schools))


# Building a read-only public profile writes a trust and its schools: a leader's action.
PUBLIC_BUILDERS = {Role.SEND_LEADER, Role.EXECUTIVE, Role.HEADTEACHER}


def decide_public_build(user) -> Decision:
    """May user list the GIAS trusts and build a read-only public profile?

    Trust SEND leaders, executives and headteachers may; other members of a trust (SENCOs,
    teachers, parents, ...) are refused with 403; a signed-in user with no current role, 404.
    """
    if not (user.is_authenticated and user.is_active):
        return Decision.NOT_FOUND
    actor = actor_for(user)
    if actor.all_roles() & PUBLIC_BUILDERS:
        return Decision.ALLOW
    return Decision.FORBIDDEN if actor.member_of else Decision.NOT_FOUND


def may_build_public_trusts(user) -> bool:
    return decide_public_build(user) is Decision.ALLOW


def is_aggregate_only(user, trust: Trust) -> bool:
    """True when user sees this trust only in aggregate (a trustee and nothing more).

    A read-only public trust shows published school-level figures only, so it is never
    aggregate-only: there are no pupil records behind it.
    """
    if trust.read_only:
        return False
    actor = actor_for(user)
    roles = actor.roles_in_trust(trust.pk)
    return bool(roles) and roles <= AGGREGATE_ONLY


# Access helpers in pairs, read and read-write, as the views use them.


def get_trust_for_user(request, code, action: Action = Action.TRUST_OVERVIEW) -> Trust:
    trust = Trust.objects.filter(code=code).first()
    if trust is None:
        raise Http404("Not found")
    return require(request.user, action, trust)


def get_school_for_user(request, code, action: Action = Action.SCHOOL_REGISTER) -> School:
    school = School.objects.select_related("trust").filter(code=code).first()
    if school is None:
        raise Http404("Not found")
    return require(request.user, action, school)


def get_pupil_for_user(request, code) -> Pupil:
    """Return the pupil if the current user may read the record."""
    pupil = Pupil.objects.select_related("school__trust", "primary_need").filter(code=code).first()
    if pupil is None:
        raise Http404("Not found")
    return require(request.user, Action.PUPIL_VIEW, pupil)


def get_rw_pupil_for_user(request, code) -> Pupil:
    """Return the pupil if the current user may change the record."""
    pupil = get_pupil_for_user(request, code)
    return require(request.user, Action.PUPIL_CHANGE, pupil)


# ---------------------------------------------------------------------------------------------
# Self-evaluation (sendtrust.evaluation): rounds, ratings, moderation, context profiles.
# Same shape as above: a grant table per level, 404 for outsiders, 403 for members.
# ---------------------------------------------------------------------------------------------


class EvalAction(enum.StrEnum):
    ROUND_LIST = "evaluation.round.list"  # list a trust's rounds (school roles: their own)
    ROUND_OPEN = "evaluation.round.open"  # open or close a round
    ROUND_VIEW = "evaluation.round.view"  # a round's summary: units and their progress
    HEAT_MAP = "evaluation.round.heatmap"  # schools x themes, and round-to-round change
    UNIT_VIEW = "evaluation.unit.view"  # read one unit's ratings
    UNIT_RATE = "evaluation.unit.rate"  # save and submit one unit's ratings
    MODERATE = "evaluation.rating.moderate"  # agree or adjust a submitted rating
    CONTEXT_VIEW = "evaluation.context.view"
    CONTEXT_EDIT = "evaluation.context.edit"


# Objects at trust level: the trust, a round, the trust's own unit, the trust's profile.
EVAL_TRUST_LEVEL: dict[EvalAction, set[Role]] = {
    EvalAction.ROUND_LIST: {Role.SEND_LEADER, Role.EXECUTIVE, Role.TRUSTEE},
    EvalAction.ROUND_OPEN: {Role.SEND_LEADER},
    EvalAction.ROUND_VIEW: {Role.SEND_LEADER, Role.EXECUTIVE, Role.TRUSTEE},
    EvalAction.HEAT_MAP: {Role.SEND_LEADER, Role.EXECUTIVE},
    EvalAction.UNIT_VIEW: {Role.SEND_LEADER, Role.EXECUTIVE, Role.TRUSTEE},
    # The executive reads every unit but rates none: the trust unit is the SEND leader's.
    EvalAction.UNIT_RATE: {Role.SEND_LEADER},
    EvalAction.MODERATE: {Role.SEND_LEADER},
    EvalAction.CONTEXT_VIEW: {Role.SEND_LEADER, Role.EXECUTIVE, Role.TRUSTEE},
    EvalAction.CONTEXT_EDIT: {Role.SEND_LEADER},
}
# Objects of one school (the school, its unit and ratings, its profile): trust-wide roles...
EVAL_SCHOOL_LEVEL_TRUST_ROLES: dict[EvalAction, set[Role]] = {
    EvalAction.UNIT_VIEW: {Role.SEND_LEADER, Role.EXECUTIVE},
    EvalAction.MODERATE: {Role.SEND_LEADER},
    EvalAction.CONTEXT_VIEW: {Role.SEND_LEADER, Role.EXECUTIVE},
}
# ...and the school's own leaders, who rate their school and nothing else.
EVAL_SCHOOL_LEADERS = {Role.HEADTEACHER, Role.SENCO}
EVAL_SCHOOL_LEVEL_SCHOOL_ROLES: dict[EvalAction, set[Role]] = {
    EvalAction.ROUND_LIST: EVAL_SCHOOL_LEADERS,
    EvalAction.ROUND_VIEW: EVAL_SCHOOL_LEADERS,
    EvalAction.UNIT_VIEW: EVAL_SCHOOL_LEADERS,
    EvalAction.UNIT_RATE: EVAL_SCHOOL_LEADERS,
    EvalAction.CONTEXT_VIEW: EVAL_SCHOOL_LEADERS,
    EvalAction.CONTEXT_EDIT: EVAL_SCHOOL_LEADERS,
}
EVAL_WRITES = {EvalAction.ROUND_OPEN, EvalAction.UNIT_RATE, EvalAction.MODERATE,
               EvalAction.CONTEXT_EDIT}


def _eval_scope(obj) -> tuple[Trust, list[int] | None]:
    """Return the object's trust and its schools (None when it is a trust-level object).

    A round counts as trust level, but its school leaders also reach it through the schools
    it covers; a rating or unit of a school counts as that school.
    """
    from sendtrust.evaluation import models as ev  # the evaluation app depends on this one

    if isinstance(obj, Trust):
        return obj, None
    if isinstance(obj, School):
        return obj.trust, [obj.pk]
    if isinstance(obj, ev.Rating):
        obj = obj.unit
    if isinstance(obj, ev.RoundUnit):
        return obj.round.trust, None if obj.school_id is None else [obj.school_id]
    if isinstance(obj, ev.ContextProfile):
        return obj.trust, None if obj.school_id is None else [obj.school_id]
    if isinstance(obj, ev.Round):
        return obj.trust, None
    raise TypeError(f"No evaluation policy for {type(obj).__name__}")


def _round_school_ids(round_) -> set[int]:
    cached = getattr(round_, "_school_ids", None)
    if cached is None:
        cached = set(round_.units.exclude(school=None).values_list("school_id", flat=True))
        round_._school_ids = cached
    return cached


def decide_evaluation(user, action: EvalAction, obj) -> Decision:
    """Return whether user may do action on a trust, school, round, unit, rating or profile."""
    from sendtrust.evaluation.models import Round

    if not (user.is_authenticated and user.is_active):
        return Decision.NOT_FOUND
    actor = actor_for(user)
    trust, school_ids = _eval_scope(obj)
    member = trust.pk in actor.member_of
    refused = Decision.FORBIDDEN if member else Decision.NOT_FOUND
    if action in EVAL_WRITES and trust.read_only:
        return refused
    trust_roles = actor.roles_in_trust(trust.pk)
    school_grant = EVAL_SCHOOL_LEVEL_SCHOOL_ROLES.get(action, set())
    if school_ids is None:
        if trust_roles & EVAL_TRUST_LEVEL.get(action, set()):
            return Decision.ALLOW
        # School leaders list their trust's rounds and open a round that covers their school.
        if action == EvalAction.ROUND_LIST:
            school_ids = list(trust.schools.values_list("pk", flat=True)) if member else []
        elif action == EvalAction.ROUND_VIEW and isinstance(obj, Round):
            school_ids = list(_round_school_ids(obj))
        else:
            return refused
    elif trust_roles & EVAL_SCHOOL_LEVEL_TRUST_ROLES.get(action, set()):
        return Decision.ALLOW
    if any(actor.roles_in_school(s) & school_grant for s in school_ids):
        return Decision.ALLOW
    return refused


def allows_evaluation(user, action: EvalAction, obj) -> bool:
    return decide_evaluation(user, action, obj) is Decision.ALLOW


def require_evaluation(user, action: EvalAction, obj):
    """Return obj if user may do action on it; otherwise raise 404 or 403 (see enforce)."""
    return enforce(decide_evaluation(user, action, obj), obj)


# ---------------------------------------------------------------------------------------------
# Strategic plan (sendtrust.planning): goals, success criteria, actions and progress notes.
# Every planning object belongs to one trust (a `trust` attribute); an action has an `owner`.
# ---------------------------------------------------------------------------------------------


class PlanRight(enum.StrEnum):
    VIEW = "plan.view"  # read the trust's plan: goals, criteria, actions, notes
    EDIT = "plan.edit"  # add, change or remove goals, success criteria and actions
    UPDATE_ACTION = "plan.action.update"  # set an action's status, add a progress note


PLAN_TRUST_GRANTS: dict[PlanRight, set[Role]] = {
    PlanRight.VIEW: {Role.SEND_LEADER, Role.EXECUTIVE, Role.TRUSTEE},
    PlanRight.EDIT: {Role.SEND_LEADER},
    PlanRight.UPDATE_ACTION: {Role.SEND_LEADER},
}
# School leaders own actions and read the plan they serve; they change only their own actions.
PLAN_SCHOOL_READERS = {Role.HEADTEACHER, Role.SENCO}


def _plan_trust(obj) -> Trust:
    if isinstance(obj, Trust):
        return obj
    trust = getattr(obj, "trust", None)
    if not isinstance(trust, Trust):
        raise TypeError(f"No plan policy for {type(obj).__name__}")
    return trust


def decide_plan(user, right: PlanRight, obj) -> Decision:
    """Return whether user may do right on a trust's plan or one of its objects."""
    if not (user.is_authenticated and user.is_active):
        return Decision.NOT_FOUND
    actor = actor_for(user)
    trust = _plan_trust(obj)
    member = trust.pk in actor.member_of
    refused = Decision.FORBIDDEN if member else Decision.NOT_FOUND
    if trust.read_only:
        return refused
    if actor.roles_in_trust(trust.pk) & PLAN_TRUST_GRANTS[right]:
        return Decision.ALLOW
    school_ids = set(trust.schools.values_list("pk", flat=True)) if member else set()
    leads_a_school = any(actor.roles_in_school(s) & PLAN_SCHOOL_READERS for s in school_ids)
    if right == PlanRight.VIEW and leads_a_school:
        return Decision.ALLOW
    if right == PlanRight.UPDATE_ACTION and member and getattr(obj, "owner_id", None) == user.pk:
        return Decision.ALLOW
    return refused


def allows_plan(user, right: PlanRight, obj) -> bool:
    return decide_plan(user, right, obj) is Decision.ALLOW


def require_plan(user, right: PlanRight, obj):
    """Return obj if user may do right on it; otherwise raise 404 or 403 (see enforce)."""
    return enforce(decide_plan(user, right, obj), obj)


# Each practice app keeps its rules in a submodule of this package, built on the functions above:
# policy.support, policy.provision, policy.ehc.
from sendtrust.access.policy import ehc, people, provision, support  # noqa: E402, F401
