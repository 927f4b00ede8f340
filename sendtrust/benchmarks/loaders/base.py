"""The pieces every loader uses: the load context, header checks, DfE cells, periods, batching."""

from __future__ import annotations

import csv
import math
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

import yaml

from sendtrust.benchmarks.measures import MEASURES
from sendtrust.benchmarks.models import SYMBOL_MEANINGS, Dataset, Figure, Measure

HEADERS_FILE = Path(__file__).with_name("headers.yaml")
# SQLite caps a statement at 999 variables and Django splits batches to fit; on PostgreSQL
# this keeps each INSERT well under the 65,535-parameter protocol limit.
BATCH_SIZE = 2000


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


def check_header(ctx: Context, header: Sequence[str]) -> None:
    """Raise a LoadError naming the missing and unexpected columns, if any."""
    expected = expected_headers().get(ctx.key)
    if expected is None:
        raise ctx.error("no expected header is recorded for this file in headers.yaml")
    actual = [column.strip() for column in header]
    missing = [c for c in expected if c not in actual]
    unexpected = [c for c in actual if c not in expected]
    if missing or unexpected:
        parts = []
        if missing:
            parts.append("missing column(s) " + ", ".join(repr(c) for c in missing))
        if unexpected:
            parts.append("unexpected column(s) " + ", ".join(repr(c) for c in unexpected))
        raise ctx.error("unexpected header: " + "; ".join(parts))


def read_csv(ctx: Context, encoding: str = "utf-8-sig") -> Iterator[tuple[int, dict[str, str]]]:
    """Yield (line number, row as a dict) after checking the header; counts rows read."""
    with ctx.path.open(newline="", encoding=encoding) as handle:
        reader = csv.reader(handle)
        header = [column.strip() for column in next(reader, [])]
        check_header(ctx, header)
        width = len(header)
        for row in reader:
            if not row:
                continue
            if len(row) != width:
                raise ctx.error(f"{len(row)} fields where the header has {width}", reader.line_num)
            ctx.rows_read += 1
            yield reader.line_num, dict(zip(header, row, strict=True))


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


class FigureWriter:
    """Collects Figure rows for one dataset and writes them with bulk_create in batches."""

    def __init__(self, ctx: Context):
        self.ctx = ctx
        self.pending: list[Figure] = []
        self.measures: dict[str, tuple[str, str]] = {}
        self.saved_measures: set[str] = set()

    def define(self, code: str, label: str, unit: str) -> None:
        """Declare a measure this file brings that measures.MEASURES does not list."""
        self.measures.setdefault(code, (label, unit))

    def add(self, measure: str, when: When, place: Place, cell: Cell, **dims: str) -> None:
        """Queue one figure; dims are phase, sen, need and breakdown."""
        if measure not in self.measures:
            if measure not in MEASURES:
                raise self.ctx.error(f"loader bug: measure {measure!r} is not defined")
            self.measures[measure] = MEASURES[measure]
        value, symbol = cell
        self.pending.append(
            Figure(
                dataset=self.ctx.dataset,
                measure_id=measure,
                period=when.period,
                year=when.year,
                level=place.level,
                geo_code=place.code,
                geo_name=place.name,
                la_code=place.la_code,
                value=value,
                symbol=symbol,
                **dims,
            )
        )
        if len(self.pending) >= BATCH_SIZE:
            self.flush()

    def flush(self) -> None:
        """Write the queued figures (and any new measures they use)."""
        self._save_measures()
        if self.pending:
            Figure.objects.bulk_create(self.pending, batch_size=BATCH_SIZE)
            self.ctx.rows_loaded += len(self.pending)
            self.pending = []

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
                batch_size=BATCH_SIZE,
            )
            self.saved_measures.update(m.code for m in new)


def check_total(ctx: Context, what: str, published: float | None, parts: list[Cell]) -> None:
    """Warn when a published total differs from the sum of its published parts."""
    if published is None:
        return
    hidden = sum(1 for value, _ in parts if value is None)
    total = sum(value for value, _ in parts if value is not None)
    if math.isclose(total, published, abs_tol=0.5):
        return
    gap = published - total
    because = f" ({hidden} part(s) suppressed or missing)" if hidden else ""
    ctx.warn(
        f"{ctx.name}: {what}: published total {published:,.0f} but the parts sum to "
        f"{total:,.0f} (difference {gap:+,.0f}){because}; reported, not corrected"
    )
