# Leavers (off roll with a date and destination) and corrections of mistaken status entries.

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ("pupils", "0003_fewer_write_indexes"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddField(
            model_name="enrolment",
            name="destination",
            field=models.CharField(blank=True, db_default="", default="", max_length=200),
        ),
        migrations.AddField(
            model_name="pupil",
            name="left_on",
            field=models.DateField(blank=True, null=True),
        ),
        migrations.CreateModel(
            name="EpisodeCorrection",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True,
                                           serialize=False, verbose_name="ID")),
                ("corrected_at", models.DateTimeField(auto_now_add=True)),
                ("reason", models.TextField()),
                ("old_provision", models.CharField(
                    choices=[("N", "No SEN"), ("K", "SEN support"), ("E", "EHC plan")],
                    max_length=1)),
                ("corrected_by", models.ForeignKey(
                    blank=True, db_index=False, null=True,
                    on_delete=django.db.models.deletion.SET_NULL, related_name="+",
                    to=settings.AUTH_USER_MODEL)),
                ("episode", models.ForeignKey(
                    on_delete=django.db.models.deletion.CASCADE, related_name="corrections",
                    to="pupils.senepisode")),
                ("old_primary_need", models.ForeignKey(
                    blank=True, db_index=False, null=True,
                    on_delete=django.db.models.deletion.PROTECT, related_name="+",
                    to="pupils.needtype")),
                ("old_secondary_need", models.ForeignKey(
                    blank=True, db_index=False, null=True,
                    on_delete=django.db.models.deletion.PROTECT, related_name="+",
                    to="pupils.needtype")),
            ],
            options={"ordering": ["corrected_at", "id"]},
        ),
    ]
