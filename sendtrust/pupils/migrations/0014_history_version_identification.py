# A school's history version (0012) also moves when an identification of a pupil enrolled
# there is written: the count of pupils whose identification is recorded is stored with the
# versions (analytics.IdentifiedCount), like the other stored counts.

from django.db import migrations

TABLE = "pupils_historyversion"
BUMP = (f"INSERT INTO {TABLE} (school_id, version) {{select}} "
        f"ON CONFLICT (school_id) DO UPDATE SET version = {TABLE}.version + 1")
SCHOOLS = ("SELECT DISTINCT e.school_id, 1 FROM pupils_enrolment e"
           " WHERE e.pupil_id = {row}.pupil_id")
SQLITE = {"insert": ["NEW"], "update": ["OLD", "NEW"], "delete": ["OLD"]}
SQLITE_TRIGGERS = [
    f"CREATE TRIGGER pupils_identification_history_{op} AFTER {op.upper()} ON "
    f"pupils_identification BEGIN "
    f"{' '.join(BUMP.format(select=SCHOOLS.format(row=r)) + ';' for r in rows)} END"
    for op, rows in SQLITE.items()]
SQLITE_DROP = [f"DROP TRIGGER IF EXISTS pupils_identification_history_{op}" for op in SQLITE]

CHANGED = {"insert": ("NEW TABLE AS new_rows", "SELECT pupil_id FROM new_rows"),
           "delete": ("OLD TABLE AS old_rows", "SELECT pupil_id FROM old_rows"),
           "update": ("OLD TABLE AS old_rows NEW TABLE AS new_rows",
                      "SELECT pupil_id FROM old_rows UNION ALL SELECT pupil_id FROM new_rows")}
POSTGRES_TRIGGERS = [f"""
CREATE OR REPLACE FUNCTION pupils_identification_history_{op}() RETURNS trigger AS $$
BEGIN
    {BUMP.format(select="SELECT DISTINCT e.school_id, 1 FROM pupils_enrolment e WHERE "
                        f"e.pupil_id IN ({changed})")};
    RETURN NULL;
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER pupils_identification_history_{op} AFTER {op.upper()} ON pupils_identification
    REFERENCING {tables} FOR EACH STATEMENT
    EXECUTE FUNCTION pupils_identification_history_{op}();
""" for op, (tables, changed) in CHANGED.items()]
POSTGRES_DROP = [f"""
DROP TRIGGER IF EXISTS pupils_identification_history_{op} ON pupils_identification;
DROP FUNCTION IF EXISTS pupils_identification_history_{op}();""" for op in CHANGED]


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
        ('pupils', '0013_history_version_pupils'),
    ]

    operations = [
        migrations.RunPython(forward, backward),
    ]
