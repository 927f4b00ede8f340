"""The EHC event import meets the census import's limits on bad input, each refusal naming
its limit: rows (IMPORT_MAX_ROWS), an .xlsx's unzipped size (IMPORT_MAX_XLSX_MB, read from the
archive before it is opened) and the memory the parse may take (IMPORT_MEMORY_MB)."""

import io
import zipfile

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from sendtrust.access.models import AuditEntry
from sendtrust.ehc import importing
from sendtrust.ehc.models import Event

pytestmark = pytest.mark.django_db

HEADER = "UPN,Event,Date,LA code\n"


def events_csv(cast, n):
    rows = "".join(f"{cast.pupil_a2.upn},Final EHC plan issued,01/03/2025,801\n"
                   for _ in range(n))
    return SimpleUploadedFile("events.csv", (HEADER + rows).encode(), content_type="text/csv")


def test_a_file_over_the_row_cap_is_refused_naming_the_cap(cast, settings):
    settings.IMPORT_MAX_ROWS = 3
    result = importing.import_events(events_csv(cast, 4), school=cast.school_a)
    assert result.errors == ["The file: the file has more than 3 rows, the most sendtrust "
                             "reads from one file: split it into files of up to 3 rows"]
    assert not Event.objects.exists()
    assert AuditEntry.objects.get(action="ehc.events.import.failed").detail["errors"] == 1
    assert importing.import_events(events_csv(cast, 3), school=cast.school_a).ok


def test_an_xlsx_that_unzips_past_the_limit_is_refused_before_it_is_opened(
        cast, settings, monkeypatch):
    settings.IMPORT_MAX_XLSX_MB = 1
    book = openpyxl.Workbook()
    book.active.append(["UPN", "Event", "Date"])
    plain, out = io.BytesIO(), io.BytesIO()
    book.save(plain)
    with zipfile.ZipFile(plain) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for part in src.infolist():
            dst.writestr(part, src.read(part))
        dst.writestr("xl/media/padding.bin", b"\0" * (2 * 1024 * 1024))
    monkeypatch.setattr(openpyxl, "load_workbook", lambda *a, **k: pytest.fail("opened"))
    result = importing.import_events(io.BytesIO(out.getvalue()), school=cast.school_a)
    assert len(result.errors) == 1
    assert result.errors[0].startswith("The file: the Excel file unzips to 2 MB, more than the "
                                       "1 MB sendtrust opens")


def test_a_parse_over_the_memory_ceiling_is_refused_naming_it(cast, settings, monkeypatch,
                                                               client):
    """The parse runs under ops.limits.memory_ceiling: running out of it is the file's one
    error, shown on the page, and nothing is saved. (The ceiling itself is tested with a
    real parse in a fresh process: sendtrust/imports/tests/test_limits.py.)"""
    seen = []
    real = importing.memory_ceiling

    def ceiling(mb, *args, **kwargs):
        seen.append(mb)
        return real(mb, *args, **kwargs)

    def parse_that_runs_out(source):
        raise MemoryError

    monkeypatch.setattr(importing, "memory_ceiling", ceiling, raising=False)
    monkeypatch.setattr(importing, "read_table", parse_that_runs_out)
    settings.IMPORT_MEMORY_MB = 16
    client.force_login(cast.users["senco_a"])
    response = client.post(f"/schools/{cast.school_a.code}/ehc/import/",
                           {"file": events_csv(cast, 1)})
    assert seen == [16]
    assert response.status_code == 400
    assert ("The file: reading this file needs more than the 16 MB of memory sendtrust allows "
            "for it: split the file into smaller files and upload each") in \
        response.content.decode().replace("\n", " ")
    assert not Event.objects.exists()
