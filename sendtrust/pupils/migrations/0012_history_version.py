# Each school's history version (pupils.HistoryVersion), moved on by triggers after every
# write of an enrolment at the school or of an SEN status of a pupil enrolled there, whoever
# writes it (services, the import's multi-row INSERTs, a shell). The analytics trend stores
# the counts of past census days with the versions they were read at, and rebuilds them only
# when a version has moved (issue 15).
#
# A count is stored with versions read before it is computed, so a write that commits while
# it is computed leaves it stale and unused; never the other way round. The version row of a
# school is locked by a writing transaction until it commits: two transactions writing the
# history of the same school wait for each other at their first write (they mostly wrote the
# same pupils anyway); writes at different schools do not.
#
# SQLite drops a table's triggers with the table: a later migration that makes SQLite rebuild
# pupils_enrolment or pupils_senepisode must create them again (test_history_version fails if
# it does not).

import django.db.models.deletion
from django.db import migrations, models

TABLE = "pupils_historyversion"
BUMP = (f"INSERT INTO {TABLE} (school_id, version) {{select}} "
        f"ON CONFLICT (school_id) DO UPDATE SET version = {TABLE}.version + 1")

# SQLite: one trigger per row. An enrolment moves its school's version (both schools, when
# an update moves it); a status moves the versions of every school the pupil is enrolled at.
ENROLMENT_SCHOOL = "SELECT {row}.school_id, 1 WHERE true"
PUPIL_SCHOOLS = ("SELECT DISTINCT e.school_id, 1 FROM pupils_enrolment e"
                 " WHERE e.pupil_id = {row}.pupil_id")
SQLITE = {
    ("enrolment", "insert", ""): [ENROLMENT_SCHOOL.format(row="NEW")],
    ("enrolment", "update", " OF pupil_id, school_id, starts_on, ends_on"): [
        ENROLMENT_SCHOOL.format(row="OLD"), ENROLMENT_SCHOOL.format(row="NEW")],
    ("enrolment", "delete", ""): [ENROLMENT_SCHOOL.format(row="OLD")],
    ("senepisode", "insert", ""): [PUPIL_SCHOOLS.format(row="NEW")],
    ("senepisode", "update", " OF pupil_id, provision, starts_on, ends_on"): [
        PUPIL_SCHOOLS.format(row="OLD"), PUPIL_SCHOOLS.format(row="NEW")],
    ("senepisode", "delete", ""): [PUPIL_SCHOOLS.format(row="OLD")],
}


def sqlite_triggers() -> list[str]:
    out = []
    for (table, op, columns), selects in SQLITE.items():
        body = " ".join(BUMP.format(select=s) + ";" for s in selects)
        out.append(f"CREATE TRIGGER pupils_{table}_history_{op} AFTER {op.upper()}{columns} "
                   f"ON pupils_{table} BEGIN {body} END")
    return out


SQLITE_DROP = [f"DROP TRIGGER IF EXISTS pupils_{table}_history_{op}"
               for table, op, _ in SQLITE]

# PostgreSQL: one trigger per statement, over its transition tables; each school once.
CHANGED = {"insert": "SELECT pupil_id, school_id FROM new_rows",
           "delete": "SELECT pupil_id, school_id FROM old_rows",
           "update": ("SELECT pupil_id, school_id FROM old_rows"
                      " UNION ALL SELECT pupil_id, school_id FROM new_rows")}
TABLES = {"insert": "NEW TABLE AS new_rows", "delete": "OLD TABLE AS old_rows",
          "update": "OLD TABLE AS old_rows NEW TABLE AS new_rows"}
SCHOOLS = {
    "enrolment": "SELECT DISTINCT school_id, 1 FROM ({changed}) AS c",
    "senepisode": ("SELECT DISTINCT e.school_id, 1 FROM pupils_enrolment e WHERE e.pupil_id IN"
                   " (SELECT pupil_id FROM ({changed}) AS c)"),
}


def postgres_triggers() -> list[str]:
    out = []
    for table, schools in SCHOOLS.items():
        for op, tables in TABLES.items():
            changed = CHANGED[op]
            if table == "senepisode":  # an episode has no school: its pupil's enrolments
                changed = changed.replace(", school_id", "")
            select = schools.format(changed=changed)
            out.append(f"""
CREATE OR REPLACE FUNCTION pupils_{table}_history_{op}() RETURNS trigger AS $$
BEGIN
    {BUMP.format(select=select)};
    RETURN NULL;
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER pupils_{table}_history_{op} AFTER {op.upper()} ON pupils_{table}
    REFERENCING {tables} FOR EACH STATEMENT EXECUTE FUNCTION pupils_{table}_history_{op}();
""")
    return out


POSTGRES_DROP = [f"""
DROP TRIGGER IF EXISTS pupils_{table}_history_{op} ON pupils_{table};
DROP FUNCTION IF EXISTS pupils_{table}_history_{op}();""" for table in SCHOOLS for op in TABLES]


def forward(apps, schema_editor):
    postgres = schema_editor.connection.vendor == "postgresql"
    for sql in postgres_triggers() if postgres else sqlite_triggers():
        schema_editor.execute(sql)


def backward(apps, schema_editor):
    postgres = schema_editor.connection.vendor == "postgresql"
    for sql in POSTGRES_DROP if postgres else SQLITE_DROP:
        schema_editor.execute(sql)


class Migration(migrations.Migration):

    dependencies = [
        ('organisations', '0002_initial'),
        ('pupils', '0011_open_enrolment_school'),
    ]

    operations = [
        migrations.CreateModel(
            name='HistoryVersion',
            fields=[
                ('school', models.OneToOneField(db_constraint=False, on_delete=django.db.models.deletion.CASCADE, primary_key=True, related_name='+', serialize=False, to='organisations.school')),
                ('version', models.BigIntegerField(default=0)),
            ],
        ),
        migrations.RunPython(forward, backward),
    ]
