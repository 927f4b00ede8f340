import pytest

from sendtrust.access.audit import log_action
from sendtrust.testing import PASSWORD


def test_login_and_logout(client, cast):
    r = client.post("/login/", {"username": "senco_a", "password": PASSWORD})
    assert r.status_code == 302
    assert client.get(f"/schools/{cast.school_a.code}/register/").status_code == 200
    client.post("/logout/")
    assert client.get(f"/schools/{cast.school_a.code}/register/").status_code == 302


def test_wrong_password_is_refused(client, cast):
    r = client.post("/login/", {"username": "senco_a", "password": "nope"})
    assert r.status_code == 200
    body = r.content.decode()
    assert "There is a problem" in body and "correct username and password" in body


def test_repeated_failures_lock_the_account(client, cast, settings):
    settings.AXES_ENABLED = True
    settings.AXES_FAILURE_LIMIT = 3
    for _ in range(3):
        client.post("/login/", {"username": "senco_a", "password": "nope"})
    r = client.post("/login/", {"username": "senco_a", "password": PASSWORD})
    assert r.status_code == 429
    assert "Too many sign-in attempts" in r.content.decode()


def test_a_busy_user_costs_one_session_write_a_minute(client, cast, time_machine):
    import datetime as dt

    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    time_machine.move_to(dt.datetime(2030, 1, 1, 9, 0, tzinfo=dt.UTC))
    client.force_login(cast.users["senco_a"])
    url = f"/schools/{cast.school_a.code}/register/"
    client.get(url)
    with CaptureQueriesContext(connection) as ctx:
        for second in range(1, 50, 10):
            time_machine.move_to(dt.datetime(2030, 1, 1, 9, 0, second, tzinfo=dt.UTC))
            client.get(url)
    writes = [q for q in ctx.captured_queries if "UPDATE" in q["sql"] and "session" in q["sql"]]
    assert writes == []
    time_machine.move_to(dt.datetime(2030, 1, 1, 9, 1, 5, tzinfo=dt.UTC))
    with CaptureQueriesContext(connection) as ctx:
        client.get(url)
    assert any("django_session" in q["sql"] and "UPDATE" in q["sql"]
               for q in ctx.captured_queries)


def test_idle_session_expires(client, cast, time_machine):
    import datetime as dt

    time_machine.move_to(dt.datetime(2030, 1, 1, 9, 0, tzinfo=dt.UTC))
    client.force_login(cast.users["senco_a"])
    url = f"/schools/{cast.school_a.code}/register/"
    time_machine.move_to(dt.datetime(2030, 1, 1, 9, 25, tzinfo=dt.UTC))
    assert client.get(url).status_code == 200  # activity renews the session
    time_machine.move_to(dt.datetime(2030, 1, 1, 9, 50, tzinfo=dt.UTC))
    assert client.get(url).status_code == 200  # 25 idle minutes: still signed in
    time_machine.move_to(dt.datetime(2030, 1, 1, 10, 21, tzinfo=dt.UTC))
    assert client.get(url).status_code == 302  # 31 idle minutes: signed out


def test_passwords_are_stored_as_argon2_hashes(db, settings):
    """With the production hashers (the fixtures swap in a fast one), a saved password is an
    argon2 hash that checks, and the plain text is nowhere in it."""
    from django.contrib.auth import get_user_model

    from sendtrust import settings as production

    settings.PASSWORD_HASHERS = production.PASSWORD_HASHERS
    user = get_user_model().objects.create_user("hashed", password="Tangerine-Lantern-91")
    stored = get_user_model().objects.get(pk=user.pk).password
    assert stored.startswith("argon2$") and "Tangerine" not in stored
    assert user.check_password("Tangerine-Lantern-91") and not user.check_password("wrong")


def test_forms_require_csrf(cast):
    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    client.force_login(cast.users["senco_a"])
    r = client.post(f"/pupils/{cast.pupil_a1.code}/", {"form": "status", "provision": "K"})
    assert r.status_code == 403


def test_audit_log_page_lists_reads(client, cast):
    log_action(None, "pupil.record.viewed", user=cast.users["parent_a1"], pupil=cast.pupil_a1)
    client.force_login(cast.users["send_leader"])
    r = client.get(f"/trusts/{cast.trust.code}/audit/")
    body = r.content.decode()
    assert "parent_a1" in body and "pupil.record.viewed" in body and "Ada Ash" in body


@pytest.mark.django_db
def test_audit_log_is_scoped_to_the_trust(client, cast):
    log_action(None, "pupil.record.viewed", user=cast.users["other_trust_senco"],
               pupil=cast.other_pupil)
    client.force_login(cast.users["send_leader"])
    body = client.get(f"/trusts/{cast.trust.code}/audit/").content.decode()
    assert "other_trust_senco" not in body
