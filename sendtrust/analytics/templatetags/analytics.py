"""Cells of analytics tables: withheld values in words, missing values read as such.

`analytics_table` renders a whole `Table` in Python: a 50-school table has thousands of cells,
and a template tag per cell made the table the slowest part of the page.
"""

import json
from html import escape

from django import template
from django.core.serializers.json import DjangoJSONEncoder
from django.utils.safestring import mark_safe

from sendtrust.analytics.tables import Withheld

register = template.Library()

NOT_AVAILABLE = mark_safe(
    '<span aria-hidden="true">–</span><span class="visually-hidden">not available</span>'
)
NUMERIC = ("pct", "count", "num")
NUM_CLASS = ' class="num"'


def cell_html(value, kind: str) -> str:
    """The HTML of one cell's value for its kind: 12.3%, 1,234, −1.23, or words (escaped)."""
    if value is None:
        return NOT_AVAILABLE
    if isinstance(value, Withheld):
        return f'<span class="withheld">{escape(str(value))}</span>'
    if isinstance(value, str):
        return escape(value)
    if isinstance(value, int | float):
        if kind == "pct":
            return f"{value:.1f}%"
        if kind == "count":
            return f"{int(value):,}"
        if kind == "num":
            return f"{value:.2f}".replace("-", "−")
    return escape(str(value))


@register.simple_tag
def cell(row, column):
    """Render row[column.key] for its kind: 12.3%, 1,234, -1.23, or words."""
    return mark_safe(cell_html(row.get(column.key), column.kind))


@register.filter
def numeric(column):
    return column.kind in NUMERIC


@register.filter
def row_url(row):
    """The link a row's first cell carries, if the viewer may follow it."""
    return row.get("_url")


def _row_html(row: dict, columns, tds, *, footer: bool) -> str:
    first, *rest = columns
    head = cell_html(row.get(first.key), first.kind)
    url = None if footer else row.get("_url")
    if url:
        head = f'<a href="{escape(str(url))}">{head}</a>'
    parts = [f'<tr><th scope="row">{head}</th>']
    for c, td in zip(rest, tds, strict=True):
        if footer and c.key not in row:
            parts.append(f"{td}</td>")
        else:
            parts.append(f"{td}{cell_html(row.get(c.key), c.kind)}</td>")
    parts.append("</tr>")
    return "".join(parts)


@register.simple_tag
def analytics_table(table):
    """The whole table with its caption and source notes, as the page shows it."""
    caption = escape(table.caption)
    columns = table.columns
    heads = "".join(
        f'<th scope="col"{NUM_CLASS if c.kind in NUMERIC else ""}>{escape(c.label)}</th>'
        for c in columns
    )
    tds = ['<td class="num">' if c.kind in NUMERIC else "<td>" for c in columns[1:]]
    out = [
        f'<div class="table-scroll" tabindex="0" role="region" aria-label="{caption}">\n'
        f'<table class="analytics-table">\n  <caption>{caption}</caption>\n  <thead>\n'
        f"    <tr>{heads}</tr>\n  </thead>\n  <tbody>\n  "
    ]
    if table.rows:
        out.append("".join(f"\n    {_row_html(r, columns, tds, footer=False)}\n  "
                           for r in table.rows))
    else:
        out.append(f'\n    <tr><td colspan="{len(columns)}">No figures to show.</td></tr>\n  ')
    out.append("\n  </tbody>\n  ")
    if table.footer:
        out.append("<tfoot>\n  ")
        out.append("".join(f"\n    {_row_html(r, columns, tds, footer=True)}\n  "
                           for r in table.footer))
        out.append("\n  </tfoot>")
    out.append("\n</table>\n</div>\n")
    if table.notes:
        notes = "".join(f"<li>{escape(n)}</li>" for n in table.notes)
        out.append(f'<ul class="hint sources">{notes}</ul>')
    return mark_safe("".join(out))


@register.simple_tag
def spec_script(spec, element_id):
    """A chart's spec as `json_script` writes it, escaped with str.replace.

    Byte for byte the same output; `json_script`'s str.translate walks a funnel spec's tens of
    kilobytes one character at a time in Python.
    """
    text = (json.dumps(spec, cls=DjangoJSONEncoder).replace("&", "\\u0026")
            .replace("<", "\\u003C").replace(">", "\\u003E"))
    return mark_safe(f'<script id="{escape(element_id)}" type="application/json">{text}</script>')


@register.filter
def count_cell(value):
    """A count as the viewer may see it: 1,234, "fewer than 5", or a dash read as such."""
    return mark_safe(cell_html(value, "count"))


@register.filter
def pct_cell(value):
    """A percentage as the viewer may see it: 12.3%, withheld in words, or a dash."""
    return mark_safe(cell_html(value, "pct"))
