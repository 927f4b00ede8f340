"""The provision import meets the census import's limits on bad input, with real files."""

import io
import zipfile

import pytest

from sendtrust.provision import importer
from sendtrust.provision.models import GroupEnrolment

pytestmark = pytest.mark.django_db


def test_a_file_over_the_row_cap_is_refused_naming_it(cast, settings):
    settings.IMPORT_MAX_ROWS = 3
    lines = ["group,upn"] + [f"G,{cast.pupil_a1.upn}"] * 4
    result = importer.import_file(cast.school_a, ("\n".join(lines) + "\n").encode(), "g.csv")
    assert [str(e) for e in result.errors] == [
        "Row 1, file “g.csv”: the file has more than 3 rows, the most sendtrust reads from one "
        "file: split it into files of up to 3 rows"]
    assert not GroupEnrolment.objects.exists()


def test_an_xlsx_that_unzips_past_the_limit_is_refused_before_it_is_opened(
        cast, settings, monkeypatch):
    import openpyxl

    settings.IMPORT_MAX_XLSX_MB = 1
    book = openpyxl.Workbook()
    book.active.append(["group", "upn"])
    plain = io.BytesIO()
    book.save(plain)
    out = io.BytesIO()
    with zipfile.ZipFile(plain) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for part in src.infolist():
            dst.writestr(part, src.read(part))
        dst.writestr("xl/media/padding.bin", b"\0" * (2 * 1024 * 1024))
    monkeypatch.setattr(openpyxl, "load_workbook", lambda *a, **k: pytest.fail("opened"))
    result = importer.import_file(cast.school_a, out.getvalue(), "g.xlsx")
    assert len(result.errors) == 1
    assert "unzips to 2 MB, more than the 1 MB sendtrust opens" in str(result.errors[0])
