"""Trust and school analytics in Chromium: every chart draws, and axe-core finds no violation."""

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.browser

CHARTS = ["chart-need", "chart-trend", "chart-gaps", "chart-timeliness"]


@pytest.fixture
def live_benchmarks(live_cast):
    from django.core.cache import cache

    from sendtrust.analytics.tests.fixtures import load_synthetic_benchmarks

    cache.clear()
    load_synthetic_benchmarks(schools={"primary": 200, "secondary": 80})
    yield live_cast
    cache.clear()


# Every text of every drawn chart (axis labels, titles, legends, marks) as its colour and
# opacity. The charts sit on the white page.
CHART_TEXT = """() => [...document.querySelectorAll('[data-chart] svg text')]
  .filter(t => t.textContent.trim())
  .map(t => { const s = getComputedStyle(t);
              return [s.fill, parseFloat(s.fillOpacity) * parseFloat(s.opacity),
                      t.textContent]; })"""


def _contrast_on_white(rgb: str, opacity: float) -> float:
    channels = [float(c) for c in rgb[rgb.index("(") + 1:rgb.index(")")].split(",")[:3]]
    # Blend with the white page, then the WCAG relative luminance.
    blended = [c * opacity + 255 * (1 - opacity) for c in channels]
    lum = [(c / 255) / 12.92 if c / 255 <= 0.03928 else ((c / 255 + 0.055) / 1.055) ** 2.4
           for c in blended]
    luminance = 0.2126 * lum[0] + 0.7152 * lum[1] + 0.0722 * lum[2]
    return 1.05 / (luminance + 0.05)


def _drawn(page, chart_id):
    chart = page.locator(f"#{chart_id}")
    expect(chart.locator("svg, canvas").first).to_be_visible(timeout=15_000)


def test_trust_analytics_draws_every_chart_and_passes_axe(page, live_server, live_benchmarks,
                                                          login, axe):
    cast = live_benchmarks
    warnings = []
    page.on("console", lambda m: warnings.append(m.text) if m.type in ("warning", "error")
            else None)
    page.set_viewport_size({"width": 1280, "height": 900})
    login("send_leader")
    page.wait_for_load_state("networkidle")  # the landing page's scripts are heard too
    page.goto(f"{live_server.url}/trusts/{cast.trust.code}/analytics/")
    expect(page.get_by_role("heading", name="Riverside Learning Trust: SEND analytics",
                            level=1)).to_be_visible()
    # The funnel section arrives through htmx, after the progress message.
    funnels = page.locator("[data-chart^='chart-funnel-']")
    expect(funnels.first).to_be_attached(timeout=15_000)
    ids = [page.locator("[data-chart]").nth(i).get_attribute("id")
           for i in range(page.locator("[data-chart]").count())]
    assert set(CHARTS) <= set(ids) and any(i.startswith("chart-funnel-") for i in ids)
    for chart_id in ids:
        _drawn(page, chart_id)
    expect(page.get_by_role("table", name="SEN support and EHC plans by school")).to_contain_text(
        "Alder Primary")
    # At 1,280 px nothing runs off the page: wide tables scroll inside their own region.
    region = page.get_by_role("region", name="SEN support and EHC plans by school")
    expect(region).to_be_visible()
    box = region.bounding_box()
    assert box["x"] >= 0 and box["x"] + box["width"] <= 1280
    assert region.evaluate("e => e.scrollWidth > e.clientWidth")  # it scrolls, not cut off
    # And the page as a whole does not: nothing in any table (visually hidden text included)
    # escapes its scroll region.
    assert page.evaluate("document.documentElement.scrollWidth") <= 1280
    # Chart text is as readable as the page's: 4.5:1 at least (axe does not look inside SVG).
    texts = page.evaluate(CHART_TEXT)
    assert len(texts) > 20
    # (Vega hides overlapping tick labels with opacity 0: not shown, so not faint.)
    faint = [(text, fill, opacity) for fill, opacity, text in texts
             if opacity > 0 and _contrast_on_white(fill, opacity) < 4.5]
    assert not faint, faint
    # Each spec names the vendored vega-lite's version: vega-embed has nothing to warn about.
    assert not [w for w in warnings if "version" in w.lower()], warnings
    axe(page)


def test_school_analytics_draws_its_charts_and_passes_axe(page, live_server, live_benchmarks,
                                                          login, axe):
    cast = live_benchmarks
    login("senco_a")
    page.goto(f"{live_server.url}/schools/{cast.school_a.code}/analytics/")
    expect(page.get_by_role("heading", name="Alder Primary: SEND analytics")).to_be_visible()
    expect(page.locator("[data-chart^='chart-funnel-']").first).to_be_attached(timeout=15_000)
    for i in range(page.locator("[data-chart]").count()):
        _drawn(page, page.locator("[data-chart]").nth(i).get_attribute("id"))
    page.get_by_text("The figures as a table: Pupils with SEN by primary need").click()
    expect(page.get_by_role("table", name="Pupils with SEN by primary need")).to_be_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= 1280
    axe(page)
