"""The README documents what a person needs to run sendtrust (datasette's docs-checked-by-tests)."""

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
README = (ROOT / "README.md").read_text()
SETTINGS = (ROOT / "sendtrust" / "settings.py").read_text()

# Every way settings.py reads a variable: its own parsers, os.environ and os.getenv.
READS = re.compile(
    r"""(?:env_\w+\(|os\.environ\.get\(|os\.getenv\(|os\.environ\[)\s*["']([A-Z][A-Z0-9_]*)["']"""
    r"""|["']([A-Z][A-Z0-9_]*)["']\s+(?:not\s+)?in\s+os\.environ"""
)


def environment_variables() -> set[str]:
    names = {a or b for a, b in READS.findall(SETTINGS)}
    if "dj_database_url.config(" in SETTINGS:
        names.add("DATABASE_URL")  # dj_database_url reads it
    return names


def test_the_settings_reader_finds_the_variables():
    # Guards the pattern above: if it found nothing, the next test could never fail.
    assert {"DEBUG", "SECRET_KEY", "DATABASE_URL", "LOG_LEVEL"} <= environment_variables()


def test_every_environment_variable_is_documented():
    section = README[README.index("## Environment variables"):]
    documented = set(re.findall(r"`([A-Z][A-Z0-9_]*)`", section))
    missing = sorted(environment_variables() - documented)
    assert not missing, f"README, Environment variables: document {missing}"


def test_management_commands_are_run_one_way():
    # `.venv/bin/python manage.py` everywhere, never a bare `python manage.py`.
    bare = [line for line in README.splitlines()
            if re.search(r"(?<![/\w])python3? manage\.py", line)]
    assert not bare, bare


def test_the_makefile_targets_a_person_runs_are_documented():
    makefile = (ROOT / "Makefile").read_text()
    phony = re.search(r"^\.PHONY:(.*)$", makefile, re.M).group(1).split()
    for target in ("run", "demo", "test", "bench", "lint", "serve"):
        assert target in phony
        assert f"`make {target}" in README, target


def test_the_demo_accounts_table_names_each_username():
    from sendtrust.demo.plan import _account_bases

    table = README[README.index("## Demo accounts"):README.index("## National data")]
    for username in _account_bases(3):
        assert f"`{username}`" in table, username
