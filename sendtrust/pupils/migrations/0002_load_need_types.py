from django.db import migrations


def load(apps, schema_editor):
    from sendtrust.pupils.taxonomy import load_taxonomy

    load_taxonomy(apps.get_model("pupils", "NeedType"))


class Migration(migrations.Migration):
    dependencies = [("pupils", "0001_initial")]
    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
