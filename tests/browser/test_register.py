"""The register by keyboard: paging keeps focus on the results, Back shows the whole page."""

import re

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.browser


@pytest.fixture
def big_register(live_cast, settings):
    from sendtrust.pupils.models import Provision
    from sendtrust.testing import PupilFactory, give_status

    settings.REGISTER_PAGE_SIZE = 10
    for n in range(25):
        give_status(PupilFactory(school=live_cast.school_a, surname=f"Zed{n:02d}"),
                    Provision.SUPPORT, "MLD")
    return live_cast


def test_next_page_by_keyboard_focuses_the_results_heading(page, live_server, big_register,
                                                           login, axe):
    cast = big_register
    login("senco_a")
    page.goto(f"{live_server.url}/schools/{cast.school_a.code}/register/")
    heading = page.get_by_role("heading", name="27 pupils match.")
    expect(heading).to_be_visible()
    next_link = page.get_by_role("link", name="Next page")
    next_link.focus()
    page.keyboard.press("Enter")
    expect(page.get_by_text("Page 2 of 3", exact=True)).to_be_visible()
    expect(page).to_have_url(re.compile(r"page=2"))
    # Focus is on the results' heading, in view; not lost to the bottom of the page.
    expect(page.get_by_role("heading", name="27 pupils match.")).to_be_focused()
    top = page.evaluate("document.activeElement.getBoundingClientRect().top")
    assert 0 <= top < page.viewport_size["height"]
    assert page.locator("#register-results").count() == 1
    assert page.evaluate("document.querySelectorAll('[id]').length") == page.evaluate(
        "new Set([...document.querySelectorAll('[id]')].map(e => e.id)).size")
    # Previous page, by keyboard again.
    page.keyboard.press("Tab")
    page.get_by_role("link", name="Previous page").focus()
    page.keyboard.press("Enter")
    expect(page.get_by_text("Page 1 of 3", exact=True)).to_be_visible()
    expect(page.get_by_role("heading", name="27 pupils match.")).to_be_focused()
    axe(page)


def test_filter_by_keyboard_keeps_focus_on_the_named_control(page, live_server, big_register,
                                                             login):
    login("senco_a")
    page.goto(f"{live_server.url}/schools/{big_register.school_a.code}/register/")
    expect(page.get_by_role("heading", name="27 pupils match.")).to_be_visible()
    status = page.get_by_role("combobox", name="SEN status")
    status.focus()
    page.keyboard.press("ArrowDown")  # Any SEN -> SEN support: htmx swaps the results
    expect(page.get_by_role("heading", name="26 pupils match.")).to_be_visible()
    expect(page).to_have_url(re.compile(r"status=K"))
    # The control the person is using keeps focus; the new count is read out.
    expect(page.get_by_role("combobox", name="SEN status")).to_be_focused()
    expect(page.locator("#announcer")).to_have_text("26 pupils match.")
    # Applying by keyboard: the results change, focus stays on the named button.
    page.get_by_role("textbox", name="Name or UPN").fill("Zed0")
    apply = page.get_by_role("button", name="Apply")
    apply.focus()
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", name="10 pupils match.")).to_be_visible()
    expect(page.get_by_role("button", name="Apply")).to_be_focused()
    assert page.locator("#register-results").count() == 1


def test_search_and_back_show_the_whole_page(page, live_server, big_register, login):
    cast = big_register
    login("senco_a")
    page.goto(f"{live_server.url}/schools/{cast.school_a.code}/register/")
    search = page.get_by_label("Name or UPN")
    search.fill("Beech")
    expect(page.get_by_role("heading", name="1 pupil match.")).to_be_visible()
    expect(search).to_be_focused()  # typing keeps its place
    page.get_by_label("SEN status").select_option("E")
    expect(page).to_have_url(re.compile(r"status=E"))
    page.get_by_role("link", name="Beech, Ben").click()
    expect(page.get_by_role("heading", name="Ben Beech")).to_be_visible()
    page.go_back()
    # The whole page, styled, with its navigation: never the bare list.
    expect(page.get_by_role("heading", name="Alder Primary: SEN register")).to_be_visible()
    expect(page.get_by_role("navigation", name="Main")).to_be_visible()
    expect(page.get_by_role("link", name="Beech, Ben")).to_be_visible()
    page.reload()
    expect(page.get_by_role("heading", name="Alder Primary: SEN register")).to_be_visible()


def test_the_register_reflows_at_320px(page, live_server, live_cast, login):
    # axe-core at 320 px on this page is part of the crawl (test_crawl.py).
    login("senco_a")
    page.set_viewport_size({"width": 320, "height": 640})
    page.goto(f"{live_server.url}/schools/{live_cast.school_a.code}/register/")
    expect(page.get_by_role("heading", name="Alder Primary: SEN register")).to_be_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= 320


def test_error_pages_have_navigation_and_a_way_home(page, live_server, live_cast, login, axe):
    cast = live_cast
    login("senco_b")
    page.goto(f"{live_server.url}/pupils/{cast.pupil_a1.code}/")
    expect(page.get_by_role("heading", name="You do not have access to this page")).to_be_visible()
    expect(page.get_by_role("navigation", name="Main")).to_be_visible()
    axe(page)
    page.goto(f"{live_server.url}/pupils/{cast.other_pupil.code}/")
    expect(page.get_by_role("heading", name="Page not found")).to_be_visible()
    axe(page)
    page.get_by_role("link", name="Go to your home page").click()
    expect(page.get_by_role("heading", name="Birch Academy: SEN register")).to_be_visible()


def test_no_request_fails_on_the_way_in(page, live_server, live_cast, login):
    failed = []
    page.on("response", lambda r: failed.append(r.url) if r.status >= 400 else None)
    login("senco_a")
    page.wait_for_load_state("networkidle")  # the landing page's own requests too
    page.goto(f"{live_server.url}/pupils/{live_cast.pupil_a1.code}/")
    page.wait_for_load_state("networkidle")
    assert not failed, failed
    icon = page.locator("link[rel=icon]").get_attribute("href")
    assert page.request.get(f"{live_server.url}{icon}").status == 200
