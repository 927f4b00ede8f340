"""The one shape every analytics figure takes: a captioned table of plain values.

Pages render it beside its chart, exports write it as CSV or .xlsx and the API returns it, so
a value withheld from a trustee is withheld the same way everywhere: it is a `Withheld` in the
table itself, never a number that a template has to remember to hide.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from sendtrust.analytics.suppression import MISSING, PRIMARY, SECONDARY


@dataclass(frozen=True)
class Withheld:
    """A value not shown: a small count, a cell hidden to protect one, or not known."""

    reason: str  # "primary" (a count from 1 to 4), "secondary", "missing" or "rate"

    TEXT = {
        PRIMARY: "fewer than 5",
        SECONDARY: "withheld to protect a small number",
        MISSING: "not available",
        "rate": "withheld (small number)",
    }

    def __str__(self) -> str:
        return self.TEXT.get(self.reason, "withheld")


SMALL = Withheld(PRIMARY)
PROTECTING = Withheld(SECONDARY)
RATE_WITHHELD = Withheld("rate")


@dataclass(frozen=True)
class Column:
    key: str
    label: str
    # text | count | pct (a percentage, 0-100) | num (a score or difference) | year
    kind: str = "text"


@dataclass
class Table:
    """A table as published: rows of values keyed by column, withheld values marked."""

    key: str  # a slug, used in export file names and URLs
    caption: str
    columns: list[Column]
    rows: list[dict] = field(default_factory=list)
    footer: list[dict] = field(default_factory=list)  # total rows, drawn in <tfoot>
    notes: list[str] = field(default_factory=list)
    # A key a row may carry with a link for its first cell (not exported).
    link_key: str = "_link"

    def all_rows(self) -> list[dict]:
        return [*self.rows, *self.footer]

    def withheld_count(self) -> int:
        return sum(
            isinstance(row.get(c.key), Withheld) for row in self.all_rows() for c in self.columns
        )


def cell_text(value, kind: str) -> str:
    """The text of a cell as a page or CSV shows it."""
    if value is None:
        return ""
    if isinstance(value, Withheld):
        return str(value)
    if kind == "pct" and isinstance(value, int | float):
        return f"{value:.1f}"
    if kind == "num" and isinstance(value, int | float):
        return f"{value:.2f}" if isinstance(value, float) else str(value)
    if kind == "count" and isinstance(value, int | float):
        return f"{int(value)}"
    return str(value)
