"""Create (or update) the PostgreSQL role the application runs as, with the least it needs.

Run as the database owner, after `migrate`:

    DATABASE_URL=postgres://OWNER@HOST/DB .venv/bin/python manage.py grant_app_role sendtrust_app

then run the app servers with DATABASE_URL naming that role. The role may read and write every
table except the audit log, where it may only INSERT and SELECT: it cannot UPDATE, DELETE or
TRUNCATE an entry, and, not owning the table, cannot disable its triggers or drop it.
"""

import os
import re

from django.core.management.base import BaseCommand, CommandError
from django.db import connection, transaction

from sendtrust.access.models import AuditEntry

ROLE_NAME = re.compile(r"^[a-z_][a-z0-9_]{0,62}$")


def grant_statements(role: str, database: str, audit_table: str) -> list[str]:
    return [
        f'GRANT CONNECT ON DATABASE "{database}" TO {role}',
        f"GRANT USAGE ON SCHEMA public TO {role}",
        f"GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO {role}",
        f"GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO {role}",
        f"REVOKE UPDATE, DELETE, TRUNCATE, REFERENCES, TRIGGER ON {audit_table} FROM {role}",
        f"ALTER DEFAULT PRIVILEGES IN SCHEMA public "
        f"GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO {role}",
        f"ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT USAGE, SELECT ON SEQUENCES TO {role}",
    ]


class Command(BaseCommand):
    help = "Create the PostgreSQL role the app runs as: the audit log is INSERT and SELECT only."

    def add_arguments(self, parser):
        parser.add_argument("role", help="Role name, e.g. sendtrust_app")
        parser.add_argument(
            "--password-env", default="APP_DB_PASSWORD",
            help="Environment variable holding the role's password (default APP_DB_PASSWORD); "
                 "when unset, an existing role keeps its password and a new one gets none.",
        )

    def handle(self, *, role, password_env, **options):
        if connection.vendor != "postgresql":
            raise CommandError("grant_app_role is for PostgreSQL; SQLite has no roles.")
        if not ROLE_NAME.match(role):
            raise CommandError(f"{role!r} is not a plain role name (a-z, 0-9, _).")
        password = os.environ.get(password_env)
        database = connection.settings_dict["NAME"]
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute("SELECT 1 FROM pg_roles WHERE rolname = %s", [role])
            if cursor.fetchone() is None:
                cursor.execute(f"CREATE ROLE {role} LOGIN NOINHERIT")
            if password is not None:
                cursor.execute(f"ALTER ROLE {role} PASSWORD %s", [password])
            for statement in grant_statements(role, database, AuditEntry._meta.db_table):
                cursor.execute(statement)
            # The one narrow path by which an anonymised pupil's name leaves the log
            # (sendtrust/people/redaction.py): a function that runs as the table's owner.
            cursor.execute("SELECT 1 FROM pg_proc WHERE proname = 'people_redact_audit'")
            if cursor.fetchone() is not None:
                cursor.execute("GRANT EXECUTE ON FUNCTION "
                               f"people_redact_audit(uuid, text, text[]) TO {role}")
        self.stdout.write(f"Role {role} may read and write sendtrust's tables, and only INSERT "
                          f"and SELECT on the audit log.")
