# The school of each pupil's open enrolment joins the enrolment summary (migration 0008), so
# that the data-quality check "no current enrolment at the pupil's school" reads only the
# pupils whose summary disagrees with their school (the partial index pupil_enrolment_suspect,
# empty when the records are in order) instead of probing the enrolments of every pupil on
# roll (issue 15). Three more partial indexes hold the only other pupils a data-quality check
# can list: those the register puts on the SEN register or gives a need, those whose open
# status is SEN or has a need, and open statuses by start date (one that starts in the future
# is listed). The triggers of 0008 are replaced by ones that keep the new column too.

from django.db import migrations, models
from django.db.models import Q

OPEN_SCHOOL = ("(SELECT CASE WHEN COUNT(*) = 1 THEN MAX(e.school_id) END FROM pupils_enrolment e"
               " WHERE e.pupil_id = {p} AND e.ends_on IS NULL)")
SUMMARY = {
    "enrolment_count": "(SELECT COUNT(*) FROM pupils_enrolment e WHERE e.pupil_id = {p})",
    "enrolled_from": "(SELECT MIN(e.starts_on) FROM pupils_enrolment e WHERE e.pupil_id = {p})",
    "enrolled_until": ("(SELECT CASE WHEN COUNT(*) = COUNT(e.ends_on) THEN MAX(e.ends_on) END"
                       " FROM pupils_enrolment e WHERE e.pupil_id = {p})"),
    "open_enrolment_school_id": OPEN_SCHOOL,
}
OLD_SUMMARY = {k: v for k, v in SUMMARY.items() if k != "open_enrolment_school_id"}


def _set(p: str, summary: dict) -> str:
    return ", ".join(f"{column} = {sql.format(p=p)}" for column, sql in summary.items())


def sqlite_triggers(summary: dict) -> list[str]:
    s = _set("pupils_pupil.id", summary)
    return [
        f"""CREATE TRIGGER pupils_enrolment_summary_insert AFTER INSERT ON pupils_enrolment
BEGIN UPDATE pupils_pupil SET {s} WHERE id = NEW.pupil_id; END""",
        f"""CREATE TRIGGER pupils_enrolment_summary_update
AFTER UPDATE OF pupil_id, school_id, starts_on, ends_on ON pupils_enrolment
BEGIN UPDATE pupils_pupil SET {s} WHERE id IN (OLD.pupil_id, NEW.pupil_id); END""",
        f"""CREATE TRIGGER pupils_enrolment_summary_delete AFTER DELETE ON pupils_enrolment
BEGIN UPDATE pupils_pupil SET {s} WHERE id = OLD.pupil_id; END""",
    ]


SQLITE_DROP = [f"DROP TRIGGER IF EXISTS pupils_enrolment_summary_{op}"
               for op in ("insert", "update", "delete")]

# As in 0008: one UPDATE per statement over its transition tables, skipping pupils whose
# summary is already right. The open school is the school of the one open enrolment (None
# when none or several are open).
POSTGRES_UPDATE = {
    True: """
    UPDATE pupils_pupil p SET enrolment_count = s.n, enrolled_from = s.f, enrolled_until = s.u,
                              open_enrolment_school_id = s.o
    FROM (SELECT a.pupil_id, COUNT(e.id) AS n, MIN(e.starts_on) AS f,
                 CASE WHEN COUNT(e.id) = COUNT(e.ends_on) THEN MAX(e.ends_on) END AS u,
                 CASE WHEN COUNT(e.id) FILTER (WHERE e.ends_on IS NULL) = 1
                      THEN MAX(e.school_id) FILTER (WHERE e.ends_on IS NULL) END AS o
          FROM (SELECT DISTINCT pupil_id FROM ({affected}) AS changed) AS a
          LEFT JOIN pupils_enrolment e ON e.pupil_id = a.pupil_id
          GROUP BY a.pupil_id) AS s
    WHERE p.id = s.pupil_id
      AND (p.enrolment_count, p.enrolled_from, p.enrolled_until, p.open_enrolment_school_id)
          IS DISTINCT FROM (s.n, s.f, s.u, s.o);""",
    False: """
    UPDATE pupils_pupil p SET enrolment_count = s.n, enrolled_from = s.f, enrolled_until = s.u
    FROM (SELECT a.pupil_id, COUNT(e.id) AS n, MIN(e.starts_on) AS f,
                 CASE WHEN COUNT(e.id) = COUNT(e.ends_on) THEN MAX(e.ends_on) END AS u
          FROM (SELECT DISTINCT pupil_id FROM ({affected}) AS changed) AS a
          LEFT JOIN pupils_enrolment e ON e.pupil_id = a.pupil_id
          GROUP BY a.pupil_id) AS s
    WHERE p.id = s.pupil_id
      AND (p.enrolment_count, p.enrolled_from, p.enrolled_until) IS DISTINCT FROM (s.n, s.f, s.u);""",
}
POSTGRES_AFFECTED = {
    "insert": "SELECT pupil_id FROM new_rows",
    "delete": "SELECT pupil_id FROM old_rows",
    "update": "SELECT pupil_id FROM old_rows UNION ALL SELECT pupil_id FROM new_rows",
}


