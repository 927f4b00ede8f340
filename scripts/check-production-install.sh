#!/usr/bin/env bash
# Install sendtrust the way production does (no dev group) into its own environment, import
# every application module, and migrate a fresh database: an import that only the dev group
# satisfies fails here.
set -euo pipefail
cd "$(dirname "$0")/.."
UV=${UV:-$(uv --version >/dev/null 2>&1 && echo uv || echo .tools/bin/uv)}
echo "== production install (uv sync --no-dev) into .venv-prod"
UV_LINK_MODE=hardlink UV_PROJECT_ENVIRONMENT=.venv-prod "$UV" sync --frozen --no-dev --quiet
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
export DJANGO_SETTINGS_MODULE=sendtrust.settings SECRET_KEY=production-install-check DATABASE_URL="sqlite:///$tmp/prod.sqlite3"
.venv-prod/bin/python - <<'PY'
import importlib, pathlib, sys
import django
django.setup()
skip = ("tests", "testing", "bench", "pytest_env", "migrations")
names = []
for path in sorted(pathlib.Path("sendtrust").rglob("*.py")):
    parts = path.with_suffix("").parts
    if any(p in skip or p.startswith("test_") for p in parts) or parts[-1] == "bench":
        continue
    names.append(".".join(p for p in parts if p != "__init__"))
failed = []
for name in names:
    try:
        importlib.import_module(name)
    except Exception as e:  # noqa: BLE001 - report every module that does not import
        failed.append(f"{name}: {type(e).__name__}: {e}")
print(f"imported {len(names) - len(failed)} of {len(names)} modules without the dev group")
if failed:
    print("\n".join(failed), file=sys.stderr)
    sys.exit(1)
PY
.venv-prod/bin/python manage.py migrate --verbosity 0
.venv-prod/bin/python manage.py check
echo "production install: imports and migrations pass"
