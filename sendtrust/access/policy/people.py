"""Policy rules of the people app: part of the one policy module (sendtrust.access.policy).

Who administers people: the trust SEND leader (no separate administrator role: a trust names
its SEND leader, and one more role would be one more thing to end when a person leaves).

- Staff and their roles (add, import, end a membership): the trust's SEND leader.
- A pupil's parents (invite) and the pupil's data rights (subject access export): the SEND
  leader of the pupil's trust, or a SENCO of the pupil's school.
- The retention policy: read by every current member of the trust, applied by nobody through
  a page (only `manage.py apply_retention`).

Same answers as the core: 404 for outsiders, 403 for members without the right.
"""

from __future__ import annotations

import enum

from django.http import Http404

from sendtrust.access.models import ApiToken
from sendtrust.access.policy import Decision, actor_for, enforce, member_trusts_with
from sendtrust.organisations.models import Membership, Role, School, Trust
from sendtrust.pupils.models import Pupil


class PeopleRight(enum.StrEnum):
    MANAGE_STAFF = "people.staff.manage"  # list, add, import staff; end memberships
    INVITE_PARENT = "people.parent.invite"  # invite a parent or carer linked to a pupil
    SUBJECT_ACCESS = "people.subject_access"  # export everything held about one pupil
    RETENTION_VIEW = "people.retention.view"  # read the trust's retention policy


TRUST_LEVEL: dict[PeopleRight, set[str]] = {
    PeopleRight.MANAGE_STAFF: {Role.SEND_LEADER},
    PeopleRight.INVITE_PARENT: {Role.SEND_LEADER},
    PeopleRight.SUBJECT_ACCESS: {Role.SEND_LEADER},
}
# Roles held at the pupil's own school.
SCHOOL_LEVEL: dict[PeopleRight, set[str]] = {
    PeopleRight.INVITE_PARENT: {Role.SENCO},
    PeopleRight.SUBJECT_ACCESS: {Role.SENCO},
}


def _scope(obj) -> tuple[int, int | None]:
    """Return (trust id, school id or None) of a trust, school, pupil or membership."""
    if isinstance(obj, Trust):
        return obj.pk, None
    if isinstance(obj, School):
        return obj.trust_id, obj.pk
    if isinstance(obj, Pupil):
        return obj.school.trust_id, obj.school_id
    if isinstance(obj, Membership):
        # A membership is administered at trust level, wherever it is held.
        return obj.trust_id, None
    raise TypeError(f"No people policy for {type(obj).__name__}")


def decide_people(user, right: PeopleRight, obj) -> Decision:
    """Return whether user may do right on a trust, school, pupil or membership."""
    if not (user.is_authenticated and user.is_active):
        return Decision.NOT_FOUND
    actor = actor_for(user)
    trust_id, school_id = _scope(obj)
    member = trust_id in actor.member_of
    if not member:
        return Decision.NOT_FOUND
    if right == PeopleRight.RETENTION_VIEW:
        return Decision.ALLOW
    if actor.roles_in_trust(trust_id) & TRUST_LEVEL.get(right, set()):
        return Decision.ALLOW
    if school_id is not None and actor.roles_in_school(school_id) & SCHOOL_LEVEL.get(right, set()):
        return Decision.ALLOW
    return Decision.FORBIDDEN


def allows_people(user, right: PeopleRight, obj) -> bool:
    return decide_people(user, right, obj) is Decision.ALLOW


def require_people(user, right: PeopleRight, obj):
    """Return obj if user may do right on it; otherwise raise 404 or 403 (see enforce)."""
    return enforce(decide_people(user, right, obj), obj)


def trusts_managed_by(user) -> list[Trust]:
    """The trusts whose staff user administers (for navigation)."""
    if not user.is_authenticated:
        return []
    return member_trusts_with(user, TRUST_LEVEL[PeopleRight.MANAGE_STAFF])


# Access helpers, as the people app's views use them.


def get_trust_for_people(request, code, right: PeopleRight) -> Trust:
    trust = Trust.objects.filter(code=code, read_only=False).first()
    if trust is None:
        raise Http404("Not found")
    return require_people(request.user, right, trust)


def get_membership_for_user(request, pk: int) -> Membership:
    """Return a membership the current user may end (the SEND leader of its trust)."""
    membership = (
        Membership.objects.select_related("user", "trust", "school").filter(pk=pk).first()
    )
    if membership is None:
        raise Http404("Not found")
    return require_people(request.user, PeopleRight.MANAGE_STAFF, membership)


def get_pupil_for_people(request, code, right: PeopleRight) -> Pupil:
    pupil = Pupil.objects.select_related("school__trust").filter(code=code).first()
    if pupil is None:
        raise Http404("Not found")
    return require_people(request.user, right, pupil)


def get_own_token(request, pk: int) -> ApiToken:
    """A person reaches only their own tokens; anyone else's is not found."""
    token = ApiToken.objects.filter(pk=pk, user_id=request.user.pk).first()
    if token is None or not request.user.is_authenticated:
        raise Http404("Not found")
    return token