def postgres_functions(with_school: bool) -> list[str]:
    """The trigger functions only: CREATE OR REPLACE keeps the triggers of 0008 calling them."""
    return [f"""
CREATE OR REPLACE FUNCTION pupils_enrolment_summary_{op}() RETURNS trigger AS $$
BEGIN{POSTGRES_UPDATE[with_school].format(affected=affected)}
    RETURN NULL;
END;
$$ LANGUAGE plpgsql;""" for op, affected in POSTGRES_AFFECTED.items()]


# 0008's update trigger on PostgreSQL fires on every UPDATE (no column list): a change of
# school is seen. SQLite's named its columns, so it is made again with school_id.
def forward(apps, schema_editor):
    postgres = schema_editor.connection.vendor == "postgresql"
    if postgres:
        for sql in postgres_functions(True):
            schema_editor.execute(sql)
    else:
        for sql in SQLITE_DROP + sqlite_triggers(SUMMARY):
            schema_editor.execute(sql)
    schema_editor.execute(f"UPDATE pupils_pupil SET open_enrolment_school_id = "
                          f"{OPEN_SCHOOL.format(p='pupils_pupil.id')}")


def backward(apps, schema_editor):
    postgres = schema_editor.connection.vendor == "postgresql"
    if postgres:
        for sql in postgres_functions(False):
            schema_editor.execute(sql)
    else:
        for sql in SQLITE_DROP + sqlite_triggers(OLD_SUMMARY):
            schema_editor.execute(sql)


SEN = ["K", "E"]


class Migration(migrations.Migration):

    dependencies = [
        ('organisations', '0002_initial'),
        ('pupils', '0010_sen_episode_dates'),
    ]

    operations = [
        migrations.AddField(
            model_name='pupil',
            name='open_enrolment_school',
            field=models.ForeignKey(blank=True, db_constraint=False, db_index=False, editable=False, null=True, on_delete=models.DO_NOTHING, related_name='+', to='organisations.school'),
        ),
        migrations.RunPython(forward, backward),
        migrations.AddIndex(
            model_name='pupil',
            index=models.Index(condition=Q(left_on__isnull=True) & (Q(open_enrolment_school__isnull=True) | Q(open_enrolment_school__lt=models.F('school')) | Q(open_enrolment_school__gt=models.F('school'))), fields=['id'], name='pupil_enrolment_suspect'),
        ),
        migrations.AddIndex(
            model_name='pupil',
            index=models.Index(condition=Q(sen_provision__in=SEN) | Q(primary_need__isnull=False), fields=['id'], name='pupil_register_sen'),
        ),
        migrations.AddIndex(
            model_name='senepisode',
            index=models.Index(condition=Q(ends_on__isnull=True) & (Q(provision__in=SEN) | Q(primary_need__isnull=False) | Q(secondary_need__isnull=False)), fields=['pupil'], name='episode_open_not_plain'),
        ),
        migrations.AddIndex(
            model_name='senepisode',
            index=models.Index(condition=Q(ends_on__isnull=True), fields=['starts_on'], name='episode_open_start'),
        ),
    ]
