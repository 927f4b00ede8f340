"""Back up and restore the database: SQLite through its online backup API, PostgreSQL through
pg_dump and pg_restore (custom format). Used by `manage.py backup` and `manage.py restore`.
"""

from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
from pathlib import Path

import dj_database_url
from django.conf import settings


class BackupError(Exception):
    pass


def database_config(url: str | None) -> dict:
    return dj_database_url.parse(url) if url else dict(settings.DATABASES["default"])


def _vendor(config: dict) -> str:
    engine = config["ENGINE"]
    if engine.endswith("sqlite3"):
        return "sqlite"
    if "postgresql" in engine:
        return "postgresql"
    raise BackupError(f"no backup for the database engine {engine}")


def _sqlite_path(config: dict) -> str:
    name = str(config["NAME"])
    if name in ("", ":memory:") or name.startswith("file:"):
        raise BackupError("this SQLite database lives in memory; give a database file")
    return name


def _pg_env(config: dict) -> dict:
    env = dict(os.environ)
    env.update({
        "PGHOST": config.get("HOST") or "127.0.0.1",
        "PGPORT": str(config.get("PORT") or 5432),
        "PGUSER": config.get("USER") or "",
        "PGPASSWORD": config.get("PASSWORD") or "",
        "PGDATABASE": config["NAME"],
    })
    return env


def _tool(name: str) -> str:
    found = shutil.which(name)
    if found is None:
        raise BackupError(f"{name} is not installed (Debian: apt-get install postgresql-client)")
    return found


def backup(target: Path, *, url: str | None = None, connection=None) -> Path:
    """Write a consistent copy of the database to target while it stays in use."""
    config = database_config(url)
    target.parent.mkdir(parents=True, exist_ok=True)
    if _vendor(config) == "sqlite":
        dest = sqlite3.connect(target)
        try:
            if connection is not None:  # the live Django connection (also an in-memory one)
                connection.ensure_connection()
                connection.connection.backup(dest)
            else:
                source = sqlite3.connect(_sqlite_path(config))
                with source:
                    source.backup(dest)
                source.close()
        finally:
            dest.close()
        return target
    run = subprocess.run([_tool("pg_dump"), "--format=custom", "--no-owner", "--file", str(target)],
                         env=_pg_env(config), capture_output=True, text=True)
    if run.returncode:
        raise BackupError(f"pg_dump failed: {run.stderr.strip()}")
    return target


def table_rows(config: dict) -> dict[str, int]:
    """Rows per table of a database (empty tables included)."""
    if _vendor(config) == "sqlite":
        with sqlite3.connect(_sqlite_path(config)) as db:
            names = [r[0] for r in db.execute(
                "SELECT name FROM sqlite_master WHERE type='table' AND name NOT LIKE 'sqlite_%'")]
            return {n: db.execute(f'SELECT count(*) FROM "{n}"').fetchone()[0] for n in names}
    import psycopg

    env = _pg_env(config)
    with psycopg.connect(host=env["PGHOST"], port=env["PGPORT"], user=env["PGUSER"],
                         password=env["PGPASSWORD"], dbname=env["PGDATABASE"]) as db:
        names = [r[0] for r in db.execute(
            "SELECT tablename FROM pg_tables WHERE schemaname = 'public'")]
        return {n: db.execute(f'SELECT count(*) FROM "{n}"').fetchone()[0] for n in names}


def restore(source: Path, *, url: str | None = None, force: bool = False) -> dict[str, int]:
    """Restore a backup into the database; refuse one that holds data unless force."""
    if not source.is_file():
        raise BackupError(f"no backup file at {source}")
    config = database_config(url)
    rows = table_rows(config)
    held = {t: n for t, n in rows.items() if n}
    if held and not force:
        raise BackupError(
            f"the database already holds data ({sum(held.values()):,} rows in {len(held)} "
            f"tables); restore into an empty database, or pass --force to replace it")
    if _vendor(config) == "sqlite":
        src = sqlite3.connect(source)
        dest = sqlite3.connect(_sqlite_path(config))
        try:
            with src:
                src.backup(dest)
        finally:
            src.close()
            dest.close()
    else:
        args = [_tool("pg_restore"), "--no-owner", "--single-transaction", "--exit-on-error",
                "--dbname", config["NAME"]]
        if force:
            args += ["--clean", "--if-exists"]
        run = subprocess.run([*args, str(source)], env=_pg_env(config), capture_output=True,
                             text=True)
        if run.returncode:
            raise BackupError(f"pg_restore failed: {run.stderr.strip()}")
    return table_rows(config)


