"""Health endpoint, structured request logs, and the backup and restore round trip."""

import json
import logging
import os
import sqlite3
import subprocess
import sys
import uuid

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection

from sendtrust.access.audit import log_action
from sendtrust.ops import health


def test_health_is_ok_when_the_database_answers_and_is_migrated(client, db):
    r = client.get("/health/")
    assert r.status_code == 200
    body = r.json()
    assert body["status"] == "ok" and body["checks"]["migrations"] == "all applied"
    assert "no-cache" in r["Cache-Control"] or "max-age=0" in r["Cache-Control"]


def test_health_fails_with_a_reason_when_migrations_are_pending(client, db, monkeypatch):
    monkeypatch.setattr(health, "_migrations", lambda: (False, "1 migration(s) not applied: x.y"))
    r = client.get("/health/")
    assert r.status_code == 503
    body = r.json()
    assert body["status"] == "failing"
    assert body["checks"]["migrations"] == "1 migration(s) not applied: x.y"


def test_health_fails_when_the_database_does_not_answer(client, db, monkeypatch):
    class Unreachable:
        def cursor(self):
            raise OSError("connection refused")

    monkeypatch.setattr(health, "connections", {"default": Unreachable()})
    r = client.get("/health/")
    assert r.status_code == 503
    assert r.json()["checks"] == {"database": "database unreachable: OSError"}


def test_each_request_logs_one_line_with_ids_and_no_pupil(client, cast, caplog):
    client.force_login(cast.users["senco_a"])
    with caplog.at_level(logging.INFO, logger="sendtrust.request"):
        r = client.get(f"/pupils/{cast.pupil_a1.code}/", HTTP_X_REQUEST_ID="abc123def456")
    lines = [json.loads(rec.message) for rec in caplog.records if rec.name == "sendtrust.request"]
    assert len(lines) == 1
    line = lines[0]
    assert line["request_id"] == "abc123def456" == r["X-Request-ID"]
    assert line["user_id"] == cast.users["senco_a"].pk and line["status"] == 200
    assert line["route"] == "pupils/<uuid:code>/"
    # The CPU the worker spent on it: a number, never more than the time it took (one thread).
    assert isinstance(line["cpu_ms"], float) and 0 <= line["cpu_ms"] <= line["ms"] + 1
    text = json.dumps(line)
    assert str(cast.pupil_a1.code) not in text and cast.pupil_a1.surname not in text


# ------------------------------------------------------------------------------ backups


def _text(value):
    """A cell as text, the same whichever driver read it (bools, datetimes, JSON)."""
    if value is None:
        return None
    if isinstance(value, bool):
        return str(int(value))
    if isinstance(value, str) and value[:1] in "[{":
        try:
            value = json.loads(value)
        except ValueError:
            return value
    if isinstance(value, list | dict):
        return json.dumps(value, sort_keys=True, separators=(",", ":"))
    return str(value)


def _rows(cursor, tables):
    out = {}
    for table in tables:
        cursor.execute(f'SELECT * FROM "{table}"')
        # As text, so that a driver's types (datetime or string) do not differ by connection.
        out[table] = sorted(repr(tuple(_text(v) for v in row)) for row in cursor.fetchall())
    return out


