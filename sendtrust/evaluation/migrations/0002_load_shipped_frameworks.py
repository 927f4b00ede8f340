from django.db import migrations


def load(apps, schema_editor):
    from sendtrust.evaluation.frameworks import load_frameworks

    load_frameworks(
        models={
            "framework_model": apps.get_model("evaluation", "Framework"),
            "area_model": apps.get_model("evaluation", "Area"),
            "theme_model": apps.get_model("evaluation", "Theme"),
            "question_model": apps.get_model("evaluation", "KeyQuestion"),
            "level_model": apps.get_model("evaluation", "ScaleLevel"),
        }
    )


class Migration(migrations.Migration):
    dependencies = [("evaluation", "0001_initial")]
    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
