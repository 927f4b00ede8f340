"""Policy rules of the support app: part of the one policy module (sendtrust.access.policy).

Built on decide(PUPIL_VIEW): nobody reaches a pupil's support plan, profile, conversations or
chronology without first being allowed to read the pupil's record, so every rule of that
decision (a link counts only with a current membership of the right role behind it) holds here
too. Then the *capacity* in which the user sees this pupil decides the right: a SENCO of the
pupil's school writes plans; a teacher who teaches the pupil writes plans and conversations; a
TA helps the pupil give their views; a parent reads the family pages of their own child only;
an external professional reads the plan and writes a report while their assignment lasts.
404 for outsiders, 403 for members of the trust without the right.
"""

from __future__ import annotations

import enum

from sendtrust.organisations.models import ExternalAssignment, Membership, ParentLink, Role


class SupportRight(enum.StrEnum):
    PLAN_VIEW = "support.plan.view"  # plans, reviews, profile (staff and visiting professionals)
    PLAN_EDIT = "support.plan.edit"  # write and review plans, edit the profile
    VOICE = "support.voice"  # record the pupil's own views
    FAMILY_VIEW = "support.family.view"  # conversations and agreed actions (staff side)
    FAMILY_EDIT = "support.family.edit"  # log a structured conversation
    CHRONOLOGY_VIEW = "support.chronology.view"  # chronology and its documents
    CHRONOLOGY_EDIT = "support.chronology.edit"  # add entries, upload documents
    REPORT_WRITE = "support.report.write"  # record a visit and report
    REPORT_ACCEPT = "support.report.accept"  # accept a report into the plan
    PARENT = "support.parent"  # the family pages of one's own child


# Capacities: how this user stands towards this pupil.
LEADER, EXECUTIVE, HEAD, SENCO = "leader", "executive", "head", "senco"
TEACHER, TA, PARENT, EXTERNAL = "teacher", "ta", "parent", "external"

GRANTS: dict[SupportRight, set[str]] = {
    SupportRight.PLAN_VIEW: {LEADER, EXECUTIVE, HEAD, SENCO, TEACHER, TA, EXTERNAL},
    SupportRight.PLAN_EDIT: {LEADER, SENCO, TEACHER},
    SupportRight.VOICE: {LEADER, SENCO, TEACHER, TA},
    SupportRight.FAMILY_VIEW: {LEADER, EXECUTIVE, HEAD, SENCO, TEACHER},
    SupportRight.FAMILY_EDIT: {LEADER, SENCO, TEACHER},
    SupportRight.CHRONOLOGY_VIEW: {LEADER, EXECUTIVE, HEAD, SENCO},
    SupportRight.CHRONOLOGY_EDIT: {LEADER, SENCO},
    SupportRight.REPORT_WRITE: {LEADER, SENCO, EXTERNAL},
    SupportRight.REPORT_ACCEPT: {LEADER, SENCO},
    SupportRight.PARENT: {PARENT},
}

# School-level rights over a school's worklist and a trust's support figures.
WORKLIST_TRUST_ROLES = {Role.SEND_LEADER, Role.EXECUTIVE}
WORKLIST_SCHOOL_ROLES = {Role.HEADTEACHER, Role.SENCO}
TRUST_VIEW_ROLES = {Role.SEND_LEADER, Role.EXECUTIVE, Role.TRUSTEE}


def capacities(user, pupil) -> set[str]:
    """The capacities in which user may see pupil today (empty if they may not read it)."""
    from sendtrust.access.policy import Action, actor_for, allows

    cached = getattr(user, "_support_capacities", None)
    if cached is None:
        cached = user._support_capacities = {}
    if pupil.pk in cached:
        return cached[pupil.pk]
    out: set[str] = set()
    if allows(user, Action.PUPIL_VIEW, pupil):
        actor = actor_for(user)
        trust_id = pupil.school.trust_id
        trust_roles = actor.roles_in_trust(trust_id)
        school_roles = actor.roles_in_school(pupil.school_id)
        out |= {LEADER} if Role.SEND_LEADER in trust_roles else set()
        out |= {EXECUTIVE} if Role.EXECUTIVE in trust_roles else set()
        out |= {HEAD} if Role.HEADTEACHER in school_roles else set()
        out |= {SENCO} if Role.SENCO in school_roles else set()
        if school_roles & {Role.TEACHER, Role.TA} and pupil.teaching_groups.filter(
                staff=user, school_id=pupil.school_id).exists():
            out |= {TEACHER} if Role.TEACHER in school_roles else set()
            out |= {TA} if Role.TA in school_roles else set()
        current = Membership.objects.current().filter(user=user, trust_id=trust_id)
        if (current.filter(role=Role.PARENT).exists()
                and ParentLink.objects.filter(parent=user, pupil=pupil).exists()):
            out.add(PARENT)
        if (current.filter(role=Role.EXTERNAL).exists()
                and ExternalAssignment.objects.current().filter(professional=user,
                                                                pupil=pupil).exists()):
            out.add(EXTERNAL)
    cached[pupil.pk] = out
    return out


