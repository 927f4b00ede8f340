import datetime as dt

import pytest
from django.core.cache import cache

from sendtrust.analytics.tests.fixtures import load_synthetic_benchmarks
from sendtrust.organisations.models import Role
from sendtrust.pupils.models import Provision
from sendtrust.testing import PupilFactory, SchoolFactory, UserFactory, give_status, member


@pytest.fixture
def benchmarks(db):
    """Synthetic DfE figures alone, with the analytics cache emptied before and after.

    Another test on this worker may have committed the real DfE files (the root conftest's
    `loaded`): remove them inside this test's rolled-back transaction first, or the figures
    read would mix both and the result would depend on which test ran first.
    """
    from django.apps import apps

    for model in reversed(list(apps.get_app_config("benchmarks").get_models())):
        model.objects.all()._raw_delete(model.objects.db)
    cache.clear()
    yield load_synthetic_benchmarks()
    cache.clear()


# Pupils per school: (SEN support, EHC plan, no SEN). School A's small counts (3 and 2) must
# be hidden from trustees, and enough else with them that neither can be worked out.
MIX = {"Ash Primary": (3, 2, 25), "Beech Primary": (10, 6, 24), "Cedar Secondary": (7, 0, 33)}


@pytest.fixture
def small_trust(cast):
    """The cast's trust with three more schools whose counts include 1 to 4."""
    schools = {}
    for name, (k, e, n) in MIX.items():
        phase = "secondary" if "Secondary" in name else "primary"
        school = SchoolFactory(trust=cast.trust, name=name, phase=phase)
        schools[name] = school
        for provision, count in ((Provision.SUPPORT, k), (Provision.EHCP, e),
                                 (Provision.NONE, n)):
            for _ in range(count):
                pupil = PupilFactory(school=school)
                if provision != Provision.NONE:
                    give_status(pupil, provision, "SEMH" if provision == Provision.EHCP
                                else "SLCN", on=dt.date(2024, 1, 10))
    cast.extra_schools = schools
    return cast


@pytest.fixture
def headteacher_of(db):
    def make(school):
        user = UserFactory()
        member(user, Role.HEADTEACHER, school.trust, school)
        return user

    return make
