from django.db import migrations

# The database itself refuses to rewrite the audit log, whatever path a change takes (raw SQL,
# a shell, a bug). PostgreSQL: 0002's row trigger refuses UPDATE and DELETE; this adds a
# statement trigger for TRUNCATE. The application should also run as a role that may only
# INSERT and SELECT there (see `manage.py grant_app_role`): such a role cannot disable a
# trigger or truncate, which only the table's owner can. SQLite: the same refusals as triggers
# (SQLite has no roles: whoever can write the file can still drop a trigger; the README says
# to use PostgreSQL where that matters).
PG_FORWARD = """
CREATE TRIGGER access_auditentry_no_truncate
    BEFORE TRUNCATE ON access_auditentry
    FOR EACH STATEMENT EXECUTE FUNCTION access_auditentry_append_only();
"""
PG_BACKWARD = "DROP TRIGGER IF EXISTS access_auditentry_no_truncate ON access_auditentry;"
SQLITE_FORWARD = [
    """CREATE TRIGGER access_auditentry_no_update BEFORE UPDATE ON access_auditentry
       BEGIN SELECT RAISE(ABORT, 'The audit log is append-only'); END;""",
    """CREATE TRIGGER access_auditentry_no_delete BEFORE DELETE ON access_auditentry
       BEGIN SELECT RAISE(ABORT, 'The audit log is append-only'); END;""",
]
SQLITE_BACKWARD = [
    "DROP TRIGGER IF EXISTS access_auditentry_no_update;",
    "DROP TRIGGER IF EXISTS access_auditentry_no_delete;",
]


def forward(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        schema_editor.execute(PG_FORWARD)
    elif vendor == "sqlite":
        for statement in SQLITE_FORWARD:
            schema_editor.execute(statement)


def backward(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        schema_editor.execute(PG_BACKWARD)
    elif vendor == "sqlite":
        for statement in SQLITE_BACKWARD:
            schema_editor.execute(statement)


class Migration(migrations.Migration):
    dependencies = [("access", "0002_append_only_trigger")]
    operations = [migrations.RunPython(forward, backward)]
