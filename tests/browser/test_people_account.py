"""A person's own account in the browser: set up an authenticator, make and revoke an API
token after confirming the password, read the retention policy. axe-core on every page."""

import pytest
from django_otp.plugins.otp_totp.models import TOTPDevice
from playwright.sync_api import expect

from sendtrust.access.models import ApiToken
from sendtrust.people.testing import code_for
from sendtrust.testing import PASSWORD
from tests.browser.test_people import assert_reflows

pytestmark = pytest.mark.browser


@pytest.fixture
def browser_context_args(browser_context_args):
    # axe-core is injected as an inline script, which the site's CSP refuses.
    return {**browser_context_args, "bypass_csp": True}


@pytest.fixture(autouse=True)
def _recent_auth_required(settings):
    # These pages ask for the password again; the root conftest turns that off elsewhere.
    settings.SENDTRUST_REQUIRE_RECENT_AUTH = True


def make_stale(page):
    """A sign-in older than the limit: the session forgets when it was."""
    from django.contrib.sessions.backends.db import SessionStore

    from sendtrust.people.twofactor import RECENT_AUTH_KEY

    key = next(c["value"] for c in page.context.cookies() if c["name"] == "sessionid")
    session = SessionStore(session_key=key)
    session[RECENT_AUTH_KEY] = 0
    session.save()


def test_setting_up_an_authenticator_and_a_token(page, live_server, live_cast, login, axe):
    cast = live_cast
    login("headteacher_a")
    page.goto(f"{live_server.url}/account/")
    expect(page.get_by_role("heading", name="Your account")).to_be_visible()
    axe(page)
    page.get_by_role("link", name="Two-factor sign-in").click()
    page.get_by_role("link", name="Set up two-factor sign-in").click()
    expect(page.get_by_role("img", name="QR code holding the setup key shown below")) \
        .to_be_visible()
    axe(page)
    assert_reflows(page)
    device = TOTPDevice.objects.get(user=cast.users["headteacher_a"])
    page.get_by_role("textbox", name="Code").fill(code_for(device))
    page.get_by_role("button", name="Turn on two-factor sign-in").click()
    expect(page.get_by_role("heading", name="Your recovery codes")).to_be_visible()
    expect(page.get_by_role("list", name="Recovery codes").get_by_role("listitem")) \
        .to_have_count(10)
    axe(page)

    page.goto(f"{live_server.url}/account/tokens/")
    axe(page)
    page.get_by_label("What the token is for").fill("Nightly report")
    page.get_by_role("button", name="Make the token").click()
    expect(page.get_by_role("heading", name="Your new token")).to_be_visible()
    axe(page)
    assert_reflows(page)
    token = ApiToken.objects.get(user=cast.users["headteacher_a"])
    page.get_by_role("button", name="Revoke Nightly report").click()
    expect(page.get_by_text("The token “Nightly report” has been revoked.")).to_be_visible()
    assert not ApiToken.objects.filter(pk=token.pk).exists()


def test_confirming_the_password_before_a_token(page, live_server, live_cast, login, axe):
    login("senco_a")
    # A sign-in older than the limit: the session forgets when it was.
    context_cookies = page.context.cookies()
    assert context_cookies
    from django.contrib.sessions.backends.db import SessionStore

    from sendtrust.people.twofactor import RECENT_AUTH_KEY

    key = next(c["value"] for c in context_cookies if c["name"] == "sessionid")
    session = SessionStore(session_key=key)
    session[RECENT_AUTH_KEY] = 0
    session.save()
    page.goto(f"{live_server.url}/account/tokens/")
    expect(page.get_by_role("group", name="Confirm it is you")).to_be_visible()
    page.get_by_label("What the token is for").fill("Script")
    page.get_by_role("button", name="Make the token").click()
    expect(page.locator(".error-summary")).to_be_focused()
    expect(page.locator(".error-summary")).to_contain_text("Enter your password")
    axe(page)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Make the token").click()
    expect(page.get_by_role("heading", name="Your new token")).to_be_visible()


def test_confirming_who_you_are_before_an_import(page, live_server, live_cast, login, axe):
    """An import form asks when it opens (so no chosen file is lost), then comes back."""
    login("senco_a")
    make_stale(page)
    page.goto(f"{live_server.url}/schools/{live_cast.school_a.code}/import/")
    expect(page.get_by_role("heading", name="Confirm it is you")).to_be_visible()
    axe(page)
    assert_reflows(page)
    page.get_by_role("button", name="Continue").click()
    expect(page.locator(".error-summary")).to_be_focused()
    axe(page)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Continue").click()
    expect(page.get_by_role("heading", name="Import pupils and SEN data")).to_be_visible()
    assert page.url.endswith(f"/schools/{live_cast.school_a.code}/import/")


def test_the_retention_policy(page, live_server, live_cast, login, axe):
    login("trustee")
    page.goto(f"{live_server.url}/trusts/{live_cast.trust.code}/retention/")
    expect(page.get_by_role("heading", name="How long Riverside Learning Trust keeps records")) \
        .to_be_visible()
    axe(page)
    assert_reflows(page)
