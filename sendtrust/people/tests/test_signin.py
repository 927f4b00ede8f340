"""Signing in with a second factor, the requirement for trust-wide roles, re-authentication."""

import time

import pytest
import time_machine
from django.conf import settings
from django.test import override_settings
from django_otp.plugins.otp_static.models import StaticToken

from sendtrust.access.models import AuditEntry
from sendtrust.people.testing import code_for, give_authenticator, signed_in
from sendtrust.people.twofactor import new_recovery_codes
from sendtrust.testing import PASSWORD

pytestmark = pytest.mark.django_db
WITH_2FA_MIDDLEWARE = override_settings(
    MIDDLEWARE=[*settings.MIDDLEWARE, "sendtrust.people.twofactor.RequireTwoFactorMiddleware"],
    SENDTRUST_REQUIRE_2FA=True,
)


def password_step(client, username, password=PASSWORD, next_url=""):
    return client.post("/login/", {"username": username, "password": password, "next": next_url})


def signed_in_user(client):
    return client.get("/account/").context["user"]


def test_a_person_without_authenticator_signs_in_with_password(client, cast):
    response = password_step(client, "teacher_a")
    assert response.status_code == 302
    assert signed_in_user(client).username == "teacher_a"


def test_it_asks_for_the_code_before_signing_in(client, cast):
    device = give_authenticator(cast.users["senco_a"])
    response = password_step(client, "senco_a", next_url=f"/pupils/{cast.pupil_a1.code}/")
    assert response["Location"] == "/login/code/"
    # Between the two steps nobody is signed in.
    assert client.get("/account/")["Location"].startswith("/login/")
    response = client.post("/login/code/", {"code": code_for(device)})
    assert response["Location"] == f"/pupils/{cast.pupil_a1.code}/"
    user = signed_in_user(client)
    assert user.username == "senco_a" and user.is_verified()
    assert AuditEntry.objects.filter(action="auth.second_factor.passed",
                                     username="senco_a").exists()


def test_a_wrong_code_does_not_sign_in_and_five_start_again(client, cast):
    give_authenticator(cast.users["senco_a"])
    password_step(client, "senco_a")
    for _ in range(4):
        response = client.post("/login/code/", {"code": "000000"})
        assert response.status_code == 200
        assert "The code is not right" in response.content.decode()
    response = client.post("/login/code/", {"code": "000000"})
    assert response["Location"] == "/login/"
    assert client.get("/login/code/")["Location"] == "/login/"
    assert AuditEntry.objects.filter(action="auth.second_factor.failed").count() == 5


def test_a_recovery_code_works_once(client, cast):
    user = cast.users["senco_a"]
    give_authenticator(user)
    codes = new_recovery_codes(user)
    password_step(client, "senco_a")
    assert client.post("/login/code/", {"code": codes[0].upper()})["Location"] == "/"
    assert not StaticToken.objects.filter(token=codes[0]).exists()
    client.logout()
    password_step(client, "senco_a")
    response = client.post("/login/code/", {"code": codes[0]})
    assert response.status_code == 200


def test_the_code_step_expires(client, cast):
    device = give_authenticator(cast.users["senco_a"])
    with time_machine.travel("2026-01-05 09:00 +0000", tick=False):
        password_step(client, "senco_a")
    with time_machine.travel("2026-01-05 09:06 +0000", tick=False):
        response = client.post("/login/code/", {"code": code_for(device)})
    assert response["Location"] == "/login/"


def test_setting_up_an_authenticator_gives_recovery_codes(client, cast):
    signed_in(client, cast.users["headteacher_a"])
    page = client.get("/account/two-factor/setup/")
    assert "<svg" in page.content.decode()
    from django_otp.plugins.otp_totp.models import TOTPDevice

    device = TOTPDevice.objects.get(user=cast.users["headteacher_a"], confirmed=False)
    response = client.post("/account/two-factor/setup/", {"code": "123456x"})
    assert "The code is not right" in response.content.decode()
    # django-otp makes each wrong code wait longer before the next one is tried.
    with time_machine.travel(time.time() + 5):
        response = client.post("/account/two-factor/setup/", {"code": code_for(device)})
    device.refresh_from_db()
    assert device.confirmed
    assert len(response.context["codes"]) == 10
    assert "no-store" in response["Cache-Control"]


@WITH_2FA_MIDDLEWARE
def test_trust_wide_roles_reach_no_page_without_a_second_factor(client, cast):
    password_step(client, "send_leader")
    response = client.get(f"/trusts/{cast.trust.code}/")
    assert response.status_code == 302
    assert response["Location"].startswith("/account/two-factor/setup/")
    assert client.get("/account/two-factor/setup/").status_code == 200
    # A school role is not forced.
    client.logout()
    password_step(client, "senco_a")
    assert client.get(f"/schools/{cast.school_a.code}/register/").status_code == 200


@WITH_2FA_MIDDLEWARE
def test_trust_wide_roles_pass_once_verified(client, cast):
    device = give_authenticator(cast.users["executive"])
    password_step(client, "executive")
    client.post("/login/code/", {"code": code_for(device)})
    assert client.get(f"/trusts/{cast.trust.code}/").status_code == 200


@WITH_2FA_MIDDLEWARE
def test_a_session_without_the_second_factor_is_asked_for_it(client, cast):
    give_authenticator(cast.users["trustee"])
    client.force_login(cast.users["trustee"])
    response = client.get(f"/trusts/{cast.trust.code}/")
    assert response["Location"].startswith("/account/confirm/")


def test_reauth_needs_password_and_code(client, cast):
    user = cast.users["send_leader"]
    device = give_authenticator(user)
    signed_in(client, user, device=device, recent=False)
    response = client.post("/account/confirm/", {
        "reauth-password": "wrong", "reauth-code": code_for(device), "next": "/account/"})
    assert response.status_code == 200
    assert "The password is not right" in response.content.decode()
    response = client.post("/account/confirm/", {
        "reauth-password": PASSWORD, "reauth-code": code_for(device), "next": "/account/"})
    assert response["Location"] == "/account/"


def test_reauth_refuses_a_next_address_on_another_site(client, cast):
    signed_in(client, cast.users["teacher_a"], recent=False)
    response = client.post("/account/confirm/", {
        "reauth-password": PASSWORD, "next": "https://evil.example/"})
    assert response["Location"] == "/"


def test_recent_auth_runs_out(client, cast):
    user = cast.users["senco_a"]
    with time_machine.travel("2026-01-05 09:00 +0000", tick=False):
        signed_in(client, user)
        assert client.post("/account/two-factor/remove/")["Location"] == "/account/two-factor/"
    with time_machine.travel("2026-01-05 09:11 +0000", tick=False):
        response = client.post("/account/two-factor/remove/")
    assert response["Location"].startswith("/account/confirm/?next=")


def test_changing_the_password_is_audited_and_validated(client, cast):
    signed_in(client, cast.users["ta_a"])
    response = client.post("/account/password/", {
        "old_password": PASSWORD, "new_password1": "short", "new_password2": "short"})
    assert response.status_code == 200
    assert "error-summary" in response.content.decode()
    response = client.post("/account/password/", {
        "old_password": PASSWORD, "new_password1": "a long river walk 42",
        "new_password2": "a long river walk 42"})
    assert response["Location"] == "/account/"
    assert AuditEntry.objects.filter(action="account.password_changed", username="ta_a").exists()
