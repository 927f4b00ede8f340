"""A signed-in user builds a public trust profile from GIAS; the SEND leader's data-quality list.

Loads the small GIAS + census fixture of sendtrust/public/tests/data.py (not the real folder).
"""

import re

import pytest
from playwright.sync_api import expect

from sendtrust.public.tests.data import GIAS_ROWS, OAK, census, load_public_data

pytestmark = pytest.mark.browser


@pytest.fixture
def gias(live_cast, tmp_path):
    load_public_data(tmp_path)
    return live_cast


def test_user_lists_trusts_builds_a_profile_and_reads_it(page, live_server, gias, login, axe):
    login("send_leader")  # building a profile is a leader's action; reading it, anyone's
    page.goto(f"{live_server.url}/public-trusts/")
    expect(page.get_by_role("heading", name="Public trust profiles")).to_be_visible()
    table = page.get_by_role("table", name=re.compile("Trusts in the GIAS extract"))
    oak_schools = sum(1 for r in GIAS_ROWS if r[6] == OAK)
    expect(table.get_by_role("row", name=re.compile("OAK LEARNING TRUST"))).to_contain_text(
        str(oak_schools))
    axe(page)

    page.get_by_label("Trust name or code").fill("oak")
    page.get_by_role("button", name="Search").click()
    expect(page.get_by_text("1 trust match")).to_be_visible()
    page.get_by_role("button", name="Build profile of OAK LEARNING TRUST").click()

    expect(page).to_have_url(re.compile(r"/trusts/[0-9a-f-]+/$"))
    expect(page.get_by_role("heading", name="OAK LEARNING TRUST")).to_be_visible()
    expect(page.get_by_text("built from public data alone")).to_be_visible()
    expect(page.get_by_text(re.compile("not added: Alder Primary"))).to_be_visible()
    figures = page.get_by_role("table", name=re.compile("published census figures"))
    row = figures.get_by_role("row", name=re.compile("Oak Primary Academy"))
    expect(row).to_contain_text(f"{census('500001')['PSENELK']:.1f}%")
    expect(row).to_contain_text("2019")
    axe(page)


def test_send_leader_reads_the_data_quality_list(page, live_server, gias, login, axe):
    from sendtrust.pupils.models import Pupil, SenEpisode

    cast = gias
    SenEpisode.objects.filter(pupil=cast.pupil_b1, ends_on__isnull=True).update(primary_need=None)
    Pupil.objects.filter(pk=cast.pupil_b1.pk).update(primary_need=None)
    login("send_leader")
    page.goto(f"{live_server.url}/trusts/{cast.trust.code}/data-quality/")
    expect(page.get_by_role("heading", name=re.compile("data quality"))).to_be_visible()
    counts = page.get_by_role("table", name="Problems found, by check")
    missing = counts.get_by_role("row", name=re.compile("^SEN support or EHC plan with no primary"))
    expect(missing).to_contain_text("1")
    expect(counts.get_by_role("row", name=re.compile("More than one open"))).to_contain_text(
        "none found")
    expect(page.get_by_role("link", name="Cedar, Cal")).to_be_visible()
    axe(page)