def test_backup_and_restore_round_trip(transactional_db, tmp_path):
    """Restore into an empty database and compare every table, row by row."""
    from sendtrust.pupils.models import NeedType
    from sendtrust.pupils.taxonomy import load_taxonomy
    from sendtrust.testing import build_cast

    # A transactional test starts from a flushed database: put back what migrations load.
    load_taxonomy(NeedType)
    cast = build_cast()
    log_action(None, "pupil.record.viewed", user=cast.users["senco_a"], pupil=cast.pupil_a1)
    tables = connection.introspection.table_names()
    with connection.cursor() as cursor:
        before = _rows(cursor, tables)
    assert before["pupils_pupil"] and before["access_auditentry"]
    dump = tmp_path / "backup.bin"
    call_command("backup", str(dump))
    if connection.vendor == "sqlite":
        target = tmp_path / "restored.sqlite3"
        call_command("restore", str(dump), database_url=f"sqlite:///{target}")
        with sqlite3.connect(target) as restored:
            after = _rows(restored.cursor(), tables)
        # Restoring over a database that holds data is refused without --force.
        with pytest.raises(CommandError, match="already holds data"):
            call_command("restore", str(dump), database_url=f"sqlite:///{target}")
        call_command("restore", str(dump), database_url=f"sqlite:///{target}", force=True)
    else:
        import psycopg

        db = connection.settings_dict
        name = f"sendtrust_restore_{uuid.uuid4().hex[:8]}"
        with connection.cursor() as cursor:
            cursor.execute(f'CREATE DATABASE "{name}"')
        url = (f"postgres://{db['USER']}:{db['PASSWORD']}@{db['HOST'] or '127.0.0.1'}:"
               f"{db['PORT'] or 5432}/{name}")
        try:
            call_command("restore", str(dump), database_url=url)
            with psycopg.connect(url) as restored:
                after = _rows(restored.cursor(), tables)
            with pytest.raises(CommandError, match="already holds data"):
                call_command("restore", str(dump), database_url=url)
        finally:
            with connection.cursor() as cursor:
                cursor.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    assert after == before


def test_restore_names_a_missing_file(db, tmp_path):
    with pytest.raises(CommandError, match="no backup file"):
        call_command("restore", str(tmp_path / "nothing.bin"),
                     database_url=f"sqlite:///{tmp_path / 'x.sqlite3'}")


@pytest.mark.dbfree
def test_gunicorn_serves_static_files_and_the_health_endpoint(tmp_path):
    """The production server as `make serve` runs it: gunicorn + WhiteNoise, DEBUG off."""
    import socket
    import time
    import urllib.request

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    db = tmp_path / "serve.sqlite3"
    env = {**os.environ, "DEBUG": "0", "SECRET_KEY": "gunicorn-test-key-" + uuid.uuid4().hex,
           "DATABASE_URL": f"sqlite:///{db}", "COLLECTED_STATIC": "1",
           "STATIC_ROOT": str(tmp_path / "static"), "BIND": f"127.0.0.1:{port}",
           "WEB_CONCURRENCY": "1"}
    manage = [sys.executable, "manage.py"]
    for args in (["migrate", "--verbosity", "0"],
                 ["collectstatic", "--noinput", "--verbosity", "0"]):
        subprocess.run(manage + args, env=env, check=True, capture_output=True, timeout=300)
    server = subprocess.Popen([sys.executable, "-m", "gunicorn", "sendtrust.wsgi:application",
                               "-c", "gunicorn.conf.py"], env=env, stdout=subprocess.PIPE,
                              stderr=subprocess.STDOUT)
    try:
        base = f"http://127.0.0.1:{port}"
        for _ in range(300):
            try:
                health_body = urllib.request.urlopen(f"{base}/health/", timeout=2).read()
                break
            except OSError:
                time.sleep(0.2)
        else:
            out = server.stdout.read1(20_000).decode() if server.poll() is not None else ""
            raise AssertionError(f"gunicorn did not answer within 60 s: {out}")
        assert json.loads(health_body)["status"] == "ok"
        css = urllib.request.urlopen(f"{base}/static/css/sendtrust.css", timeout=5)
        assert css.status == 200 and b"{" in css.read()
    finally:
        server.terminate()
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()


def test_an_upload_over_the_limit_is_refused_naming_the_limit(client, cast, settings):
    settings.MAX_UPLOAD_MB = 1
    client.force_login(cast.users["senco_a"])
    big = b"x" * (1024 * 1024 + 10)
    r = client.post(f"/schools/{cast.school_a.code}/import/", data=big,
                    content_type="application/octet-stream")
    assert r.status_code == 413
    assert "up to 1 MB" in r.content.decode()
