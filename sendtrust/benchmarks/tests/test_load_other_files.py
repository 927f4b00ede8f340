"""The other loaded files, each checked against the same file read with the csv module."""

import pytest

from sendtrust.benchmarks.models import (
    Dataset,
    Establishment,
    EstablishmentLink,
    Figure,
    Level,
)

pytestmark = [pytest.mark.django_db, pytest.mark.xdist_group("benchmarks")]

EHCP = "ehcp-2025/data/"


def value(key, measure, **filters):
    """The one stored value for a file, measure and breakdown (all else at its default)."""
    defaults = {"phase": "", "sen": "", "need": "", "breakdown": ""}
    return Figure.objects.get(dataset__key=key, measure_id=measure, **{**defaults, **filters}).value


def national(rows, **match):
    """The national headline row of a tidy DfE file that matches."""
    found = [
        r
        for r in rows
        if r["geographic_level"] == "National"
        and r.get("breakdown_topic") == r.get("breakdown")
        and all(r[k] == v for k, v in match.items())
    ]
    assert len(found) == 1, match
    return found[0]


def test_ehcp_caseload_and_placements(loaded, csv_rows):
    key = EHCP + "caseload.csv"
    row = national(csv_rows(key), time_period="202425")
    assert value(key, "ehcp_caseload", year=2025, level=Level.NATIONAL) == int(row["ehcplans"])
    assert value(
        key, "ehcp_caseload_pct", year=2025, level=Level.NATIONAL, breakdown="placement=special"
    ) == float(row["special_total_pc"])
    assert (
        Figure.objects.get(
            dataset__key=key, measure_id="ehcp_caseload", year=2025, geo_code="801", breakdown=""
        ).period
        == "2024/25"
    )


def test_ehcp_timeliness_agrees_with_lait(loaded, csv_rows):
    key = EHCP + "timeliness_20_week.csv"
    row = national(csv_rows(key), time_period="2024")
    rate = value(key, "ehcp_20wk_rate_ex", year=2024, level=Level.NATIONAL)
    assert rate == float(row["PC_plans_issued_20_weeks_ex"])
    lait = value(
        "lait-2026/bds_long_sen_subset.csv", "ehcp_20wk_rate_ex", year=2024, geo_code="E92000001"
    )
    assert lait == rate  # two DfE releases, one number


def test_ehcp_need_mix_sums_to_all_plans(loaded, csv_rows):
    key = EHCP + "sen_needs_all_plans.csv"
    row = national(csv_rows(key))
    needs = Figure.objects.filter(
        dataset__key=key, measure_id="ehcp_caseload", level=Level.NATIONAL, breakdown=""
    ).exclude(need="")
    assert {f.need: f.value for f in needs}["ASD"] == int(row["number_asd"])
    assert sum(f.value for f in needs) == int(row["ehc_plans"])


def test_ehcp_newplans_reports_the_2022_yorkshire_figures(loaded):
    warnings = Dataset.objects.get(key=EHCP + "newplans.csv").warnings
    assert any("2022 Yorkshire and The Humber new_ehc_plans" in w for w in warnings)


def test_suppressed_ehcp_cells_are_null_with_their_symbol(loaded, csv_rows):
    key = EHCP + "requests.csv"
    rows = [r for r in csv_rows(key) if r["breakdown_topic"] == r["breakdown"]]
    suppressed = sum(1 for r in rows if r["request_not_assess_pc"] == "x")
    stored = Figure.objects.filter(dataset__key=key, measure_id="ehcp_requests_refused_pct")
    assert stored.filter(value__isnull=True, symbol="x").count() == suppressed > 0


def test_sen_schools_2023_totals(loaded, csv_rows):
    key = "sen-schools-2023-nyt/sen_school_wise.csv"
    rows = csv_rows(key)
    stored = Figure.objects.filter(dataset__key=key, level=Level.SCHOOL, measure_id="ehcp_count")
    assert stored.count() == len(rows)
    assert sum(f.value for f in stored) == sum(int(r["EHC plan"]) for r in rows)
    assert not stored.filter(la_code="").exists()  # every LA name matched dfe-vocab


def test_need_mix_by_phase_2023(loaded, csv_rows):
    key = "sen-schools-2023-nyt/sen_disability_type.csv"
    rows = [r for r in csv_rows(key) if r["phase_type_grouping"] == "State-funded primary"]
    stored = Figure.objects.filter(dataset__key=key, measure_id="sen_need_count", phase="primary")
    assert sum(f.value for f in stored) == sum(int(r["number_of_pupils"]) for r in rows)
    assert set(stored.values_list("need", flat=True)) >= {"ASD", "SEMH", "SLCN", "NSA"}


def test_ks2_by_sen_status(loaded, csv_rows):
    key = (
        "ks2-characteristics-2016-2022/ks2_national_pupil_characteristics_2016_to_2022_revised.csv"
    )
    row = next(
        r
        for r in csv_rows(key)
        if (r["time_period"], r["characteristic"], r["gender"]) == ("202122", "EHC plan", "Total")
    )
    stored = value(key, "ks2_rwm_expected_pct", year=2022, sen="ehcp", level=Level.NATIONAL)
    assert stored == float(row["pt_rwm_met_expected_standard"])
    covid = Figure.objects.filter(dataset__key=key, year=2020, measure_id="ks2_rwm_expected_pct")
    assert covid.exists() and not covid.exclude(value__isnull=True).exists()


