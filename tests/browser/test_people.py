"""People in the browser: sign-in with a second factor, inviting staff, ending a role, the
subject access export. Every page passes axe-core and reflows at 320 px."""

import io
import zipfile

import pytest
from django.core import mail
from playwright.sync_api import expect

from sendtrust.organisations.models import Membership, Role
from sendtrust.people.testing import code_for, give_authenticator
from sendtrust.testing import PASSWORD

pytestmark = pytest.mark.browser


@pytest.fixture
def browser_context_args(browser_context_args):
    # The site's Content-Security-Policy refuses inline scripts, and axe-core is injected as
    # one: let the test harness (only) inject it.
    return {**browser_context_args, "bypass_csp": True}


@pytest.fixture(autouse=True)
def _recent_auth_required(settings):
    # Ending a role and the subject access export ask for the password again after a while.
    settings.SENDTRUST_REQUIRE_RECENT_AUTH = True


def assert_reflows(page):
    """At 320 CSS pixels wide nothing needs sideways scrolling (WCAG 1.4.10)."""
    page.set_viewport_size({"width": 320, "height": 640})
    width = page.evaluate("document.documentElement.scrollWidth")
    page.set_viewport_size({"width": 1280, "height": 800})
    assert width <= 320, f"{page.url} is {width}px wide at 320px"


def sign_in_with_code(page, live_server, username, device):
    page.goto(f"{live_server.url}/login/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("heading", name="Enter your code")).to_be_visible()
    page.get_by_label("Code").fill(code_for(device))
    page.get_by_role("button", name="Continue").click()


def test_sign_in_with_an_authenticator_app(page, live_server, live_cast, axe):
    device = give_authenticator(live_cast.users["send_leader"])
    page.goto(f"{live_server.url}/login/")
    axe(page)
    page.get_by_label("Username").fill("send_leader")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("heading", name="Enter your code")).to_be_visible()
    axe(page)
    assert_reflows(page)
    page.get_by_label("Code").fill("000000")
    page.get_by_role("button", name="Continue").click()
    summary = page.locator(".error-summary")
    expect(summary).to_contain_text("The code is not right")
    expect(summary).to_be_focused()
    axe(page)
    # django-otp makes the next try wait after a wrong code.
    page.wait_for_timeout(1200)
    page.get_by_label("Code").fill(code_for(device))
    page.get_by_role("button", name="Continue").click()
    expect(page.get_by_role("button", name="Sign out")).to_be_visible()
    page.goto(f"{live_server.url}/account/")
    expect(page.get_by_text("On: you sign in with a code from your authenticator app.")) \
        .to_be_visible()
    axe(page)


def test_inviting_a_member_of_staff(page, live_server, live_cast, axe):
    cast = live_cast
    device = give_authenticator(cast.users["send_leader"])
    sign_in_with_code(page, live_server, "send_leader", device)
    page.goto(f"{live_server.url}/trusts/{cast.trust.code}/people/")
    expect(page.get_by_role("heading", name="Staff and roles")).to_be_visible()
    axe(page)
    assert_reflows(page)
    page.get_by_role("link", name="Add a member of staff").click()
    axe(page)
    page.get_by_role("button", name="Add the member of staff").click()
    summary = page.locator(".error-summary")
    expect(summary).to_be_focused()
    expect(summary).to_contain_text("Enter the person's first name")
    axe(page)
    assert_reflows(page)
    page.get_by_label("First name").fill("Nia")
    page.get_by_label("Last name").fill("Oak")
    page.get_by_label("Email address").fill("nia.oak@example.org")
    page.get_by_label("Role").select_option("teacher")
    page.get_by_label("School").select_option(label="Alder Primary")
    page.get_by_role("button", name="Add the member of staff").click()
    expect(page.get_by_text("Nia Oak is now Teacher at Alder Primary.")).to_be_visible()
    axe(page)
    assert Membership.objects.filter(user__email="nia.oak@example.org", role=Role.TEACHER,
                                     school=cast.school_a).exists()
    assert [m.to for m in mail.outbox] == [["nia.oak@example.org"]]


def test_ending_a_membership(page, live_server, live_cast, axe):
    cast = live_cast
    device = give_authenticator(cast.users["send_leader"])
    sign_in_with_code(page, live_server, "send_leader", device)
    page.goto(f"{live_server.url}/trusts/{cast.trust.code}/people/")
    page.get_by_role("link", name="End senco_b as SENCO").click()
    expect(page.get_by_role("heading", name="End senco_b’s role as SENCO")).to_be_visible()
    axe(page)
    assert_reflows(page)
    page.get_by_label("Last day of the role").fill("2019-01-01")
    page.get_by_role("button", name="End the role").click()
    expect(page.locator(".error-summary")).to_be_focused()
    axe(page)
    page.get_by_label("Last day of the role").fill("2025-12-19")
    page.get_by_role("button", name="End the role").click()
    expect(page.get_by_text("stops being SENCO after 19 December 2025")).to_be_visible()
    axe(page)
    membership = Membership.objects.get(user=cast.users["senco_b"], role=Role.SENCO)
    assert str(membership.ends_on) == "2025-12-19"


def test_the_subject_access_export(page, live_server, live_cast, login, axe):
    cast = live_cast
    login("senco_a")
    page.goto(f"{live_server.url}/pupils/{cast.pupil_a1.code}/subject-access/")
    expect(page.get_by_role("heading", name="Subject access export for Ada Ash")).to_be_visible()
    axe(page)
    assert_reflows(page)
    with page.expect_download() as info:
        page.get_by_role("button", name="Download the export").click()
    download = info.value
    assert download.suggested_filename.startswith(f"subject-access-{cast.pupil_a1.code}")
    with open(download.path(), "rb") as f:
        names = zipfile.ZipFile(io.BytesIO(f.read())).namelist()
    assert "subject-access.pdf" in names and "record.csv" in names
