"""The one path that changes audit entries is narrow: it works for the application's limited
database role on PostgreSQL (which cannot UPDATE the log itself), and on SQLite it leaves the
log's triggers exactly as they were."""

import os
import uuid

import pytest
from django.core.management import call_command
from django.db import connection

from sendtrust.access.audit import log_action
from sendtrust.access.models import AuditEntry
from sendtrust.people import redaction


def _triggers():
    with connection.cursor() as cur:
        cur.execute("SELECT name, sql FROM sqlite_master WHERE type = 'trigger' "
                    "AND tbl_name = 'access_auditentry' ORDER BY name")
        return cur.fetchall()


def test_redaction_is_open_to_the_app_role_and_nothing_else(transactional_db, monkeypatch):
    code = uuid.uuid4()
    entry = _entry_for(code)
    other = log_action(None, "pupil.record.viewed", object_repr="Ben Beech")
    if connection.vendor == "sqlite":
        before = _triggers()
        assert before, "the audit log's SQLite triggers are missing"
        assert redaction.redact_pupil(code, "Anonymised pupil", ["Ada Ash"]) == 1
        assert _triggers() == before
        entry.refresh_from_db()
        assert (entry.object_repr, entry.detail) == ("Anonymised pupil", {"note": "[removed]"})
        other.refresh_from_db()
        assert other.object_repr == "Ben Beech"
        return
    import psycopg

    role = f"sendtrust_app_r{os.getpid()}"
    monkeypatch.setenv("APP_DB_PASSWORD", "app-role-test-password")
    call_command("grant_app_role", role)
    db = connection.settings_dict
    try:
        with connection.cursor() as cur:
            # What grant_app_role must add for erasure (see the report to the lead).
            cur.execute("GRANT EXECUTE ON FUNCTION people_redact_audit(uuid, text, text[]) "
                        f"TO {role}")
        with psycopg.connect(host=db["HOST"] or "127.0.0.1", port=db["PORT"] or 5432,
                             dbname=db["NAME"], user=role, password="app-role-test-password",
                             autocommit=True) as app:
            cur = app.cursor()
            with pytest.raises(psycopg.errors.InsufficientPrivilege):
                cur.execute("UPDATE access_auditentry SET object_repr = 'x'")
            cur.execute("SELECT people_redact_audit(%s, %s, %s)",
                        [code, "Anonymised pupil", ["Ada Ash"]])
            assert cur.fetchone()[0] == 1
            # The triggers are back on: the role still cannot rewrite anything.
            with pytest.raises(psycopg.errors.InsufficientPrivilege):
                cur.execute("DELETE FROM access_auditentry")
        entry.refresh_from_db()
        assert (entry.object_repr, entry.detail) == ("Anonymised pupil", {"note": "[removed]"})
        with connection.cursor() as cur:
            cur.execute("SELECT count(*) FROM pg_trigger WHERE tgrelid = "
                        "'access_auditentry'::regclass AND NOT tgisinternal AND tgenabled = 'D'")
            assert cur.fetchone()[0] == 0
    finally:
        with connection.cursor() as cursor:
            cursor.execute(f"GRANT {role} TO CURRENT_USER")
            cursor.execute(f"DROP OWNED BY {role}")
            cursor.execute(f"DROP ROLE {role}")


def _entry_for(code):
    """An audit entry about a pupil with this code (written as log_action writes it)."""
    return AuditEntry.objects.create(username="senco_a", action="pupil.record.viewed",
                                     pupil_code=code, object_repr="Ada Ash",
                                     detail={"note": "Ada Ash"})
