"""National picture figures against values computed with pandas from the shipped DfE files.

Each expected value is read from the file itself (pandas, independently of the loaders), never
copied from the code's output or typed in.
"""

from __future__ import annotations

import functools
import re

import pandas as pd
import pytest

from sendtrust.analytics import national
from sendtrust.analytics.national.base import areas_for

LA = "801"  # Bristol, City of: the cast's schools' authority
EHCP = "ehcp-2025/data/"


@pytest.fixture
def areas(loaded):
    return areas_for([(LA, "Bristol, City of")])


@pytest.fixture(scope="module")
def frame(data_dir):
    @functools.cache
    def read(key: str) -> pd.DataFrame:
        return pd.read_csv(data_dir / key, dtype=str, encoding="utf-8-sig")

    return read


def num(series):
    return pd.to_numeric(series, errors="coerce")


def headline(df: pd.DataFrame, code: str | None = None) -> pd.DataFrame:
    """EES headline rows for England (code None) or one LA (old code)."""
    rows = df[df.breakdown_topic == df.breakdown]
    if code is None:
        return rows[rows.geographic_level == "National"]
    return rows[(rows.geographic_level == "Local authority") & (rows.old_la_code == code)]


def by(rows: list[dict], **match) -> list[dict]:
    return [r for r in rows if all(r.get(k) == v for k, v in match.items())]


def one(rows: list[dict], **match) -> dict:
    found = by(rows, **match)
    assert len(found) == 1, (match, found)
    return found[0]


def ees_year(period: str) -> int:
    """EES time_period 202425 -> 2025 (January census), 2024 -> 2024 (calendar year)."""
    return int(period[:4]) + 1 if len(period) == 6 else int(period)


def old_release(frame, file, column, code):
    """{year: count} from the reporting year 2022 release, England (None) or an LA."""
    df = frame("ehcp-2022/" + file)
    if "characteristic_age" in df:
        df = df[df.characteristic_age == "Total"]
    df = df[df.geographic_level == "National"] if code is None else df[
        (df.geographic_level == "Local authority") & (df.old_la_code == code)]
    return dict(zip(df.time_period.astype(int), num(df[column]), strict=True))


@pytest.mark.parametrize(
    ("key", "file", "column", "old_file", "old_column", "january"),
    [("ehc-plans", "caseload.csv", "ehcplans", "sen2_age_caseload.csv", "Total_all", True),
     ("new-plans", "newplans.csv", "new_ehc_plans", "sen2_mi.csv", "NewallEHC", False),
     ("requests", "requests.csv", "requests_received_in_year", "sen2_mi.csv", "InreqEHC",
      False)],
)
def test_counts_and_growth_match_the_files(areas, frame, key, file, column, old_file,
                                           old_column, january):
    table = national.figure(key, areas).table
    df = frame(EHCP + file)
    for place, code in (("England", None), ("Bristol, City of", LA)):
        rows = headline(df, code).assign(year=lambda d: d.time_period.map(ees_year))
        new = dict(zip(rows.year, num(rows[column]), strict=True))
        old = old_release(frame, old_file, old_column, code)
        first = min(new)
        series = {**{y: (n, old) for y, n in old.items() if y < first},
                  **{y: (n, new) for y, n in new.items()}}
        assert len(series) >= 9
        start = min(series)
        for year, (count, source) in sorted(series.items()):
            row = one(table.rows, place=place, when=f"January {year}" if january else str(year))
            expected = None if pd.isna(count) else count
            assert row["count"] == expected or (expected is None and isinstance(row["count"],
                                                                                  str))
            # The change is worked out within one file: the release's first year takes the
            # earlier release's own change to it.
            pair = source if year - 1 in source else old
            before, now = pair.get(year - 1), pair.get(year)
            partial_start = key == "new-plans" and year - 1 == start
            if before is None or now is None or pd.isna(before) or pd.isna(now) \
                    or partial_start or before == 0:
                assert row["growth"] is None, (place, year)
            else:
                assert row["change"] == now - before, (place, year)
                assert row["growth"] == pytest.approx(100 * (now - before) / before, abs=0.05)


