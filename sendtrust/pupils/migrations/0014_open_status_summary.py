# The status and primary need of each pupil's open SEN status (exactly one open; None when
# none or several are) join the pupil row, kept by triggers after every insert, update and
# delete of an SEN status, whatever writes it, as the enrolment summary is (0008, 0011). The
# data-quality checks then read only the pupils whose register disagrees with it (the partial
# index pupil_status_disagrees), the open statuses a check lists whatever their needs
# (episode_open_suspect), and the open statuses with one of the few needs a check lists
# (episode_open_primary, episode_open_secondary, read by need), instead of every pupil on the
# SEN register and their open statuses (issue 15: ~17,000 of 50,000 pupils in the bench trust).
#
# SQLite drops a table's triggers with the table: a later migration that makes SQLite rebuild
# pupils_senepisode must create them again (test_open_status_summary fails if it does not).

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

ONE_OPEN = ("(SELECT CASE WHEN COUNT(*) = 1 THEN MAX(s.{column}) END FROM pupils_senepisode s"
            " WHERE s.pupil_id = {p} AND s.ends_on IS NULL)")
SET = ", ".join(f"{target} = {ONE_OPEN.format(column=column, p='pupils_pupil.id')}"
                for target, column in (("open_provision", "provision"),
                                       ("open_primary_need_id", "primary_need_id")))
# A status closed before and after the write (the history an import or the demo writes)
# changes no pupil's open status: the triggers skip it.
SQLITE = [
    f"""CREATE TRIGGER pupils_senepisode_open_insert AFTER INSERT ON pupils_senepisode
WHEN NEW.ends_on IS NULL
BEGIN UPDATE pupils_pupil SET {SET} WHERE id = NEW.pupil_id; END""",
    f"""CREATE TRIGGER pupils_senepisode_open_update
AFTER UPDATE OF pupil_id, provision, primary_need_id, ends_on ON pupils_senepisode
WHEN OLD.ends_on IS NULL OR NEW.ends_on IS NULL
BEGIN UPDATE pupils_pupil SET {SET} WHERE id IN (OLD.pupil_id, NEW.pupil_id); END""",
    f"""CREATE TRIGGER pupils_senepisode_open_delete AFTER DELETE ON pupils_senepisode
WHEN OLD.ends_on IS NULL
BEGIN UPDATE pupils_pupil SET {SET} WHERE id = OLD.pupil_id; END""",
]
OPS = ("insert", "update", "delete")
SQLITE_DROP = [f"DROP TRIGGER IF EXISTS pupils_senepisode_open_{op}" for op in OPS]

# PostgreSQL: one UPDATE per statement over its transition tables, skipping pupils whose
# summary is already right (the census import and the demo write it with the pupil).
POSTGRES_UPDATE = """
    UPDATE pupils_pupil p SET open_provision = s.provision, open_primary_need_id = s.need
    FROM (SELECT a.pupil_id,
                 CASE WHEN COUNT(e.id) = 1 THEN MAX(e.provision) END AS provision,
                 CASE WHEN COUNT(e.id) = 1 THEN MAX(e.primary_need_id) END AS need
          FROM (SELECT DISTINCT pupil_id FROM ({affected}) AS changed) AS a
          LEFT JOIN pupils_senepisode e ON e.pupil_id = a.pupil_id AND e.ends_on IS NULL
          GROUP BY a.pupil_id) AS s
    WHERE p.id = s.pupil_id
      AND (p.open_provision, p.open_primary_need_id) IS DISTINCT FROM (s.provision, s.need);"""
OPEN_IN = "SELECT pupil_id FROM {} WHERE ends_on IS NULL"
AFFECTED = {
    "insert": OPEN_IN.format("new_rows"),
    "delete": OPEN_IN.format("old_rows"),
    "update": OPEN_IN.format("old_rows") + " UNION ALL " + OPEN_IN.format("new_rows"),
}
TABLES = {"insert": "NEW TABLE AS new_rows", "delete": "OLD TABLE AS old_rows",
          "update": "OLD TABLE AS old_rows NEW TABLE AS new_rows"}
