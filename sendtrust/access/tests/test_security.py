"""Issue 9's faults: secret key, passwords, lock-outs, proxies, headers, API limits, audit gaps."""

import os
import secrets
import subprocess
import sys
from pathlib import Path

import pytest
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.test import Client, override_settings

from sendtrust.access.models import AuditEntry
from sendtrust.testing import PASSWORD

ROOT = Path(__file__).resolve().parents[3]


def manage(*args, **env):
    """Run manage.py in a fresh process with exactly this environment (plus PATH)."""
    clean = {"PATH": os.environ.get("PATH", ""), "DJANGO_SETTINGS_MODULE": "sendtrust.settings",
             "DATABASE_URL": "sqlite:///:memory:", **env}
    return subprocess.run([sys.executable, "manage.py", *args], cwd=ROOT, env=clean,
                          capture_output=True, text=True, timeout=120)


# ------------------------------------------------------------------------ secret key, deploy


@pytest.mark.dbfree
def test_without_debug_no_secret_key_means_no_start():
    run = manage("check", DEBUG="0")
    assert run.returncode != 0
    assert "Set SECRET_KEY" in run.stderr


@pytest.mark.dbfree
def test_debug_runs_without_a_key_for_development():
    run = manage("check", DEBUG="1")
    assert run.returncode == 0, run.stderr


@pytest.mark.dbfree
def test_production_settings_pass_check_deploy():
    run = manage("check", "--deploy", "--fail-level", "WARNING", DEBUG="0", HTTPS="1",
                 SECRET_KEY=secrets.token_urlsafe(50), ALLOWED_HOSTS="send.example.org",
                 TRUSTED_PROXIES="10.0.0.0/8")
    assert run.returncode == 0, run.stdout + run.stderr


# ------------------------------------------------------------------------------- passwords


@pytest.mark.parametrize("password, why", [
    ("sendtrust-demo", "sendtrust"),
    ("SendTrust2026!", "sendtrust"),
    ("Ashworth-River-9", "name"),
    ("jdoe-umbrella-42", "name"),
    ("a", "short"),
])
def test_weak_passwords_are_refused(db, password, why):
    from django.contrib.auth import get_user_model

    user = get_user_model()(username="jdoe", first_name="Jane", last_name="Ashworth")
    with pytest.raises(ValidationError) as refused:
        validate_password(password, user)
    words = " ".join(refused.value.messages).lower()
    assert {"sendtrust": "sendtrust", "name": "name", "short": "too short"}[why] in words


def test_a_good_password_is_accepted(db):
    from django.contrib.auth import get_user_model

    user = get_user_model()(username="jdoe", first_name="Jane", last_name="Ashworth")
    validate_password("Harbour-Lantern-Otter-38", user)


# ----------------------------------------------------------------------- lock-outs, proxies


def sign_in(client, username, password, address):
    return client.post("/login/", {"username": username, "password": password},
                       REMOTE_ADDR=address)


@pytest.fixture
def axes_on(settings):
    settings.AXES_ENABLED = True
    settings.AXES_FAILURE_LIMIT = 5
    settings.AXES_ADDRESS_FAILURE_LIMIT = 30


def test_an_account_locks_after_failures_from_many_addresses(client, cast, axes_on):
    for n in range(5):
        sign_in(client, "senco_a", "wrong-password", f"198.51.100.{n + 1}")
    locked = sign_in(client, "senco_a", PASSWORD, "198.51.100.77")
    assert locked.status_code == 429


def test_spreading_guesses_over_many_accounts_locks_the_address(client, cast, axes_on):
    names = ["send_leader", "executive", "trustee", "headteacher_a", "senco_a", "senco_b",
             "teacher_a", "ta_a"]
    for name in names:  # 4 guesses each: no single account reaches its limit of 5
        for _ in range(4):
            sign_in(client, name, "wrong-password", "203.0.113.9")
    assert sign_in(client, "parent_a1", PASSWORD, "203.0.113.9").status_code == 429
    # Another address is not affected, and neither is any account's own count.
    assert sign_in(client, "parent_a1", PASSWORD, "203.0.113.10").status_code == 302