def test_timeliness_keeps_each_rate_on_its_own_base(areas, frame):
    table = national.figure("timeliness", areas).table
    df = frame(EHCP + "timeliness_20_week.csv")
    mixed_differs = False
    for place, code in (("England", None), ("Bristol, City of", LA)):
        for _, r in headline(df, code).iterrows():
            row = one(table.rows, place=place, year=r.time_period)
            assert row["inc_issued"] == int(r.plans_issued_den)
            assert row["inc_within"] == int(r.plans_issued_within_20_weeks)
            assert row["exc_issued"] == int(r.plans_issued_den_ex)
            assert row["exc_within"] == int(r.plans_issued_20_weeks_ex)
            assert row["inc_rate"] == float(r.pc_plans_issued_within_20_weeks)
            assert row["exc_rate"] == float(r.PC_plans_issued_20_weeks_ex)
            # Each published rate is its own numerator over its own denominator...
            assert row["inc_rate"] == pytest.approx(
                100 * row["inc_within"] / row["inc_issued"], abs=0.051)
            assert row["exc_rate"] == pytest.approx(
                100 * row["exc_within"] / row["exc_issued"], abs=0.051)
            # ...and a crossed pair (within excl. over issued incl.) would give another number.
            crossed = round(100 * row["exc_within"] / row["inc_issued"], 1)
            mixed_differs |= crossed not in (row["inc_rate"], row["exc_rate"])
    assert mixed_differs


def test_primary_need_shares_are_of_all_plans_in_the_same_file(areas, frame):
    figure = national.figure("primary-need", areas)
    df = headline(frame(EHCP + "sen_needs_all_plans.csv"))
    assert figure.table.caption.endswith(f"January {ees_year(df.time_period.iloc[0])}")
    total = int(df.ehc_plans.iloc[0])
    asd = int(df.number_asd.iloc[0])
    row = one(figure.table.rows, need="Autistic spectrum disorder")
    assert row["E92000001_n"] == asd
    assert row["E92000001_pct"] == pytest.approx(100 * asd / total, abs=0.05)
    la = headline(frame(EHCP + "sen_needs_all_plans.csv"), LA)
    assert row[f"{LA}_n"] == int(la.number_asd.iloc[0])
    shares = [r["E92000001_pct"] for r in figure.table.rows]
    assert sum(shares) == pytest.approx(100, abs=0.5)
    assert "autistic spectrum disorder" in figure.reading


def test_placement_is_mainstream_special_and_the_rest(areas, frame):
    table = national.figure("placement", areas).table
    df = headline(frame(EHCP + "caseload.csv"))
    for _, r in df.iterrows():
        row = one(table.rows, place="England", when=f"January {ees_year(r.time_period)}")
        total, main, special = int(r.ehcplans), int(r.mainstream_total), int(r.special_total)
        assert (row["total"], row["mainstream"], row["special"]) == (total, main, special)
        assert row["other"] == total - main - special
        assert row["mainstream_pct"] == pytest.approx(100 * main / total, abs=0.05)
        assert row["other_pct"] == pytest.approx(100 * (total - main - special) / total,
                                                 abs=0.05)
        parts = num(r[["ap_pru_total", "fe_total", "ed_elsewhere", "nm_early_years",
                       "placement_unknown"]])
        # The file's other placement groups are all inside "other" (in January 2023 they
        # leave out 'other placement settings', so they may sum to less).
        if parts.notna().all():
            assert parts.sum() <= row["other"]


@pytest.fixture(scope="module")
def lait(frame):
    df = frame("lait-2026/bds_long_sen_subset.csv")
    return df.assign(value=num(df.Values))


def test_rates_every_year_from_lait(areas, lait):
    table = national.figure("sen-rates", areas).table
    for place, number in (("England", "970"), ("Bristol, City of", LA)):
        mine = lait[lait["LA Number"].str.removesuffix(".0") == number]
        for indicator, column in (("SEN_TotSENSuP", "sen_support"), ("SEN_TotStat", "ehcp")):
            series = mine[mine["Short Desc"] == indicator]
            assert len(series) >= 10
            for _, r in series.iterrows():
                assert one(table.rows, place=place, when=f"January {r.Years}")[column] == r.value


