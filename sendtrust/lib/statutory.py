"""Date arithmetic of the statutory EHC clocks (SEND Regulations 2014, Code of Practice 0-25).

Framework-free: plain `datetime.date` in, `datetime.date` out. sendtrust.ehc.clocks builds
every deadline a pupil's EHC journey carries from these functions alone.

How the periods are counted, and why:

* **Weeks** are calendar weeks of 7 days, counted from the day of the event that starts the
  clock: "6 weeks from a request made on Tuesday 3 September" ends on Tuesday 15 October.
  The Regulations count weeks this way and do not pause them for school holidays; where an
  exception applies (the authority's or the school's holiday periods, a parent's request) it
  is recorded against the clock with its reason and shown beside it, and the statutory date
  is never moved (see sendtrust.ehc).
* **Days** ("at least 15 days to comment on a draft plan") are calendar days.
* **Months** ("within 12 months of the plan, then of the last review") end on the
  *corresponding date* of the later month: 12 months from 10 March 2025 is 10 March 2026.
  When the later month has no such day the period ends on that month's last day, so 12 months
  from 29 February 2024 is 28 February 2025, and one month from 31 January is 28 (or 29)
  February. This is the corresponding-date rule English courts apply to periods of months
  (Dodds v Walker, House of Lords, 1981), and the reading that never gives a family a later
  date than the law allows.
* **Phase transfer**: the amended plan naming the next school is due by 15 February of the
  calendar year of the transfer (31 March when moving from secondary school to post-16), and
  the transfer is the September after the current school year.
* **School years** run from 1 September to 31 August; a pupil's national curriculum year goes
  up by one each 1 September.
"""

from __future__ import annotations

import calendar
import datetime as dt

# The statutory periods, by name, so that every module reads them from one place.
DECISION_TO_ASSESS_WEEKS = 6  # authority decides whether to assess, from the request
ADVICE_WEEKS = 6  # advice from a professional, from the request for it
ISSUE_DECISION_WEEKS = 16  # notice of a decision not to issue a plan, from the request
FINAL_PLAN_WEEKS = 20  # the final plan, from the request
DRAFT_COMMENT_DAYS = 15  # at least 15 days for the family to comment on a draft
REVIEW_MONTHS = 12  # annual review: within 12 months of the plan or the last review
PAPERS_BEFORE_WEEKS = 2  # invitations and advice at least 2 weeks before the meeting
REPORT_AFTER_WEEKS = 2  # the school's report within 2 weeks of the meeting
DECISION_AFTER_WEEKS = 4  # the authority's decision within 4 weeks of the meeting
AMENDED_PLAN_WEEKS = 8  # the amended plan within 8 weeks of the amendment notice
TRANSFER_REVIEW_MONTHS = 3  # after a move to another authority: 3 months from the transfer
PREPARING_FOR_ADULTHOOD_YEAR = 9  # every review from year 9 covers preparing for adulthood


def add_days(start: dt.date, days: int) -> dt.date:
    """Return the date `days` calendar days after start (before it when negative)."""
    return start + dt.timedelta(days=days)


def add_weeks(start: dt.date, weeks: int) -> dt.date:
    """Return the same weekday `weeks` calendar weeks after start (before it when negative)."""
    return start + dt.timedelta(weeks=weeks)


def add_months(start: dt.date, months: int) -> dt.date:
    """Return the corresponding date `months` later, or the last day of a shorter month."""
    index = start.year * 12 + (start.month - 1) + months
    year, month = divmod(index, 12)
    month += 1
    last = calendar.monthrange(year, month)[1]
    return dt.date(year, month, min(start.day, last))


def school_year_of(on: dt.date) -> int:
    """Return the calendar year in which the school year containing `on` began."""
    return on.year if on.month >= 9 else on.year - 1


def year_group_on(year_group_today: int, today: dt.date, on: dt.date) -> int:
    """Return the national curriculum year of a pupil on another date."""
    return year_group_today + school_year_of(on) - school_year_of(today)


def phase_transfer(year_group: int, today: dt.date) -> tuple[dt.date, str] | None:
    """Return (deadline, kind) when a pupil in year_group moves phase next September, else None.

    Reception (from nursery, year -1), year 7 (from year 6) and post-16 (from year 11). The
    deadline is 15 February of the calendar year of the transfer, or 31 March for post-16.
    """
    transfer_year = school_year_of(today) + 1
    if year_group == 11:
        return dt.date(transfer_year, 3, 31), "post-16"
    if year_group == 6:
        return dt.date(transfer_year, 2, 15), "secondary"
    if year_group == -1:
        return dt.date(transfer_year, 2, 15), "reception"
    return None


def covers_preparing_for_adulthood(year_group: int) -> bool:
    """Return True when a review held in this year group must cover preparing for adulthood."""
    return year_group >= PREPARING_FOR_ADULTHOOD_YEAR


def review_due(anchor: dt.date, *, transferred_on: dt.date | None = None) -> dt.date:
    """Return the last day for the annual review after a plan or review held on anchor.

    After a move to another authority the new authority has until 12 months from the anchor
    or 3 months from the transfer, whichever is later (SEND Regulations 2014, regulation 15).
    """
    due = add_months(anchor, REVIEW_MONTHS)
    if transferred_on is not None and transferred_on > anchor:
        due = max(due, add_months(transferred_on, TRANSFER_REVIEW_MONTHS))
    return due
