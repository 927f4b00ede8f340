from django.db import migrations

# The database itself refuses to rewrite the audit log, whatever path a change takes (raw SQL,
# a shell, a bug). PostgreSQL: 0002's trigger refuses UPDATE and DELETE; TRUNCATE (which fires
# no row trigger) is refused by privilege: the application runs as a role that may only INSERT
# and SELECT on this table (`manage.py grant_app_role`), and such a role can neither truncate
# nor disable a trigger, which only the table's owner can. SQLite has no roles: the same
# refusals as triggers guard against every code path, though whoever can write the database
# file can still drop them (the README says to use PostgreSQL where that matters).
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
    if schema_editor.connection.vendor == "sqlite":
        for statement in SQLITE_FORWARD:
            schema_editor.execute(statement)


def backward(apps, schema_editor):
    if schema_editor.connection.vendor == "sqlite":
        for statement in SQLITE_BACKWARD:
            schema_editor.execute(statement)


class Migration(migrations.Migration):
    dependencies = [("access", "0002_append_only_trigger")]
    operations = [migrations.RunPython(forward, backward)]
