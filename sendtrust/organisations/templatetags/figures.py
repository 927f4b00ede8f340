"""Formatting for figures on pages: fast, and the same everywhere."""

from django import template
from django.utils.html import format_html
from django.utils.safestring import mark_safe

register = template.Library()

# Said to screen readers where a sighted user sees a dash.
NOT_AVAILABLE = mark_safe(
    '<span aria-hidden="true">–</span><span class="visually-hidden">not available</span>'
)


@register.filter
def pct(value):
    """Return a percentage with one decimal ("12.6%"), or a dash read as "not available"."""
    if value is None or value == "":
        return NOT_AVAILABLE
    # Django's floatformat goes through Decimal and locale: 20 ms a page here. This is exact
    # enough for a rate already rounded to one decimal.
    return format_html("{}%", f"{float(value):.1f}")
