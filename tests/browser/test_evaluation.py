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
    governance = page.locator("#theme-governance")
    governance.locator("#id_governance-level_3").check()
    expect(page.locator("#status-governance")).to_contain_text("Saved at")
    assert Rating.objects.get(unit=unit, theme__slug="governance").level.value == 3
    expect(page.get_by_role("heading", name=re.compile(
        "Live evidence for Accurate assessment"))).to_be_visible()
    axe(page)

    page.get_by_role("button", name="Submit Alder Primary's ratings").click()
    expect(page.get_by_text("Submitted for moderation.")).to_be_visible()

    page.context.clear_cookies()
    login("send_leader")
    page.goto(f"{live_server.url}/evaluation/rounds/{round_.code}/moderation/")
    expect(page.get_by_role("heading", name="Waiting (24)")).to_be_visible()
    axe(page)
    agree = page.locator("form", has=page.get_by_role("heading", name="Alder Primary: Governance"))
    agree.get_by_role("button", name="Record moderation").click()
    expect(page.get_by_text("Moderated Governance for Alder Primary.")).to_be_visible()
    adjust = page.locator("form", has=page.get_by_role("heading",
                                                       name="Alder Primary: SEND policy"))
    adjust.locator("input[type=radio][value='1']").check()
    adjust.get_by_label(re.compile("^Reason")).fill("The policy has not been reviewed since 2022.")
    adjust.get_by_role("button", name="Record moderation").click()
    expect(page.get_by_text("Moderated SEND policy for Alder Primary.")).to_be_visible()
    expect(page.get_by_role("heading", name="Moderated (2)")).to_be_visible()
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
