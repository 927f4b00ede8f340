"""The application package never imports the benches: they need the dev dependency group
(pandas, the synthetic census writers), which a production install leaves out."""

import ast
from pathlib import Path

import sendtrust

PACKAGE = Path(sendtrust.__file__).resolve().parent
DEV_ONLY = {"bench", "pandas"}


def _imports(path: Path):
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            yield from (alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            yield node.module


def test_no_application_module_imports_the_benches_or_pandas():
    found = []
    for path in sorted(PACKAGE.rglob("*.py")):
        rel = path.relative_to(PACKAGE)
        if "tests" in rel.parts or "migrations" in rel.parts:
            continue
        for name in _imports(path):
            if name.split(".")[0] in DEV_ONLY:
                found.append(f"sendtrust/{rel}: {name}")
    assert not found, "application modules importing dev-only code:\n" + "\n".join(found)


def test_the_check_sees_an_import(tmp_path):
    sample = tmp_path / "m.py"
    sample.write_text("import os\nfrom bench.core import main\nimport pandas as pd\n")
    assert {"bench.core", "pandas"} <= set(_imports(sample))
