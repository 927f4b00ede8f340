"""Disclosure control: small counts hidden, and nothing hidden can be worked back out."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy.optimize import linprog

from sendtrust.analytics.suppression import (
    SuppressedTable,
    safe_rate,
    suppress_count,
    suppress_table,
)

P, S = "primary", "secondary"


def test_suppress_count_hides_one_to_four_and_shows_zero():
    assert [suppress_count(n) for n in range(7)] == [0, None, None, None, None, 5, 6]
    assert suppress_count(None) is None
    assert suppress_count(9, threshold=10) is None and suppress_count(10, threshold=10) == 10


def test_safe_rate_refuses_a_rate_built_on_a_small_count():
    assert safe_rate(10, 40) == 0.25
    assert safe_rate(0, 50) == 0.0
    assert safe_rate(3, 100) is None
    assert safe_rate(10, 4) is None
    assert safe_rate(0, 0) is None
    assert safe_rate(None, 40) is None and safe_rate(10, None) is None


def test_one_small_cell_in_a_two_by_two_hides_all_four_cells_but_no_total():
    t = suppress_table([[3, 10], [20, 30]], [13, 50], [23, 40], 63)
    assert t.cells == [[None, None], [None, None]]
    assert t.cell_reasons == [[P, S], [S, S]]
    assert (t.row_totals, t.col_totals, t.grand_total) == ([13, 50], [23, 40], 63)
    assert t.row_total_reasons == [None, None] and t.grand_total_reason is None


def test_a_total_is_hidden_when_it_is_the_only_published_entry_left_to_hide():
    # Row 1 is [0, 20 (hidden)] = 20: the zero cannot protect the 20, so its total goes;
    # that leaves one hidden row total against the grand total, so row total 0 goes too.
    t = suppress_table([[3, 8], [0, 20]], [11, 20], [3, 28], 31)
    assert t.cells == [[None, None], [0, None]]
    assert t.cell_reasons == [[P, S], [None, S]]
    assert t.row_total_reasons == [S, S] and t.col_total_reasons == [P, S]
    assert t.grand_total == 31


def test_secondary_suppression_takes_the_smallest_non_zero_cell():
    t = suppress_table([[2, 0, 9, 6]], [17], [2, 0, 9, 6], 17)
    # Primary hides the 2 in the cell and in its column total; the row needs a partner:
    # the 0 is skipped and 6 is the smallest non-zero.
    assert t.cells == [[None, 0, 9, None]]
    assert t.cell_reasons[0][3] == S


def test_missing_input_counts_as_hidden_and_is_protected():
    t = suppress_table([[None, 12, 30]], [50], [8, 12, 30], 50)
    assert t.cell_reasons[0][0] == "missing" and t.cell_reasons[0][1] == S


def test_shape_and_sign_are_checked():
    with pytest.raises(ValueError):
        suppress_table([[1, 2], [3]], [3, 3], [4, 2], 6)
    with pytest.raises(ValueError):
        suppress_table([[1, 2]], [3, 0], [1, 2], 3)
    with pytest.raises(ValueError):
        suppress_table([[-1, 2]], [1], [-1, 2], 1)


# --------------------------------------------------------------------------- properties


@st.composite
def tables(draw):
    rows = draw(st.integers(1, 6))
    cols = draw(st.integers(1, 6))
    count = st.one_of(st.integers(0, 6), st.integers(0, 80))  # plenty of small counts
    cells = [[draw(count) for _ in range(cols)] for _ in range(rows)]
    row_totals = [sum(r) for r in cells]
    col_totals = [sum(c) for c in zip(*cells, strict=True)]
    return cells, row_totals, col_totals, sum(row_totals)


def published_pairs(original, table: SuppressedTable):
    cells, row_totals, col_totals, grand = original
    yield from zip(sum(cells, []), sum(table.cells, []), strict=True)
    yield from zip(row_totals, table.row_totals, strict=True)
    yield from zip(col_totals, table.col_totals, strict=True)
    yield grand, table.grand_total


def value_ranges(original, table: SuppressedTable):
    """Return (min, max) of every hidden entry over all non-negative tables that agree with
    what is published (linear programming, independent of the library's own audit)."""
    cells, row_totals, col_totals, grand = original
    n_rows, n_cols = len(cells), len(cells[0])
    # Variables: cells row-major, then row totals, col totals, grand total.
    truth = sum(cells, []) + row_totals + col_totals + [grand]
    shown = sum(table.cells, []) + table.row_totals + table.col_totals + [table.grand_total]
    cell = lambda i, j: i * n_cols + j  # noqa: E731
    row_t = lambda i: n_rows * n_cols + i  # noqa: E731
    col_t = lambda j: n_rows * n_cols + n_rows + j  # noqa: E731
    grand_t = len(truth) - 1
    relations = [([cell(i, j) for j in range(n_cols)], row_t(i)) for i in range(n_rows)]
    relations += [([cell(i, j) for i in range(n_rows)], col_t(j)) for j in range(n_cols)]
    relations += [([row_t(i) for i in range(n_rows)], grand_t)]
    relations += [([col_t(j) for j in range(n_cols)], grand_t)]
    a_eq = np.zeros((len(relations), len(truth)))
    for r, (parts, total) in enumerate(relations):
        a_eq[r, parts] = 1
        a_eq[r, total] = -1
    bounds = [(v, v) if s is not None else (0, None) for v, s in zip(truth, shown, strict=True)]
    out = {}
    for k, s in enumerate(shown):
        if s is None:
            c = np.zeros(len(truth))
            c[k] = 1
            lo = linprog(c, A_eq=a_eq, b_eq=np.zeros(len(relations)), bounds=bounds)
            hi = linprog(-c, A_eq=a_eq, b_eq=np.zeros(len(relations)), bounds=bounds)
            assert lo.status == 0 and hi.status in (0, 3)  # 3: unbounded above
            out[k] = (lo.fun, np.inf if hi.status == 3 else -hi.fun)
    return out


@settings(max_examples=40, deadline=None)
@given(tables(), st.sampled_from([3, 5, 10]))
def test_no_small_count_is_published_and_nothing_hidden_can_be_recovered(original, threshold):
    table = suppress_table(*original, threshold=threshold)
    for value, shown in published_pairs(original, table):
        assert shown is None or shown == value  # published entries are the originals
        if 0 < value < threshold:
            assert shown is None
    for parts, total in table.lines():
        hidden = sum(v is None for v in [*parts, total])
        assert hidden != 1, (parts, total)  # no single hidden entry in any row or column
    for lo, hi in value_ranges(original, table).values():
        assert hi - lo > 0.5  # every hidden value has at least two possible values


def test_a_value_recoverable_only_through_several_lines_is_protected_too():
    cells = [[3, 3, 20, 8, 3], [3, 8, 0, 20, 20], [40, 40, 0, 5, 2], [20, 8, 0, 3, 3]]
    original = (cells, [37, 51, 87, 34], [66, 59, 20, 36, 28], 209)
    # The row/column rule alone stops with these nine cells hidden: every line then holds
    # 0 or >= 2 of them, yet cell (0, 4) = 3 follows from column 4 (8 hidden in all),
    # rows 2 and 3 (7 and 6) and column 3 (8): 8 - (7 + 6 - 8) = 3.
    line_rule_only = {(0, 0), (0, 1), (0, 4), (1, 0), (1, 1), (2, 3), (2, 4), (3, 3), (3, 4)}
    table = suppress_table(*original)
    hidden = {(i, j) for i, row in enumerate(table.cells) for j, v in enumerate(row) if v is None}
    assert hidden > line_rule_only
    assert table.cell_reasons[0][3] == S
    for lo, hi in value_ranges(original, table).values():
        assert hi - lo > 0.5
