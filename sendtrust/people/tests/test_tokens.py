"""API tokens: expire by default, record their last use sparingly, listed and revoked by owner."""

import datetime as dt

import pytest
import time_machine
from django.core.management import call_command
from django.test import Client
from django.utils import timezone

from sendtrust.access.models import ApiToken, AuditEntry
from sendtrust.people.refs import ref_for
from sendtrust.people.testing import signed_in
from sendtrust.testing import PASSWORD

pytestmark = pytest.mark.django_db


def api(client, key):
    """A read by a program: the token alone, no browser session."""
    return Client().get("/api/v1/schools", HTTP_AUTHORIZATION=f"Bearer {key}")


def test_a_token_expires_after_thirty_days_by_default(client, cast):
    with time_machine.travel("2026-01-01 09:00 +0000", tick=False):
        token, key = ApiToken.issue(cast.users["senco_a"], "script")
        assert token.expires == timezone.now() + dt.timedelta(days=30)
        assert api(client, key).status_code == 200
    with time_machine.travel("2026-01-31 09:01 +0000", tick=False):
        assert api(client, key).status_code == 401


def test_last_used_is_written_at_most_once_a_minute(client, cast):
    token, key = ApiToken.issue(cast.users["senco_a"], "script")
    with time_machine.travel("2026-01-01 09:00:00 +0000", tick=False):
        api(client, key)
        token.refresh_from_db()
        first = token.last_used
        assert first == timezone.now()
    with time_machine.travel("2026-01-01 09:00:30 +0000", tick=False):
        api(client, key)
        token.refresh_from_db()
        assert token.last_used == first
    with time_machine.travel("2026-01-01 09:01:05 +0000", tick=False):
        api(client, key)
        token.refresh_from_db()
        assert token.last_used == timezone.now()


def test_a_person_lists_and_revokes_only_their_own_tokens(client, cast):
    mine, key = ApiToken.issue(cast.users["senco_a"], "my script")
    theirs, _ = ApiToken.issue(cast.users["senco_b"], "their script")
    signed_in(client, cast.users["senco_a"])
    page = client.get("/account/tokens/").content.decode()
    assert "my script" in page and "their script" not in page
    assert client.post(f"/account/tokens/{ref_for('token', theirs.pk)}/revoke/").status_code == 404
    assert ApiToken.objects.filter(pk=theirs.pk).exists()
    response = client.post(f"/account/tokens/{ref_for('token', mine.pk)}/revoke/")
    assert response["Location"] == "/account/tokens/"
    assert not ApiToken.objects.filter(pk=mine.pk).exists()
    assert api(client, key).status_code == 401
    assert AuditEntry.objects.filter(action="api_token.revoked", username="senco_a").exists()


def test_making_a_token_asks_for_the_password_and_shows_the_key_once(client, cast):
    signed_in(client, cast.users["senco_a"], recent=False)
    response = client.post("/account/tokens/new/", {"name": "nightly", "days": "7"})
    assert "Confirm it is you" in response.content.decode()
    assert not ApiToken.objects.exists()
    response = client.post("/account/tokens/new/", {
        "name": "nightly", "days": "7", "reauth-password": PASSWORD})
    key = response.context["key"]
    assert key.startswith("st_") and "no-store" in response["Cache-Control"]
    token = ApiToken.objects.get()
    assert token.expires.date() == (timezone.now() + dt.timedelta(days=7)).date()
    assert api(client, key).status_code == 200
    assert key not in client.get("/account/tokens/").content.decode()


def test_issue_token_command_refuses_tokens_that_never_expire(cast, capsys):
    from django.core.management.base import CommandError

    with pytest.raises(CommandError):
        call_command("issue_token", "senco_a", "--days", "0")
    call_command("issue_token", "senco_a")
    token = ApiToken.objects.get()
    assert (token.expires - token.created).days == 30
    assert AuditEntry.objects.filter(action="api_token.issued").exists()
