"""The SEND leader writes a goal, a criterion and an action; the SENCO records progress."""

import datetime as dt

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.browser


@pytest.fixture
def browser_context_args(browser_context_args):
    # axe-core goes in as an inline script, which the site's CSP rightly refuses.
    return {**browser_context_args, "bypass_csp": True}


def test_leader_plans_and_senco_records_progress(page, live_server, live_cast, login, axe):
    cast = live_cast
    login("send_leader")
    page.goto(f"{live_server.url}/trusts/{cast.trust.code}/plan/")
    expect(page.get_by_role("heading", name="Riverside Learning Trust: strategic plan for SEND"))\
        .to_be_visible()
    page.get_by_role("link", name="Add a goal").click()
    axe(page)  # the goal form, with its themes grouped by framework
    page.get_by_label("One year").check()
    page.get_by_label("Goal", exact=True).fill("Pupils shape their own plans")
    page.get_by_label("Pupil voice and participation").check()
    page.get_by_role("button", name="Add the goal").click()
    expect(page.get_by_text("Goal added: Pupils shape their own plans.")).to_be_visible()

    page.get_by_role("link", name="Add a success criterion to Pupils shape their own plans")\
        .click()
    axe(page)
    page.get_by_label("Indicator").select_option(label="SEN support rate")
    page.get_by_label("Target value").fill("15")
    page.get_by_label("Lower is better").check()
    page.get_by_role("button", name="Add the criterion").click()
    expect(page.get_by_text("Success criterion added.")).to_be_visible()
    criteria = page.get_by_role("table", name="How we will know: Pupils shape their own plans")
    expect(criteria).to_contain_text("SEN support rate, whole trust")
    expect(criteria).to_contain_text("15.0%")

    page.get_by_role("link", name="Add an action to Pupils shape their own plans").click()
    page.get_by_label("Action", exact=True).fill("Pupil views section in every plan")
    expect(page.locator("#id_due_on")).to_have_attribute("type", "date")
    expect(page.get_by_text("For example 2026")).to_have_count(0)
    # Search as you type: the list narrows, focus stays in the search box.
    search = page.get_by_label("Find the owner")
    search.fill("alder senco")
    expect(page.locator("#id_owner option[value]:not([value=''])")).to_have_count(1)
    expect(page.locator("#owner-count")).to_have_text("1 person in the list.")
    expect(search).to_be_focused()
    page.get_by_label("Owner", exact=True).select_option(label="senco_a: SENCO, Alder Primary")
    # Each checkbox sits on the first line of its label.
    box = page.get_by_label("Pupil voice and participation")
    label = page.locator("label", has=box)
    b, lb = box.bounding_box(), label.bounding_box()
    assert abs(b["y"] - lb["y"]) < 6 and b["x"] <= lb["x"] + 2, (b, lb)
    axe(page)
    due = dt.date.today() + dt.timedelta(days=5)
    page.get_by_label("Due date").fill(due.isoformat())
    page.get_by_role("button", name="Add the action").click()
    actions = page.get_by_role("table", name="Actions: Pupils shape their own plans")
    expect(actions).to_contain_text("Pupil views section in every plan")
    expect(actions).to_contain_text("Due in 5 days")
    axe(page)

    page.get_by_role("button", name="Sign out").click()
    login("senco_a")
    page.goto(f"{live_server.url}/plan/mine/")
    soon = page.get_by_role("region", name="Due in the next 7 days (1)")
    expect(soon).to_contain_text("Pupil views section in every plan")
    axe(page)

    soon.get_by_role("link", name="Pupil views section in every plan").click()
    expect(page.get_by_role("heading", name="Pupil views section in every plan")).to_be_visible()
    axe(page)
    page.get_by_label("Status").select_option(label="In progress")
    page.get_by_label("Progress note").fill("Template drafted with the school council")
    page.get_by_role("button", name="Record progress").focus()
    page.keyboard.press("Enter")
    expect(page.locator("#progress-panel").get_by_text("Progress recorded.")).to_be_visible()
    expect(page.locator("#announcer")).to_have_text("Progress recorded.")
    # The button went with the swapped panel: focus moves to the panel's heading, not <body>.
    expect(page.get_by_role("heading", name="Record progress")).to_be_focused()
    timeline = page.locator("#progress-panel")
    expect(timeline).to_contain_text("Template drafted with the school council")
    expect(timeline).to_contain_text("status from not started to in progress")
    axe(page)


def test_plan_pages_reflow_at_320_px(page, live_server, live_cast, login, axe):
    from sendtrust.planning import services
    from sendtrust.planning.models import Horizon
    from tests.browser.test_evaluation import assert_reflows

    cast = live_cast
    sl = cast.users["send_leader"]
    goal = services.create_goal(cast.trust, horizon=Horizon.ONE_YEAR, by=sl,
                                title="Every school reviews its provision map each term")
    services.create_criterion(goal, description="Each map records entry and exit data for "
                              "every intervention", school=cast.school_a, by=sl)
    services.create_action(goal, title="Agree a template for intervention entry and exit data",
                           owner=sl, due_on=dt.date.today() - dt.timedelta(days=3),
                           schools=[cast.school_a], by=sl)
    login("send_leader")
    for path in (f"/trusts/{cast.trust.code}/plan/", f"/trusts/{cast.trust.code}/plan/print/",
                 "/plan/mine/"):
        page.goto(f"{live_server.url}{path}")
        assert_reflows(page)
        axe(page)


def test_leader_deletes_an_action_after_confirming(page, live_server, live_cast, login, axe):
    from sendtrust.planning import services
    from sendtrust.planning.models import Horizon, PlanAction

    cast = live_cast
    sl = cast.users["send_leader"]
    goal = services.create_goal(cast.trust, horizon=Horizon.ONE_YEAR, title="Earlier help", by=sl)
    action = services.create_action(goal, title="Old idea", owner=cast.users["senco_a"],
                                    due_on=dt.date.today() + dt.timedelta(days=9), by=sl)
    login("send_leader")
    page.goto(f"{live_server.url}/plan/actions/{action.code}/edit/")
    axe(page)  # the edit form and the delete box under it
    page.get_by_role("button", name="Delete the action").click()
    expect(page.get_by_text("Tick the box to confirm")).to_be_visible()
    assert PlanAction.objects.filter(pk=action.pk).exists()
    page.get_by_label("Yes, delete this action").check()
    page.get_by_role("button", name="Delete the action").click()
    expect(page.get_by_text("Deleted the action “Old idea”.")).to_be_visible()
    assert not PlanAction.objects.filter(pk=action.pk).exists()
