"""The priority files, loaded from the real DfE folder: 2019 school census and LAIT."""

import pytest

from sendtrust.benchmarks.loaders import LOADERS, SKIPS
from sendtrust.benchmarks.loaders.runner import plan
from sendtrust.benchmarks.models import Dataset, Figure, Level, LocalAuthority

pytestmark = [pytest.mark.django_db, pytest.mark.xdist_group("benchmarks")]

CENSUS = "school-census-2019-perf-tables/england_census.csv"
LAIT = "lait-2026/bds_long_sen_subset.csv"


def figures(key, **filters):
    return Figure.objects.filter(dataset__key=key, **filters)


def test_every_file_in_the_folder_is_loaded_or_skipped_with_a_reason(loaded, data_dir):
    loaders, skipped, _ = plan(data_dir, LOADERS, SKIPS)
    assert {o.status for o in loaded.values()} == {"loaded"}, [
        o.message for o in loaded.values() if o.status != "loaded"
    ]
    assert len(loaders) >= 20
    assert [key for key, reason in skipped if reason == "no loader for this file"] == []
    for key in loaded:
        dataset = Dataset.objects.get(key=key)
        assert len(dataset.sha256) == 64 and dataset.rows_read > 0 and dataset.rows_loaded > 0


def test_census_school_rows_match_the_csv(loaded, csv_rows):
    rows = [r for r in csv_rows(CENSUS) if r["URN"] != "NAT"]
    stored = dict(
        figures(CENSUS, level=Level.SCHOOL, measure_id="sen_support_count").values_list(
            "geo_code", "value"
        )
    )
    assert len(stored) == len(rows) == 23_939
    for row in rows[::997]:  # a spread of schools across the file
        expected = None if row["TSENELK"] == "NA" else float(row["TSENELK"])
        assert stored[row["URN"]] == expected, row["URN"]
    school = rows[0]
    by_measure = dict(
        figures(CENSUS, geo_code=school["URN"], level=Level.SCHOOL).values_list(
            "measure_id", "value"
        )
    )
    assert by_measure["pupils"] == float(school["NOR"])
    assert by_measure["ehcp_rate"] == float(school["PSENELSE"])
    assert figures(CENSUS, geo_code=school["URN"]).first().la_code == school["LA"]


def test_census_na_cells_are_null_with_the_symbol_never_zero(loaded, csv_rows):
    rows = [r for r in csv_rows(CENSUS) if r["URN"] != "NAT"]
    na = {r["URN"] for r in rows if r["NOR"] == "NA"}
    stored = figures(CENSUS, level=Level.SCHOOL, measure_id="pupils", value__isnull=True)
    assert set(stored.values_list("geo_code", flat=True)) == na
    assert set(stored.values_list("symbol", flat=True)) == {"NA"}
    zero = {r["URN"] for r in rows if r["NOR"] == "0"}
    assert (
        set(
            figures(CENSUS, level=Level.SCHOOL, measure_id="pupils", value=0).values_list(
                "geo_code", flat=True
            )
        )
        == zero
    )


def test_census_national_rows_are_stored_as_published(loaded, csv_rows):
    nat = {r["ESTAB"]: r for r in csv_rows(CENSUS) if r["URN"] == "NAT"}
    for estab, phase in (("PRI", "primary"), ("SEC", "secondary"), ("SPE", "special")):
        stored = dict(
            figures(CENSUS, level=Level.NATIONAL, phase=phase).values_list("measure_id", "value")
        )
        assert stored["pupils"] == float(nat[estab]["NOR"])
        assert stored["ehcp_count"] == float(nat[estab]["TSENELSE"])
        assert stored["sen_support_rate"] == float(nat[estab]["PSENELK"])


def test_census_national_check_reports_the_spe_row_and_does_not_fix_it(loaded, csv_rows):
    warnings = Dataset.objects.get(key=CENSUS).warnings
    assert any("NAT SPE row, TSENELSE" in w and "reported, not corrected" in w for w in warnings)
    assert not any("NAT PRI" in w or "NAT SEC" in w for w in warnings)
    # The school rows really do sum to PRI and SEC, and not to SPE.
    rows = csv_rows(CENSUS)
    nat = {r["ESTAB"]: r for r in rows if r["URN"] == "NAT"}
    for estab, agrees in (("PRI", True), ("SEC", True), ("SPE", False)):
        kind = nat[estab]["SCHOOLTYPE"]
        parts = [r["TSENELSE"] for r in rows if r["SCHOOLTYPE"] == kind and r["URN"] != "NAT"]
        total = sum(int(v) for v in parts if v != "NA")
        assert (total == int(nat[estab]["TSENELSE"])) is agrees
    published = figures(CENSUS, level=Level.NATIONAL, phase="special", measure_id="ehcp_count")
    assert published.get().value == float(nat["SPE"]["TSENELSE"])  # not the sum


def test_census_la_sums_by_phase_add_up_the_school_rows(loaded, csv_rows):
    rows = [
        r
        for r in csv_rows(CENSUS)
        if r["LA"] == "801" and r["SCHOOLTYPE"] == "State-funded primary"
    ]
    complete = [r for r in rows if "NA" not in (r["NOR"], r["TSENELSE"], r["TSENELK"])]
    stored = dict(
        figures(CENSUS, level=Level.LA, geo_code="801", phase="primary").values_list(
            "measure_id", "value"
        )
    )
    assert stored["pupils"] == sum(int(r["NOR"]) for r in complete)
    assert stored["sen_support_count"] == sum(int(r["TSENELK"]) for r in complete)


def test_lait_rows_and_symbols_match_the_csv(loaded, csv_rows):
    rows = csv_rows(LAIT)
    assert figures(LAIT).count() == len(rows)
    dashes = sum(1 for r in rows if r["Values"] == "-")
    assert figures(LAIT, value__isnull=True, symbol="-").count() == dashes > 0
    assert not figures(LAIT, value__isnull=True).exclude(symbol="-").exists()


def test_lait_sen_rates_for_england_and_an_la_match_the_csv(loaded, csv_rows):
    rows = csv_rows(LAIT)
    for indicator, measure in (("SEN_TotSENSuP", "sen_support_rate"), ("SEN_TotStat", "ehcp_rate")):
        for place, code in (("England", "E92000001"), ("Bristol, City of", "801")):
            source = {
                r["Years"]: r
                for r in rows
                if r["Short Desc"] == indicator and r["LA and Regions"] == place
            }
            stored = dict(
                figures(LAIT, measure_id=measure, geo_code=code, phase="").values_list(
                    "period", "value"
                )
            )
            assert stored == {y: float(r["Values"]) for y, r in source.items()}


def test_lait_regions_use_ons_codes(loaded):
    regions = set(figures(LAIT, level=Level.REGIONAL).values_list("geo_code", flat=True))
    assert "E12000007" in regions and "E13000001" in regions
    assert all(code.startswith(("E12", "E13")) for code in regions)


def test_local_authorities_from_dfe_vocab(loaded, csv_rows):
    rows = csv_rows("dfe-vocab/las.csv")
    numbered = [r for r in rows if r["old_la_code"].isdigit()]
    assert LocalAuthority.objects.count() == len(numbered)
    bristol = LocalAuthority.objects.get(new_code="E06000023")
    assert (bristol.old_code, bristol.name, bristol.region_code) == (
        "801",
        "Bristol, City of",
        "E12000009",
    )
