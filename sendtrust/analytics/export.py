"""Analytics tables as CSV and .xlsx: the same cells as the page, withheld values as words.

Text cells go through the register export's formula neutralising (csv_safe), so that a school
name such as "=HYPERLINK(...)" is shown as text, never run, in a spreadsheet.
"""

from __future__ import annotations

import csv
import io

from django.http import HttpResponse
from django.utils.text import slugify

from sendtrust.analytics.tables import Table, Withheld, cell_text
from sendtrust.imports.census import csv_safe

FORMATS = ("csv", "xlsx")
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _value(value, kind: str):
    """A cell as a spreadsheet should hold it: numbers stay numbers, text is made safe."""
    if value is None:
        return ""
    if isinstance(value, Withheld):
        return str(value)
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, int | float) and kind != "text":
        return value
    return csv_safe(cell_text(value, kind))


def table_rows(table: Table) -> list[list]:
    """Header, body and footer rows, then the notes and source lines."""
    out = [[c.label for c in table.columns]]
    for row in table.all_rows():
        out.append([_value(row.get(c.key), c.kind) for c in table.columns])
    if table.notes:
        out.append([])
        out += [[csv_safe(note)] for note in table.notes]
    return out


def filename(prefix: str, table: Table, fmt: str) -> str:
    return f"{slugify(prefix)[:60]}-{table.key}.{fmt}"


def csv_response(table: Table, name: str) -> HttpResponse:
    buffer = io.StringIO()
    buffer.write("\ufeff")  # Excel reads the file as UTF-8
    csv.writer(buffer).writerows(table_rows(table))
    response = HttpResponse(buffer.getvalue(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


def xlsx_response(table: Table, name: str) -> HttpResponse:
    import openpyxl

    book = openpyxl.Workbook(write_only=True)
    sheet = book.create_sheet(table.key[:31])
    sheet.append([csv_safe(table.caption)])
    for row in table_rows(table):
        sheet.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    response = HttpResponse(buffer.getvalue(), content_type=XLSX_TYPE)
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response
