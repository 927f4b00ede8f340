"""The fast paths of the loaders: batched figure writes, memoised cells, positional CSV reads."""

from pathlib import Path

import pytest
from django.utils import timezone

from sendtrust.benchmarks.loaders.base import (
    CellParser,
    Context,
    CsvTable,
    FigureWriter,
    LoadError,
    When,
)
from sendtrust.benchmarks.loaders.geography import ENGLAND
from sendtrust.benchmarks.models import Dataset, Figure
from sendtrust.lib import bulk

pytestmark = pytest.mark.django_db


def _context(root: Path, name: str = "f.csv") -> Context:
    dataset = Dataset.objects.create(
        key=f"test/{name}", family="test", title="t", file_name=name, sha256="0" * 64,
        loaded_at=timezone.now(),
    )  # fmt: skip
    return Context(root=root, path=root / name, dataset=dataset)


def test_every_figure_is_written_in_order_whatever_the_batch_remainder(tmp_path):
    ctx = _context(tmp_path)
    writer = FigureWriter(ctx)
    per = min(bulk.MAX_ROWS_PER_STATEMENT, bulk.max_params() // 14)
    # Two full statements, three small ones and a last short one.
    count = 2 * per + 3 * bulk.REST_ROWS_PER_STATEMENT + 7
    when = When("2019", 2019)
    for i in range(count):
        writer.add("pupils", when, ENGLAND, (float(i), ""), phase="primary", sex=f"s{i % 3}")
    writer.flush()
    stored = list(
        Figure.objects.filter(dataset=ctx.dataset).order_by("pk").values_list("value", "breakdown")
    )
    assert stored == [(float(i), f"sex=s{i % 3}") for i in range(count)]
    assert ctx.rows_loaded == count


def test_a_memoised_cell_is_the_parsed_cell_and_a_bad_cell_always_fails(tmp_path):
    parse = CellParser(_context(tmp_path))
    assert parse(" 12 ", 2, "NOR") == (12.0, "") == parse(" 12 ", 3, "NOR")
    assert parse("x", 4, "NOR") == (None, "x")
    for line in (5, 6):
        with pytest.raises(LoadError, match=f"line {line}: column 'NOR' holds 'n/k'"):
            parse("n/k", line, "NOR")
    assert "n/k" not in parse.memo


def test_csv_table_gives_positions_from_the_checked_header(tmp_path, monkeypatch):
    from sendtrust.benchmarks.loaders import base

    (tmp_path / "f.csv").write_text("\ufeffa, b ,c\n1,2,3\n\n4,5,6\n7,8\n", encoding="utf-8")
    monkeypatch.setattr(base, "expected_headers", lambda: {"f.csv": ["a", "b", "c"]})
    ctx = _context(tmp_path)
    with CsvTable(ctx) as table:
        assert table.columns("c", "b") == [2, 1]
        rows = table.rows()
        assert next(rows) == (2, ["1", "2", "3"])
        assert next(rows) == (4, ["4", "5", "6"])  # the blank line is skipped
        with pytest.raises(LoadError, match="f.csv, line 5: 2 fields where the header has 3"):
            next(rows)
    assert ctx.rows_read == 2
