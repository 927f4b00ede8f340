"""The pieces every loader uses: the load context, header checks, DfE cells, periods, batching."""

from __future__ import annotations

import csv
import math
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from functools import cache, lru_cache
from pathlib import Path

import yaml
from django.db import connection

from sendtrust.benchmarks.measures import MEASURES
from sendtrust.benchmarks.models import SYMBOL_MEANINGS, Dataset, Figure, Measure
from sendtrust.lib import bulk

# Symbols for cells DfE withheld to protect confidentiality.
SUPPRESSED = {"x", "c"}
HEADERS_FILE = Path(__file__).with_name("headers.yaml")
# Figures queued before a write: few, large multi-row INSERTs (or one COPY) per file.
BATCH_SIZE = 50_000
# Rows per bulk_create of reference tables (split further to fit SQLite's variable limit).
REFERENCE_BATCH_SIZE = 5000
# SQLite's default 2 MB page cache makes index inserts into a large table seek the disk;
# 64 MB keeps the figure indexes in memory while loading.
SQLITE_CACHE_PRAGMA = "PRAGMA cache_size = -65536"


class LoadError(Exception):
    """A file that cannot be loaded as it is; the message names the file and the problem."""


@dataclass(frozen=True)
class Place:
    level: str
    code: str
    name: str
    la_code: str = ""


@dataclass(frozen=True)
class When:
    period: str
    year: int


Cell = tuple[float | None, str]


@dataclass
class Context:
    """One file being loaded: where it is, its Dataset, and what loading it has found."""

    root: Path
    path: Path
    dataset: Dataset
    rows_read: int = 0
    rows_loaded: int = 0
    warnings: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    @property
    def key(self) -> str:
        """The file's path inside the data folder, e.g. 'lait-2026/bds_long_sen_subset.csv'."""
        return self.path.relative_to(self.root).as_posix()

    @property
    def name(self) -> str:
        return self.path.name

    def warn(self, message: str) -> None:
        self.warnings.append(message)

    def note(self, message: str) -> None:
        self.notes.append(message)

    def error(self, message: str, line: int | None = None) -> LoadError:
        """A LoadError whose message starts with the file (and line) it is about."""
        where = f"{self.key}, line {line}" if line else self.key
        return LoadError(f"{where}: {message}")


@cache
def expected_headers() -> dict[str, list[str]]:
    """The header each supported file is known to have, by path inside the data folder."""
    return yaml.safe_load(HEADERS_FILE.read_text())


def check_header(ctx: Context, header: Sequence[str], key: str | None = None) -> None:
    """Raise a LoadError naming the missing and unexpected columns, if any."""
    key = key or ctx.key
    expected = expected_headers().get(key)
    if expected is None:
        raise LoadError(f"{key}: no expected header is recorded for this file in headers.yaml")
    actual = [column.strip() for column in header]
    missing = [c for c in expected if c not in actual]
    unexpected = [c for c in actual if c not in expected]
    if missing or unexpected:
        parts = []
        if missing:
            parts.append("missing column(s) " + ", ".join(repr(c) for c in missing))
        if unexpected:
            parts.append("unexpected column(s) " + ", ".join(repr(c) for c in unexpected))
        raise LoadError(f"{key}: unexpected header: " + "; ".join(parts))


class CsvTable:
    """An open DfE CSV file whose header has been checked; rows come as lists of strings.

    `index` maps each column name to its position, resolved once from the checked header, so
    loaders look cells up by position instead of building a dict per row. Use as a context
    manager; `rows()` yields (line number, fields) and counts the rows read.
    """

    def __init__(self, ctx: Context, encoding: str = "utf-8-sig", path: Path | None = None):
        self.ctx = ctx
        self.path = path or ctx.path
        self.key = self.path.relative_to(ctx.root).as_posix()
        self.encoding = encoding

    def __enter__(self) -> CsvTable:
        self.handle = self.path.open(newline="", encoding=self.encoding)
        try:
            self.reader = csv.reader(self.handle)
            self.header = [column.strip() for column in next(self.reader, [])]
            check_header(self.ctx, self.header, self.key)
        except BaseException:
            self.handle.close()
            raise
        self.index = {column: i for i, column in enumerate(self.header)}
        return self

    def __exit__(self, *exc) -> None:
        self.handle.close()

    def columns(self, *names: str) -> list[int]:
        """The positions of the named columns (KeyError for a column the header lacks)."""
        return [self.index[name] for name in names]

    def rows(self) -> Iterator[tuple[int, list[str]]]:
        """Yield (line number, fields) for every non-blank row, checking each row's width."""
        reader, ctx, key = self.reader, self.ctx, self.key
        width = len(self.header)
        for row in reader:
            if len(row) != width:
                if not row:
                    continue
                raise LoadError(
                    f"{key}, line {reader.line_num}: {len(row)} fields where the header has {width}"
                )
            ctx.rows_read += 1
            yield reader.line_num, row


