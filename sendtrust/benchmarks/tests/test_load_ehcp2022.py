"""The EHC plans release of reporting year 2022 (aggregate SEN2), checked against pandas reads."""

import pandas as pd
import pytest

from sendtrust.benchmarks.loaders.runner import load_file
from sendtrust.benchmarks.models import Dataset, Figure, Level

pytestmark = pytest.mark.django_db

CASELOAD = "ehcp-2022/sen2_age_caseload.csv"
MI = "ehcp-2022/sen2_mi.csv"
HEADLINE = {"phase": "", "sen": "", "need": "", "breakdown": ""}


def stored(key, measure, level, code, year):
    return Figure.objects.get(dataset__key=key, measure_id=measure, level=level, geo_code=code,
                              year=year, **HEADLINE).value


def frame(data_dir, key):
    return pd.read_csv(data_dir / key, dtype=str)


def test_caseload_totals_for_every_year_england_and_an_la(loaded, data_dir):
    df = frame(data_dir, CASELOAD)
    df = df[df.characteristic_age == "Total"]
    england = df[df.geographic_level == "National"]
    assert len(england) == 13  # January 2010 to January 2022
    for _, r in england.iterrows():
        assert stored(CASELOAD, "sen2agg_caseload", Level.NATIONAL, "E92000001",
                      int(r.time_period)) == float(r.Total_all)
    bristol = df[(df.geographic_level == "Local authority") & (df.old_la_code == "801")]
    for _, r in bristol.iterrows():
        assert stored(CASELOAD, "sen2agg_caseload", Level.LA, "801",
                      int(r.time_period)) == float(r.Total_all)
    # Age bands are left out, and said to be.
    assert not Figure.objects.filter(dataset__key=CASELOAD).exclude(breakdown="").exists()
    assert any("age bands" in n for n in Dataset.objects.get(key=CASELOAD).notes)


def test_mi_timeliness_keeps_both_bases(loaded, data_dir):
    df = frame(data_dir, MI)
    england = df[df.geographic_level == "National"]
    for _, r in england.iterrows():
        year = int(r.time_period)
        for column, measure in (("TotIncExcEHC", "sen2agg_20wk_den"),
                                ("IncExc20weekEHC", "sen2agg_20wk_count"),
                                ("TotNoExcEHC", "sen2agg_20wk_den_ex"),
                                ("NoExc20weekEHC", "sen2agg_20wk_count_ex"),
                                ("NoExc20weekRate", "sen2agg_20wk_rate_ex"),
                                ("InreqEHC", "sen2agg_requests")):
            got = stored(MI, measure, Level.NATIONAL, "E92000001", year)
            expected = pd.to_numeric(r[column], errors="coerce")
            assert (got is None and pd.isna(expected)) or got == pytest.approx(expected), (
                year, column)


def test_it_agrees_with_the_2025_release_where_both_hold_a_year(loaded, data_dir):
    """Cross-release check (ehcp-2022 SOURCE.md): 2019-2021 timeliness is the same number."""
    later = pd.read_csv(data_dir / "ehcp-2025/data/timeliness_20_week.csv", dtype=str,
                        encoding="utf-8-sig")
    later = later[(later.geographic_level == "National") & (later.breakdown_topic
                                                              == later.breakdown)]
    both = 0
    for _, r in later.iterrows():
        year = int(r.time_period)
        if year > 2021:
            continue
        assert stored(MI, "sen2agg_20wk_rate", Level.NATIONAL, "E92000001", year) == float(
            r.pc_plans_issued_within_20_weeks)
        both += 1
    assert both == 3


def test_a_renamed_column_fails_naming_the_file_and_column(loaded, copy_head, loader_for):
    before = Figure.objects.filter(dataset__key=MI).count()
    folder = copy_head(MI, 20, edit=lambda n, fields: (
        [f.replace("NoExc20weekRate", "NoExc20wkRate") for f in fields] if n == 1 else None))
    outcome = load_file(folder, loader_for(MI))
    assert outcome.status == "failed"
    assert MI in outcome.message and "missing column(s) 'NoExc20weekRate'" in outcome.message
    assert Figure.objects.filter(dataset__key=MI).count() == before
