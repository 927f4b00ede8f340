"""What the permission matrix must cover, and that lists show exactly what the policy allows.

- Every URL pattern has a name (the matrix finds routes by name).
- Every list (the pupil API, My pupils, the register) returns exactly `visible_pupils` for
  each role, including people whose membership ended, moved staff, a parent whose parent role
  ended and an external professional whose assignment expired.
"""

import datetime as dt
import re

import pytest
from django.test import Client
from django.urls import get_resolver
from django.utils import timezone

from sendtrust.access.policy import visible_pupils
from sendtrust.organisations.models import ExternalAssignment, Membership, Role
from sendtrust.testing import ROLES, UserFactory, member

VARIANT = re.compile(r":(xlsx|school|status|correct|leave|move|post|get)$")


def _patterns(patterns=None, prefix=""):
    for p in patterns if patterns is not None else get_resolver().url_patterns:
        if hasattr(p, "url_patterns"):
            namespace = f"{p.namespace}:" if p.namespace else ""
            yield from _patterns(p.url_patterns, prefix + namespace)
        else:
            yield prefix, p


def test_every_url_pattern_has_a_name():
    unnamed = [f"{prefix}{p.pattern}" for prefix, p in _patterns() if not p.name]
    assert not unnamed, f"URL patterns without a name (the matrix cannot see them): {unnamed}"


# --------------------------------------------------------------- lists equal visible_pupils


YESTERDAY = timezone.localdate() - dt.timedelta(days=1)


@pytest.fixture
def people(cast):
    """The cast's roles plus people whose link outlived their membership."""
    users = dict(cast.users)
    ended_teacher = UserFactory(username="ended_teacher")
    member(ended_teacher, Role.TEACHER, cast.trust, cast.school_a, ends_on=YESTERDAY)
    moved_teacher = UserFactory(username="moved_teacher")
    member(moved_teacher, Role.TEACHER, cast.trust, cast.school_a, ends_on=YESTERDAY)
    member(moved_teacher, Role.TEACHER, cast.trust, cast.school_b)
    ex_parent = UserFactory(username="ex_parent_now_ta")
    member(ex_parent, Role.PARENT, cast.trust, cast.school_a, ends_on=YESTERDAY)
    member(ex_parent, Role.TA, cast.trust, cast.school_b)
    expired = UserFactory(username="expired_external")
    member(expired, Role.EXTERNAL, cast.trust, ends_on=dt.date(2099, 1, 1))
    group = cast.pupil_a1.teaching_groups.get()
    group.staff.add(ended_teacher, moved_teacher)
    cast.pupil_a1.parent_links.create(parent=ex_parent)
    ExternalAssignment.objects.create(professional=expired, pupil=cast.pupil_a1,
                                      reason="Assessment", starts_on=dt.date(2020, 1, 1),
                                      ends_on=YESTERDAY)
    users.update({u.username: u for u in (ended_teacher, moved_teacher, ex_parent, expired)})
    assert Membership.objects.filter(ends_on=YESTERDAY).count() == 3
    return users


def _expected(user):
    user.__dict__.pop("_sendtrust_actor", None)
    return set(visible_pupils(user).values_list("code", flat=True))


def test_the_pupil_api_lists_exactly_visible_pupils_for_every_role(cast, people):
    for name, user in people.items():
        client = Client()
        client.force_login(user)
        body = client.get("/api/v1/pupils?limit=500").json()
        listed = {item["code"] for item in body["items"]}
        assert listed == {str(c) for c in _expected(user)}, name
    # The people whose links outlived their membership see nothing of pupil_a1.
    for name in ("ended_teacher", "moved_teacher", "ex_parent_now_ta", "expired_external"):
        assert cast.pupil_a1.code not in _expected(people[name]), name


def test_my_pupils_and_the_register_list_exactly_visible_pupils(cast, people):
    pupils = [cast.pupil_a1, cast.pupil_a2, cast.pupil_b1, cast.other_pupil]
    for name, user in people.items():
        client = Client()
        client.force_login(user)
        expected = _expected(user)
        page = client.get("/pupils/?status=all")
        if page.status_code == 200:
            body = page.content.decode()
            for pupil in pupils:
                assert (str(pupil.code) in body) == (pupil.code in expected), (name, pupil)
        register = client.get(f"/schools/{cast.school_a.code}/register/?status=all")
        if register.status_code == 200:
            body = register.content.decode()
            for pupil in (cast.pupil_a1, cast.pupil_a2):
                assert (str(pupil.code) in body) == (pupil.code in expected), (name, pupil)
    assert set(ROLES) <= set(people)
