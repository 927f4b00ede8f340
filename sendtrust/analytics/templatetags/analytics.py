"""Analytics tables and figure cells: withheld values in words, missing values read as such.

`analytics_table` writes a `Table` through analytics/_analytics_table.html (its frame: scroll
region, caption, header cells, empty state, totals, source notes); the rows inside it are
written here (see below for why), and so are the trust overview's figure cells (`count_cell`,
`pct_cell`), by the same function.
"""

import json
from html import escape

from django import template
from django.core.serializers.json import DjangoJSONEncoder
from django.utils.safestring import mark_safe

from sendtrust.analytics.tables import Withheld

register = template.Library()

NUMERIC = ("pct", "count", "num")


def value_text(value, kind: str) -> str:
    """A value (not None, not withheld) as its cell reads: 12.3%, 1,234, −1.23, or words."""
    if isinstance(value, str):
        return value
    if isinstance(value, int | float):
        if kind == "pct":
            return f"{value:.1f}%"
        if kind == "count":
            return f"{int(value):,}"
        if kind == "num":
            return f"{value:.2f}".replace("-", "−")
    return str(value)


# The rows of a table are written here, not by the template. Measured on the 12-school /
# 8,000-pupil demo, CPU per request (load average 9-11 on 2 cores): written by the template
# (a loop over prepared cells, one test of the mark per cell, the cached template loader), the
# rows cost 10 to 40 times what these lines cost: 26 analytics tables of 2,111 cells 40 ms
# against 3.8 ms; the trust analytics page 39 ms against 1.5 ms, the national picture 305 ms
# against 6 ms, the biggest single cost of the page. Every text in them is escaped.
# The trust overview's cells were for a while a template partial included per cell: at 50
# schools (450 includes) the overview took 183 ms p50 against a 105 ms floor (page / floor
# 1.74), written here again.

NOT_AVAILABLE = ('<span aria-hidden="true">–</span>'
                 '<span class="visually-hidden">not available</span>')


def _cell_html(value, kind: str) -> str:
    if value is None:
        return NOT_AVAILABLE
    if isinstance(value, Withheld):
        return f'<span class="withheld">{escape(str(value))}</span>'
    return escape(value_text(value, kind))


def _rows_html(rows: list[dict], columns, *, footer: bool) -> str:
    first, *rest = columns
    tds = [('<td class="num">' if c.kind in NUMERIC else "<td>", c.key, c.kind) for c in rest]
    out = []
    for row in rows:
        head = _cell_html(row.get(first.key), first.kind)
        url = None if footer else row.get("_url")
        if url:
            head = f'<a href="{escape(str(url))}">{head}</a>'
        parts = [f'\n    <tr><th scope="row">{head}</th>']
        for td, key, kind in tds:
            if footer and key not in row:
                parts.append(f"{td}</td>")
            else:
                parts.append(f"{td}{_cell_html(row.get(key), kind)}</td>")
        parts.append("</tr>\n  ")
        out.append("".join(parts))
    return mark_safe("".join(out))  # noqa: S308  (every text in it escaped above)


@register.inclusion_tag("analytics/_analytics_table.html")
def analytics_table(table):
    """The whole table with its caption and source notes, as the page shows it.

    A row's first cell is its header, linked when the row carries a "_url" (body rows only);
    a total row leaves empty the columns it has no key for."""
    columns = table.columns
    return {
        "caption": table.caption,
        "heads": [(c.label, c.kind in NUMERIC) for c in columns],
        "width": len(columns),
        "rows": _rows_html(table.rows, columns, footer=False),
        "footer": _rows_html(table.footer, columns, footer=True),
        "notes": table.notes,
    }


@register.filter
def spec_json(spec):
    """A chart's spec as JSON for a <script type="application/json"> element.

    Escaped as `json_script` escapes it (&, < and > as \\u escapes, so no text in it can end
    the element), with str.replace: `json_script`'s str.translate walks a funnel spec's tens of
    kilobytes one character at a time in Python.
    """
    return mark_safe(json.dumps(spec, cls=DjangoJSONEncoder).replace("&", "\\u0026")  # noqa: S308
                     .replace("<", "\\u003C").replace(">", "\\u003E"))


@register.filter
def count_cell(value):
    """A count as the viewer may see it (1,234, "fewer than 5" in words, or missing), written
    as a table row's cell is."""
    return mark_safe(_cell_html(value, "count"))  # noqa: S308  (escaped in _cell_html)


@register.filter
def pct_cell(value):
    """A percentage as the viewer may see it (12.3%, withheld in words, or missing), written
    as a table row's cell is."""
    return mark_safe(_cell_html(value, "pct"))  # noqa: S308  (escaped in _cell_html)
