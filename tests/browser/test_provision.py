"""A SENCO sets up a group, enrols pupils, records entry and exit scores and sees the impact;
a leader reads the forest plot. Every page passes axe-core and reflows at 320 px."""

import datetime as dt
from decimal import Decimal

import pytest
from playwright.sync_api import expect

from tests.browser.test_evaluation import assert_reflows

pytestmark = pytest.mark.browser


@pytest.fixture
def browser_context_args(browser_context_args):
    # axe-core goes in as an inline script, which the site's CSP rightly refuses.
    return {**browser_context_args, "bypass_csp": True}


@pytest.fixture
def provision_cast(live_cast):
    from sendtrust.organisations.models import TeachingGroup
    from sendtrust.provision.models import HourlyRate
    from sendtrust.provision.tests.matrix import build_group, build_measure
    from sendtrust.testing import PupilFactory

    cast = live_cast
    cast.measure = build_measure(cast.trust)
    cast.group = build_group(cast.school_a, cast.measure, name="Reading boost")
    HourlyRate.objects.create(trust=cast.trust, role="ta", rate=Decimal("18.50"))
    cast.pupil_a3 = PupilFactory(school=cast.school_a, forename="Cat", surname="Cypress")
    TeachingGroup.objects.get(name="4A").pupils.add(cast.pupil_a3)
    return cast


def test_senco_runs_a_group_and_sees_its_impact(page, live_server, provision_cast, login, axe):
    cast = provision_cast
    login("senco_a")
    page.goto(f"{live_server.url}/schools/{cast.school_a.code}/provision/")
    expect(page.get_by_role("heading", name="Provision at Alder Primary")).to_be_visible()
    axe(page)
    page.get_by_role("link", name="Set up a provision group").click()
    axe(page)
    page.get_by_label("Intervention").select_option(label="Reading boost")
    page.get_by_label("Name").fill("Year 4 readers")
    page.get_by_label("Start date").fill((dt.date.today() - dt.timedelta(days=42)).isoformat())
    page.get_by_role("button", name="Set up the group").click()
    expect(page.get_by_text("The group Year 4 readers was set up.")).to_be_visible()
    expect(page.get_by_role("heading", name="Year 4 readers")).to_be_visible()

    # A score outside the measure's range is refused, with a summary that takes focus.
    page.get_by_label("Pupil", exact=True).select_option(label="Ash, Ada (year 4)")
    page.get_by_label("Entry score", exact=True).fill("250")
    page.get_by_role("button", name="Enrol the pupil").click()
    summary = page.locator(".error-summary").first
    expect(summary).to_be_focused()
    expect(summary).to_contain_text("250 is outside Standardised reading score's valid range")
    axe(page)

    for label, entry in (("Ash, Ada (year 4)", "82"), ("Beech, Ben (year 4)", "78"),
                         ("Cypress, Cat (year 4)", "85")):
        page.get_by_label("Pupil", exact=True).select_option(label=label)
        page.get_by_label("Entry score", exact=True).fill(entry)
        page.get_by_role("button", name="Enrol the pupil").click()
        expect(page.get_by_text("was enrolled.")).to_be_visible()

    for name, exit_ in (("Ada Ash", "90"), ("Ben Beech", "84"), ("Cat Cypress", "89")):
        page.get_by_role("link", name=f"Record scores for {name}").click()
        axe(page)
        page.get_by_label("Exit score", exact=True).fill(exit_)
        page.get_by_role("button", name="Save the scores").click()
        expect(page.get_by_text(f"Scores for {name} were saved.")).to_be_visible()
    pupils = page.get_by_role("table", name="Pupils in Year 4 readers with their entry and exit "
                                                  "scores")
    expect(pupils).to_contain_text("Ada Ash")
    axe(page)
    assert_reflows(page)

    page.set_viewport_size({"width": 1280, "height": 900})
    page.get_by_role("link", name="Impact of Reading boost across the trust").click()
    table = page.get_by_role("table", name="Impact of Reading boost by school")
    expect(table).to_contain_text("Alder Primary")
    expect(table).to_contain_text("Small group: read with care")
    expect(page.locator("#forest svg").first).to_be_visible(timeout=15_000)
    axe(page)


@pytest.fixture
def impact_cast(provision_cast):
    from sendtrust.provision import services
    from sendtrust.provision.models import GroupEnrolment
    from sendtrust.testing import PupilFactory

    cast = provision_cast
    other = services.create_group(cast.school_b, request=None,
                                  intervention=cast.group.intervention, name="Birch readers",
                                  starts_on=cast.group.starts_on)
    scores = {cast.group: [(80, 88), (84, 90), (78, 86), (90, 93), (86, 91), (81, 89)],
              other: [(92, 93), (85, 87), (88, 88), (79, 84), (83, 84), (90, 94), (87, 88)]}
    for group, pairs in scores.items():
        for a, b in pairs:
            GroupEnrolment.objects.create(group=group, school=group.school,
                                          pupil=PupilFactory(school=group.school),
                                          entry_score=a, exit_score=b)
    return cast


def test_leader_reads_the_forest_plot(page, live_server, impact_cast, login, axe):
    cast = impact_cast
    login("send_leader")
    page.goto(f"{live_server.url}/trusts/{cast.trust.code}/provision/")
    axe(page)
    page.get_by_role("link", name="Impact of interventions").click()
    expect(page.get_by_role("heading", name="Reading boost: effect size by school")) \
        .to_be_visible()
    expect(page.locator("#forest svg").first).to_be_visible(timeout=15_000)
    reading = page.locator(".reading").first
    expect(reading).to_contain_text("Across 2 school(s)")
    expect(reading).to_contain_text("heterogeneity between schools")
    table = page.get_by_role("table", name="Impact of Reading boost by school")
    expect(table).to_contain_text("Trust (pooled, random effects)")
    expect(table).to_contain_text("Birch Academy")
    axe(page)
    assert_reflows(page)
