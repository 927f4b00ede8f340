"""Policy rules of the provision app: part of the one policy module (sendtrust.access.policy).

Built on the core: 404 for outsiders, 403 for members without the right. Which pupils a
person sees within a page is always `visible_pupils()` (a teacher: the pupils they teach, and
only through a current membership), so these rules say only who may open a page at all.
A trust built from public data holds no provision: every right is refused there.
"""

from __future__ import annotations

import enum

from django.http import Http404

from sendtrust.access.policy import Decision, actor_for, enforce
from sendtrust.organisations.models import Role, School, Trust
from sendtrust.pupils.models import Pupil

SL, EX, TR = Role.SEND_LEADER, Role.EXECUTIVE, Role.TRUSTEE
HT, SENCO, TEACHER, TA = Role.HEADTEACHER, Role.SENCO, Role.TEACHER, Role.TA


class Right(enum.StrEnum):
    CATALOGUE_VIEW = "provision.catalogue.view"  # the trust's interventions and measures
    CATALOGUE_EDIT = "provision.catalogue.edit"  # add to the trust's core offer and measures
    SCHOOL_VIEW = "provision.school.view"  # a school's provision (rows: visible pupils only)
    MANAGE = "provision.manage"  # groups, enrolments, scores, sessions, individual provision
    EXPORT = "provision.export"  # download a school's provision map (named pupils)
    NAMED_LISTS = "provision.named"  # the element 2 list and EHC hours shortfall (named)
    TRUST_FIGURES = "provision.trust.figures"  # trust map and funding (trustees: suppressed)
    IMPACT = "provision.impact"  # impact by school and pooled (others' small groups hidden)
    FUNDING_EDIT = "provision.funding.edit"  # notional SEN budgets, rates, staff expertise


# Roles across the whole trust.
TRUST_GRANTS: dict[Right, set[Role]] = {
    Right.CATALOGUE_VIEW: {SL, EX},
    Right.CATALOGUE_EDIT: {SL},
    Right.SCHOOL_VIEW: {SL, EX},
    Right.MANAGE: {SL},
    Right.EXPORT: {SL},
    Right.NAMED_LISTS: {SL, EX},
    Right.TRUST_FIGURES: {SL, EX, TR},
    Right.IMPACT: {SL, EX, TR},
    Right.FUNDING_EDIT: {SL},
}
# Roles at one school, on that school's objects.
SCHOOL_GRANTS: dict[Right, set[Role]] = {
    Right.CATALOGUE_VIEW: {HT, SENCO},
    Right.CATALOGUE_EDIT: {SENCO},  # a school adds its own interventions
    Right.SCHOOL_VIEW: {HT, SENCO, TEACHER, TA},
    Right.MANAGE: {SENCO},
    Right.EXPORT: {HT, SENCO},
    Right.NAMED_LISTS: {HT, SENCO},
}
# School roles that reach a trust-level object when they hold them at any school of the trust.
ANY_SCHOOL_GRANTS: dict[Right, set[Role]] = {
    Right.CATALOGUE_VIEW: {HT, SENCO},
    Right.IMPACT: {HT, SENCO},
}
# Who sees a school's figures whole (small groups included): the rest see them suppressed.
SEES_SCHOOL_WHOLE = {SL, EX}
SEES_OWN_SCHOOL_WHOLE = {HT, SENCO}


def scope(obj) -> tuple[Trust, School | None]:
    """Return the trust and school (None at trust level) a provision object belongs to."""
    if isinstance(obj, Trust):
        return obj, None
    if isinstance(obj, School):
        return obj.trust, obj
    if isinstance(obj, Pupil):
        return obj.school.trust, obj.school
    school = getattr(obj, "school", None)
    if isinstance(school, School):
        return school.trust, school
    trust = getattr(obj, "trust", None)  # a trust-wide intervention or measure
    if isinstance(trust, Trust):
        return trust, None
    raise TypeError(f"No provision policy for {type(obj).__name__}")


def decide(user, right: Right, obj) -> Decision:
    """Return whether user may do right on a trust, school, pupil or provision object."""
    if not (user.is_authenticated and user.is_active):
        return Decision.NOT_FOUND
    actor = actor_for(user)
    trust, school = scope(obj)
    refused = Decision.FORBIDDEN if trust.pk in actor.member_of else Decision.NOT_FOUND
    if trust.read_only:
        return refused
    if actor.roles_in_trust(trust.pk) & TRUST_GRANTS.get(right, set()):
        return Decision.ALLOW
    if school is not None:
        if actor.roles_in_school(school.pk) & SCHOOL_GRANTS.get(right, set()):
            return Decision.ALLOW
        return refused
    wanted = ANY_SCHOOL_GRANTS.get(right, set())
    if wanted and trust.pk in actor.member_of:
        school_ids = set(trust.schools.values_list("pk", flat=True))
        if any(actor.roles_in_school(s) & wanted for s in school_ids):
            return Decision.ALLOW
    return refused


def allows(user, right: Right, obj) -> bool:
    return decide(user, right, obj) is Decision.ALLOW


def require(user, right: Right, obj):
    """Return obj if user may do right on it; otherwise raise 404 or 403 (see enforce)."""
    return enforce(decide(user, right, obj), obj)


def fetch(request, queryset, code, right: Right):
    """Return the object with this code from queryset if the user may do right on it."""
    obj = queryset.filter(code=code).first()
    if obj is None:
        raise Http404("Not found")
    return require(request.user, right, obj)


def sees_whole(user, trust: Trust, school_id: int) -> bool:
    """True when user sees this school's provision figures unsuppressed (small groups shown)."""
    actor = actor_for(user)
    if actor.roles_in_trust(trust.pk) & SEES_SCHOOL_WHOLE:
        return True
    return bool(actor.roles_in_school(school_id) & SEES_OWN_SCHOOL_WHOLE)


def schools_for(user, right: Right, trust: Trust) -> list[int]:
    """Return the ids of the schools of trust on which user may do right."""
    actor = actor_for(user)
    ids = list(trust.schools.values_list("pk", flat=True))
    if actor.roles_in_trust(trust.pk) & TRUST_GRANTS.get(right, set()):
        return ids
    return [s for s in ids if actor.roles_in_school(s) & SCHOOL_GRANTS.get(right, set())]