def read_csv(
    ctx: Context, encoding: str = "utf-8-sig", path: Path | None = None
) -> Iterator[tuple[int, dict[str, str]]]:
    """Yield (line number, row as a dict) after checking the header; counts rows read.

    `path` reads a companion file of the same dataset (e.g. a lookup shipped beside it).
    For small files; the big loaders read positions with CsvTable.
    """
    with CsvTable(ctx, encoding, path) as table:
        header = table.header
        for line, row in table.rows():
            yield line, dict(zip(header, row, strict=True))


def parse_cell(ctx: Context, text: str, line: int, column: str) -> Cell:
    """A number, or (None, symbol) for a DfE symbol; anything else is a LoadError."""
    text = text.strip()
    if text in SYMBOL_MEANINGS:
        return None, text
    try:
        value = float(text)
    except ValueError:
        value = math.nan
    if not math.isfinite(value):
        raise ctx.error(
            f"column {column!r} holds {text!r}, which is neither a number nor a DfE symbol", line
        )
    return value, ""


class CellParser:
    """parse_cell with a memo: DfE files repeat the same cell texts (symbols, small counts).

    Only cells that parse are remembered; a bad cell goes through parse_cell every time, so
    the error names the column and line where it is.
    """

    # Distinct texts remembered per file at most (LAIT's 118,000 values have ~30,000).
    LIMIT = 200_000

    def __init__(self, ctx: Context):
        self.ctx = ctx
        self.memo: dict[str, Cell] = {}

    def __call__(self, text: str, line: int, column: str) -> Cell:
        cell = self.memo.get(text)
        if cell is None:
            cell = parse_cell(self.ctx, text, line, column)
            if len(self.memo) < self.LIMIT:
                self.memo[text] = cell
        return cell


@lru_cache(maxsize=4096)
def academic_or_calendar(time_period: str) -> When:
    """DfE time_period (202425, 2024, '202223.0') as a label and the year it ends in."""
    digits = time_period.strip().removesuffix(".0")
    if len(digits) == 6 and digits.isdigit():
        start = int(digits[:4])
        return When(f"{start}/{digits[4:]}", start + 1)
    if len(digits) == 4 and digits.isdigit():
        return When(digits, int(digits))
    raise ValueError(f"unrecognised DfE time period {time_period!r}")


def canonical_breakdown(**parts: str) -> str:
    """'key=value;...' for the non-empty parts, in key order ('' when there are none)."""
    return ";".join(f"{k}={v.replace(';', ',')}" for k, v in sorted(parts.items()) if v)


# Figure columns in the order FigureWriter queues them.
FIGURE_COLUMNS = (
    "dataset_id", "measure_id", "period", "year", "level", "geo_code", "geo_name", "la_code",
    "phase", "sen", "need", "breakdown", "value", "symbol",
)  # fmt: skip


