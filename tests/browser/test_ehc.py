"""EHC clocks in the browser: a SENCO records a review meeting and the deadlines move; the
trust SEND leader filters the worklist by local authority. axe-core on every page."""

import datetime as dt

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.browser


@pytest.fixture
def browser_context_args(browser_context_args):
    # axe-core goes in as an inline script, which the site's CSP rightly refuses.
    return {**browser_context_args, "bypass_csp": True}


def long_date(d: dt.date) -> str:
    return f"{d:%A} {d.day} {d:%B %Y}"


def _plan(pupil, days_ago, **kw):
    from sendtrust.ehc import services
    from sendtrust.ehc.clocks import Kind

    on = dt.date.today() - dt.timedelta(days=days_ago)
    services.record_event(pupil, kind=Kind.FINAL_PLAN, on=on, **kw)
    return on


def _fits_320(page):
    page.set_viewport_size({"width": 320, "height": 800})
    assert page.evaluate("document.documentElement.scrollWidth") <= 320
    page.set_viewport_size({"width": 1280, "height": 800})


def test_senco_records_a_review_meeting_and_the_deadlines_move(page, live_server, live_cast,
                                                               login, axe):
    cast = live_cast
    from sendtrust.lib.statutory import add_months

    plan_on = _plan(cast.pupil_a2, 350)
    review_due = add_months(plan_on, 12)
    today = dt.date.today()
    login("senco_a")
    page.goto(f"{live_server.url}/schools/{cast.school_a.code}/ehc/")
    expect(page.get_by_role("heading", name="EHC deadlines: Alder Primary")).to_be_visible()
    worklist = page.get_by_role("region", name="EHC deadlines overdue or due in the next 4 weeks")
    expect(worklist).to_contain_text(f"Hold the annual review meeting by {long_date(review_due)}")
    axe(page)
    _fits_320(page)

    worklist.get_by_role("link", name="Ben Beech").first.click()
    expect(page.get_by_role("heading", name="EHC journey: Ben Beech")).to_be_visible()
    axe(page)
    # A date in the future is refused: the error summary takes focus and names the field.
    page.get_by_label("What happened").select_option(label="Annual review meeting held")
    page.get_by_label("Date it happened").fill((today + dt.timedelta(days=3)).isoformat())
    page.get_by_role("button", name="Record the step").click()
    summary = page.locator(".error-summary")
    expect(summary).to_be_focused()
    expect(summary).to_contain_text("Record a step on or after the day it happens")
    axe(page)

    page.get_by_label("Date it happened").fill(today.isoformat())
    page.get_by_role("button", name="Record the step").click()
    report_due = today + dt.timedelta(weeks=2)
    expect(page.get_by_text(f"Next: Send the review report to the authority by "
                            f"{long_date(report_due)}")).to_be_visible()
    deadlines = page.get_by_role("region", name="Deadlines of Ben Beech's EHC journey")
    expect(deadlines).to_contain_text(long_date(add_months(today, 12)))  # the next review
    expect(deadlines).to_contain_text(long_date(today + dt.timedelta(weeks=4)))  # decision
    axe(page)
    _fits_320(page)

    page.goto(f"{live_server.url}/schools/{cast.school_a.code}/ehc/")
    worklist = page.get_by_role("region", name="EHC deadlines overdue or due in the next 4 weeks")
    expect(worklist).to_contain_text(f"Send the review report to the authority by "
                                     f"{long_date(report_due)}")
    expect(worklist).not_to_contain_text("Hold the annual review meeting")


def test_leader_filters_the_trust_worklist_by_authority(page, live_server, live_cast, login,
                                                        axe):
    cast = live_cast
    from sendtrust.testing import PupilFactory, SchoolFactory, give_status

    cedar = SchoolFactory(trust=cast.trust, name="Cedar School", urn="100003", la_code="803",
                          la_name="South Gloucestershire", phase="secondary")
    eve = PupilFactory(school=cedar, forename="Eve", surname="Elm", year_group=9)
    give_status(eve, "E", "ASD")
    _plan(cast.pupil_a2, 380)  # review overdue
    _plan(eve, 345, la_code="803", la_name="South Gloucestershire")
    login("send_leader")
    page.goto(f"{live_server.url}/trusts/{cast.trust.code}/ehc/")
    expect(page.get_by_role("heading", name="Bristol, City of (801)")).to_be_visible()
    expect(page.get_by_role("heading", name="South Gloucestershire (803)")).to_be_visible()
    axe(page)
    choose = page.get_by_label("Local authority")
    choose.focus()
    choose.select_option(label="South Gloucestershire (803)")
    expect(page.get_by_role("heading", name="Bristol, City of (801)")).to_have_count(0)
    results = page.locator("#results")
    expect(results).to_contain_text("South Gloucestershire: 3 deadlines to act on")
    expect(results).to_contain_text("Eve Elm")
    expect(results).not_to_contain_text("Ben Beech")
    expect(page.get_by_label("Local authority")).to_be_focused()
    axe(page)
    _fits_320(page)