POSTGRES = [f"""
CREATE OR REPLACE FUNCTION pupils_senepisode_open_{op}() RETURNS trigger AS $$
BEGIN{POSTGRES_UPDATE.format(affected=AFFECTED[op])}
    RETURN NULL;
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER pupils_senepisode_open_{op} AFTER {op.upper()} ON pupils_senepisode
    REFERENCING {TABLES[op]} FOR EACH STATEMENT EXECUTE FUNCTION pupils_senepisode_open_{op}();
""" for op in OPS]
POSTGRES_DROP = [f"""
DROP TRIGGER IF EXISTS pupils_senepisode_open_{op} ON pupils_senepisode;
DROP FUNCTION IF EXISTS pupils_senepisode_open_{op}();""" for op in OPS]


def forward(apps, schema_editor):
    postgres = schema_editor.connection.vendor == "postgresql"
    for sql in POSTGRES if postgres else SQLITE:
        schema_editor.execute(sql)
    schema_editor.execute(f"UPDATE pupils_pupil SET {SET}")


def backward(apps, schema_editor):
    postgres = schema_editor.connection.vendor == "postgresql"
    for sql in POSTGRES_DROP if postgres else SQLITE_DROP:
        schema_editor.execute(sql)


class Migration(migrations.Migration):

    dependencies = [
        ('organisations', '0002_initial'),
        ('pupils', '0013_episode_closed_secondary'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddField(
            model_name='pupil',
            name='open_primary_need',
            field=models.ForeignKey(blank=True, db_constraint=False, db_index=False, editable=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to='pupils.needtype'),
        ),
        migrations.AddField(
            model_name='pupil',
            name='open_provision',
            field=models.CharField(blank=True, editable=False, max_length=1, null=True),
        ),
        migrations.RunPython(forward, backward),
        # What the checks read before, about one pupil in three of the bench trust each.
        migrations.RemoveIndex(model_name='pupil', name='pupil_register_sen'),
        migrations.RemoveIndex(model_name='senepisode', name='episode_open_not_plain'),
        migrations.AddIndex(
            model_name='pupil',
            index=models.Index(condition=models.Q(models.Q(('open_provision__isnull', True), ('sen_provision__in', ['K', 'E'])), ('sen_provision__lt', models.F('open_provision')), ('sen_provision__gt', models.F('open_provision')), models.Q(('open_primary_need__isnull', False), ('primary_need__isnull', True)), models.Q(('open_primary_need__isnull', True), ('primary_need__isnull', False)), ('primary_need__lt', models.F('open_primary_need')), ('primary_need__gt', models.F('open_primary_need')), _connector='OR'), fields=['id'], name='pupil_status_disagrees'),
        ),
        migrations.AddIndex(
            model_name='senepisode',
            index=models.Index(condition=models.Q(('ends_on__isnull', True), models.Q(models.Q(('primary_need__isnull', True), ('provision__in', ['K', 'E'])), ('secondary_need', models.F('primary_need')), models.Q(('primary_need__isnull', True), ('secondary_need__isnull', False)), models.Q(('provision', 'N'), models.Q(('primary_need__isnull', False), ('secondary_need__isnull', False), _connector='OR')), _connector='OR')), fields=['pupil'], name='episode_open_suspect'),
        ),
        migrations.AddIndex(
            model_name='senepisode',
            index=models.Index(condition=models.Q(('ends_on__isnull', True), ('primary_need__isnull', False)), fields=['primary_need'], name='episode_open_primary'),
        ),
        migrations.AddIndex(
            model_name='senepisode',
            index=models.Index(condition=models.Q(('ends_on__isnull', True), ('secondary_need__isnull', False)), fields=['secondary_need'], name='episode_open_secondary'),
        ),
    ]
