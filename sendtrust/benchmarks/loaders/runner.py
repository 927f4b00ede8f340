"""Load one file in one transaction, or every known file in a folder, recording each attempt."""

from __future__ import annotations

import hashlib
import re
import time
from collections.abc import Callable, Iterable
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from django.db import connection, transaction
from django.utils import timezone

from sendtrust.benchmarks.loaders.base import Context, LoadError
from sendtrust.benchmarks.models import (
    Dataset,
    Establishment,
    EstablishmentLink,
    Figure,
    LoadRun,
    LocalAuthority,
)

DOC_SUFFIXES = {".md", ".txt"}


@dataclass(frozen=True)
class Loader:
    """How to load one DfE file: its path in the data folder, a family, a title, a function."""

    path: str
    family: str
    title: str
    load: Callable[[Context], None]


@dataclass
class Outcome:
    """What happened to one file: loaded, failed or skipped, with figures and warnings."""

    key: str
    status: str
    message: str = ""
    rows_read: int = 0
    rows_loaded: int = 0
    seconds: float = 0.0
    warnings: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


def sha256_of(path: Path) -> str:
    """The file's SHA-256 as hex."""
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def clear(dataset: Dataset) -> None:
    """Delete every row an earlier load of this dataset wrote, so a reload replaces them."""
    # Figures: one DELETE by dataset_id (nothing refers to a figure, so nothing cascades).
    table = connection.ops.quote_name(Figure._meta.db_table)
    column = connection.ops.quote_name(Figure._meta.get_field("dataset").column)
    with connection.cursor() as cursor:
        cursor.execute(f"DELETE FROM {table} WHERE {column} = %s", [dataset.pk])
    for model in (LocalAuthority, Establishment, EstablishmentLink):
        model.objects.filter(dataset=dataset).delete()


def _figure_index_sql() -> dict[str, str]:
    """{index name: CREATE INDEX statement} for every index the Figure model declares."""
    # Built from the model as the migrations build it (its Meta.indexes and the dataset key).
    editor = connection.schema_editor()
    statements = [str(sql) for sql in editor._model_indexes_sql(Figure)]
    names = [re.search(r'CREATE INDEX\s+"?(\w+)"?', sql).group(1) for sql in statements]
    return dict(zip(names, statements, strict=True))


def _existing_indexes() -> set[str]:
    table = Figure._meta.db_table
    with connection.cursor() as cursor:
        constraints = connection.introspection.get_constraints(cursor, table)
    return {name for name, c in constraints.items() if c["index"] and not c["primary_key"]}


def ensure_figure_indexes() -> list[str]:
    """Create any Figure index that is missing (a load stopped before rebuilding them)."""
    existing = _existing_indexes()
    missing = [(name, sql) for name, sql in _figure_index_sql().items() if name not in existing]
    with connection.cursor() as cursor:
        for _, sql in missing:
            cursor.execute(sql)
    return [name for name, _ in missing]


@contextmanager
def figure_indexes_deferred():
    """Into an empty figure table, load without its indexes and build them once after.

    Building an index over the loaded rows costs less than keeping it up to date through
    500,000 inserts (on SQLite 4.4 s CPU in all for the real DfE files, against 6.3 s). Only
    when the table is empty, so no reader loses an index it was using; a table with figures
    keeps its indexes and each reload replaces its own rows. The indexes are rebuilt whether or
    not the loads succeed, and any a killed load left missing are rebuilt at the next start.
    """
    ensure_figure_indexes()
    table = connection.ops.quote_name(Figure._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT 1 FROM {table} LIMIT 1")
        empty = cursor.fetchone() is None
    if not empty:
        yield
        return
    with connection.cursor() as cursor:
        for name in _figure_index_sql():
            cursor.execute(f"DROP INDEX {connection.ops.quote_name(name)}")
    try:
        yield
    finally:
        ensure_figure_indexes()


def load_files(root: Path, loaders: Iterable[Loader]) -> list[Outcome]:
    """Load each file all-or-nothing, in order; an empty figure table is indexed once after."""
    with figure_indexes_deferred():
        return [load_file(root, loader) for loader in loaders]


def load_file(root: Path, loader: Loader) -> Outcome:
    """Load one file all-or-nothing; a LoadError leaves the database as it was."""
    path = root / loader.path
    sha = sha256_of(path)
    started, clock = timezone.now(), time.perf_counter()
    try:
        with transaction.atomic():
            dataset, _ = Dataset.objects.update_or_create(
                key=loader.path,
                defaults=dict(
                    family=loader.family,
                    title=loader.title,
                    file_name=path.name,
                    sha256=sha,
                    size=path.stat().st_size,
                    loaded_at=started,
                ),
            )
            clear(dataset)
            ctx = Context(root=root, path=path, dataset=dataset)
            loader.load(ctx)
            seconds = time.perf_counter() - clock
            _finish(dataset, ctx, seconds)
            LoadRun.objects.create(
                key=loader.path,
                dataset=dataset,
                file_name=path.name,
                sha256=sha,
                status=LoadRun.Status.LOADED,
                rows_read=ctx.rows_read,
                rows_loaded=ctx.rows_loaded,
                warnings=ctx.warnings,
                started_at=started,
                seconds=seconds,
            )
    except Exception as exc:
        message = str(exc) if isinstance(exc, LoadError) else f"{loader.path}: {exc!r}"
        _record_failure(loader, path, sha, message, started, time.perf_counter() - clock)
        if not isinstance(exc, LoadError):
            raise
        return Outcome(loader.path, "failed", message, seconds=time.perf_counter() - clock)
    return Outcome(
        loader.path,
        "loaded",
        rows_read=ctx.rows_read,
        rows_loaded=ctx.rows_loaded,
        seconds=seconds,
        warnings=ctx.warnings,
        notes=ctx.notes,
    )


def _finish(dataset: Dataset, ctx: Context, seconds: float) -> None:
    dataset.rows_read = ctx.rows_read
    dataset.rows_loaded = ctx.rows_loaded
    dataset.warnings = ctx.warnings
    dataset.notes = ctx.notes
    dataset.seconds = seconds
    dataset.save()


def _record_failure(loader, path, sha, message, started, seconds) -> None:
    LoadRun.objects.create(
        key=loader.path,
        dataset=Dataset.objects.filter(key=loader.path).first(),
        file_name=path.name,
        sha256=sha,
        status=LoadRun.Status.FAILED,
        message=message,
        started_at=started,
        seconds=seconds,
    )


def plan(root: Path, loaders: Iterable[Loader], skips: dict[str, str]):
    """(loaders to run, [(path, why) skipped], documentation paths) for the files under root."""
    by_path = {loader.path: loader for loader in loaders}
    present = sorted(p.relative_to(root).as_posix() for p in root.rglob("*") if p.is_file())
    to_run = [by_path[key] for key in by_path if key in present]
    docs = [key for key in present if Path(key).suffix in DOC_SUFFIXES]
    skipped = [
        (key, skips.get(key, "no loader for this file"))
        for key in present
        if key not in by_path and key not in docs
    ]
    return to_run, skipped, docs
