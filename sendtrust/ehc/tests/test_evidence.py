"""EHC evidence for "Rigorous monitoring and evaluation", as each viewer may see it."""

import datetime as dt

from sendtrust.ehc import services
from sendtrust.ehc.clocks import Kind
from sendtrust.evaluation import evidence
from sendtrust.testing import PupilFactory

ON = dt.date(2026, 3, 2)


def _reviews(school, on_time, late):
    for i in range(on_time + late):
        p = PupilFactory(school=school)
        services.record_event(p, kind=Kind.FINAL_PLAN, on=dt.date(2024, 6, 1))
        held = dt.date(2025, 5, 20) if i < on_time else dt.date(2025, 6, 20)
        services.record_event(p, kind=Kind.REVIEW_MEETING, on=held)


def test_reviews_on_time_for_a_school_against_the_trust(cast):
    _reviews(cast.school_a, 6, 2)
    _reviews(cast.school_b, 2, 0)
    leader = cast.users["send_leader"]
    reading = evidence.evaluate("ehc_reviews_on_time", trust=cast.trust, school=cast.school_a,
                                user=leader, on=ON)
    assert reading.value == 75.0
    assert reading.comparisons[0].value == 80.0  # 8 of 10 across the trust
    assert "of the 8 EHC annual reviews due at Alder Primary" in reading.text
    assert "ehc_reviews_on_time" in {r.indicator.key for r in evidence.readings_for_theme(
        "rigorous-monitoring-and-evaluation", trust=cast.trust, user=leader)}


def test_a_trustee_sees_no_small_number(cast):
    _reviews(cast.school_b, 3, 0)
    trustee = cast.users["trustee"]
    reading = evidence.evaluate("ehc_reviews_on_time", trust=cast.trust, user=trustee, on=ON)
    assert reading.suppressed and reading.value is None
    leader = evidence.evaluate("ehc_reviews_on_time", trust=cast.trust,
                               user=cast.users["send_leader"], on=ON)
    assert leader.value == 100.0


def test_reviews_overdue_now(cast):
    p = PupilFactory(school=cast.school_a)
    services.record_event(p, kind=Kind.FINAL_PLAN, on=dt.date(2020, 1, 1))
    reading = evidence.evaluate("ehc_reviews_overdue", trust=cast.trust,
                                user=cast.users["send_leader"])
    assert reading.value == 1.0 and "1 EHC annual review is overdue" in reading.text
    hidden = evidence.evaluate("ehc_reviews_overdue", trust=cast.trust,
                               user=cast.users["trustee"])
    assert hidden.suppressed
