"""queries.py: the latest national, LA and school rates, in a fixed number of queries."""

from collections import defaultdict

import pytest

from sendtrust.benchmarks import queries
from sendtrust.benchmarks.models import EstablishmentLink, Figure, LocalAuthority

pytestmark = [pytest.mark.django_db, pytest.mark.xdist_group("benchmarks")]

LAIT = "lait-2026/bds_long_sen_subset.csv"
CENSUS = "school-census-2019-perf-tables/england_census.csv"


def lait_latest(rows, place):
    """(year label, SEN support %, EHC plan %) for the newest LAIT year with both, by csv."""
    by_year = {}
    for r in rows:
        if r["LA and Regions"] == place and r["Short Desc"] in ("SEN_TotSENSuP", "SEN_TotStat"):
            by_year.setdefault(r["Years"], {})[r["Short Desc"]] = r["Values"]
    year = max(y for y, v in by_year.items() if len(v) == 2 and "-" not in v.values())
    return year, float(by_year[year]["SEN_TotSENSuP"]), float(by_year[year]["SEN_TotStat"])


def test_national_rates_are_the_latest_lait_figures(loaded, csv_rows):
    period, support, ehcp = lait_latest(csv_rows(LAIT), "England")
    rates = queries.national_sen_rates()
    assert (rates.period, rates.sen_support_rate, rates.ehcp_rate) == (period, support, ehcp)
    assert rates.geography_name == "England" and "LAIT" in rates.source
    assert rates.pupils is None  # LAIT publishes the rates only


def test_national_rates_agree_with_the_domain_notes(loaded):
    # DOMAIN.md: 2024/25 14.2% / 5.3%, 2023/24 13.6% / 4.8% (January 2025 and 2024 censuses).
    rates = queries.national_sen_rates()
    assert (rates.year, rates.sen_support_rate, rates.ehcp_rate) == (2025, 14.2, 5.3)
    previous = dict(
        Figure.objects.filter(dataset__key=LAIT, geo_code="E92000001", year=2024, phase="", sen="")
        .filter(measure_id__in=["sen_support_rate", "ehcp_rate"])
        .values_list("measure_id", "value")
    )
    assert previous == {"sen_support_rate": 13.6, "ehcp_rate": 4.8}


def test_national_rates_by_phase_come_from_the_census_nat_rows(loaded, csv_rows):
    nat = {r["ESTAB"]: r for r in csv_rows(CENSUS) if r["URN"] == "NAT"}["PRI"]
    rates = queries.national_sen_rates("primary")
    assert rates.period == "2019" and rates.phase == "primary"
    assert (rates.pupils, rates.sen_support, rates.ehcp) == (
        int(nat["NOR"]),
        int(nat["TSENELK"]),
        int(nat["TSENELSE"]),
    )
    assert (rates.sen_support_rate, rates.ehcp_rate) == (
        float(nat["PSENELK"]),
        float(nat["PSENELSE"]),
    )


def test_national_rates_for_mainstream_from_the_dashboard(loaded):
    rates = queries.national_sen_rates("mainstream")
    assert rates.period == "2022/23" and rates.pupils and rates.ehcp_rate


def test_an_unknown_phase_is_an_error(loaded):
    with pytest.raises(ValueError, match="unknown phase"):
        queries.national_sen_rates("sixth form")


def test_nothing_loaded_means_none(db):
    # Only the places asked about are emptied: deleting every figure takes seconds.
    Figure.objects.filter(geo_code__in=["E92000001", "801", "100000"]).delete()
    assert queries.national_sen_rates() is None
    assert queries.la_sen_rates("801") is None
    assert queries.la_sen_rates_many(["801"]) == {}
    assert queries.school_census("100000") is None


def test_la_rates_by_old_code_or_e_code(loaded, csv_rows):
    period, support, ehcp = lait_latest(csv_rows(LAIT), "Bristol, City of")
    rates = queries.la_sen_rates("801")
    assert (rates.period, rates.sen_support_rate, rates.ehcp_rate) == (period, support, ehcp)
    assert queries.la_sen_rates("E06000023") == rates
    assert queries.la_sen_rates("999") is None


def test_la_rates_by_phase_are_the_census_sums(loaded):
    rates = queries.la_sen_rates("801", phase="primary")
    assert rates.period == "2019" and rates.pupils > 30_000
    assert rates.sen_support_rate == round(100 * rates.sen_support / rates.pupils, 1)


def test_many_las_in_two_queries(loaded, django_assert_max_num_queries):
    old = list(LocalAuthority.objects.filter(live=True).values_list("old_code", flat=True)[:40])
    new = list(LocalAuthority.objects.filter(live=True).values_list("new_code", flat=True)[40:50])
    with django_assert_max_num_queries(2):
        found = queries.la_sen_rates_many([*old, *new, "999"])
    assert set(found) <= {*old, *new} and len(found) >= 45
    assert found[old[0]] == queries.la_sen_rates(old[0])


def test_school_census_by_urn(loaded, csv_rows):
    row = next(r for r in csv_rows(CENSUS) if r["URN"] not in ("NAT",) and r["NOR"] != "NA")
    rates = queries.school_census(row["URN"])
    assert (rates.pupils, rates.sen_support, rates.ehcp) == (
        int(row["NOR"]),
        int(row["TSENELK"]),
        int(row["TSENELSE"]),
    )
    assert rates.sen_support_rate == float(row["PSENELK"]) and rates.period == "2019"
    assert queries.school_census("999999999") is None


def test_school_census_falls_back_to_the_predecessor_urn(loaded, csv_rows):
    in_census = {r["URN"] for r in csv_rows(CENSUS)}
    predecessors = defaultdict(set)
    for urn, earlier in EstablishmentLink.objects.filter(
        link_type__startswith="Predecessor"
    ).values_list("urn", "linked_urn"):
        predecessors[urn].add(earlier)
    urn, earlier = next(
        (urn, next(iter(old)))
        for urn, old in predecessors.items()
        if urn not in in_census and len(old) == 1 and old <= in_census
    )
    now, before = queries.school_census(urn), queries.school_census(earlier)
    assert (now.pupils, now.sen_support_rate) == (before.pupils, before.sen_support_rate)
    assert f"figures of predecessor URN {earlier}" in now.source
    merged = next(u for u, old in predecessors.items() if u not in in_census and len(old) > 1)
    assert queries.school_census(merged) is None  # several schools: no single past to show


def test_many_schools_in_a_fixed_number_of_queries(loaded, csv_rows, django_assert_max_num_queries):
    urns = [r["URN"] for r in csv_rows(CENSUS)[:50]]
    with django_assert_max_num_queries(4):
        found = queries.school_census_many(urns)
    assert len(found) >= 45
