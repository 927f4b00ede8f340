"""Data migrations stand alone: they import no live app code, and load what the live code loads."""

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def _imports_in_functions(path: Path) -> list[str]:
    found = []
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.FunctionDef):
            for inner in ast.walk(node):
                if isinstance(inner, ast.ImportFrom) and (inner.module or "").startswith(
                        "sendtrust"):
                    found.append(f"{path.relative_to(ROOT.parent)}: from {inner.module}")
                elif isinstance(inner, ast.Import):
                    found += [f"{path.relative_to(ROOT.parent)}: import {a.name}"
                              for a in inner.names if a.name.startswith("sendtrust")]
    return found


def test_no_data_migration_calls_live_app_code():
    found = []
    for path in sorted(ROOT.glob("*/migrations/0*.py")):
        found += _imports_in_functions(path)
    assert not found, "\n".join(found)


@pytest.mark.django_db
def test_the_migrated_need_types_match_the_taxonomy_file():
    import json

    from sendtrust.pupils.models import NeedType
    from sendtrust.pupils.taxonomy import DEFAULT_FILE

    data = json.loads(DEFAULT_FILE.read_text())
    held = list(NeedType.objects.filter(taxonomy=data["taxonomy"]).order_by("sort_order")
                .values_list("code", "label"))
    assert held == [(n["code"], n["label"]) for n in data["needs"]]


@pytest.mark.django_db
def test_the_migrated_frameworks_are_what_the_live_loader_would_install():
    from sendtrust.evaluation.frameworks import SHIPPED_DIR, parse_framework
    from sendtrust.evaluation.models import Framework, Theme

    for name in ("achievement-for-all.v1.yaml", "six-area-leadership.v1.yaml"):
        spec = parse_framework(SHIPPED_DIR / name)
        framework = Framework.objects.get(trust__isnull=True, slug=spec.slug,
                                          version=spec.version)
        assert framework.checksum == spec.checksum
        assert Theme.objects.filter(framework=framework).count() == spec.theme_count
