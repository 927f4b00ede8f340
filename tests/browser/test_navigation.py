"""The main navigation: at most two lines for a SENCO at 1,280 px, the less-used items behind
"More", and the whole list behind a "Menu" button at 320 px (issue 10)."""

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.browser

# The distinct rows the visible navigation items sit on.
ROWS = """() => new Set([...document.querySelectorAll('#site-nav-list > li')]
  .filter(li => li.getBoundingClientRect().height > 0)
  .map(li => Math.round(li.getBoundingClientRect().top))).size"""


def test_senco_navigation_fits_and_opens_by_keyboard(page, live_server, live_cast, login):
    page.set_viewport_size({"width": 1280, "height": 800})
    login("senco_a")
    nav = page.get_by_role("navigation", name="Main")
    expect(nav.get_by_role("link", name="Register")).to_be_visible()
    assert page.evaluate(ROWS) <= 2
    # The header as a whole stays short: brand and account, then the navigation.
    assert page.locator(".site-header").bounding_box()["height"] < 120
    more = nav.get_by_role("button", name="More")
    expect(more).to_have_attribute("aria-expanded", "false")
    quality = nav.get_by_role("link", name="Data quality")
    expect(quality).to_be_hidden()
    more.focus()
    page.keyboard.press("Enter")
    expect(more).to_have_attribute("aria-expanded", "true")
    expect(quality).to_be_visible()
    page.keyboard.press("Tab")
    expect(nav.get_by_role("link", name="Data quality")).to_be_focused()
    page.keyboard.press("Escape")
    expect(more).to_be_focused()
    expect(quality).to_be_hidden()

    # At 320 px: a "Menu" button, the list behind it, nothing sideways.
    page.set_viewport_size({"width": 320, "height": 640})
    menu = nav.get_by_role("button", name="Menu")
    expect(menu).to_be_visible()
    expect(menu).to_have_attribute("aria-expanded", "false")
    expect(nav.get_by_role("link", name="Register")).to_be_hidden()
    menu.focus()
    page.keyboard.press("Enter")
    expect(menu).to_have_attribute("aria-expanded", "true")
    expect(nav.get_by_role("link", name="Register")).to_be_visible()
    page.keyboard.press("Tab")
    expect(nav.get_by_role("link", name="Register")).to_be_focused()
    nav.get_by_role("button", name="More").click()
    expect(quality).to_be_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= 320
    box = quality.bounding_box()
    assert box["x"] >= 0 and box["x"] + box["width"] <= 320


def test_a_parents_short_navigation_stays_in_view_on_a_phone(page, live_server, live_cast,
                                                              login):
    page.set_viewport_size({"width": 320, "height": 640})
    login("parent_a1")
    page.goto(f"{live_server.url}/pupils/")
    nav = page.get_by_role("navigation", name="Main")
    expect(nav.get_by_role("link", name="Your child", exact=True)).to_be_visible()
    expect(nav.get_by_role("button", name="Menu")).to_have_count(0)
    assert page.evaluate("document.documentElement.scrollWidth") <= 320
