# A school's history version (0012) also moves when a pupil's register entry there changes:
# a pupil added or deleted, or its school, SEN status or primary need written. The per-school
# counts of pupils on roll (analytics.RollCount) are stored with the versions and read from
# the register fields, so that no write to them, by any path, leaves a stored count in use.
#
# SQLite: one trigger per row, for those columns only. PostgreSQL: one per statement; its
# UPDATE trigger cannot name columns (it reads transition tables), so it compares the old and
# new rows and moves the versions of the schools whose pupils' register fields changed. A
# statement that changes none (a name corrected, the enrolment summary kept by 0008/0011)
# moves nothing and locks nothing.

from django.db import migrations

TABLE = "pupils_historyversion"
BUMP = (f"INSERT INTO {TABLE} (school_id, version) {{select}} "
        f"ON CONFLICT (school_id) DO UPDATE SET version = {TABLE}.version + 1")
ROW = "SELECT {row}.school_id, 1 WHERE true"

# An UPDATE OF the columns fires when they are written, changed or not (a whole-row save of
# a corrected name writes them all): WHEN keeps those from moving the version.
SQLITE = {
    ("insert", " ON pupils_pupil"): [ROW.format(row="NEW")],
    ("update", " OF school_id, sen_provision, primary_need_id ON pupils_pupil WHEN"
               " OLD.school_id IS NOT NEW.school_id OR OLD.sen_provision IS NOT"
               " NEW.sen_provision OR OLD.primary_need_id IS NOT NEW.primary_need_id"): [
        ROW.format(row="OLD"), ROW.format(row="NEW")],
    ("delete", " ON pupils_pupil"): [ROW.format(row="OLD")],
}
SQLITE_TRIGGERS = [
    f"CREATE TRIGGER pupils_pupil_history_{op} AFTER {op.upper()}{columns} "
    f"BEGIN {' '.join(BUMP.format(select=s) + ';' for s in selects)} END"
    for (op, columns), selects in SQLITE.items()]
SQLITE_DROP = [f"DROP TRIGGER IF EXISTS pupils_pupil_history_{op}" for op, _ in SQLITE]

POSTGRES_SCHOOLS = {
    "insert": ("NEW TABLE AS new_rows", "SELECT DISTINCT school_id, 1 FROM new_rows"),
    "delete": ("OLD TABLE AS old_rows", "SELECT DISTINCT school_id, 1 FROM old_rows"),
    "update": ("OLD TABLE AS old_rows NEW TABLE AS new_rows", """SELECT DISTINCT s.school_id, 1
        FROM old_rows o JOIN new_rows n ON n.id = o.id
        CROSS JOIN LATERAL (VALUES (o.school_id), (n.school_id)) AS s(school_id)
        WHERE (o.school_id, o.sen_provision, o.primary_need_id)
              IS DISTINCT FROM (n.school_id, n.sen_provision, n.primary_need_id)"""),
}
POSTGRES_TRIGGERS = [f"""
CREATE OR REPLACE FUNCTION pupils_pupil_history_{op}() RETURNS trigger AS $$
BEGIN
    {BUMP.format(select=select)};
    RETURN NULL;
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER pupils_pupil_history_{op} AFTER {op.upper()} ON pupils_pupil
    REFERENCING {tables} FOR EACH STATEMENT EXECUTE FUNCTION pupils_pupil_history_{op}();
""" for op, (tables, select) in POSTGRES_SCHOOLS.items()]
POSTGRES_DROP = [f"""
DROP TRIGGER IF EXISTS pupils_pupil_history_{op} ON pupils_pupil;
DROP FUNCTION IF EXISTS pupils_pupil_history_{op}();""" for op in POSTGRES_SCHOOLS]


def forward(apps, schema_editor):
    postgres = schema_editor.connection.vendor == "postgresql"
    for sql in POSTGRES_TRIGGERS if postgres else SQLITE_TRIGGERS:
        schema_editor.execute(sql)


def backward(apps, schema_editor):
    postgres = schema_editor.connection.vendor == "postgresql"
    for sql in POSTGRES_DROP if postgres else SQLITE_DROP:
        schema_editor.execute(sql)


class Migration(migrations.Migration):

    dependencies = [
        ('pupils', '0012_history_version'),
    ]

    operations = [
        migrations.RunPython(forward, backward),
    ]
