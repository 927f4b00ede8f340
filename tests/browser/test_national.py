"""The national picture in Chromium: every chart draws, axe-core finds nothing, 320 px reflows."""

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.browser

# The DfE files the page reads (dfe-vocab first: the others match LA names against it).
FILES = [
    "dfe-vocab/las.csv",
    "ehcp-2025/data/caseload.csv",
    "ehcp-2025/data/newplans.csv",
    "ehcp-2025/data/requests.csv",
    "ehcp-2025/data/timeliness_20_week.csv",
    "ehcp-2025/data/sen_needs_all_plans.csv",
    "lait-2026/bds_long_sen_subset.csv",
    "school-census-2019-perf-tables/england_census.csv",
    "exclusions-sen-2012-2017/nat_char_201112_to_201617.csv",
    "ks2-characteristics-2016-2022/ks2_national_pupil_characteristics_2016_to_2022_revised.csv",
    "ks4-la-characteristics-2019/201819_LA_characteristics_data_including_sen_description.csv",
    "ks4-destinations-sen/ks4_dm_ud_202122_nat_prov.csv",
]


@pytest.fixture
def browser_context_args(browser_context_args):
    # axe-core is injected as an inline script, which the site's CSP refuses.
    return {**browser_context_args, "bypass_csp": True}


@pytest.fixture
def live_national(live_cast, data_dir):
    from sendtrust.benchmarks.loaders import LOADERS
    from sendtrust.benchmarks.loaders.runner import load_file

    by_path = {loader.path: loader for loader in LOADERS}
    for path in FILES:
        assert load_file(data_dir, by_path[path]).status == "loaded", path
    return live_cast


def test_national_picture_draws_every_chart_passes_axe_and_reflows(page, live_server,
                                                                   live_national, login, axe):
    from sendtrust.analytics import national

    login("senco_a")
    page.get_by_role("button", name="More").click()  # a less-used item of the navigation
    page.get_by_role("link", name="National picture").click()
    expect(page.get_by_role("heading", name="The national picture", level=1)).to_be_visible()
    expect(page.get_by_text("Local authorities shown: Bristol, City of (801).")).to_be_visible()
    for key in national.KEYS:
        chart = page.locator(f"#chart-{key}")
        expect(chart.locator("svg").first).to_be_visible(timeout=15_000)
    expect(page.get_by_role("table", name="New EHC plans issued within 20 weeks, with and "
                            "without exceptions")).to_contain_text("Bristol, City of")
    axe(page)
    # At 320 CSS pixels nothing scrolls sideways: wide tables scroll inside their own region.
    page.set_viewport_size({"width": 320, "height": 800})
    widths = page.evaluate("() => [document.documentElement.scrollWidth, "
                           "document.documentElement.clientWidth]")
    assert widths[0] <= widths[1], widths
    region = page.get_by_role("region", name="EHC plans by placement at January")
    expect(region).to_be_visible()
    assert region.evaluate("el => el.scrollWidth > el.clientWidth")
    axe(page)
