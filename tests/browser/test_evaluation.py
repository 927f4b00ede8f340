"""Self-evaluation in the browser: rate (autosave), submit, moderate, heat map, area wheel.

Every page on the way passes axe-core.
"""

import re

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.browser


@pytest.fixture
def browser_context_args(browser_context_args):
    # axe-core goes in as an inline script, which the site's CSP rightly refuses.
    return {**browser_context_args, "bypass_csp": True}

# What sticks out of the page sideways, outside a table's own scroll region.
OVERFLOW = """() => {
  const width = document.documentElement.clientWidth;
  const out = [];
  for (const el of document.body.querySelectorAll("*")) {
    if (el.closest(".table-scroll, .visually-hidden")) continue;
    const box = el.getBoundingClientRect();
    if (box.width && box.right > width + 1) {
      out.push(el.tagName.toLowerCase() + (el.id ? "#" + el.id : "") +
               (el.className && typeof el.className === "string" ? "." + el.className : "") +
               " right=" + Math.round(box.right));
    }
  }
  return {scroll: document.documentElement.scrollWidth, width: width, out: out.slice(0, 8)};
}"""


def assert_reflows(page, width=320):
    """The page fits `width` CSS pixels: nothing scrolls sideways but a table's own region."""
    page.set_viewport_size({"width": width, "height": 900})
    found = page.evaluate(OVERFLOW)
    assert found["scroll"] <= found["width"] and not found["out"], f"{page.url}: {found}"


@pytest.fixture
def eval_round(live_cast):
    from sendtrust.evaluation.models import Rating
    from sendtrust.evaluation.tests.helpers import fill, open_round, unit_of

    cast = live_cast
    round_ = open_round(cast, schools=[cast.school_a])
    unit = unit_of(round_, cast.school_a)
    fill(unit, level=2)
    # Everything is rated but governance, which the SENCO rates in the browser.
    Rating.objects.filter(unit=unit, theme__slug="governance").delete()
    return round_, unit


def test_rate_submit_moderate_and_read_the_summaries(page, live_server, live_cast, login, axe,
                                                     eval_round):
    from sendtrust.evaluation.models import Rating

    round_, unit = eval_round
    login("senco_a")
    page.goto(f"{live_server.url}/evaluation/units/{unit.code}/")
    expect(page.get_by_role("heading", name="Alder Primary: Autumn 2026")).to_be_visible()
    # Submitting with a theme unrated and the box unticked: an error summary takes focus and
    # links to each problem.
    page.get_by_role("link", name="Submit for moderation").click()
    expect(page.locator("#submit-heading")).to_be_focused()
    page.get_by_role("button", name="Submit Alder Primary's ratings").click()
    summary = page.locator(".error-summary")
    expect(summary).to_be_focused()
    expect(summary.get_by_role("link")).to_have_count(2)
    axe(page)
    summary.get_by_role("link", name="Give Governance a level.").click()
    expect(page.locator("#id_governance-level_1")).to_be_in_viewport()

    governance = page.locator("#theme-governance")
    governance.locator("#id_governance-level_3").check()
    expect(page.locator("#status-governance")).to_contain_text("Saved at")
    assert Rating.objects.get(unit=unit, theme__slug="governance").level.value == 3
    # "Save" from the keyboard saves in place: focus stays on the named button.
    governance.get_by_label("Strengths").fill("A link governor visits each term")
    save = governance.get_by_role("button", name="Save Governance")
    save.focus()
    page.keyboard.press("Enter")
    for _ in range(50):  # the save is a background request: wait for it to land
        if Rating.objects.get(unit=unit, theme__slug="governance").strengths:
            break
        page.wait_for_timeout(100)
    assert Rating.objects.get(unit=unit, theme__slug="governance").strengths == (
        "A link governor visits each term")
    expect(page.locator("#status-governance")).to_contain_text("Saved at")
    expect(save).to_be_focused()
    expect(page.get_by_role("heading", name=re.compile(
        "Live evidence for Accurate assessment"))).to_be_visible()
    axe(page)

    page.get_by_label("I understand that once submitted").check()
    page.get_by_role("button", name="Submit Alder Primary's ratings").click()
    expect(page.get_by_text("Submitted for moderation.")).to_be_visible()

    page.context.clear_cookies()
    login("send_leader")
    page.goto(f"{live_server.url}/evaluation/rounds/{round_.code}/moderation/")
    expect(page.get_by_role("heading", name="Waiting (24)")).to_be_visible()
    axe(page)
    page.get_by_label("Agree Alder Primary, Governance").check()
    page.get_by_label("Agree Alder Primary, Inclusive culture and vision").check()
    page.get_by_role("button", name="Agree the ticked ratings").click()
    expect(page.locator(".error-summary")).to_be_focused()  # no reason given
    page.get_by_label("Reason for agreeing").fill("Evidence checked at the visit")
    page.get_by_role("button", name="Agree the ticked ratings").click()
    expect(page.get_by_text("Agreed 2 ratings, each with the reason you gave.")).to_be_visible()
    page.get_by_role("link", name="Change the level of Alder Primary, SEND policy").click()
    axe(page)
    page.locator("input[type=radio][value='1']").check()
    page.get_by_label(re.compile("^Reason")).fill("The policy has not been reviewed since 2022.")
    page.get_by_role("button", name="Record moderation").click()
    expect(page.get_by_text("Moderated SEND policy for Alder Primary.")).to_be_visible()
    expect(page.get_by_role("heading", name="Moderated (3)")).to_be_visible()
    agreed = Rating.objects.get(unit=unit, theme__slug="governance")
    assert agreed.moderations.get().reason == "Evidence checked at the visit"
    policy = Rating.objects.get(unit=unit, theme__slug="send-policy")
    assert (policy.level.value, policy.status) == (1, "moderated")
    assert policy.moderations.get().reason.startswith("The policy has not been reviewed")

    page.goto(f"{live_server.url}/evaluation/rounds/{round_.code}/")
    page.get_by_role("link", name="Heat map").click()
    expect(page.get_by_role("heading", name="Heat map: Autumn 2026")).to_be_visible()
    expect(page.get_by_text(re.compile(r"Weakest: .*Setting strategic direction"))).to_be_visible()
    axe(page)

    page.goto(f"{live_server.url}/evaluation/units/{unit.code}/areas/")
    chart = page.locator("#area-wheel")
    expect(chart.locator("svg, canvas").first).to_be_visible()
    expect(chart).to_have_attribute("data-drawn", "1")
    expect(page.get_by_role("table", name="Mean level per area: Alder Primary")).to_be_visible()
    axe(page)


