"""A link (teaching group, parent link, assignment) grants nothing once its membership ends.

Each case keeps the link itself in place and ends or moves the membership behind it: the
pupil must vanish from visible_pupils, the pupil list API and the record, on the day.
"""

import datetime as dt

import pytest
from django.utils import timezone

from sendtrust.access.policy import Action, Decision, actor_for, decide, visible_pupils
from sendtrust.organisations.models import ExternalAssignment, Membership, Role
from sendtrust.testing import member

pytestmark = pytest.mark.django_db

YESTERDAY = timezone.localdate() - dt.timedelta(days=1)


def end(user, role):
    Membership.objects.filter(user=user, role=role).update(ends_on=YESTERDAY)
    user.__dict__.pop("_sendtrust_actor", None)


def reads(client, user, pupil) -> dict:
    """What user gets for pupil: policy, list API, detail API and the record page."""
    user.__dict__.pop("_sendtrust_actor", None)
    client.force_login(user)
    listed = client.get("/api/v1/pupils?limit=100").json()
    listed_codes = {p["code"] for p in listed.get("items", [])} if "items" in listed else set()
    return {
        "visible": visible_pupils(user).filter(pk=pupil.pk).exists(),
        "decision": decide(user, Action.PUPIL_VIEW, pupil),
        "listed": str(pupil.code) in listed_codes,
        "api": client.get(f"/api/v1/pupils/{pupil.code}").status_code,
        "page": client.get(f"/pupils/{pupil.code}/").status_code,
    }


def test_links_grant_access_while_their_membership_is_current(cast, client):
    for name in ("teacher_a", "ta_a", "parent_a1", "external_a1"):
        got = reads(client, cast.users[name], cast.pupil_a1)
        assert got == {"visible": True, "decision": Decision.ALLOW, "listed": True,
                       "api": 200, "page": 200}, name


@pytest.mark.parametrize("name, role", [
    ("teacher_a", Role.TEACHER), ("ta_a", Role.TA), ("parent_a1", Role.PARENT),
    ("external_a1", Role.EXTERNAL),
])
def test_ending_the_membership_ends_the_link(cast, client, name, role):
    user = cast.users[name]
    end(user, role)
    got = reads(client, user, cast.pupil_a1)
    # No current membership in the trust at all: the pupil's existence is not revealed.
    assert got == {"visible": False, "decision": Decision.NOT_FOUND, "listed": False,
                   "api": 404, "page": 404}


def test_a_teacher_who_moved_school_loses_their_old_groups(cast, client):
    teacher = cast.users["teacher_a"]
    end(teacher, Role.TEACHER)
    member(teacher, Role.TEACHER, cast.trust, cast.school_b)  # still in 4A at school A
    got = reads(client, teacher, cast.pupil_a1)
    assert got == {"visible": False, "decision": Decision.FORBIDDEN, "listed": False,
                   "api": 403, "page": 403}


def test_a_parent_whose_parent_role_ended_but_who_works_at_another_school(cast, client):
    parent = cast.users["parent_a1"]
    end(parent, Role.PARENT)
    member(parent, Role.TEACHER, cast.trust, cast.school_b)
    got = reads(client, parent, cast.pupil_a1)
    assert got["visible"] is False and got["listed"] is False
    assert got["decision"] is Decision.FORBIDDEN and got["api"] == 403 and got["page"] == 403


def test_a_teacher_role_at_one_school_does_not_revive_a_group_at_another(cast, client):
    """The teaching group is at school A; a current teacher role only at school B grants nothing."""
    ta = cast.users["ta_a"]
    end(ta, Role.TA)
    member(ta, Role.TA, cast.trust, cast.school_b)
    assert not visible_pupils(ta).filter(pk=cast.pupil_a1.pk).exists()


def test_an_external_professional_with_a_current_role_but_an_expired_assignment(cast, client):
    ExternalAssignment.objects.filter(professional=cast.users["external_a1"]).update(
        ends_on=YESTERDAY)
    got = reads(client, cast.users["external_a1"], cast.pupil_a1)
    assert got["visible"] is False and got["api"] == 403 and got["page"] == 403


def test_the_membership_counts_up_to_and_including_its_last_day(cast):
    teacher = cast.users["teacher_a"]
    Membership.objects.filter(user=teacher).update(ends_on=timezone.localdate())
    teacher.__dict__.pop("_sendtrust_actor", None)
    assert actor_for(teacher).roles_in_school(cast.school_a.pk) == {Role.TEACHER}
    assert visible_pupils(teacher).filter(pk=cast.pupil_a1.pk).exists()