def decide_support(user, right: SupportRight, pupil):
    """Return whether user may do right on this pupil's support records."""
    from sendtrust.access.policy import Decision, actor_for

    if not (user.is_authenticated and user.is_active):
        return Decision.NOT_FOUND
    if capacities(user, pupil) & GRANTS[right]:
        return Decision.ALLOW
    if pupil.school.trust_id in actor_for(user).member_of:
        return Decision.FORBIDDEN
    return Decision.NOT_FOUND


def allows_support(user, right: SupportRight, pupil) -> bool:
    from sendtrust.access.policy import Decision

    return decide_support(user, right, pupil) is Decision.ALLOW


def require_support(user, right: SupportRight, pupil):
    """Return pupil if user may do right on it; otherwise raise 404 or 403."""
    from sendtrust.access.policy import enforce

    return enforce(decide_support(user, right, pupil), pupil)


def decide_worklist(user, school):
    """A school's support worklist: the trust's SEND leader and executives, the school's
    headteacher and SENCO."""
    from sendtrust.access.policy import Decision, actor_for

    if not (user.is_authenticated and user.is_active):
        return Decision.NOT_FOUND
    actor = actor_for(user)
    if school.trust.read_only:
        return Decision.FORBIDDEN if school.trust_id in actor.member_of else Decision.NOT_FOUND
    if (actor.roles_in_trust(school.trust_id) & WORKLIST_TRUST_ROLES
            or actor.roles_in_school(school.pk) & WORKLIST_SCHOOL_ROLES):
        return Decision.ALLOW
    return Decision.FORBIDDEN if school.trust_id in actor.member_of else Decision.NOT_FOUND


def decide_trust_view(user, trust):
    """The trust's support figures per school: SEND leader, executives, trustees (suppressed)."""
    from sendtrust.access.policy import Decision, actor_for

    if not (user.is_authenticated and user.is_active):
        return Decision.NOT_FOUND
    actor = actor_for(user)
    if not trust.read_only and actor.roles_in_trust(trust.pk) & TRUST_VIEW_ROLES:
        return Decision.ALLOW
    return Decision.FORBIDDEN if trust.pk in actor.member_of else Decision.NOT_FOUND


def worklist_schools(user, school_roles_only: bool = False):
    """Schools whose worklist user may open (through a school role only, if asked)."""
    from django.db.models import Q

    from sendtrust.access.policy import actor_for
    from sendtrust.organisations.models import School

    if not user.is_authenticated:
        return School.objects.none()
    actor = actor_for(user)
    trusts = [] if school_roles_only else [
        t for t, r in actor.trust_roles.items() if r & WORKLIST_TRUST_ROLES]
    schools = [s for s, r in actor.school_roles.items() if r & WORKLIST_SCHOOL_ROLES]
    return School.objects.filter(Q(trust_id__in=trusts) | Q(pk__in=schools),
                                 trust__read_only=False)


def trusts_for_view(user) -> list:
    """The non-public trusts, by name, whose support figures user may read trust-wide."""
    from sendtrust.access.policy import member_trusts_with

    if not user.is_authenticated:
        return []
    return member_trusts_with(user, TRUST_VIEW_ROLES)


def family_children(user):
    """The pupils user is a parent or carer of, each with a current parent membership in the
    pupil's trust behind the link."""
    from sendtrust.pupils.models import Pupil

    if not (user.is_authenticated and user.is_active):
        return Pupil.objects.none()
    trusts = Membership.objects.current().filter(user=user, role=Role.PARENT).values("trust_id")
    linked = ParentLink.objects.filter(parent=user).values("pupil_id")
    return Pupil.objects.filter(pk__in=linked, school__trust_id__in=trusts)