def test_a_heat_map_of_many_schools_scrolls_by_keyboard_with_theme_names_in_view(
        page, live_server, live_cast, login, axe):
    from sendtrust.evaluation.tests.helpers import fill, open_round
    from sendtrust.testing import SchoolFactory

    cast = live_cast
    schools = [SchoolFactory(trust=cast.trust, name=f"School number {n}") for n in range(14)]
    round_ = open_round(cast, schools=schools)
    for n, unit in enumerate(round_.units.all()):
        fill(unit, level=1 + n % 4)
    login("send_leader")
    page.goto(f"{live_server.url}/evaluation/rounds/{round_.code}/heat-map/")
    axe(page)  # scrollable-region-focusable among them
    region = page.get_by_role("region", name="Levels by theme and unit")
    theme = page.get_by_role("rowheader", name="Governance")
    before = theme.bounding_box()["x"]
    region.focus()
    for _ in range(30):
        page.keyboard.press("ArrowRight")
    assert region.evaluate("el => el.scrollLeft") > 300
    assert abs(theme.bounding_box()["x"] - before) < 2  # the theme column stays put
    expect(page.get_by_role("columnheader", name="School number 9")).to_be_visible()
    page.get_by_label("Area", exact=True).select_option(label="Team working")
    page.get_by_role("button", name="Show").click()
    expect(page.get_by_role("rowheader")).to_have_count(4 + 6)
    assert_reflows(page)
    axe(page)


def test_evaluation_pages_reflow_at_320_px(page, live_server, live_cast, login, axe):
    from sendtrust.evaluation import services
    from sendtrust.evaluation.tests.helpers import fill, open_round, unit_of

    cast = live_cast
    summer = open_round(cast, name="Summer 2026")
    for unit in summer.units.all():
        fill(unit, level=2)
    autumn = open_round(cast)
    unit = unit_of(autumn, cast.school_a)
    fill(unit, level=3)
    services.submit_unit(unit, by=cast.users["senco_a"])
    login("send_leader")
    paths = [
        f"/trusts/{cast.trust.code}/evaluation/", f"/trusts/{cast.trust.code}/frameworks/",
        f"/evaluation/rounds/{autumn.code}/", f"/evaluation/rounds/{autumn.code}/heat-map/",
        f"/evaluation/rounds/{autumn.code}/moderation/",
        f"/evaluation/rounds/{autumn.code}/changes/",
        f"/evaluation/units/{unit.code}/", f"/evaluation/units/{unit.code}/areas/",
        f"/evaluation/units/{unit_of(autumn).code}/",  # the trust's own evaluation
        f"/evaluation/units/{unit_of(autumn, cast.school_b).code}/areas/",  # nothing rated
    ]
    for path in paths:
        page.set_viewport_size({"width": 1280, "height": 900})
        page.goto(f"{live_server.url}{path}")
        page.wait_for_load_state("networkidle")
        axe(page)
        assert_reflows(page)
        axe(page)
