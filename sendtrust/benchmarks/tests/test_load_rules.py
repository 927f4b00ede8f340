"""Loading rules: header checks, all-or-nothing, idempotent reloads, DfE symbols, data folder."""

from pathlib import Path

import pytest

from sendtrust.benchmarks.loaders.base import LoadError, parse_cell
from sendtrust.benchmarks.loaders.runner import load_file
from sendtrust.benchmarks.models import SYMBOL_MEANINGS, Dataset, Figure, LoadRun
from sendtrust.benchmarks.tests.conftest import require_data_dir

pytestmark = [pytest.mark.django_db, pytest.mark.xdist_group("benchmarks")]

CENSUS = "school-census-2019-perf-tables/england_census.csv"
LAIT = "lait-2026/bds_long_sen_subset.csv"
DESTINATIONS = "ks4-destinations-sen/ks4_dm_ud_202122_nat_prov.csv"


def rename_column(old, new):
    return lambda number, fields: [new if f == old else f for f in fields] if number == 1 else None


def test_a_renamed_column_fails_naming_file_and_columns_and_saves_nothing(
    loaded, copy_head, loader_for
):
    before = Figure.objects.filter(dataset__key=CENSUS).count()
    sha = Dataset.objects.get(key=CENSUS).sha256
    folder = copy_head(CENSUS, 50, edit=rename_column("TSENELK", "TSENELK_RENAMED"))
    outcome = load_file(folder, loader_for(CENSUS))
    assert outcome.status == "failed"
    assert CENSUS in outcome.message
    assert "missing column(s) 'TSENELK'" in outcome.message
    assert "unexpected column(s) 'TSENELK_RENAMED'" in outcome.message
    assert Figure.objects.filter(dataset__key=CENSUS).count() == before
    assert Dataset.objects.get(key=CENSUS).sha256 == sha  # still the real file's load
    run = LoadRun.objects.filter(key=CENSUS).first()
    assert run.status == LoadRun.Status.FAILED and "TSENELK_RENAMED" in run.message


def test_a_bad_row_mid_file_leaves_nothing_of_that_file(loaded, copy_head, loader_for):
    Dataset.objects.filter(key=CENSUS).delete()  # start from no census rows (rolled back after)

    def spoil_row_100(number, fields):
        return [*fields[:4], "12 pupils", *fields[5:]] if number == 101 else None

    outcome = load_file(copy_head(CENSUS, 200, edit=spoil_row_100), loader_for(CENSUS))
    assert outcome.status == "failed"
    assert f"{CENSUS}, line 101" in outcome.message and "'12 pupils'" in outcome.message
    assert not Figure.objects.filter(dataset__key=CENSUS).exists()
    assert not Dataset.objects.filter(key=CENSUS).exists()
    assert LoadRun.objects.filter(key=CENSUS, status=LoadRun.Status.FAILED).exists()


def test_a_row_with_too_few_fields_fails(loaded, copy_head, loader_for):
    folder = copy_head(LAIT, 30, edit=lambda n, fields: fields[:3] if n == 20 else None)
    outcome = load_file(folder, loader_for(LAIT))
    assert outcome.status == "failed" and f"{LAIT}, line 20" in outcome.message


def test_reloading_a_file_replaces_its_rows(loaded, data_dir, loader_for):
    before = Figure.objects.filter(dataset__key=DESTINATIONS).count()
    first = Figure.objects.filter(dataset__key=DESTINATIONS).order_by("pk").first()
    outcome = load_file(data_dir, loader_for(DESTINATIONS))
    assert outcome.status == "loaded"
    after = Figure.objects.filter(dataset__key=DESTINATIONS)
    assert after.count() == before == outcome.rows_loaded
    assert not after.filter(pk=first.pk).exists()  # replaced, not kept beside the new rows
    assert Dataset.objects.filter(key=DESTINATIONS).count() == 1
    assert LoadRun.objects.filter(key=DESTINATIONS, status=LoadRun.Status.LOADED).count() >= 2


def test_reloading_the_census_keeps_one_copy(loaded, copy_head, loader_for):
    folder = copy_head(CENSUS, 100)
    first = load_file(folder, loader_for(CENSUS))
    second = load_file(folder, loader_for(CENSUS))
    assert first.status == second.status == "loaded"
    assert Figure.objects.filter(dataset__key=CENSUS).count() == second.rows_loaded


def test_dfe_symbols_become_null_with_the_symbol_kept(loaded, copy_head, loader_for):
    symbols = ["x", "z", "c", "u", "k", ":", "..", "NA", "-", ""]

    def put_symbols(number, fields):
        if 2 <= number < 2 + len(symbols):
            return [*fields[:4], symbols[number - 2], *fields[5:]]
        if number == 2 + len(symbols):
            return [*fields[:4], "0", *fields[5:]]
        return None

    folder = copy_head(LAIT, 20, edit=put_symbols)
    assert load_file(folder, loader_for(LAIT)).status == "loaded"
    stored = Figure.objects.filter(dataset__key=LAIT).order_by("pk")
    assert [(f.value, f.symbol) for f in stored[: len(symbols)]] == [(None, s) for s in symbols]
    assert stored.filter(value=0).count() == 1  # only the real zero is zero
    assert stored[0].status == "suppressed" and stored[1].status == "not applicable"


@pytest.mark.parametrize("symbol", sorted(SYMBOL_MEANINGS))
def test_parse_cell_keeps_every_symbol(symbol):
    assert parse_cell(None, f" {symbol} ", 1, "v") == (None, symbol)


def test_parse_cell_reads_float_artefacts():
    assert parse_cell(None, "64.900000000000006", 1, "v") == (64.9, "")


def test_parse_cell_rejects_text_naming_column_and_line(tmp_path):
    from sendtrust.benchmarks.loaders.base import Context

    ctx = Context(root=tmp_path, path=tmp_path / "f.csv", dataset=None)
    with pytest.raises(LoadError, match=r"f.csv, line 7: column 'NOR' holds 'n/k'"):
        parse_cell(ctx, "n/k", 7, "NOR")
    with pytest.raises(LoadError):
        parse_cell(ctx, "nan", 7, "NOR")


def test_a_missing_data_folder_fails_saying_where_data_is_expected(tmp_path):
    missing = tmp_path / "no-such-folder"
    with pytest.raises(pytest.fail.Exception, match="DfE benchmark files were not found at"):
        require_data_dir(missing)
    assert require_data_dir(Path(__file__).parent) == Path(__file__).parent
