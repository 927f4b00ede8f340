# Each pupil's enrolments in brief (count, first day, last day), kept by the database: whether
# a pupil is on roll is then read from the pupil_school_status index, not one probe of the
# enrolments per pupil (issue 15). Filled here for existing pupils; from then on the triggers
# below keep it after every INSERT, UPDATE and DELETE of an enrolment, whoever writes it.
# SQLite drops a table's triggers with the table: a later migration that makes SQLite rebuild
# pupils_enrolment must create them again (test_enrolment_summary fails if it does not).

from django.db import migrations, models

# The summary of one pupil's enrolments; {p} is the pupil row's id. enrolled_until is None
# while an enrolment is open (or when there is none: enrolment_count 0 says so).
SUMMARY = {
    "enrolment_count": "(SELECT COUNT(*) FROM pupils_enrolment e WHERE e.pupil_id = {p})",
    "enrolled_from": "(SELECT MIN(e.starts_on) FROM pupils_enrolment e WHERE e.pupil_id = {p})",
    "enrolled_until": ("(SELECT CASE WHEN COUNT(*) = COUNT(e.ends_on) THEN MAX(e.ends_on) END"
                       " FROM pupils_enrolment e WHERE e.pupil_id = {p})"),
}


def _set(p: str) -> str:
    return ", ".join(f"{column} = {sql.format(p=p)}" for column, sql in SUMMARY.items())


FILL = f"UPDATE pupils_pupil SET {_set('pupils_pupil.id')}"

# SQLite triggers run once per row: after an insert, update or delete, the pupil's enrolments
# are counted again (about 0.7 s more per 100,000 enrolments inserted).
SQLITE_TRIGGERS = [
    f"""CREATE TRIGGER pupils_enrolment_summary_insert AFTER INSERT ON pupils_enrolment
BEGIN UPDATE pupils_pupil SET {_set('pupils_pupil.id')} WHERE id = NEW.pupil_id; END""",
    f"""CREATE TRIGGER pupils_enrolment_summary_update
AFTER UPDATE OF pupil_id, starts_on, ends_on ON pupils_enrolment
BEGIN UPDATE pupils_pupil SET {_set('pupils_pupil.id')}
WHERE id IN (OLD.pupil_id, NEW.pupil_id); END""",
    f"""CREATE TRIGGER pupils_enrolment_summary_delete AFTER DELETE ON pupils_enrolment
BEGIN UPDATE pupils_pupil SET {_set('pupils_pupil.id')} WHERE id = OLD.pupil_id; END""",
]
SQLITE_DROP = [f"DROP TRIGGER IF EXISTS pupils_enrolment_summary_{op}"
               for op in ("insert", "update", "delete")]

# PostgreSQL triggers run once per statement, over its transition tables: one UPDATE for the
# pupils of a whole multi-row INSERT (a row trigger made a 100,000-row import ~12x slower).
# A pupil left with no enrolment gets a count of 0 (the LEFT JOIN); a pupil whose summary is
# already right is not written again: an edited destination, or a pupil the import or the demo
# inserted with its summary already filled in. (Writing every new pupil a second time left
# half the pupil table dead until autovacuum came, and the pages slow meanwhile.)
POSTGRES_UPDATE = """
    UPDATE pupils_pupil p SET enrolment_count = s.n, enrolled_from = s.f, enrolled_until = s.u
    FROM (SELECT a.pupil_id, COUNT(e.id) AS n, MIN(e.starts_on) AS f,
                 CASE WHEN COUNT(e.id) = COUNT(e.ends_on) THEN MAX(e.ends_on) END AS u
          FROM (SELECT DISTINCT pupil_id FROM ({affected}) AS changed) AS a
          LEFT JOIN pupils_enrolment e ON e.pupil_id = a.pupil_id
          GROUP BY a.pupil_id) AS s
    WHERE p.id = s.pupil_id
      AND (p.enrolment_count, p.enrolled_from, p.enrolled_until) IS DISTINCT FROM (s.n, s.f, s.u);"""
POSTGRES_AFFECTED = {
    "insert": ("NEW TABLE AS new_rows", "SELECT pupil_id FROM new_rows"),
    "delete": ("OLD TABLE AS old_rows", "SELECT pupil_id FROM old_rows"),
    "update": ("OLD TABLE AS old_rows NEW TABLE AS new_rows",
               "SELECT pupil_id FROM old_rows UNION ALL SELECT pupil_id FROM new_rows"),
}
POSTGRES_TRIGGERS = [
    f"""
CREATE OR REPLACE FUNCTION pupils_enrolment_summary_{op}() RETURNS trigger AS $$
BEGIN{POSTGRES_UPDATE.format(affected=affected)}
    RETURN NULL;
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER pupils_enrolment_summary_{op} AFTER {op.upper()} ON pupils_enrolment
    REFERENCING {tables} FOR EACH STATEMENT EXECUTE FUNCTION pupils_enrolment_summary_{op}();
""" for op, (tables, affected) in POSTGRES_AFFECTED.items()]
POSTGRES_DROP = [f"""
DROP TRIGGER IF EXISTS pupils_enrolment_summary_{op} ON pupils_enrolment;
DROP FUNCTION IF EXISTS pupils_enrolment_summary_{op}();""" for op in POSTGRES_AFFECTED]


def forward(apps, schema_editor):
    schema_editor.execute(FILL)
    postgres = schema_editor.connection.vendor == "postgresql"
    for sql in POSTGRES_TRIGGERS if postgres else SQLITE_TRIGGERS:
        schema_editor.execute(sql)


def backward(apps, schema_editor):
    postgres = schema_editor.connection.vendor == "postgresql"
    for sql in POSTGRES_DROP if postgres else SQLITE_DROP:
        schema_editor.execute(sql)


class Migration(migrations.Migration):

    dependencies = [
        ('organisations', '0002_initial'),
        ('pupils', '0007_enrolment_school_ends'),
    ]

    operations = [
        migrations.RemoveIndex(
            model_name='pupil',
            name='pupil_school_status',
        ),
        migrations.AddField(
            model_name='pupil',
            name='enrolled_from',
            field=models.DateField(blank=True, editable=False, null=True),
        ),
        migrations.AddField(
            model_name='pupil',
            name='enrolled_until',
            field=models.DateField(blank=True, editable=False, null=True),
        ),
        migrations.AddField(
            model_name='pupil',
            name='enrolment_count',
            field=models.PositiveSmallIntegerField(db_default=0, default=0, editable=False),
        ),
        migrations.RunPython(forward, backward),
        migrations.AddIndex(
            model_name='pupil',
            index=models.Index(fields=['school', 'sen_provision', 'primary_need', 'left_on', 'enrolment_count', 'enrolled_from', 'enrolled_until'], name='pupil_school_status'),
        ),
    ]
