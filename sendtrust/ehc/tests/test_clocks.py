"""The clocks of a journey, worked by hand from the Code of Practice timescales."""

import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from sendtrust.ehc.clocks import AMEND, CEASE, MAINTAIN, NOT_ASSESS, Clock, Event, Kind, compute

D = dt.date
TODAY = D(2025, 11, 20)


def by_clock(journey, clock):
    return [d for d in journey.deadlines if d.clock == clock]


def one(journey, clock):
    (d,) = by_clock(journey, clock)
    return d


def test_a_request_starts_the_assessment_clocks():
    j = compute([Event(Kind.REQUEST, D(2024, 9, 3), "801")], today=D(2024, 9, 10))
    assert one(j, Clock.DECISION).due == D(2024, 10, 15)
    assert one(j, Clock.ISSUE).due == D(2024, 12, 24)
    assert one(j, Clock.FINAL).due == D(2025, 1, 21)
    assert one(j, Clock.DECISION).next_action() == (
        "Chase the authority's decision whether to assess, due by Tuesday 15 October 2024")
    assert j.la_code == "801"


def test_whole_assessment_on_time_and_late():
    events = [
        Event(Kind.REQUEST, D(2024, 9, 3)),
        Event(Kind.DECISION_TO_ASSESS, D(2024, 10, 10), outcome="assess"),
        Event(Kind.ADVICE_REQUESTED, D(2024, 10, 11)),
        Event(Kind.ADVICE_GIVEN, D(2024, 11, 29)),  # 6 weeks ends 22 November: late
        Event(Kind.DRAFT_PLAN, D(2024, 12, 2)),
        Event(Kind.COMMENTS_RECEIVED, D(2024, 12, 16)),
        Event(Kind.FINAL_PLAN, D(2025, 1, 21)),  # the last day of 20 weeks: on time
    ]
    j = compute(events, today=TODAY)
    assert one(j, Clock.DECISION).on_time() is True
    advice = one(j, Clock.ADVICE)
    assert advice.due == D(2024, 11, 22) and advice.on_time() is False
    assert one(j, Clock.COMMENTS).due == D(2024, 12, 17)
    assert one(j, Clock.FINAL).on_time() is True
    assert j.plan_since == D(2025, 1, 21)
    assert one(j, Clock.REVIEW).due == D(2026, 1, 21)
    assert one(j, Clock.PAPERS).due == D(2026, 1, 7)


def test_a_decision_not_to_assess_stops_the_clocks():
    j = compute([Event(Kind.REQUEST, D(2025, 1, 6)),
                 Event(Kind.DECISION_TO_ASSESS, D(2025, 2, 10), outcome=NOT_ASSESS)],
                today=TODAY)
    assert [d.clock for d in j.deadlines] == [Clock.DECISION]
    assert j.stage == "Authority decided not to assess"


@pytest.mark.parametrize("start, review", [
    (D(2024, 1, 31), D(2025, 1, 31)),
    (D(2024, 2, 29), D(2025, 2, 28)),
    (D(2024, 8, 31), D(2025, 8, 31)),
])
def test_plans_started_on_awkward_days(start, review):
    j = compute([Event(Kind.FINAL_PLAN, start)], today=start)
    assert one(j, Clock.REVIEW).due == review
    assert one(j, Clock.INVITATIONS).due == review - dt.timedelta(days=14)


def test_the_next_review_runs_from_the_last_meeting_not_the_plan():
    # Plan 29 February 2024; review held late on 10 March 2025; next due 10 March 2026.
    events = [Event(Kind.FINAL_PLAN, D(2024, 2, 29)),
              Event(Kind.REVIEW_PAPERS, D(2025, 2, 20)),
              Event(Kind.REVIEW_MEETING, D(2025, 3, 10)),
              Event(Kind.REVIEW_REPORT, D(2025, 3, 21)),
              Event(Kind.REVIEW_DECISION, D(2025, 4, 14), outcome=MAINTAIN)]
    j = compute(events, today=TODAY)
    first, second = by_clock(j, Clock.REVIEW)
    assert first.due == D(2025, 2, 28) and first.on_time() is False
    assert first.state(TODAY) == "late"
    assert second.due == D(2026, 3, 10) and second.is_open()
    papers = by_clock(j, Clock.PAPERS)[0]
    assert papers.due == D(2025, 2, 24) and papers.on_time() is True
    # No invitations were recorded before the meeting: closed, not on time
    assert by_clock(j, Clock.INVITATIONS)[0].state(TODAY) == "not_recorded"
    assert one(j, Clock.REPORT).due == D(2025, 3, 24) and one(j, Clock.REPORT).on_time()
    assert one(j, Clock.REVIEW_DECISION).due == D(2025, 4, 7)
    assert one(j, Clock.REVIEW_DECISION).on_time() is False


