"""The import bench's pandas comparator writes into a true copy of pupils_pupil: the same
indexes and the same triggers (a new pupil moves its school's history version), so that
both sides pay for the same table. The copy broke `make bench` when the table first got
triggers (their names and table were copied unchanged)."""

import pytest
from django.db import connection

from bench.core import _pandas_target

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(connection.vendor != "sqlite",
                       reason="the import bench compares on SQLite, where pandas writes"),
]


def _objects(table: str) -> dict[str, int]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT type, count(*) FROM sqlite_master WHERE tbl_name = %s"
                       " AND type IN ('index', 'trigger') GROUP BY type",
                       [table])
        return dict(cursor.fetchall())


def test_the_copy_has_the_tables_indexes_and_triggers():
    original = _objects("pupils_pupil")
    assert original.get("trigger", 0) >= 3  # the history-version triggers
    made = _pandas_target(connection)
    try:
        assert _objects("bench_pandas_pupil") == original
        assert made == f"{original['index']} indexes, {original['trigger']} triggers"
        _pandas_target(connection)  # made again over the last copy, as each run does
    finally:
        with connection.cursor() as cursor:
            cursor.execute("DROP TABLE IF EXISTS bench_pandas_pupil")
