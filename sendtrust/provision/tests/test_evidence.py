"""Live evidence for the four provision themes, with trustees' small counts withheld."""

import datetime as dt
from decimal import Decimal

import pytest

from sendtrust.evaluation import evidence
from sendtrust.provision import services
from sendtrust.provision.models import GroupEnrolment, HourlyRate, SenBudget
from sendtrust.provision.tests.matrix import build_group, build_measure
from sendtrust.testing import PupilFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def setup(cast):
    cast.group = build_group(cast.school_a, build_measure(cast.trust))
    HourlyRate.objects.create(trust=cast.trust, role="ta", rate=Decimal(20))
    return cast


def read(key, cast, school=None, user=None):
    return evidence.evaluate(key, trust=cast.trust, school=school, user=user)


def test_provision_mapped_is_the_share_of_the_register_with_provision(setup):
    services.enrol_pupil(setup.group, setup.pupil_a1, request=None)
    reading = read("provision_mapped", setup, setup.school_a)
    # School A's register: pupil_a1 (SEN support) and pupil_a2 (EHC plan); one has provision.
    assert reading.available and reading.value == pytest.approx(50.0)
    assert "1 of 2" in reading.text
    assert "robust-provision-mapping" in reading.indicator.themes


def test_expected_progress_counts_finished_pupils_reaching_the_expected_gain(setup):
    gains = [8, 3, 6, 5, 1, 9]  # expected gain is 5: four of six reach it
    for g in gains:
        GroupEnrolment.objects.create(group=setup.group, school=setup.school_a,
                                      pupil=PupilFactory(school=setup.school_a),
                                      entry_score=80, exit_score=80 + g)
    setup.group.ends_on = dt.date.today()
    setup.group.save()
    reading = read("intervention_expected_progress", setup, setup.school_a)
    assert reading.value == pytest.approx(100 * 4 / 6)
    # A trustee sees the trust's figure (6 pupils, 4 reaching, 2 not): 2 is a small count.
    trustee = read("intervention_expected_progress", setup, user=setup.users["trustee"])
    assert trustee.suppressed and trustee.value is None


def test_spend_against_budget_says_no_data_until_a_budget_is_entered(setup):
    assert not read("send_spend_share", setup, setup.school_a).available
    from sendtrust.provision.facts import school_year

    start, _ = school_year(dt.date.today())
    SenBudget.objects.create(school=setup.school_a, year=start.year, amount=Decimal(10000),
                             ta_in_class_hours=Decimal(30))
    services.enrol_pupil(setup.group, setup.pupil_a1, request=None)
    reading = read("send_spend_share", setup, setup.school_a)
    # 3 x 30 minutes a week for the group's weeks in this year, at £20, for one pupil.
    weeks = min(39, ((min(setup.group.ends_on, start.replace(year=start.year + 1))
                      - max(setup.group.starts_on, start)).days + 1 + 6) // 7)
    assert reading.value == pytest.approx(100 * 1.5 * weeks * 20 / 10000)
    ta = read("ta_hours_in_interventions", setup, setup.school_a)
    assert ta.value == pytest.approx(100 * 1.5 / (30 + 1.5))
