"""Limits on bad input, each met with a real crafted file: rows, an .xlsx's unzipped size
(read from the archive before anything is unzipped), and the memory a parse may take."""

import io
import struct
import zipfile

import pytest

from sendtrust.imports.census import HEADERS
from sendtrust.imports.services import import_file
from sendtrust.imports.tests.helpers import counts, csv_file, row, xlsx_file

pytestmark = pytest.mark.django_db


def only_error(result) -> str:
    assert not result.ok and result.error_count == 1, result.errors
    return str(result.errors[0])


@pytest.mark.parametrize("build", [csv_file, xlsx_file], ids=["csv", "xlsx"])
def test_a_file_over_the_row_cap_is_refused_naming_the_cap(cast, settings, build):
    settings.IMPORT_MAX_ROWS = 20
    before = counts()
    result = import_file(build([row() for _ in range(21)]), school=cast.school_a)
    assert only_error(result) == ("The file: the file has more than 20 rows, the most sendtrust "
                                  "reads from one file: split it into files of up to 20 rows")
    assert counts() == before
    # At the cap itself the file is read and saved.
    assert import_file(build([row() for _ in range(20)]), school=cast.school_a).created == 20


def test_the_cap_counts_rows_not_lines(cast, settings):
    """A quoted cell may hold line breaks (a notes column): five rows on fifteen lines are
    five rows."""
    settings.IMPORT_MAX_ROWS = 5
    rows = [[*row(), "seen in clinic\nreferred\nreviewed"] for _ in range(5)]
    data = csv_file(rows, header=[*HEADERS, "Notes"])
    assert data.getvalue().count(b"\n") > 15
    result = import_file(data, school=cast.school_a)
    assert result.ok and result.created == 5 and result.ignored_columns == ["Notes"]


def padded_xlsx(pad_bytes: int) -> bytes:
    """A real workbook with one more part: pad_bytes of zeros, a few KB once compressed."""
    book = xlsx_file([row()]).getvalue()
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(book)) as src, \
            zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for part in src.infolist():
            dst.writestr(part, src.read(part))
        dst.writestr("xl/media/padding.bin", b"\0" * pad_bytes)
    return out.getvalue()


def test_an_xlsx_that_unzips_past_the_limit_is_refused_before_it_is_opened(
        cast, settings, monkeypatch):
    settings.IMPORT_MAX_XLSX_MB = 2
    data = padded_xlsx(3 * 1024 * 1024)
    assert len(data) < 20_000  # small on the wire: a zip bomb in miniature

    import openpyxl

    def never(*args, **kwargs):
        raise AssertionError("openpyxl was asked to open the file")

    monkeypatch.setattr(openpyxl, "load_workbook", never)
    before = counts()
    result = import_file(io.BytesIO(data), school=cast.school_a)
    message = only_error(result)
    assert message.startswith("The file: the Excel file unzips to 3 MB, more than the 2 MB "
                              "sendtrust opens")
    assert counts() == before


def test_an_xlsx_under_the_limit_is_read(cast, settings):
    settings.IMPORT_MAX_XLSX_MB = 2
    assert import_file(io.BytesIO(padded_xlsx(1024 * 1024)), school=cast.school_a).created == 1


def test_an_archive_that_understates_a_part_is_read_no_further_than_it_says(cast):
    """A part declared as 1 KB whose data inflates to 50 MB: zipfile stops at the declared
    size and fails its checksum, so the limit on declared sizes cannot be dodged."""
    book = xlsx_file([row()]).getvalue()
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(book)) as src, \
            zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for part in src.infolist():
            data = src.read(part)
            if part.filename == "xl/worksheets/sheet1.xml":
                data += b" " * 50_000_000  # whitespace after the root element: valid XML
            dst.writestr(part.filename, data)
    # Declare the sheet as 1 KB, in its local header and in the central directory.
    data = bytearray(out.getvalue())
    name = b"xl/worksheets/sheet1.xml"
    for signature, size_at in ((b"PK\x03\x04", 22), (b"PK\x01\x02", 24)):
        at = data.find(signature)
        while at != -1:
            name_at = at + (30 if signature == b"PK\x03\x04" else 46)
            if data[name_at:name_at + len(name)] == name:
                struct.pack_into("<I", data, at + size_at, 1024)
            at = data.find(signature, at + 4)
    before = counts()
    result = import_file(io.BytesIO(bytes(data)), school=cast.school_a)
    assert "the Excel file cannot be" in only_error(result)
    assert counts() == before


PARSE_UNDER_A_CEILING = """
import io, json, os, sys
os.environ["DJANGO_SETTINGS_MODULE"] = "sendtrust.settings"
import django
django.setup()
from sendtrust.imports.census import HEADERS
from sendtrust.imports.readers import read_table
from sendtrust.ops.limits import MemoryCeilingExceeded, memory_ceiling
lines = [",".join(HEADERS)] + [
    f"A{i:012d},Oak,Ivy,01/03/2016,F,4,K,SLCN,,false,0,N,no" for i in range(60_000)]
data = ("\\n".join(lines) + "\\n").encode()
try:
    with memory_ceiling(16):
        read_table(io.BytesIO(data))
    outcome = "read"
except MemoryCeilingExceeded as e:
    outcome = str(e)
after = len(bytearray(200 * 1024 * 1024))  # memory can be had again once the parse failed
print(json.dumps({"outcome": outcome, "after": after}))
"""


def test_a_parse_over_the_memory_ceiling_is_refused_naming_it():
    """60,000 rows (3.5 MB) need about 50 MB to parse: with a 16 MB ceiling the parse stops
    with the limit named, and the process goes on (the ceiling is lifted after).

    Run in a fresh process: the ceiling bounds the address space a parse adds, and a test
    worker that has already run hundreds of tests holds freed memory the parse could reuse."""
    import json
    import os
    import subprocess
    import sys
    from pathlib import Path

    env = {**os.environ, "DEBUG": "1", "DATABASE_URL": "sqlite:///:memory:"}
    done = subprocess.run([sys.executable, "-c", PARSE_UNDER_A_CEILING],
                          cwd=Path(__file__).resolve().parents[3], env=env,
                          capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr[-3000:]
    got = json.loads(done.stdout.strip().splitlines()[-1])
    assert got["outcome"] == (
        "reading this file needs more than the 16 MB of memory sendtrust allows for it: split "
        "the file into smaller files and upload each")
    assert got["after"] == 200 * 1024 * 1024


def test_import_file_names_the_memory_ceiling_and_saves_nothing(cast, settings, monkeypatch):
    """When the parse meets the ceiling, the import says so as the file's one error."""
    from sendtrust.imports import services

    def parse_that_runs_out(source):
        raise MemoryError

    monkeypatch.setattr(services, "read_table", parse_that_runs_out)
    settings.IMPORT_MEMORY_MB = 16
    before = counts()
    result = import_file(csv_file([row()]), school=cast.school_a)
    assert only_error(result) == (
        "The file: reading this file needs more than the 16 MB of memory sendtrust allows for "
        "it: split the file into smaller files and upload each")
    assert counts() == before