def test_recording_a_meeting_moves_the_next_deadlines():
    plan = [Event(Kind.FINAL_PLAN, D(2025, 1, 15))]
    before = compute(plan, today=D(2025, 12, 1))
    assert [d.due for d in before.open_deadlines()] == [D(2026, 1, 1), D(2026, 1, 1),
                                                        D(2026, 1, 15)]
    after = compute([*plan, Event(Kind.REVIEW_MEETING, D(2025, 12, 3))], today=D(2025, 12, 3))
    assert {(d.clock, d.due) for d in after.open_deadlines()} == {
        (Clock.REPORT, D(2025, 12, 17)), (Clock.REVIEW_DECISION, D(2025, 12, 31)),
        (Clock.INVITATIONS, D(2026, 11, 19)), (Clock.PAPERS, D(2026, 11, 19)),
        (Clock.REVIEW, D(2026, 12, 3)),
    }


def test_an_amendment_notice_starts_the_8_week_clock():
    events = [Event(Kind.FINAL_PLAN, D(2024, 5, 1)), Event(Kind.REVIEW_MEETING, D(2025, 4, 1)),
              Event(Kind.REVIEW_DECISION, D(2025, 4, 20), outcome=AMEND)]
    j = compute(events, today=D(2025, 6, 20))
    amended = one(j, Clock.AMENDED)
    assert amended.due == D(2025, 6, 15) and amended.state(D(2025, 6, 20)) == "overdue"
    j = compute([*events, Event(Kind.AMENDED_PLAN, D(2025, 6, 1))], today=D(2025, 6, 20))
    assert one(j, Clock.AMENDED).on_time() is True


def test_a_plan_that_ceases_stops_every_clock():
    events = [Event(Kind.FINAL_PLAN, D(2024, 5, 1)), Event(Kind.REVIEW_MEETING, D(2025, 4, 1)),
              Event(Kind.REVIEW_DECISION, D(2025, 4, 20), outcome=CEASE)]
    j = compute(events, year_group=11, today=D(2025, 11, 1))
    assert j.ceased_on == D(2025, 4, 20) and j.stage == "Plan ceased"
    assert j.open_deadlines() == []
    assert not by_clock(j, Clock.TRANSFER)
    assert [r.state(D(2025, 11, 1)) for r in by_clock(j, Clock.REVIEW)] == ["done"]
    assert one(j, Clock.REPORT).state(D(2025, 11, 1)) == "not_recorded"


def test_a_move_to_another_authority_gives_the_new_authority_3_months():
    events = [Event(Kind.FINAL_PLAN, D(2024, 12, 1), "801"),
              Event(Kind.MOVED_AUTHORITY, D(2025, 11, 1), "803")]
    j = compute(events, today=D(2025, 11, 2))
    review = one(j, Clock.REVIEW)
    assert review.due == D(2026, 2, 1)  # later than 1 December 2025
    assert j.la_code == "803"
    # A move early in the year leaves the 12-month date in force.
    early = compute([events[0], Event(Kind.MOVED_AUTHORITY, D(2025, 1, 10), "803")],
                    today=D(2025, 2, 1))
    assert one(early, Clock.REVIEW).due == D(2025, 12, 1)


def test_authority_of_each_deadline_is_the_one_at_its_start():
    events = [Event(Kind.FINAL_PLAN, D(2024, 1, 10), "801"),
              Event(Kind.REVIEW_MEETING, D(2025, 1, 5), "801"),
              Event(Kind.MOVED_AUTHORITY, D(2025, 3, 1), "803")]
    j = compute(events, today=D(2025, 3, 2))
    reviews = by_clock(j, Clock.REVIEW)
    assert [r.la_code for r in reviews] == ["801", "801"]
    assert one(j, Clock.REPORT).la_code == "801"


def test_phase_transfer_and_preparing_for_adulthood():
    events = [Event(Kind.FINAL_PLAN, D(2023, 6, 1))]
    j = compute(events, year_group=11, today=D(2025, 10, 1))
    transfer = one(j, Clock.TRANSFER)
    assert transfer.due == D(2026, 3, 31) and transfer.is_open()
    assert all(d.preparing_for_adulthood for d in by_clock(j, Clock.REVIEW))
    j = compute([*events, Event(Kind.AMENDED_PLAN, D(2026, 2, 1))], year_group=11,
                today=D(2026, 2, 2))
    assert one(j, Clock.TRANSFER).on_time() is True
    young = compute(events, year_group=6, today=D(2025, 10, 1))
    assert one(young, Clock.TRANSFER).due == D(2026, 2, 15)
    assert not any(d.preparing_for_adulthood for d in young.deadlines)
    # year 8 now: the review next school year (year 9) covers preparing for adulthood
    y8 = compute([Event(Kind.FINAL_PLAN, D(2025, 10, 1))], year_group=8, today=D(2025, 10, 2))
    assert one(y8, Clock.REVIEW).preparing_for_adulthood


@given(st.dates(min_value=D(2023, 1, 1), max_value=D(2026, 12, 31)),
       st.integers(min_value=1, max_value=500))
def test_review_states_follow_the_dates(plan_on, held_after):
    meeting = plan_on + dt.timedelta(days=held_after)
    j = compute([Event(Kind.FINAL_PLAN, plan_on), Event(Kind.REVIEW_MEETING, meeting)],
                today=meeting)
    first = by_clock(j, Clock.REVIEW)[0]
    anniversary_passed = meeting > first.due
    assert first.on_time() is (not anniversary_passed)
    assert by_clock(j, Clock.REVIEW)[1].started_on == meeting