class FigureWriter:
    """Collects Figure rows for one dataset and inserts them in large batches.

    Rows are plain tuples in FIGURE_COLUMNS order, written with multi-row INSERTs (COPY on
    PostgreSQL): building a model instance per figure made bulk_create ten times slower for
    files of 100,000+ rows. `add` queues one figure from its parts; the big loaders build the
    tuples themselves, check each measure once with `use`, queue with `append` and call
    `flush_if_full` now and then.
    """

    def __init__(self, ctx: Context):
        self.ctx = ctx
        self.dataset_id = ctx.dataset.pk
        self.pending: list[tuple] = []
        # Bound once: flush empties the list in place, so this stays valid.
        self.append = self.pending.append
        self.measures: dict[str, tuple[str, str]] = {}
        self.saved_measures: set[str] = set()

    def define(self, code: str, label: str, unit: str) -> None:
        """Declare a measure this file brings that measures.MEASURES does not list."""
        self.measures.setdefault(code, (label, unit))

    def use(self, measure: str) -> str:
        """The measure code, after checking that it is defined (a loader bug if not)."""
        if measure not in self.measures:
            if measure not in MEASURES:
                raise self.ctx.error(f"loader bug: measure {measure!r} is not defined")
            self.measures[measure] = MEASURES[measure]
        return measure

    def add(
        self,
        measure: str,
        when: When,
        place: Place,
        cell: Cell,
        phase: str = "",
        sen: str = "",
        need: str = "",
        **breakdown: str,
    ) -> None:
        """Queue one figure; any other keyword is a breakdown (e.g. sex="Girls")."""
        if measure not in self.measures:
            self.use(measure)
        self.pending.append(
            (
                self.dataset_id,
                measure,
                when.period,
                when.year,
                place.level,
                place.code,
                place.name,
                place.la_code,
                phase,
                sen,
                need,
                canonical_breakdown(**breakdown) if breakdown else "",
                *cell,
            )
        )
        if len(self.pending) >= BATCH_SIZE:
            self.flush()

    def flush_if_full(self) -> None:
        if len(self.pending) >= BATCH_SIZE:
            self.flush()

    def flush(self) -> None:
        """Write the queued figures (and any new measures they use)."""
        self._save_measures()
        if self.pending:
            insert_rows(Figure, FIGURE_COLUMNS, self.pending)
            self.ctx.rows_loaded += len(self.pending)
            self.pending.clear()

    def _save_measures(self) -> None:
        new = [
            Measure(code=code, label=label[:300], unit=unit)
            for code, (label, unit) in self.measures.items()
            if code not in self.saved_measures
        ]
        if new:
            Measure.objects.bulk_create(
                new,
                update_conflicts=True,
                unique_fields=["code"],
                update_fields=["label", "unit"],
                batch_size=REFERENCE_BATCH_SIZE,
            )
            self.saved_measures.update(m.code for m in new)


def insert_rows(model, columns: Sequence[str], rows: list[tuple]) -> None:
    """Insert DB-ready tuples into model's table: COPY on PostgreSQL, multi-row INSERTs else."""
    if connection.vendor == "postgresql":
        table = connection.ops.quote_name(model._meta.db_table)
        names = ", ".join(connection.ops.quote_name(c) for c in columns)
        with (
            connection.cursor() as cursor,
            cursor.cursor.copy(f"COPY {table} ({names}) FROM STDIN") as copy,
        ):
            for row in rows:
                copy.write_row(row)
        return
    if connection.vendor == "sqlite":
        with connection.cursor() as cursor:
            cursor.execute(SQLITE_CACHE_PRAGMA)
    bulk.insert_rows(model, columns, rows)


def check_total(
    ctx: Context, what: str, published: float | None, parts: list[Cell], tolerance: float = 0.5
) -> None:
    """Report a published total that differs from the sum of its published parts.

    A shortfall where some parts are suppressed (x, c) is what suppression looks like, so it
    is a note; any other difference is a warning. Neither is corrected.
    """
    if published is None:
        return
    total = sum(value for value, _ in parts if value is not None)
    if math.isclose(total, published, abs_tol=tolerance):
        return
    gap = published - total
    suppressed = sum(1 for value, symbol in parts if value is None and symbol in SUPPRESSED)
    message = (
        f"{ctx.name}: {what}: published total {published:,.0f} but the parts sum to "
        f"{total:,.0f} (difference {gap:+,.0f})"
    )
    if suppressed and gap > 0:
        ctx.note(f"{message}; {suppressed} part(s) suppressed")
    else:
        missing = sum(1 for value, _ in parts if value is None)
        also = f"; {missing} part(s) missing" if missing else ""
        ctx.warn(f"{message}{also}; reported, not corrected")
