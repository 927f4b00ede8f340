"""The application's database role may only INSERT and SELECT on the audit log.

On PostgreSQL, grant_app_role makes a role and a connection as it is refused every way of
rewriting the log. SQLite has no roles: there the command must refuse and say so (the SQLite
triggers are tested in test_policy.py). The suite runs on both, so both branches are exercised.
"""

import os

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection

from sendtrust.access.audit import log_action

REWRITES = (
    "UPDATE access_auditentry SET action = 'rewritten'",
    "DELETE FROM access_auditentry",
    "TRUNCATE access_auditentry",
    "ALTER TABLE access_auditentry DISABLE TRIGGER ALL",
    "DROP TABLE access_auditentry",
)


def test_the_app_role_appends_and_reads_but_cannot_rewrite_the_log(transactional_db, monkeypatch):
    if connection.vendor == "sqlite":
        with pytest.raises(CommandError, match="SQLite has no roles"):
            call_command("grant_app_role", "sendtrust_app")
        return
    import psycopg

    role = f"sendtrust_app_t{os.getpid()}"
    monkeypatch.setenv("APP_DB_PASSWORD", "app-role-test-password")
    call_command("grant_app_role", role)
    db = connection.settings_dict
    log_action(None, "pupil.record.viewed", object_repr="before")
    try:
        with psycopg.connect(host=db["HOST"] or "127.0.0.1", port=db["PORT"] or 5432,
                             dbname=db["NAME"], user=role, password="app-role-test-password",
                             autocommit=True) as app:
            cur = app.cursor()
            cur.execute("INSERT INTO access_auditentry (at, username, action, object_repr, "
                        "user_agent, detail) VALUES (now(), 'app', 'x.y', '', '', '{}')")
            for statement in REWRITES:
                with pytest.raises(psycopg.errors.InsufficientPrivilege):
                    cur.execute(statement)
            cur.execute("SELECT count(*) FROM access_auditentry")
            assert cur.fetchone()[0] == 2
            # Everything else the app needs, it may do.
            cur.execute("UPDATE organisations_trust SET name = name")
            cur.execute("SELECT count(*) FROM pupils_pupil")
    finally:
        with connection.cursor() as cursor:
            cursor.execute(f"GRANT {role} TO CURRENT_USER")  # needed to drop what it holds
            cursor.execute(f"DROP OWNED BY {role}")
            cursor.execute(f"DROP ROLE {role}")
