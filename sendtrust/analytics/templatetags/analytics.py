"""Cells of analytics tables: withheld values in words, missing values read as such."""

from django import template
from django.utils.html import format_html
from django.utils.safestring import mark_safe

from sendtrust.analytics.tables import Withheld

register = template.Library()

NOT_AVAILABLE = mark_safe(
    '<span aria-hidden="true">–</span><span class="visually-hidden">not available</span>'
)


@register.simple_tag
def cell(row, column):
    """Render row[column.key] for its kind: 12.3%, 1,234, -1.23, or words."""
    value = row.get(column.key)
    if value == "":
        return ""
    if value is None:
        return NOT_AVAILABLE
    if isinstance(value, Withheld):
        return format_html('<span class="withheld">{}</span>', str(value))
    if column.kind == "pct" and isinstance(value, int | float):
        return format_html("{}%", f"{value:.1f}")
    if column.kind == "count" and isinstance(value, int | float):
        return f"{int(value):,}"
    if column.kind == "num" and isinstance(value, int | float):
        return f"{value:.2f}".replace("-", "−")
    return str(value)


@register.filter
def numeric(column):
    return column.kind in ("pct", "count", "num")


@register.filter
def row_url(row):
    """The link a row's first cell carries, if the viewer may follow it."""
    return row.get("_url")