def test_rates_by_phase_from_the_2019_census_and_lait_2016(areas, frame, lait):
    figure = national.figure("sen-rates-by-phase", areas)
    census = frame("school-census-2019-perf-tables/england_census.csv")
    nat = census[census.URN == "NAT"].set_index("ESTAB")
    for estab, phase in (("PRI", "Primary"), ("SEC", "Secondary")):
        row = one(figure.table.rows, place="England", when="January 2019", phase=phase)
        assert row["sen_support_rate"] == float(nat.loc[estab, "PSENELK"])
        assert row["ehcp_rate"] == float(nat.loc[estab, "PSENELSE"])
        assert row["pupils"] == int(nat.loc[estab, "NOR"])
    schools = census[(census.LA == LA) & (census.SCHOOLTYPE == "State-funded primary")]
    counts = schools[["NOR", "TSENELK", "TSENELSE"]].apply(num).dropna()
    row = one(figure.table.rows, place="Bristol, City of", when="January 2019", phase="Primary")
    assert row["pupils"] == counts.NOR.sum()
    assert row["sen_support_rate"] == round(100 * counts.TSENELK.sum() / counts.NOR.sum(), 1)
    england = lait[lait["LA Number"].str.removesuffix(".0") == "970"]
    stat = england[england["Short Desc"] == "SecStatements"].value.iloc[0]
    row = one(figure.table.rows, place="England", when="January 2016", phase="Secondary")
    assert row["ehcp_rate"] == stat
    dash = frame("send-ap-dashboard-2024/prepared/mainstream_with_sen.csv")
    for level, place in (("National", "England"), ("Local authority", "Bristol, City of")):
        rows = dash[(dash.geographic_level == level)
                    & ((dash.la_name == place) | (level == "National"))]
        assert len(rows) >= 18
        for _, r in rows.iterrows():
            row = one(figure.table.rows, place=place, phase="State-funded mainstream",
                      when=f"January {int(float(r.time_period)) % 100 + 2000}")
            assert row["pupils"] == float(r.total_pupils)
            key = {"EHC plan": "ehcp_rate", "SEN support": "sen_support_rate"}.get(
                r["SEN provision"])
            if key:
                assert row[key] == float(r["% of pupils"])
    # The national special row has more plans than pupils: the page says so beside it.
    spe = nat.loc["SPE"]
    assert int(spe.TSENELSE) > int(spe.NOR)
    assert any(f"{int(spe.TSENELSE):,} EHC plans among {int(spe.NOR):,}" in n
               for n in figure.table.notes)


@pytest.mark.parametrize(("key", "count", "rate"),
                         [("permanent-exclusions", "perm_excl", "perm_excl_rate"),
                          ("suspensions", "fixed_excl", "fixed_excl_rate")])
def test_exclusions_by_sen_status(areas, frame, key, count, rate):
    table = national.figure(key, areas).table
    df = frame("exclusions-sen-2012-2017/nat_char_201112_to_201617.csv")
    df = df[(df.level == "NATIONAL") & (df.school_type == "Total")
            & (df.characteristic_desc == "SEN_provision")]
    labels = {"SEN_provision_SEN_with_statement_EHC": "EHC plan or statement",
              "SEN_provision_SEN_without_statement": "SEN support",
              "SEN_Provision_No_SEN": "No identified SEN"}
    checked = 0
    for _, r in df[df.characteristic_1.isin(labels)].iterrows():
        when = f"{r.year[:4]}/{r.year[4:]}"
        row = one(table.rows, when=when, sen=labels[r.characteristic_1])
        assert row["pupils"] == int(r.headcount)
        assert row["count"] == int(r[count])
        assert row["rate"] == float(r[rate])
        checked += 1
    assert checked == 18