@override_settings(TRUSTED_PROXIES=["10.0.0.5"])
def test_forwarded_for_is_believed_only_from_a_trusted_proxy(cast):
    from django.test import Client

    client = Client()
    # Through the trusted proxy: the client is the right-most untrusted hop, not what the
    # client wrote at the left.
    client.post("/login/", {"username": "senco_a", "password": PASSWORD}, REMOTE_ADDR="10.0.0.5",
                HTTP_X_FORWARDED_FOR="1.2.3.4, 192.0.2.44")
    entry = AuditEntry.objects.filter(action="auth.signed_in").latest("id")
    assert entry.ip_address == "192.0.2.44"
    # Straight from a client: its header is ignored.
    other = Client()
    other.post("/login/", {"username": "senco_b", "password": PASSWORD}, REMOTE_ADDR="192.0.2.99",
               HTTP_X_FORWARDED_FOR="10.9.9.9")
    entry = AuditEntry.objects.filter(action="auth.signed_in").latest("id")
    assert entry.ip_address == "192.0.2.99"


# ---------------------------------------------------------------------------------- headers


def test_pages_with_a_childs_data_are_not_cached_and_carry_security_headers(client, cast):
    client.force_login(cast.users["senco_a"])
    page = client.get(f"/pupils/{cast.pupil_a1.code}/")
    assert page.status_code == 200
    assert "no-store" in page["Cache-Control"]
    assert "camera=()" in page["Permissions-Policy"]
    csp = page["Content-Security-Policy"]
    assert "default-src 'self'" in csp and "frame-ancestors 'none'" in csp
    assert "unsafe-inline" not in csp.split("script-src", 1)[1].split(";", 1)[0]


def test_the_api_docs_are_for_signed_in_users_and_load_nothing_from_a_cdn(client, cast):
    assert client.get("/api/v1/docs").status_code == 302
    client.force_login(cast.users["senco_a"])
    docs = client.get("/api/v1/docs").content.decode()
    assert "swagger-ui-bundle.js" in docs
    assert "cdn." not in docs and "unpkg" not in docs and "jsdelivr" not in docs


# ------------------------------------------------------------------------------- API limits


def test_a_page_larger_than_the_cap_is_refused_with_a_message(client, cast, settings):
    client.force_login(cast.users["send_leader"])
    r = client.get("/api/v1/pupils?limit=5000")
    assert r.status_code == 422
    assert "limit" in r.content.decode()


@pytest.mark.parametrize("query", ["offset=1000000000000000000000", "limit=99999999999999999999",
                                   "offset=-1", "limit=0"])
def test_absurd_limits_and_offsets_are_422_not_500(client, cast, query):
    client.force_login(cast.users["send_leader"])
    assert client.get(f"/api/v1/pupils?{query}").status_code == 422


def test_list_reads_are_audited_with_their_size(client, cast):
    client.force_login(cast.users["send_leader"])
    body = client.get("/api/v1/pupils?limit=2").json()
    entry = AuditEntry.objects.filter(action="api.pupils.listed").latest("id")
    assert entry.detail["rows"] == len(body["items"]) == 2
    assert entry.detail["total"] == body["count"] == 3  # the three pupils of trust A


# ---------------------------------------------------------------------------------- audit


def test_sign_ins_and_failures_are_audited(cast):
    client = Client()
    client.post("/login/", {"username": "senco_a", "password": "not-it"})
    failed = AuditEntry.objects.filter(action="auth.sign_in_failed").latest("id")
    assert failed.detail["username_tried"] == "senco_a"
    assert "not-it" not in str(failed.detail)
    client.post("/login/", {"username": "senco_a", "password": PASSWORD})
    assert AuditEntry.objects.filter(action="auth.signed_in", username="senco_a").exists()


def test_refused_requests_are_audited(client, cast):
    client.force_login(cast.users["teacher_a"])
    assert client.get(f"/pupils/{cast.pupil_a2.code}/").status_code == 403
    assert client.get(f"/pupils/{cast.other_pupil.code}/").status_code == 404
    refused = AuditEntry.objects.filter(action="access.refused", username="teacher_a")
    assert sorted(e.detail["status"] for e in refused) == [403, 404]
    assert {e.detail["path"] for e in refused} == {
        f"/pupils/{cast.pupil_a2.code}/", f"/pupils/{cast.other_pupil.code}/"}


def test_the_demo_command_refuses_a_weak_password(db):
    from django.core.management import CommandError, call_command

    from sendtrust.organisations.models import Trust

    with pytest.raises(CommandError, match="--password: .*too short"):
        call_command("demo_trust", "--schools", "1", "--pupils", "10", "--password", "a",
                     "--quiet")
    assert not Trust.objects.exists()
