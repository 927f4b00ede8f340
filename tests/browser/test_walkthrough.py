"""A SEND leader walks overview → register → pupil; each page passes axe-core."""

import re

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.browser


def test_login_page_is_accessible(page, live_server, axe):
    page.goto(f"{live_server.url}/login/")
    expect(page.get_by_role("heading", name="Sign in")).to_be_visible()
    axe(page)


def test_leader_walks_overview_register_pupil(page, live_server, live_cast, login, axe):
    cast = live_cast
    login("send_leader")
    expect(page).to_have_url(re.compile(rf"/trusts/{cast.trust.code}/$"))
    expect(page.get_by_role("heading", name="Riverside Learning Trust")).to_be_visible()
    table = page.get_by_role("table", name="SEN support and EHC plans by school")
    expect(table.get_by_role("row", name=re.compile("Alder Primary"))).to_contain_text("2")
    axe(page)

    page.get_by_role("link", name="Alder Primary", exact=True).click()
    expect(page.get_by_role("heading", name="Alder Primary: SEN register")).to_be_visible()
    expect(page.get_by_role("heading", name="2 pupils match.")).to_be_visible()
    axe(page)

    # The filter works through htmx: the results change without a full page load.
    page.get_by_label("SEN status").select_option("E")
    expect(page.get_by_role("heading", name="1 pupil match.")).to_be_visible()
    expect(page).to_have_url(re.compile(r"status=E"))
    page.get_by_role("link", name="Beech, Ben").click()
    expect(page.get_by_role("heading", name="Ben Beech")).to_be_visible()
    expect(page.get_by_text("Autistic spectrum disorder (ASD)")).to_be_visible()
    axe(page)

    page.goto(f"{live_server.url}/trusts/{cast.trust.code}/audit/")
    expect(page.get_by_role("cell", name="pupil.record.viewed").first).to_be_visible()
    axe(page)


def test_senco_records_a_change_in_the_browser(page, live_server, live_cast, login, axe):
    login("senco_a")
    page.get_by_role("link", name="Ash, Ada").click()
    # A mistake first: the summary takes focus, the address stays the record's.
    record_url = page.url
    page.get_by_label("SEN provision", exact=True).select_option("E")
    page.get_by_label("Primary need", exact=True).select_option("")
    page.get_by_label("From").fill("2025-01-06")
    page.get_by_role("button", name="Record status").click()
    summary = page.get_by_role("alert").filter(has_text="There is a problem")
    expect(summary).to_be_focused()
    assert page.url == record_url
    axe(page)
    summary.get_by_role("link").first.click()
    expect(page.get_by_label("Primary need", exact=True)).to_be_focused()
    page.get_by_label("SEN provision", exact=True).select_option("E")
    page.get_by_label("Primary need", exact=True).select_option("ASD")
    page.get_by_label("From").fill("2025-01-06")
    page.get_by_role("button", name="Record status").click()
    expect(page.get_by_text("Status recorded.")).to_be_visible()
    expect(page.get_by_role("list", name=re.compile("SEN status history"))).to_contain_text(
        "6 Jan 2025 to now"
    )
    axe(page)


def test_trustee_sees_aggregates_only(page, live_server, live_cast, login, axe):
    login("trustee")
    expect(page.get_by_text("fewer than 5").first).to_be_visible()
    expect(page.get_by_role("link", name="Alder Primary")).to_have_count(0)
    assert "Ash" not in page.content()
    axe(page)


def test_parent_sees_their_child_only(page, live_server, live_cast, login, axe):
    cast = live_cast
    login("parent_a1")
    page.goto(f"{live_server.url}/pupils/")
    expect(page.get_by_role("heading", name="Your child")).to_be_visible()
    expect(page.get_by_role("link", name="Ada Ash")).to_be_visible()
    expect(page.get_by_role("link", name=re.compile("Beech"))).to_have_count(0)
    # No staff furniture: no filters, no UPN, no staff items in the navigation.
    expect(page.get_by_role("combobox")).to_have_count(0)
    expect(page.get_by_text(cast.pupil_a1.upn)).to_have_count(0)
    nav = page.get_by_role("navigation", name="Main")
    for item in ("My actions", "Public trusts", "My pupils"):
        expect(nav.get_by_role("link", name=item)).to_have_count(0)
    axe(page)
    # The record itself: the child's name and needs, but not the school's identifier.
    page.get_by_role("link", name="Ada Ash").click()
    expect(page.get_by_role("heading", name="Ada Ash", level=1)).to_be_visible()
    expect(page.get_by_text("Primary need", exact=True)).to_be_visible()
    expect(page.get_by_text(cast.pupil_a1.upn)).to_have_count(0)
    expect(page.get_by_text("UPN", exact=True)).to_have_count(0)
