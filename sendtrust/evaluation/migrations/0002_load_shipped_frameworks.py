import hashlib
import json
from pathlib import Path

import yaml
from django.db import migrations

# What sendtrust.evaluation.frameworks.load_frameworks did when this migration was written,
# copied here: a migration must not call live app code, which may change after it has run
# elsewhere. The files are the two shipped at the time (each checked by the tests when it was
# added); later versions are installed by later migrations or `load_frameworks`.
FRAMEWORKS = Path(__file__).resolve().parent.parent / "fixtures" / "frameworks"
FILES = ["achievement-for-all.v1.yaml", "six-area-leadership.v1.yaml"]


def load(apps, schema_editor):
    framework_model = apps.get_model("evaluation", "Framework")
    area_model = apps.get_model("evaluation", "Area")
    theme_model = apps.get_model("evaluation", "Theme")
    question_model = apps.get_model("evaluation", "KeyQuestion")
    level_model = apps.get_model("evaluation", "ScaleLevel")
    for name in FILES:
        data = yaml.safe_load((FRAMEWORKS / name).read_text(encoding="utf-8"))
        # The same checksum as the live loader, so that loading the file again is a no-op.
        canonical = json.dumps(data, sort_keys=True, ensure_ascii=False)
        checksum = hashlib.sha256(canonical.encode()).hexdigest()
        if framework_model.objects.filter(
            trust__isnull=True, slug=data["slug"], version=data["version"]
        ).exists():
            continue
        framework = framework_model.objects.create(
            slug=data["slug"], version=data["version"], name=data["name"].strip(),
            description=data.get("description", "").strip(), source=name, checksum=checksum,
        )
        level_model.objects.bulk_create([
            level_model(framework=framework, value=s["value"], label=s["label"].strip(),
                        descriptor=s["descriptor"].strip())
            for s in data["scale"]
        ])
        for order, a in enumerate(data["areas"], start=1):
            area = area_model.objects.create(
                framework=framework, slug=a["slug"], title=a["title"].strip(),
                summary=a.get("summary", "").strip(), domains=list(a.get("domains", [])),
                order=order,
            )
            question_model.objects.bulk_create([
                question_model(area=area, number=n, text=" ".join(q.split()))
                for n, q in enumerate(a["questions"], start=1)
            ])
            theme_model.objects.bulk_create([
                theme_model(framework=framework, area=area, slug=t["slug"],
                            title=t["title"].strip(), summary=t.get("summary", "").strip(),
                            order=n)
                for n, t in enumerate(a["themes"], start=1)
            ])


class Migration(migrations.Migration):
    dependencies = [("evaluation", "0001_initial")]
    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
