"""The register as a census file: the columns the import reads, safe to open in a spreadsheet."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Iterator

from django.db.models import OuterRef, Subquery

from sendtrust.access.audit import log_action
from sendtrust.access.policy import visible_pupils
from sendtrust.imports.census import HEADERS, csv_safe, format_flag, format_year
from sendtrust.pupils.models import SenEpisode

FORMATS = ("csv", "xlsx")
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
CHUNK_ROWS = 1000  # rows a streamed chunk of CSV holds, and rows fetched at a time


def register_rows(user, school):
    """Return the school's pupils that user may see, as census values, in register order."""
    # The secondary need is held only on the open episode: a subquery keeps it one query.
    secondary = SenEpisode.objects.filter(pupil=OuterRef("pk"), ends_on__isnull=True).values(
        "secondary_need__code"
    )[:1]
    return (
        visible_pupils(user, school)
        .annotate(secondary_code=Subquery(secondary))
        .order_by("surname", "forename", "pk")
        .values_list(
            "upn", "surname", "forename", "date_of_birth", "sex", "year_group",
            "sen_provision", "primary_need__code", "secondary_code",
            "fsm", "pupil_premium", "eal", "looked_after",
        )
    )


def start_export(request, school, fmt: str) -> Iterator[list]:
    """Write the audit entry for a download of the register, then return its rows to write.

    The entry is written before any row leaves, so that a download cut short is logged too.
    """
    rows = register_rows(request.user, school)
    log_action(request, "register.exported", school=school, rows=rows.count(), format=fmt)
    return (census_row(row) for row in rows.iterator(chunk_size=CHUNK_ROWS))


def census_row(row) -> list:
    upn, surname, forename, dob, sex, year, provision, primary, secondary, *flags = row
    return [
        csv_safe(upn), csv_safe(surname), csv_safe(forename), dob, sex, format_year(year),
        provision, primary or "", secondary or "", *[format_flag(f) for f in flags],
    ]


class _Line:
    """A file-like object that hands back what is written to it (for csv.writer)."""

    def write(self, text: str) -> str:
        return text


def csv_chunks(rows: Iterable[list]) -> Iterator[str]:
    """Yield the CSV text of HEADERS and rows, a thousand rows at a time."""
    # The byte order mark makes Excel read the file as UTF-8; the import skips it.
    yield "\ufeff" + csv.writer(_Line()).writerow(HEADERS)
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    for n, row in enumerate(rows, start=1):
        row[3] = row[3].isoformat()
        writer.writerow(row)
        if n % CHUNK_ROWS == 0:
            yield buffer.getvalue()
            buffer.seek(0)
            buffer.truncate()
    yield buffer.getvalue()


def write_xlsx(rows: Iterable[list], fileobj) -> None:
    """Write HEADERS and rows to fileobj as one worksheet, row by row (openpyxl write-only)."""
    import openpyxl
    from openpyxl.cell import WriteOnlyCell

    book = openpyxl.Workbook(write_only=True)
    sheet = book.create_sheet("Register")
    sheet.append(HEADERS)
    for row in rows:
        # Dates as real dates, so that they sort; every text cell went through csv_safe.
        cell = WriteOnlyCell(sheet, value=row[3])
        cell.number_format = "DD/MM/YYYY"
        row[3] = cell
        sheet.append(row)
    book.save(fileobj)
