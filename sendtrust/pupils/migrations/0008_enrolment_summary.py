# Each pupil's enrolments in brief (count, first day, last day), kept by the database: whether
# a pupil is on roll is then read from the pupil_school_status index, not one probe of the
# enrolments per pupil (issue 15). Filled here for existing pupils; from then on the triggers
# below keep it after every INSERT, UPDATE and DELETE of an enrolment, whoever writes it.

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

POSTGRES_TRIGGER = f"""
CREATE OR REPLACE FUNCTION pupils_enrolment_summary() RETURNS trigger AS $$
DECLARE
    ids bigint[];
BEGIN
    IF TG_OP = 'INSERT' THEN
        ids := ARRAY[NEW.pupil_id];
    ELSIF TG_OP = 'DELETE' THEN
        ids := ARRAY[OLD.pupil_id];
    ELSE
        ids := ARRAY[OLD.pupil_id, NEW.pupil_id];
    END IF;
    UPDATE pupils_pupil p SET {_set('p.id')} WHERE p.id = ANY(ids);
    RETURN NULL;
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER pupils_enrolment_summary
    AFTER INSERT OR DELETE OR UPDATE OF pupil_id, starts_on, ends_on ON pupils_enrolment
    FOR EACH ROW EXECUTE FUNCTION pupils_enrolment_summary();
"""
POSTGRES_DROP = """
DROP TRIGGER IF EXISTS pupils_enrolment_summary ON pupils_enrolment;
DROP FUNCTION IF EXISTS pupils_enrolment_summary();
"""


def forward(apps, schema_editor):
    schema_editor.execute(FILL)
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(POSTGRES_TRIGGER)
    else:
        for sql in SQLITE_TRIGGERS:
            schema_editor.execute(sql)


def backward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(POSTGRES_DROP)
    else:
        for sql in SQLITE_DROP:
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
