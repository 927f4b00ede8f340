# Each school's history version (pupils.HistoryVersion), moved on by triggers after every
# write of an enrolment at the school, of an SEN status or an identification of a pupil
# enrolled there, or of a pupil's register entry there (added, deleted, or its school, SEN
# status or need changed), whoever writes it (services, the import's multi-row INSERTs, a
# shell). The analytics figures stored with the versions (analytics.CensusCount, RollCount,
# IdentifiedCount) are made again only when a version has moved (issue 15).
#
# A figure is stored with versions read before it is made, so a write that commits while it
# is made leaves it stale and unused; never the other way round. The version row of a school
# is locked by a writing transaction until it commits: two transactions writing the history
# of the same school wait for each other at their first write (they mostly wrote the same
# pupils anyway); writes at different schools do not.
#
# SQLite drops a table's triggers with the table: a later migration that makes SQLite rebuild
# one of these tables must create them again (test_census_counts fails if it does not).

import django.db.models.deletion
from django.db import migrations, models

TABLE = "pupils_historyversion"
BUMP = (f"INSERT INTO {TABLE} (school_id, version) {{select}} "
        f"ON CONFLICT (school_id) DO UPDATE SET version = {TABLE}.version + 1")

# SQLite: one trigger per row, (table, event) -> (the rest of the event clause, the schools
# to move, one SELECT per row image). An enrolment or a pupil moves its own school (both,
# when an update moves it); a status or an identification moves every school its pupil is
# enrolled at. A pupil's UPDATE fires for its register columns only when a value changes (a
# whole-row save of a corrected name writes them all).
OWN_SCHOOL = "SELECT {row}.school_id, 1 WHERE true"
PUPIL_SCHOOLS = ("SELECT DISTINCT e.school_id, 1 FROM pupils_enrolment e"
                 " WHERE e.pupil_id = {row}.pupil_id")
REGISTER_CHANGED = (" WHEN OLD.school_id IS NOT NEW.school_id OR OLD.sen_provision IS NOT"
                    " NEW.sen_provision OR OLD.primary_need_id IS NOT NEW.primary_need_id")
UPDATE_OF = {"enrolment": " OF pupil_id, school_id, starts_on, ends_on",
             "senepisode": " OF pupil_id, provision, starts_on, ends_on",
             "identification": "",
             "pupil": " OF school_id, sen_provision, primary_need_id"}
ROWS = {"insert": ["NEW"], "update": ["OLD", "NEW"], "delete": ["OLD"]}


def sqlite_triggers() -> list[str]:
    out = []
    for table, update_of in UPDATE_OF.items():
        select = OWN_SCHOOL if table in ("enrolment", "pupil") else PUPIL_SCHOOLS
        for op, rows in ROWS.items():
            event = op.upper() + (update_of if op == "update" else "")
            when = REGISTER_CHANGED if table == "pupil" and op == "update" else ""
            body = " ".join(BUMP.format(select=select.format(row=r)) + ";" for r in rows)
            out.append(f"CREATE TRIGGER pupils_{table}_history_{op} AFTER {event} "
                       f"ON pupils_{table}{when} BEGIN {body} END")
    return out


SQLITE_DROP = [f"DROP TRIGGER IF EXISTS pupils_{table}_history_{op}"
               for table in UPDATE_OF for op in ROWS]

# PostgreSQL: one trigger per statement, over its transition tables; each school once. Its
# UPDATE triggers cannot name columns (they read transition tables): the pupil's compares
# the old and new rows, so a statement that changes no register field moves nothing.
TABLES = {"insert": "NEW TABLE AS new_rows", "delete": "OLD TABLE AS old_rows",
          "update": "OLD TABLE AS old_rows NEW TABLE AS new_rows"}
IMAGES = {"insert": ["new_rows"], "delete": ["old_rows"], "update": ["old_rows", "new_rows"]}
PUPIL_UPDATE = """SELECT DISTINCT s.school_id, 1
        FROM old_rows o JOIN new_rows n ON n.id = o.id
        CROSS JOIN LATERAL (VALUES (o.school_id), (n.school_id)) AS s(school_id)
        WHERE (o.school_id, o.sen_provision, o.primary_need_id)
              IS DISTINCT FROM (n.school_id, n.sen_provision, n.primary_need_id)"""


def _postgres_schools(table: str, op: str) -> str:
    if table == "pupil" and op == "update":
        return PUPIL_UPDATE
    if table in ("enrolment", "pupil"):
        changed = " UNION ALL ".join(f"SELECT school_id FROM {i}" for i in IMAGES[op])
        return f"SELECT DISTINCT school_id, 1 FROM ({changed}) AS c"
    changed = " UNION ALL ".join(f"SELECT pupil_id FROM {i}" for i in IMAGES[op])
    return (f"SELECT DISTINCT e.school_id, 1 FROM pupils_enrolment e"
            f" WHERE e.pupil_id IN ({changed})")


def postgres_triggers() -> list[str]:
    return [f"""
CREATE OR REPLACE FUNCTION pupils_{table}_history_{op}() RETURNS trigger AS $$
BEGIN
    {BUMP.format(select=_postgres_schools(table, op))};
    RETURN NULL;
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER pupils_{table}_history_{op} AFTER {op.upper()} ON pupils_{table}
    REFERENCING {tables} FOR EACH STATEMENT EXECUTE FUNCTION pupils_{table}_history_{op}();
""" for table in UPDATE_OF for op, tables in TABLES.items()]


POSTGRES_DROP = [f"""
DROP TRIGGER IF EXISTS pupils_{table}_history_{op} ON pupils_{table};
DROP FUNCTION IF EXISTS pupils_{table}_history_{op}();""" for table in UPDATE_OF for op in TABLES]


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
