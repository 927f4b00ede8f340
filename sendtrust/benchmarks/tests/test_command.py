"""manage.py load_benchmarks: output, skipped files, failures, warnings."""

import csv
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from sendtrust.benchmarks.models import Dataset, LoadRun

pytestmark = [pytest.mark.django_db, pytest.mark.xdist_group("benchmarks")]

CENSUS = "school-census-2019-perf-tables/england_census.csv"
EXCLUSIONS = "exclusions-sen-2012-2017/nat_char_201112_to_201617.csv"


def run(folder, *args):
    out = StringIO()
    call_command("load_benchmarks", str(folder), "--quiet", *args, stdout=out)
    return out.getvalue()


def test_loads_a_folder_and_says_what_it_skipped(copy_file, tmp_path):
    copy_file(EXCLUSIONS)
    (tmp_path / "notes.xlsx").write_bytes(b"not data")
    (tmp_path / "README.md").write_text("documentation is not data")
    out = run(tmp_path)
    assert f"loaded  {EXCLUSIONS}: 4,585 rows read" in out
    assert "skipped notes.xlsx: no loader for this file" in out
    assert "not loaded: 1 documentation file(s)" in out
    assert "1 file(s) loaded, 0 failed" in out
    assert Dataset.objects.get(key=EXCLUSIONS).rows_loaded > 0


def test_reports_national_row_differences_as_warnings(tmp_path, csv_rows):
    # Three real primary schools and a NAT PRI row that is their sum, except NOR (+7).
    rows = csv_rows(CENSUS)
    schools = [r for r in rows if r["SCHOOLTYPE"] == "State-funded primary"][:3]
    nat = dict(next(r for r in rows if r["URN"] == "NAT" and r["ESTAB"] == "PRI"))
    for column in ("NOR", "NORG", "NORB", "TSENELSE", "TSENELK", "NUMEAL", "NUMFSM", "NUMFSMEVER"):
        nat[column] = str(sum(int(s[column]) for s in schools) + (7 if column == "NOR" else 0))
    path = tmp_path / CENSUS
    path.parent.mkdir(parents=True)
    with path.open("w", newline="") as out:
        writer = csv.DictWriter(out, fieldnames=list(nat))
        writer.writeheader()
        writer.writerows([*schools, nat])
    out = run(tmp_path)
    assert "warning: england_census.csv: NAT PRI row, NOR: published total" in out
    assert "(difference +7); reported, not corrected" in out
    assert out.count("warning:") == 1
    run_record = LoadRun.objects.filter(key=CENSUS).first()
    assert len(run_record.warnings) == 1 and "NAT PRI row, NOR" in run_record.warnings[0]


def test_a_failed_file_makes_the_command_fail_after_loading_the_rest(copy_file, copy_head):
    copy_file(EXCLUSIONS)
    folder = copy_head(
        CENSUS, 10, edit=lambda n, f: [c.replace("NOR", "PUPILS") for c in f] if n == 1 else None
    )
    with pytest.raises(CommandError, match="failed: " + CENSUS):
        run(folder)
    assert Dataset.objects.filter(key=EXCLUSIONS).exists()


def test_a_missing_folder_is_an_error(tmp_path):
    with pytest.raises(CommandError, match="is not a folder"):
        run(tmp_path / "missing")
