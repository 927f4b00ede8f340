"""Disclosure control for aggregate-only roles (trustees and the like).

They never see a count from 1 to ``threshold - 1`` (default 1 to 4; 0 is shown), nor a rate
computed from one. For a table with totals, primary suppression hides the small counts and
secondary (complementary) suppression hides more cells so that no hidden value can be
worked out by subtracting the published cells of its row or column from the total, nor by
combining several rows and columns (a rank check on the table's sums).

Pure functions: no Django, no database.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Literal

# numpy and scipy are imported where the rank and range checks use them, not here: every page
# imports this module, and a worker's start should not pay for them (see analytics.stats).

THRESHOLD = 5
# However a reader combines the published rows, columns and totals, each hidden count must
# still have a feasible range at least this wide (linear programming over the table).
MIN_RANGE = 3

Reason = Literal["primary", "secondary", "missing"]
PRIMARY: Reason = "primary"
SECONDARY: Reason = "secondary"
MISSING: Reason = "missing"  # not known at source: never published, protected like the rest


def is_small(n: int | None, threshold: int = THRESHOLD) -> bool:
    """Return True when ``n`` is a count that must not be shown (1 to threshold - 1)."""
    return n is not None and 0 < n < threshold


def suppress_count(n: int | None, threshold: int = THRESHOLD) -> int | None:
    """Return ``n`` unchanged, or None when it is missing or from 1 to threshold - 1."""
    return None if n is None or is_small(n, threshold) else n


def safe_rate(num: int | None, den: int | None, threshold: int = THRESHOLD) -> float | None:
    """Return num / den as a proportion (0 to 1), or None.

    None when either count is missing or suppressed (1 to threshold - 1), or den is 0.
    """
    if suppress_count(num, threshold) is None or suppress_count(den, threshold) is None:
        return None
    return num / den if den else None


# --------------------------------------------------------------------------- tables

# An entry of the table: ("cell", i, j), ("row", i, 0) a row total, ("col", j, 0) a
# column total, ("grand", 0, 0) the grand total.
Key = tuple[str, int, int]


@dataclass(frozen=True)
class SuppressedTable:
    """A table ready to publish: hidden values are None, each with a reason alongside.

    cells / row_totals / col_totals / grand_total: the original values, or None if hidden.
    cell_reasons / row_total_reasons / col_total_reasons / grand_total_reason: None where
    published, else "primary" (a small count), "secondary" (hidden to protect another) or
    "missing" (not known at source).
    """

    cells: list[list[int | None]]
    row_totals: list[int | None]
    col_totals: list[int | None]
    grand_total: int | None
    cell_reasons: list[list[Reason | None]]
    row_total_reasons: list[Reason | None]
    col_total_reasons: list[Reason | None]
    grand_total_reason: Reason | None

    def lines(self) -> list[tuple[list[int | None], int | None]]:
        """Return every (parts, total) relation the published table obeys.

        Rows, columns, the row totals against the grand total and the column totals against
        the grand total -- the sums a reader could subtract along.
        """
        out = [(list(row), t) for row, t in zip(self.cells, self.row_totals, strict=True)]
        out += [([row[j] for row in self.cells], t) for j, t in enumerate(self.col_totals)]
        out.append((list(self.row_totals), self.grand_total))
        out.append((list(self.col_totals), self.grand_total))
        return out


def _lines(n_rows: int, n_cols: int) -> list[tuple[list[Key], Key]]:
    """Return each additive relation as (part keys, total key)."""
    rows = [([("cell", i, j) for j in range(n_cols)], ("row", i, 0)) for i in range(n_rows)]
    cols = [([("cell", i, j) for i in range(n_rows)], ("col", j, 0)) for j in range(n_cols)]
    margins = [
        ([("row", i, 0) for i in range(n_rows)], ("grand", 0, 0)),
        ([("col", j, 0) for j in range(n_cols)], ("grand", 0, 0)),
    ]
    return rows + cols + margins


def _partner(
    parts: list[Key], total: Key, values: dict[Key, int | None], hidden: dict[Key, Reason]
) -> Key:
    """Return the entry to hide so that a line with one hidden entry has two.

    The smallest non-zero published part (ties: first in the line); failing that the total;
    failing that a published zero.
    """
    visible = [k for k in parts if k not in hidden]
    non_zero = [k for k in visible if values[k]]
    if non_zero:
        return min(non_zero, key=lambda k: (values[k], parts.index(k)))
    if total not in hidden:
        return total
    return visible[0]  # total hidden and every part a published zero


def _disclosed(n_rows: int, n_cols: int, hidden: set[Key]) -> list[Key]:
    """Return the hidden entries whose exact value follows from the published ones.

    Each line is a linear equation sum(parts) - total = 0. A hidden entry is determined
    when its unit vector lies in the row space of those equations restricted to the
    hidden entries (rank test). Catches recoveries that need more than one line.
    """
    import numpy as np

    keys = sorted(hidden)
    if not keys:
        return []
    col = {k: c for c, k in enumerate(keys)}
    eqs = []
    for parts, total in _lines(n_rows, n_cols):
        eq = np.zeros(len(keys))
        for k in parts:
            if k in col:
                eq[col[k]] = 1.0
        if total in col:
            eq[col[total]] = -1.0
        if eq.any():
            eqs.append(eq)
    if not eqs:
        return []
    # x_k is fixed by the equations iff every solution of the homogeneous system has
    # x_k == 0, i.e. every null-space vector is zero at k.
    a = np.array(eqs)
    _, sv, vt = np.linalg.svd(a)
    rank = int(np.sum(sv > 1e-9 * max(a.shape)))
    null = vt[rank:]
    return [k for k in keys if np.all(np.abs(null[:, col[k]]) < 1e-9)]


def suppress_table(
    cells: Sequence[Sequence[int | None]],
    row_totals: Sequence[int | None],
    col_totals: Sequence[int | None],
    grand_total: int | None,
    threshold: int = THRESHOLD,
) -> SuppressedTable:
    """See `_suppress_table`; the same table gives the same answer, worked out once."""
    return _suppress_table(tuple(map(tuple, cells)), tuple(row_totals), tuple(col_totals),
                           grand_total, threshold)


@lru_cache(maxsize=256)
def _suppress_table(
    cells: Sequence[Sequence[int | None]],
    row_totals: Sequence[int | None],
    col_totals: Sequence[int | None],
    grand_total: int | None,
    threshold: int = THRESHOLD,
) -> SuppressedTable:
    """Return the table with small counts hidden and enough others hidden to protect them.

    Primary: every count (cell or total) from 1 to threshold - 1. None on input counts as
    hidden ("missing"). Secondary: while any row, column or margin line (row totals with
    the grand total, column totals with the grand total) has exactly one hidden entry, hide
    the smallest non-zero published part of that line (ties: first in the line), or the
    total if no such part is left. Then a rank check hides more while any hidden value is
    still determined by the published ones through several lines at once, and while any
    hidden count's feasible range (linear programming over the table) is narrower than
    MIN_RANGE. Published values are the originals, unchanged.
    """
    n_rows = len(cells)
    n_cols = len(cells[0]) if n_rows else len(col_totals)
    if any(len(row) != n_cols for row in cells):
        raise ValueError("every row must have the same number of cells")
    if len(row_totals) != n_rows or len(col_totals) != n_cols:
        raise ValueError(
            f"table is {n_rows}x{n_cols} but there are {len(row_totals)} row totals "
            f"and {len(col_totals)} column totals"
        )
    values: dict[Key, int | None] = {("grand", 0, 0): grand_total}
    values.update({("cell", i, j): v for i, row in enumerate(cells) for j, v in enumerate(row)})
    values.update({("row", i, 0): v for i, v in enumerate(row_totals)})
    values.update({("col", j, 0): v for j, v in enumerate(col_totals)})
    if any(v is not None and v < 0 for v in values.values()):
        raise ValueError("counts must be non-negative")

    hidden: dict[Key, Reason] = {}
    for k, v in values.items():
        if v is None:
            hidden[k] = MISSING
        elif is_small(v, threshold):
            hidden[k] = PRIMARY

    lines = _lines(n_rows, n_cols)
    while True:
        changed = True
        while changed:
            changed = False
            for parts, total in lines:
                if sum(k in hidden for k in [*parts, total]) == 1:
                    hidden[_partner(parts, total, values, hidden)] = SECONDARY
                    changed = True
        exposed = _disclosed(n_rows, n_cols, set(hidden))
        if not exposed:
            exposed = _narrow(n_rows, n_cols, values, hidden)
        if not exposed:
            break
        _protect(exposed[0], lines, values, hidden)

    def show(k: Key) -> int | None:
        return None if k in hidden else values[k]

    return SuppressedTable(
        cells=[[show(("cell", i, j)) for j in range(n_cols)] for i in range(n_rows)],
        row_totals=[show(("row", i, 0)) for i in range(n_rows)],
        col_totals=[show(("col", j, 0)) for j in range(n_cols)],
        grand_total=show(("grand", 0, 0)),
        cell_reasons=[[hidden.get(("cell", i, j)) for j in range(n_cols)] for i in range(n_rows)],
        row_total_reasons=[hidden.get(("row", i, 0)) for i in range(n_rows)],
        col_total_reasons=[hidden.get(("col", j, 0)) for j in range(n_cols)],
        grand_total_reason=hidden.get(("grand", 0, 0)),
    )


def feasible_ranges(
    n_rows: int, n_cols: int, values: dict[Key, int | None], hidden: Iterable[Key],
    keys: Iterable[Key] | None = None,
) -> dict[Key, tuple[float, float]]:
    """(min, max) of each hidden entry over every non-negative table that agrees with the
    published entries and the table's sums (linear programming, continuous relaxation)."""
    import numpy as np
    from scipy.optimize import linprog

    hidden = sorted(set(hidden))
    if not hidden:
        return {}
    col = {k: c for c, k in enumerate(hidden)}
    a_eq, b_eq = [], []
    for parts, total in _lines(n_rows, n_cols):
        eq = np.zeros(len(hidden))
        known = 0.0
        for k, sign in [*((p, 1.0) for p in parts), (total, -1.0)]:
            if k in col:
                eq[col[k]] += sign
            else:
                known += sign * values[k]
        if eq.any():
            a_eq.append(eq)
            b_eq.append(-known)
    out = {}
    for k in hidden if keys is None else keys:
        c = np.zeros(len(hidden))
        c[col[k]] = 1.0
        args = {"A_eq": np.array(a_eq), "b_eq": np.array(b_eq)} if a_eq else {}
        lo = linprog(c, bounds=(0, None), method="highs", **args)
        hi = linprog(-c, bounds=(0, None), method="highs", **args)
        top = np.inf if hi.status == 3 else -hi.fun
        out[k] = (lo.fun if lo.status == 0 else 0.0, top)
    return out


def _narrow(
    n_rows: int, n_cols: int, values: dict[Key, int | None], hidden: dict[Key, Reason]
) -> list[Key]:
    """Hidden counts whose feasible range is narrower than MIN_RANGE."""
    if any(v is None for v in values.values()):
        return []  # a missing value has no known value to bound the others with
    small = [k for k, r in hidden.items() if r in (PRIMARY, SECONDARY)]
    ranges = feasible_ranges(n_rows, n_cols, values, hidden, small)
    return [k for k in sorted(small) if ranges[k][1] - ranges[k][0] < MIN_RANGE - 1e-9]


def _protect(
    key: Key,
    lines: list[tuple[list[Key], Key]],
    values: dict[Key, int | None],
    hidden: dict[Key, Reason],
) -> None:
    """Hide one more published entry, on a line through ``key`` if any is left published.

    Chosen as in ``_partner``; when every line through ``key`` is already hidden, on the
    first line that still has a published entry.
    """
    through = [line for line in lines if key in (*line[0], line[1])]
    for parts, total in through + lines:
        if any(k not in hidden for k in (*parts, total)):
            hidden[_partner(parts, total, values, hidden)] = SECONDARY
            return
