import json
from pathlib import Path

from django.db import migrations

# A copy of what sendtrust.pupils.taxonomy.load_taxonomy did when this migration was written:
# a migration must not call live app code, which may change after it has run elsewhere.
NEED_TYPES = Path(__file__).resolve().parent.parent / "fixtures" / "need_types_england.json"


def load(apps, schema_editor):
    need_model = apps.get_model("pupils", "NeedType")
    data = json.loads(NEED_TYPES.read_text())
    for order, row in enumerate(data["needs"]):
        need_model.objects.update_or_create(
            taxonomy=data["taxonomy"],
            code=row["code"],
            defaults={
                "label": row["label"],
                "broad_area": row["broad_area"],
                "support_only": row.get("support_only", False),
                "valid_from": row.get("valid_from"),
                "sort_order": order,
            },
        )


class Migration(migrations.Migration):
    dependencies = [("pupils", "0001_initial")]
    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
