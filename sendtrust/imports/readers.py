"""Read an uploaded CSV or .xlsx file as a header row and rows of text cells."""

from __future__ import annotations

import csv
import io
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings

from sendtrust.imports.census import cell_text


class FileProblem(Exception):
    """The file as a whole cannot be read; the message is for the user."""


# Limits on one file (settings IMPORT_MAX_ROWS, IMPORT_MAX_XLSX_MB); each refusal names it.
MAX_ZIP_ENTRIES = 10_000  # an .xlsx from Excel holds a few dozen parts


def too_many_rows() -> FileProblem:
    cap = settings.IMPORT_MAX_ROWS
    return FileProblem(f"the file has more than {cap:,} rows, the most sendtrust reads from one "
                       f"file: split it into files of up to {cap:,} rows")


@dataclass
class Table:
    header: list[str]
    rows: Iterator[list[str]]  # the data rows in order: spreadsheet row 2 first
    total: int | None  # about how many data rows, for a progress bar


def read_table(source) -> Table:
    """Read a path or an open file (binary or text) holding CSV or .xlsx."""
    data = _read_all(source)
    if isinstance(data, bytes):
        # The type is told by the content, not by the file name, which the user controls.
        if data.startswith(b"PK\x03\x04"):
            return _read_xlsx(data)
        if data.startswith(b"\xd0\xcf\x11\xe0"):
            raise FileProblem(
                "this is an old Excel .xls file: save it as .xlsx or as CSV and upload it again"
            )
        data = _decode(data)
    return _read_csv(data)


def _read_all(source) -> bytes | str:
    # A school's file is a few hundred kilobytes and the upload limit is 50 MB: reading it
    # whole lets us tell the format and the text encoding before parsing a single row.
    if isinstance(source, str | Path):
        return Path(source).read_bytes()
    if hasattr(source, "seek"):
        source.seek(0)
    return source.read()


def _decode(data: bytes) -> str:
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        pass
    # Excel on Windows saves "CSV (Comma delimited)" in Windows-1252.
    try:
        return data.decode("cp1252")
    except UnicodeDecodeError:
        raise FileProblem(
            "the file is not text: upload a CSV (saved as CSV UTF-8) or an .xlsx file"
        ) from None


def _read_csv(text: str) -> Table:
    if "\x00" in text:
        raise FileProblem("the file is not text: upload a CSV or an .xlsx file")
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        header = next(reader, None)
    except csv.Error as e:
        raise FileProblem(f"the header row cannot be read as CSV ({e})") from None
    if header is None:
        raise FileProblem("the file is empty")
    return Table(header, _csv_rows(reader), text.count("\n"))


def _csv_rows(reader) -> Iterator[list[str]]:
    row_number = 1
    try:
        for row in reader:
            row_number += 1
            if row_number > settings.IMPORT_MAX_ROWS + 1:  # quoted cells may hold newlines
                raise too_many_rows()
            yield row
    except csv.Error as e:
        raise FileProblem(f"row {row_number + 1} cannot be read as CSV ({e})") from None


def check_zip(data: bytes) -> None:
    """Refuse an .xlsx whose parts, once unzipped, would exceed IMPORT_MAX_XLSX_MB.

    The sizes are those the archive declares, read before any part is unzipped. They bound
    what is read: Python's zipfile stops at a part's declared size (and fails its checksum)
    even when the compressed data would expand further, so a lying archive gains nothing.
    """
    limit_mb = settings.IMPORT_MAX_XLSX_MB
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            parts = archive.infolist()
    except (zipfile.BadZipFile, ValueError, OSError):
        raise FileProblem("the Excel file cannot be opened (it is not a complete .xlsx "
                          "archive)") from None
    if len(parts) > MAX_ZIP_ENTRIES:
        raise FileProblem(f"the Excel file holds {len(parts):,} parts; an .xlsx from a "
                          f"spreadsheet program has a few dozen, and sendtrust opens files "
                          f"of up to {MAX_ZIP_ENTRIES:,}")
    unzipped = sum(part.file_size for part in parts)
    if unzipped > limit_mb * 1024 * 1024:
        raise FileProblem(f"the Excel file unzips to {unzipped / 1024 / 1024:,.0f} MB, more "
                          f"than the {limit_mb:,} MB sendtrust opens: save it as CSV, or split "
                          f"it, and upload it again")


def _read_xlsx(data: bytes) -> Table:
    import openpyxl  # only imported when someone uploads a spreadsheet

    check_zip(data)
    try:
        book = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
        sheet = book.worksheets[0]
        # Some programs write a wrong sheet size; without it rows are only as long as
        # their data, so a bogus "A1:XFD1048576" cannot make us read empty cells.
        sheet.reset_dimensions()
        rows = sheet.iter_rows(values_only=True)
        header = next(rows, None)
    except MemoryError:
        raise
    except Exception as e:  # noqa: BLE001 - a damaged or hostile file fails in many ways
        raise FileProblem(f"the Excel file cannot be opened ({type(e).__name__})") from None
    if header is None:
        raise FileProblem("the file is empty")
    return Table([cell_text(v) for v in header], _xlsx_rows(book, rows), None)


def _xlsx_rows(book, rows) -> Iterator[list[str]]:
    row_number = 1
    try:
        for row in rows:
            row_number += 1
            if row_number > settings.IMPORT_MAX_ROWS + 1:
                raise too_many_rows()
            yield [cell_text(v) for v in row]
    except (FileProblem, MemoryError):
        raise
    except Exception as e:  # noqa: BLE001 - openpyxl raises many kinds on a damaged file
        raise FileProblem(
            f"the Excel file cannot be read at row {row_number + 1} ({type(e).__name__})"
        ) from None
    finally:
        book.close()