def test_ks4_by_sen_for_an_la(loaded, csv_rows):
    key = "ks4-la-characteristics-2019/201819_LA_characteristics_data_including_sen_description.csv"
    row = next(
        r
        for r in csv_rows(key)
        if r["old_la_code"] == "801.0"  # written by pandas as a float
        and r["breakdown"] == "SEN status"
        and r["sen_status"] == "SEN Supp"
        and r["gender"] == "Total"
    )
    stored = value(key, "ks4_attainment8_avg", geo_code="801", sen="sen_support")
    assert stored == float(row["avg_att8"])


def test_ks4_destinations_by_sen(loaded, csv_rows):
    key = "ks4-destinations-sen/ks4_dm_ud_202122_nat_prov.csv"
    row = next(
        r
        for r in csv_rows(key)
        if r["time_period"] == "202122"
        and r["institution_group"] == "State-funded mainstream & special schools"
        and r["institution_type"] == "Total"
        and r["breakdown"] == "Statement of SEN/Education Health and Care plan"
        and r["data_type"] == "Percentage"
    )
    assert value(key, "ks4_dest_sustained_pct", year=2022, sen="ehcp") == float(row["overall"])


def test_exclusions_by_sen(loaded, csv_rows):
    key = "exclusions-sen-2012-2017/nat_char_201112_to_201617.csv"
    row = next(
        r
        for r in csv_rows(key)
        if (r["year"], r["school_type"], r["characteristic_1"])
        == ("201617", "Total", "SEN_provision_SEN_with_statement_EHC")
    )
    assert value(key, "excl_fixed_rate", year=2017, sen="ehcp") == float(row["fixed_excl_rate"])
    # Headcounts are rounded to 5, so the SEN groups may miss the total by 5: not a warning.
    assert Dataset.objects.get(key=key).warnings == []


def test_absence_by_sen_from_the_dashboard(loaded, csv_rows):
    key = "send-ap-dashboard-2024/prepared/absence.csv"
    row = next(
        r
        for r in csv_rows(key)
        if (r["time_period"], r["geographic_level"], r["characteristic"], r["Absence measure"])
        == ("202223", "National", "EHCP or Statement", "Overall")
    )
    stored = value(key, "absence_overall_pct", year=2023, sen="ehcp", level=Level.NATIONAL)
    assert stored == float(row["Percentage"])


def test_gias_establishments_with_trusts(loaded, csv_rows):
    rows = csv_rows("gias-london-2025/london_schools_gias.csv")
    assert Establishment.objects.count() == len(rows)
    with_trust = next(r for r in rows if r["trust_code"])
    school = Establishment.objects.get(urn=with_trust["urn"])
    assert (school.trust_code, school.trust_name, school.la_code) == (
        with_trust["trust_code"],
        with_trust["trust_name"],
        with_trust["la_code"],
    )


def test_gias_links_read_as_windows_1252(loaded, csv_rows):
    rows = csv_rows("gias-links-2025/links_edubasealldata20250422.csv", encoding="cp1252")
    assert EstablishmentLink.objects.count() == len(rows)
    accented = next(r for r in rows if any(ord(c) > 127 for c in r["LinkName"]))
    assert EstablishmentLink.objects.filter(linked_name=accented["LinkName"]).exists()


DASHBOARD = "send-ap-dashboard-2024/prepared/"
SPOT_CHECKS = [
    # (file, csv row to find, its column, stored measure, the stored figure's breakdown)
    (
        EHCP + "sen_need_newplans.csv",
        {"geographic_level": "National", "breakdown": "All EHC plans"},
        "number_semh",
        "ehcp_new_plans",
        {"year": 2024, "need": "SEMH"},
    ),
    (
        EHCP + "annual_reviews.csv",
        {"geographic_level": "National", "breakdown": "All annual reviews"},
        "review_expected",
        "ehcp_reviews_due",
        {"year": 2024},
    ),
    (
        DASHBOARD + "percent_pupils_ehcp.csv",
        {"geographic_level": "National", "time_period": "202223.0", "SEN provision": "EHC plan"},
        "% of pupils",
        "ehcp_rate",
        {"year": 2023},
    ),
    (
        DASHBOARD + "ks1_phonics.csv",
        {"geographic_level": "National", "time_period": "201516", "characteristic": "No SEN"},
        "pt_phonics_y1_met_expected_standard",
        "ks1_phonics_expected_pct",
        {"year": 2016, "sen": "no_sen"},
    ),
    (
        DASHBOARD + "ks2_attainment.csv",
        {"geographic_level": "National", "time_period": "201819", "characteristic": "EHC plan"},
        "t_rwm_eligible_pupils",
        "ks2_rwm_pupils",
        {"year": 2019, "sen": "ehcp"},
    ),
    (
        DASHBOARD + "ks4_attainment.csv",
        {"geographic_level": "National", "time_period": "202223.0", "SEN provision": "All SEN"},
        "avg_p8score",
        "ks4_progress8_avg",
        {"year": 2023, "sen": "any_sen"},
    ),
]


@pytest.mark.parametrize(("key", "match", "column", "measure", "filters"), SPOT_CHECKS)
def test_spot_check_against_the_csv(loaded, csv_rows, key, match, column, measure, filters):
    rows = [r for r in csv_rows(key) if all(r[k] == v for k, v in match.items())]
    assert len(rows) == 1, match
    stored = value(key, measure, level=Level.NATIONAL, **filters)
    assert stored == float(rows[0][column])
