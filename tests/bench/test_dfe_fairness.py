"""The load's index order, and the bench's pandas comparator building the loaders' own table."""

import math

import pytest
from django.db import connection

from bench.dfe_pandas import Comparator
from sendtrust.benchmarks.loaders.base import FIGURE_COLUMNS, LoadError
from sendtrust.benchmarks.loaders.runner import (
    _existing_indexes,
    _figure_index_sql,
    ensure_figure_indexes,
    figure_indexes_deferred,
    load_file,
    load_files,
)
from sendtrust.benchmarks.models import Figure

pytestmark = [pytest.mark.django_db, pytest.mark.xdist_group("benchmarks")]

CENSUS = "school-census-2019-perf-tables/england_census.csv"
CENSUS_LAS = "school-census-2019-perf-tables/la_and_region_codes_meta.csv"
LAIT = "lait-2026/bds_long_sen_subset.csv"
LAIT_LABELS = "lait-2026/lait_data_dictionary.csv"
CASELOAD = "ehcp-2025/data/caseload.csv"
SCHOOLS_2023 = "sen-schools-2023-nyt/sen_school_wise.csv"


def _empty_figures():
    with connection.cursor() as cursor:
        cursor.execute(f"DELETE FROM {connection.ops.quote_name(Figure._meta.db_table)}")


def test_an_empty_table_is_loaded_without_indexes_and_indexed_after(
    loaded, copy_head, loader_for
):
    _empty_figures()
    folder = copy_head(CENSUS, 40)
    with figure_indexes_deferred():
        assert _existing_indexes().isdisjoint(_figure_index_sql())
        assert load_file(folder, loader_for(CENSUS)).status == "loaded"
    assert set(_figure_index_sql()) <= _existing_indexes()
    assert Figure.objects.filter(dataset__key=CENSUS).count() > 0


def test_indexes_are_rebuilt_when_a_load_raises_and_kept_on_a_table_with_figures(loaded):
    _empty_figures()
    with pytest.raises(LoadError), figure_indexes_deferred():
        raise LoadError("a file that cannot be loaded")
    assert set(_figure_index_sql()) <= _existing_indexes()
    Figure.objects.create(dataset_id=1, measure_id="pupils", period="2019", year=2019,
                          level="national", geo_code="E92000001")
    with figure_indexes_deferred():
        assert set(_figure_index_sql()) <= _existing_indexes()


def test_an_index_a_killed_load_left_missing_is_rebuilt(loaded):
    name = "bench_fig_measure_level"
    with connection.cursor() as cursor:
        cursor.execute(f"DROP INDEX {connection.ops.quote_name(name)}")
    assert ensure_figure_indexes() == [name]
    assert name in _existing_indexes()


def test_load_files_names_the_bad_row_and_column_and_keeps_the_others(
    loaded, copy_head, copy_file, loader_for
):
    at = {}

    def spoil(number, fields):
        if number == 1:
            at["Values"] = [f.strip() for f in fields].index("Values")
        elif number == 31:
            return [*fields[:at["Values"]], "twelve", *fields[at["Values"] + 1:]]
        return None

    folder = copy_head(LAIT, 60, edit=spoil)
    copy_head(CASELOAD, 30)
    lait, caseload = load_files(folder, [loader_for(LAIT), loader_for(CASELOAD)])
    assert lait.status == "failed"
    assert f"{LAIT}, line 31" in lait.message and "'Values'" in lait.message
    assert caseload.status == "loaded" and caseload.rows_loaded > 0


def _stored(key):
    rows = Figure.objects.filter(dataset__key=key).values_list(*FIGURE_COLUMNS[1:])
    return sorted(_comparable(row) for row in rows)


def _comparable(row):
    *parts, value, symbol = row
    if value is None or (isinstance(value, float) and math.isnan(value)):
        value = None
    else:
        value = round(float(value), 6)
    return (*(str(p) for p in parts), value, symbol)


@pytest.mark.parametrize("key, companions, rows", [
    (CENSUS, [CENSUS_LAS], 400),
    (LAIT, [LAIT_LABELS], 3000),
    (CASELOAD, [], 3000),
    (SCHOOLS_2023, [], 500),
])
def test_the_pandas_comparator_builds_the_same_figures_as_the_loader(
    loaded, copy_head, copy_file, loader_for, key, companions, rows
):
    folder = copy_head(key, rows)
    for companion in companions:
        copy_file(companion)
    outcome = load_file(folder, loader_for(key))
    assert outcome.status == "loaded", outcome.message
    frame = Comparator.for_loader(folder, loader_for(key)).frame(dataset_id=0)
    theirs = sorted(_comparable(row) for row in
                    frame[list(FIGURE_COLUMNS[1:])].itertuples(index=False, name=None))
    assert len(theirs) == outcome.rows_loaded
    assert theirs == _stored(key)
