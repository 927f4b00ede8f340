"""Bulk INSERTs of plain values, for imports and synthetic data.

bulk_create builds a model instance and runs every field's get_db_prep_save for every object,
which for tens of thousands of rows costs more than checking the rows themselves. Here values
arrive in the column's form (or are adapted once per field with adapt=True), and one prepared
multi-row INSERT is fed to executemany: few statements for SQLite to run, pipelined by psycopg
on PostgreSQL. Statements are built from the models' own table and column names.
"""

from __future__ import annotations

import sqlite3
import uuid
from collections.abc import Callable, Iterable, Sequence
from itertools import chain, islice

from django.db import connection
from django.db.models import Model

# Rows a statement at most; more gains nothing measurable and costs memory.
MAX_ROWS_PER_STATEMENT = 2000
# Rows a statement for what is left after the full-size statements.
REST_ROWS_PER_STATEMENT = 50


def max_params() -> int:
    """Return how many parameters one SQL statement may hold on this connection."""
    if connection.vendor == "sqlite":
        # Django assumes the 999 of old SQLite builds; the library knows its own limit
        # (32,766 by default since 3.32), and fewer, larger INSERTs run ~25% faster.
        connection.ensure_connection()
        return connection.connection.getlimit(sqlite3.SQLITE_LIMIT_VARIABLE_NUMBER)
    return connection.features.max_query_params or 65_535  # PostgreSQL's protocol limit


def batched(items: Iterable, size: int):
    """Yield lists of up to size items (itertools.batched arrives in Python 3.12)."""
    it = iter(items)
    while batch := list(islice(it, size)):
        yield batch


def _uuid_hex(value: uuid.UUID | None) -> str | None:
    return None if value is None else value.hex


def _adapters(model: type[Model], names: Sequence[str]) -> list[Callable | None]:
    """Per column, the adaptation get_db_prep_save would apply, looked up once."""
    ops = connection.ops
    by_type = {
        "DateField": ops.adapt_datefield_value,
        "UUIDField": None if connection.features.has_native_uuid_field else _uuid_hex,
    }
    return [by_type.get(model._meta.get_field(n).get_internal_type()) for n in names]


def insert_rows(model: type[Model], names: Sequence[str], rows: Iterable[Sequence], *,
                adapt: bool = False, progress: Callable[[int], object] | None = None) -> None:
    """INSERT rows of values (in the order of the field names), many rows a statement.

    With adapt=True, dates and UUIDs given as Python objects are adapted for the database;
    progress, if given, is called with the number of rows after each batch.
    """
    opts, qn = model._meta, connection.ops.quote_name
    columns = ", ".join(qn(opts.get_field(n).column) for n in names)
    head = f"INSERT INTO {qn(opts.db_table)} ({columns}) VALUES "
    one = "(" + ", ".join(["%s"] * len(names)) + ")"
    per = max(1, min(MAX_ROWS_PER_STATEMENT, max_params() // len(names)))
    adapters = _adapters(model, names) if adapt else None

    def flat(chunk):
        if adapters is None:
            return list(chain.from_iterable(chunk))
        return [a(v) if a else v for row in chunk for a, v in zip(adapters, row, strict=True)]

    # Django turns each statement's %s into ? with a regular expression, which for a
    # 2,000-row statement takes ~10 ms: one executemany runs every whole statement, and
    # the rows left over go in small statements.
    rest: list[Sequence] = []

    def whole_statements():
        for batch in batched(rows, per * 25):
            whole = len(batch) - len(batch) % per
            for i in range(0, whole, per):
                yield flat(batch[i:i + per])
            rest.extend(batch[whole:])
            if progress is not None:
                progress(len(batch))

    with connection.cursor() as cursor:
        statements = whole_statements()
        if (first := next(statements, None)) is not None:
            cursor.executemany(head + ", ".join([one] * per), chain([first], statements))
        small = min(per, REST_ROWS_PER_STATEMENT)
        whole = len(rest) - len(rest) % small
        if whole:
            cursor.executemany(
                head + ", ".join([one] * small),
                [flat(rest[i:i + small]) for i in range(0, whole, small)],
            )
        if whole < len(rest):
            last = rest[whole:]
            cursor.execute(head + ", ".join([one] * len(last)), flat(last))


def refresh_statistics(models: Sequence[type[Model]], rows: int) -> bool:
    """After a bulk write of `rows` rows (settings.ANALYZE_AFTER_ROWS or more) on PostgreSQL,
    ANALYZE the tables written, once the
    transaction has committed. Until autovacuum's next ANALYZE (up to a minute or more after
    a large import) the planner would plan the pages with statistics from before the import:
    at 50,000 pupils the trust overview's count took ~375 ms instead of ~45 ms (issue 15).
    SQLite keeps no statistics unless asked, and its plans are written for that: nothing to do.
    Returns whether an ANALYZE was scheduled."""
    from django.conf import settings
    from django.db import transaction

    if connection.vendor != "postgresql" or rows < settings.ANALYZE_AFTER_ROWS:
        return False

    tables = ", ".join(connection.ops.quote_name(m._meta.db_table) for m in models)

    def analyze():
        with connection.cursor() as cursor:
            cursor.execute(f"ANALYZE {tables}")

    transaction.on_commit(analyze)
    return True
