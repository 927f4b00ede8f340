"""Factories and the shared cast for tests: a trust with two schools and one person per role."""

from __future__ import annotations

import datetime as dt
import itertools
from dataclasses import dataclass

import factory
from django.contrib.auth import get_user_model

from sendtrust.lib.upn import make_upn
from sendtrust.organisations.models import (
    ExternalAssignment,
    Membership,
    ParentLink,
    Role,
    School,
    TeachingGroup,
    Trust,
)
from sendtrust.pupils import services
from sendtrust.pupils.models import Enrolment, NeedType, Provision, Pupil

User = get_user_model()
PASSWORD = "correct-horse-battery"
_serial = itertools.count(1)


class TrustFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Trust

    name = factory.Sequence(lambda n: f"Test Trust {n}")


class SchoolFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = School

    trust = factory.SubFactory(TrustFactory)
    urn = factory.Sequence(lambda n: f"{900000 + n}")
    name = factory.Sequence(lambda n: f"Test School {n}")
    phase = School.Phase.PRIMARY
    la_code = "801"
    la_name = "Bristol, City of"


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    password = factory.PostGenerationMethodCall("set_password", PASSWORD)

    @factory.post_generation
    def _save(obj, create, extracted, **kwargs):
        if create:
            obj.save()


def next_upn(la: int = 801, estab: int = 2000) -> str:
    n = next(_serial)
    return make_upn(la, estab + n // 1000, 24, n % 1000)


class PupilFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Pupil
        skip_postgeneration_save = True

    upn = factory.LazyFunction(next_upn)
    forename = factory.Sequence(lambda n: f"Forename{n}")
    surname = factory.Sequence(lambda n: f"Surname{n}")
    date_of_birth = dt.date(2016, 3, 1)
    year_group = 4
    sex = "F"
    school = factory.SubFactory(SchoolFactory)

    @factory.post_generation
    def enrol(obj, create, extracted, **kwargs):
        if create:
            Enrolment.objects.create(pupil=obj, school=obj.school, starts_on=dt.date(2023, 9, 1))


def need(code: str) -> NeedType:
    return NeedType.objects.get(taxonomy="england-census", code=code)


def give_status(pupil, provision, primary=None, secondary=None, on=dt.date(2024, 1, 10)):
    return services.record_status(
        pupil,
        provision=provision,
        primary=need(primary) if primary else None,
        secondary=need(secondary) if secondary else None,
        on=on,
        source="test",
    )


def member(user, role, trust, school=None, ends_on=None):
    return Membership.objects.create(
        user=user, role=role, trust=trust, school=school,
        starts_on=dt.date(2020, 1, 1), ends_on=ends_on,
    )


@dataclass
class Cast:
    """One trust, two schools (A and B), a pupil of each, and a person in every role.

    The teacher and TA teach pupil_a1 (not pupil_a2); the parent is pupil_a1's; the external
    professional is assigned pupil_a1. `outsider_*` belong to another trust entirely.
    """

    trust: Trust
    school_a: School
    school_b: School
    pupil_a1: Pupil
    pupil_a2: Pupil
    pupil_b1: Pupil
    users: dict[str, object]
    other_trust: Trust
    other_school: School
    other_pupil: Pupil


ROLES = [
    "send_leader", "executive", "trustee", "headteacher_a", "senco_a", "senco_b",
    "teacher_a", "ta_a", "parent_a1", "external_a1", "other_trust_senco", "no_role",
]


def build_cast() -> Cast:
    trust = TrustFactory(name="Riverside Learning Trust")
    school_a = SchoolFactory(trust=trust, name="Alder Primary", urn="100001")
    school_b = SchoolFactory(trust=trust, name="Birch Academy", urn="100002",
                             phase=School.Phase.SECONDARY)
    pupil_a1 = PupilFactory(school=school_a, forename="Ada", surname="Ash")
    pupil_a2 = PupilFactory(school=school_a, forename="Ben", surname="Beech")
    pupil_b1 = PupilFactory(school=school_b, forename="Cal", surname="Cedar", year_group=8)
    give_status(pupil_a1, Provision.SUPPORT, "SLCN")
    give_status(pupil_a2, Provision.EHCP, "ASD", "SLCN")
    give_status(pupil_b1, Provision.SUPPORT, "SEMH")

    other_trust = TrustFactory(name="Hilltop Schools Trust")
    other_school = SchoolFactory(trust=other_trust, name="Hawthorn School", urn="200001")
    other_pupil = PupilFactory(school=other_school, forename="Dee", surname="Dogwood")

    u = {name: UserFactory(username=name) for name in ROLES}
    member(u["send_leader"], Role.SEND_LEADER, trust)
    member(u["executive"], Role.EXECUTIVE, trust)
    member(u["trustee"], Role.TRUSTEE, trust)
    member(u["headteacher_a"], Role.HEADTEACHER, trust, school_a)
    member(u["senco_a"], Role.SENCO, trust, school_a)
    member(u["senco_b"], Role.SENCO, trust, school_b)
    member(u["teacher_a"], Role.TEACHER, trust, school_a)
    member(u["ta_a"], Role.TA, trust, school_a)
    member(u["parent_a1"], Role.PARENT, trust, school_a)
    member(u["external_a1"], Role.EXTERNAL, trust, ends_on=dt.date(2099, 1, 1))
    member(u["other_trust_senco"], Role.SENCO, other_trust, other_school)

    group = TeachingGroup.objects.create(school=school_a, name="4A")
    group.staff.add(u["teacher_a"], u["ta_a"])
    group.pupils.add(pupil_a1)
    ParentLink.objects.create(parent=u["parent_a1"], pupil=pupil_a1)
    ExternalAssignment.objects.create(
        professional=u["external_a1"], pupil=pupil_a1, reason="Speech and language assessment",
        starts_on=dt.date(2020, 1, 1), ends_on=dt.date(2099, 1, 1),
    )
    return Cast(trust, school_a, school_b, pupil_a1, pupil_a2, pupil_b1, u,
                other_trust, other_school, other_pupil)
