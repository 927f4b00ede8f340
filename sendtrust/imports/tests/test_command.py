import csv
import io

import pytest
from django.core.management import CommandError, call_command

from sendtrust.imports.census import HEADERS
from sendtrust.imports.samples import write_sample_csv
from sendtrust.imports.tests.helpers import counts, csv_file, row
from sendtrust.pupils.models import Pupil, SenEpisode

pytestmark = pytest.mark.django_db


def test_it_imports_a_sample_file_and_prints_a_summary(cast, tmp_path):
    path = write_sample_csv(tmp_path / "sample.csv", 300, seed=1)
    out = io.StringIO()
    call_command("import_pupils", str(path), "--school", cast.school_a.urn,
                 "--effective", "2025-09-01", stdout=out)
    assert "Imported 300 rows into Alder Primary (effective 2025-09-01): 300 new" in out.getvalue()
    assert Pupil.objects.filter(school=cast.school_a).count() == 302
    assert SenEpisode.objects.filter(pupil__school=cast.school_a, starts_on="2025-09-01").count() \
        == 300


def test_sample_files_have_census_headers_and_sen_data(tmp_path):
    path = write_sample_csv(tmp_path / "s.csv", 200, seed=2)
    header, *rows = list(csv.reader(path.open()))
    assert header == HEADERS and len(rows) == 200
    assert len({r[0] for r in rows}) == 200
    assert {r[6] for r in rows} == {"N", "K", "E"}


def test_errors_are_printed_and_nothing_is_saved(cast, tmp_path):
    path = tmp_path / "bad.csv"
    path.write_bytes(csv_file([row(), row(Gender="Q")]).getvalue())
    before, err = counts(), io.StringIO()
    with pytest.raises(CommandError, match="1 problem"):
        call_command("import_pupils", str(path), "--school", cast.school_a.urn, stderr=err)
    assert 'Row 3, Gender "Q": use M or F' in err.getvalue()
    assert counts() == before


@pytest.mark.parametrize("args,message", [
    (["--school", "999"], "No school has the URN 999"),
    (["--school", "100001", "--effective", "1/2/2025"], "is not a date as YYYY-MM-DD"),
])
def test_bad_arguments(cast, tmp_path, args, message):
    path = tmp_path / "f.csv"
    path.write_bytes(csv_file([row()]).getvalue())
    with pytest.raises(CommandError, match=message):
        call_command("import_pupils", str(path), *args)


def test_a_missing_file(cast, tmp_path):
    with pytest.raises(CommandError, match="Cannot read"):
        call_command("import_pupils", str(tmp_path / "nope.csv"), "--school", "100001")


def test_a_file_with_no_pupils_exits_non_zero(cast, tmp_path):
    # A CommandError is how a management command exits with status 1.
    path = tmp_path / "empty.csv"
    path.write_bytes(csv_file([]).getvalue())
    err = io.StringIO()
    with pytest.raises(CommandError, match="nothing was saved"):
        call_command("import_pupils", str(path), "--school", cast.school_a.urn, stderr=err)
    assert "the file has no pupils in it" in err.getvalue()

