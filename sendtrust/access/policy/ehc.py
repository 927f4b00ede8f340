"""Policy rules of the ehc app: part of the one policy module (sendtrust.access.policy).

A pupil's EHC journey is part of their record: whoever may read the record (decide PUPIL_VIEW,
so a teaching group, parent link or assignment counts only with a current membership behind it)
sees its dates; only the school's leaders and the trust's see the notes beside them (parents,
teachers and external professionals see dates only). Recording events is a change to the record
(PUPIL_CHANGE). Worklists, the phase transfer list and the import belong to the school's SENCO
and headteacher and to the trust's SEND leader and executives; trustees see the compliance
figures only, suppressed (see sendtrust.analytics.figures.ehc).
"""

from __future__ import annotations

import enum

from django.db.models import Q, QuerySet
from django.http import Http404

from sendtrust.access import policy as core
from sendtrust.organisations.models import Role, School, Trust


class EhcRight(enum.StrEnum):
    WORKLIST = "ehc.worklist"  # a school's or the trust's deadlines, the phase transfer list
    COMPLIANCE = "ehc.compliance"  # compliance figures (aggregate-only roles: suppressed)
    IMPORT = "ehc.import"  # load events from a spreadsheet


EHC_TRUST_GRANTS: dict[EhcRight, set[Role]] = {
    EhcRight.WORKLIST: {Role.SEND_LEADER, Role.EXECUTIVE},
    EhcRight.COMPLIANCE: {Role.SEND_LEADER, Role.EXECUTIVE, Role.TRUSTEE},
    EhcRight.IMPORT: {Role.SEND_LEADER},
}
EHC_SCHOOL_GRANTS: dict[EhcRight, set[Role]] = {
    EhcRight.WORKLIST: {Role.HEADTEACHER, Role.SENCO},
    EhcRight.COMPLIANCE: {Role.HEADTEACHER, Role.SENCO},
    EhcRight.IMPORT: {Role.SENCO},
}
# Those who see the notes (exceptions, delay reasons) beside a pupil's dates.
NOTE_READERS_TRUST = {Role.SEND_LEADER, Role.EXECUTIVE}
NOTE_READERS_SCHOOL = {Role.HEADTEACHER, Role.SENCO}


def decide(user, right: EhcRight, obj: Trust | School) -> core.Decision:
    """Return whether user may use right on a trust (trust roles) or a school."""
    if not (user.is_authenticated and user.is_active):
        return core.Decision.NOT_FOUND
    actor = core.actor_for(user)
    trust_id = obj.pk if isinstance(obj, Trust) else obj.trust_id
    trust = obj if isinstance(obj, Trust) else obj.trust
    member = trust_id in actor.member_of
    refused = core.Decision.FORBIDDEN if member else core.Decision.NOT_FOUND
    if trust.read_only:
        return refused
    if actor.roles_in_trust(trust_id) & EHC_TRUST_GRANTS[right]:
        return core.Decision.ALLOW
    if isinstance(obj, School) and actor.roles_in_school(obj.pk) & EHC_SCHOOL_GRANTS[right]:
        return core.Decision.ALLOW
    return refused


def allows(user, right: EhcRight, obj) -> bool:
    return decide(user, right, obj) is core.Decision.ALLOW


def require(user, right: EhcRight, obj):
    return core.enforce(decide(user, right, obj), obj)


def get_trust_for_user(request, code, right: EhcRight) -> Trust:
    trust = Trust.objects.filter(code=code).first()
    if trust is None:
        raise Http404("Not found")
    return require(request.user, right, trust)


def get_school_for_user(request, code, right: EhcRight) -> School:
    school = School.objects.select_related("trust").filter(code=code).first()
    if school is None:
        raise Http404("Not found")
    return require(request.user, right, school)


def sees_notes(user, pupil) -> bool:
    """True when user reads the notes beside the pupil's dates, not the dates alone."""
    actor = core.actor_for(user)
    return bool(actor.roles_in_trust(pupil.school.trust_id) & NOTE_READERS_TRUST
                or actor.roles_in_school(pupil.school_id) & NOTE_READERS_SCHOOL)


def schools_for(user, right: EhcRight) -> QuerySet[School]:
    """Return the schools of non-public trusts on which user holds right."""
    if not user.is_authenticated:
        return School.objects.none()
    actor = core.actor_for(user)
    trusts = [t for t, r in actor.trust_roles.items() if r & EHC_TRUST_GRANTS[right]]
    schools = [s for s, r in actor.school_roles.items() if r & EHC_SCHOOL_GRANTS[right]]
    return School.objects.filter(Q(trust_id__in=trusts) | Q(pk__in=schools),
                                 trust__read_only=False)


def trusts_for(user, right: EhcRight) -> list[Trust]:
    """The non-public trusts, by name, on which user holds right trust-wide."""
    if not user.is_authenticated:
        return []
    return core.member_trusts_with(user, EHC_TRUST_GRANTS[right])
