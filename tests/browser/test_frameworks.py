"""The framework editor in the browser: copy the six-area model, rename a theme, see it.

Both pages pass axe-core.
"""

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.browser


@pytest.fixture
def browser_context_args(browser_context_args):
    # axe-core goes in as an inline script, which the site's CSP rightly refuses.
    return {**browser_context_args, "bypass_csp": True}


@pytest.fixture
def frameworks(live_cast):
    # The transactional flush of earlier browser tests also removes the shipped frameworks
    # that the migration loaded: load them again (loading twice changes nothing).
    from sendtrust.evaluation.frameworks import load_frameworks
    from sendtrust.evaluation.tests.helpers import shipped

    load_frameworks()
    return shipped()


def test_the_send_leader_copies_the_six_area_model_and_renames_a_theme(
        page, live_server, live_cast, login, axe, frameworks):
    from sendtrust.evaluation.models import Framework, Theme

    trust = live_cast.trust
    login("send_leader")
    page.goto(f"{live_server.url}/trusts/{trust.code}/evaluation/")
    page.get_by_role("link", name="Frameworks").click()
    expect(page.get_by_role("heading", name=f"{trust.name}: frameworks")).to_be_visible()
    axe(page)

    name = f"{frameworks.name} v{frameworks.version}"
    page.get_by_role("button", name=f"Copy {name} for the trust").click()
    expect(page.get_by_role("heading", name=f"Edit {name}")).to_be_visible()
    expect(page.get_by_text("This is your trust's version 1")).to_be_visible()
    axe(page)

    theme = page.get_by_role("group", name="Theme 1.4: Governance")
    title = theme.get_by_label("Theme title")
    title.fill("Trust board and local governance")
    title.press("Tab")  # leaving the field saves it
    expect(page.locator("#field-theme-governance-title")).to_contain_text("Saved")
    expect(page.locator("#framework-status")).to_have_text(
        "Saved: Theme 1.4 (Governance) title.")
    copy = Framework.objects.get(trust=trust)
    assert Theme.objects.get(framework=copy, slug="governance").title == (
        "Trust board and local governance")

    page.reload()
    expect(page.get_by_role("group", name="Theme 1.4: Trust board and local governance")
           ).to_be_visible()
    axe(page)
    page.get_by_role("link", name="Frameworks").click()
    expect(page.get_by_role("cell", name="Yes, until a round uses it")).to_be_visible()