def test_ks2_by_sen_status(areas, frame, lait):
    table = national.figure("ks2", areas).table
    df = frame("ks2-characteristics-2016-2022/"
               "ks2_national_pupil_characteristics_2016_to_2022_revised.csv")
    df = df[(df.characteristic_group == "SEN status") & (df.gender == "Total")]
    r = df[(df.time_period == "202122") & (df.characteristic == "EHC plan")].iloc[0]
    row = one(table.rows, place="England", when="2021/22", sen="EHC plan or statement")
    assert row["value"] == float(r.pt_rwm_met_expected_standard)
    assert row["pupils"] == int(r.t_rwm_eligible_pupils)
    bristol = lait[(lait["LA Number"].str.removesuffix(".0") == LA)
                   & (lait["Short Desc"] == "NEW_KS2_RWM_Sen_W/Osta") & (lait.Years == "2025")]
    row = one(table.rows, place="Bristol, City of", when="2025", sen="SEN support")
    assert row["value"] == bristol.value.iloc[0]


def test_ks4_by_sen_status(areas, frame):
    table = national.figure("ks4", areas).table
    df = frame("ks4-la-characteristics-2019/"
               "201819_LA_characteristics_data_including_sen_description.csv")
    df = df[(df.breakdown == "SEN status") & (df.gender == "Total")
            & (df.ethnic_major == "Total") & (df.free_school_meals == "Total")
            & (df.disadvantage == "Total")]
    for place, level, code in (("England", "National", None),
                               ("Bristol, City of", "Local authority", LA)):
        rows = df[df.geographic_level == level]
        if code:
            rows = rows[rows.old_la_code.str.removesuffix(".0") == code]
        r = rows[rows.sen_status == "SEN State EHC"].iloc[0]
        row = one(table.rows, place=place, when="2018/19", sen="EHC plan or statement",
                  file="201819_LA_characteristics_data_including_sen_description.csv")
        assert row["ks4_attainment8_avg"] == pytest.approx(float(r.avg_att8))
        assert row["ks4_basics_94_pct"] == pytest.approx(float(r.pt_l2basics_94))
        assert row["pupils"] == int(float(r.t_pupils))


def test_destinations_of_pupils_with_an_ehc_plan(areas, frame):
    figure = national.figure("destinations", areas)
    df = frame("ks4-destinations-sen/ks4_dm_ud_202122_nat_prov.csv")
    df = df[(df.institution_group == "State-funded mainstream & special schools")
            & (df.institution_type == "Total") & (df.data_type == "Percentage")
            & (df.breakdown.isin(["Statement of SEN/Education Health and Care plan",
                                  "Statement of SEN"]))]
    assert len(df) >= 10
    for _, r in df.iterrows():
        row = one(figure.table.rows, when=f"{r.time_period[:4]}/{r.time_period[4:]}",
                  sen="EHC plan or statement")
        assert row["ks4_dest_sustained_pct"] == float(r.overall)
        assert row["cohort"] == int(r.cohort)
    latest = df.time_period.max()
    assert any("provisional" in n and f"{latest[:4]}/{latest[4:]}" in n
               for n in figure.table.notes)


def test_every_table_names_its_file_and_what_it_covers(areas):
    for _, _, figures in national.picture(areas):
        for f in figures:
            sources = [n for n in f.table.notes if n.startswith("Source:")]
            assert sources, f.key
            assert all(re.search(r"\w\.csv\b", s) and s.count(";") >= 2 for s in sources), f.key
            assert f.spec and f.spec["description"] == f.reading, f.key
            assert f.table.rows, f.key


def test_a_file_not_loaded_is_said_not_invented(areas):
    from sendtrust.benchmarks.models import Dataset

    Dataset.objects.filter(key=EHCP + "timeliness_20_week.csv").delete()
    figure = national.figure("timeliness", areas)
    # The earlier release still gives its own years, and only those.
    assert {r["file"] for r in figure.table.rows} == {"sen2_mi.csv"}
    assert any("timeliness_20_week.csv is not loaded" in n for n in figure.table.notes)
    Dataset.objects.filter(key="ehcp-2022/sen2_mi.csv").delete()
    figure = national.figure("timeliness", areas)
    assert figure.table.rows == []
    assert figure.spec is None
    assert figure.reading == "No EHC plan timeliness figures are loaded."
