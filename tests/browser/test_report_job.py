"""A PDF report made in the worker, in the browser: the button leads to a progress page that
htmx refreshes until the report is ready, then the download; each state passes axe-core."""

import pytest
from playwright.sync_api import expect

from sendtrust.ops.tests.helpers import run_queued_tasks

pytestmark = pytest.mark.browser


def test_a_trustee_makes_the_plan_pdf_and_downloads_it(page, live_server, live_cast, login, axe):
    cast = live_cast
    login("trustee")
    page.goto(f"{live_server.url}/trusts/{cast.trust.code}/plan/print/")
    page.get_by_role("button", name="make it a PDF to download").click()
    expect(page.get_by_role("heading", name="Strategic plan PDF: Riverside Learning Trust"))\
        .to_be_visible()
    expect(page.get_by_text("Waiting to start")).to_be_visible()
    expect(page.get_by_role("link", name="Check progress again")).to_be_visible()
    axe(page)

    assert run_queued_tasks() == 1  # the worker makes it; htmx polls every 2 s
    ready = page.get_by_role("heading", name="Your report is ready")
    expect(ready).to_be_visible(timeout=10_000)
    axe(page)
    with page.expect_download() as download:
        page.get_by_role("link", name="Download the strategic plan PDF").click()
    assert download.value.suggested_filename.startswith("send-plan-")
    assert download.value.suggested_filename.endswith(".pdf")
