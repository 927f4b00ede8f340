"""The statutory date arithmetic, against independent implementations written here.

Every start date from 1 January 2023 to 31 December 2028 (two leap days, 29 February 2024
and 2028) is checked exhaustively; hypothesis then ranges over any date of the calendar.
"""

import datetime as dt

import pytest
from dateutil.relativedelta import relativedelta
from hypothesis import given
from hypothesis import strategies as st

from sendtrust.lib import statutory as law

FIRST, LAST = dt.date(2023, 1, 1), dt.date(2028, 12, 31)
EVERY_DAY = [FIRST + dt.timedelta(days=i) for i in range((LAST - FIRST).days + 1)]
dates = st.dates(min_value=dt.date(1990, 1, 1), max_value=dt.date(2090, 12, 31))


def ref_add_months(start: dt.date, months: int) -> dt.date:
    """Step month by month, then walk the day back until the calendar has it."""
    year, month = start.year, start.month
    step = 1 if months >= 0 else -1
    for _ in range(abs(months)):
        month += step
        if month == 13:
            year, month = year + 1, 1
        elif month == 0:
            year, month = year - 1, 12
    day = start.day
    while True:
        try:
            return dt.date(year, month, day)
        except ValueError:
            day -= 1


def ref_add_weeks(start: dt.date, weeks: int) -> dt.date:
    """Count days on the proleptic ordinal: 7 per week."""
    return dt.date.fromordinal(start.toordinal() + 7 * weeks)


def test_the_exhaustive_range_holds_leap_days():
    assert dt.date(2024, 2, 29) in EVERY_DAY and dt.date(2028, 2, 29) in EVERY_DAY
    assert len(EVERY_DAY) > 2 * 366


@pytest.mark.parametrize("months", [1, 3, 12, -12])
def test_months_match_the_reference_for_every_start_date(months):
    wrong = [d for d in EVERY_DAY if law.add_months(d, months) != ref_add_months(d, months)]
    assert not wrong, wrong[:5]
    # and a third opinion, from dateutil
    assert all(law.add_months(d, months) == d + relativedelta(months=months) for d in EVERY_DAY)


@pytest.mark.parametrize("weeks", [-2, 2, 4, 6, 8, 16, 20])
def test_weeks_match_the_reference_for_every_start_date(weeks):
    assert all(law.add_weeks(d, weeks) == ref_add_weeks(d, weeks) for d in EVERY_DAY)


@given(dates, st.integers(min_value=-40, max_value=40))
def test_months_property(start, months):
    got = law.add_months(start, months)
    assert got == ref_add_months(start, months)
    # The corresponding date, or the last day of a month that lacks it: never a later date.
    assert got.day <= start.day
    assert (got.year * 12 + got.month) - (start.year * 12 + start.month) == months
    if got.day < start.day:
        assert (got + dt.timedelta(days=1)).day == 1  # only at a month's end


@given(dates, st.integers(min_value=-30, max_value=30))
def test_weeks_property(start, weeks):
    got = law.add_weeks(start, weeks)
    assert got == ref_add_weeks(start, weeks)
    assert got.weekday() == start.weekday()
    assert (got - start).days == 7 * weeks


@given(dates)
def test_review_due_is_the_anniversary_or_the_day_before_it(start):
    due = law.review_due(start)
    assert due == ref_add_months(start, 12)
    if (start.month, start.day) == (2, 29):
        assert due == dt.date(start.year + 1, 2, 28)
    else:
        assert (due.month, due.day) == (start.month, start.day)


@given(dates, st.integers(min_value=1, max_value=400))
def test_review_after_a_move_is_the_later_of_12_months_and_3_months_from_the_move(start, days):
    moved = start + dt.timedelta(days=days)
    due = law.review_due(start, transferred_on=moved)
    assert due == max(ref_add_months(start, 12), ref_add_months(moved, 3))


@given(dates, st.integers(min_value=-1, max_value=14), dates)
def test_year_group_rises_each_september(today, year, on):
    expected = year
    # walk each 1 September between the two dates
    lo, hi, sign = (today, on, 1) if on >= today else (on, today, -1)
    for y in range(lo.year, hi.year + 1):
        sept = dt.date(y, 9, 1)
        if lo < sept <= hi:
            expected += sign
    assert law.year_group_on(year, today, on) == expected


def test_hand_worked_assessment_dates_from_a_request():
    # Request on Tuesday 3 September 2024: 6 weeks is Tuesday 15 October, 16 weeks Tuesday
    # 24 December, 20 weeks Tuesday 21 January 2025.
    r = dt.date(2024, 9, 3)
    assert law.add_weeks(r, law.DECISION_TO_ASSESS_WEEKS) == dt.date(2024, 10, 15)
    assert law.add_weeks(r, law.ISSUE_DECISION_WEEKS) == dt.date(2024, 12, 24)
    assert law.add_weeks(r, law.FINAL_PLAN_WEEKS) == dt.date(2025, 1, 21)
    # A draft issued on 2 December leaves the family until 17 December to comment.
    assert law.add_days(dt.date(2024, 12, 2), law.DRAFT_COMMENT_DAYS) == dt.date(2024, 12, 17)


@pytest.mark.parametrize("start, due", [
    (dt.date(2024, 1, 31), dt.date(2025, 1, 31)),
    (dt.date(2024, 2, 29), dt.date(2025, 2, 28)),
    (dt.date(2024, 8, 31), dt.date(2025, 8, 31)),
    (dt.date(2023, 3, 1), dt.date(2024, 3, 1)),
])
def test_hand_worked_annual_reviews(start, due):
    assert law.review_due(start) == due


def test_one_month_from_31_january_is_the_end_of_february():
    assert law.add_months(dt.date(2024, 1, 31), 1) == dt.date(2024, 2, 29)
    assert law.add_months(dt.date(2025, 1, 31), 1) == dt.date(2025, 2, 28)


@pytest.mark.parametrize("year_group, today, expected", [
    (6, dt.date(2025, 10, 1), (dt.date(2026, 2, 15), "secondary")),
    (6, dt.date(2026, 2, 20), (dt.date(2026, 2, 15), "secondary")),
    (11, dt.date(2025, 9, 1), (dt.date(2026, 3, 31), "post-16")),
    (11, dt.date(2026, 8, 31), (dt.date(2026, 3, 31), "post-16")),
    (-1, dt.date(2025, 11, 5), (dt.date(2026, 2, 15), "reception")),
    (5, dt.date(2025, 11, 5), None),
    (9, dt.date(2025, 11, 5), None),
])
def test_phase_transfer_dates(year_group, today, expected):
    assert law.phase_transfer(year_group, today) == expected


def test_preparing_for_adulthood_starts_in_year_9():
    assert not law.covers_preparing_for_adulthood(8)
    assert law.covers_preparing_for_adulthood(9)
    assert law.covers_preparing_for_adulthood(13)
