"""`make bench` entry: the trust analytics page against the raw SQL that feeds it.

Ratios measured in this one run (never absolute times), and the page's query count for a
10-school and a 50-school demo trust: the count must not grow with the number of schools, nor
with the years of history (the trend is one grouped query for every census day).
"""

from __future__ import annotations

import time
from pathlib import Path

from bench.core import Report, client_for, count_queries, get_ok, median_time, raw_sql

CENSUS_FIRST_SQL = (
    "SELECT MIN(ep.starts_on) FROM pupils_senepisode ep"
    " JOIN pupils_pupil p ON p.id = ep.pupil_id JOIN organisations_school s ON s.id = p.school_id"
    " WHERE s.trust_id = %s"
)
COUNTS_SQL = (
    "SELECT school_id, COUNT(*), SUM(CASE WHEN sen_provision = 'K' THEN 1 ELSE 0 END),"
    " SUM(CASE WHEN sen_provision = 'E' THEN 1 ELSE 0 END)"
    " FROM pupils_pupil p JOIN organisations_school s ON s.id = p.school_id"
    " WHERE s.trust_id = %s GROUP BY school_id"
)
NEED_SQL = (
    "SELECT p.school_id, n.code, COUNT(*) FROM pupils_pupil p"
    " JOIN organisations_school s ON s.id = p.school_id"
    " LEFT JOIN pupils_needtype n ON n.id = p.primary_need_id"
    " WHERE s.trust_id = %s AND p.sen_provision IN ('K', 'E') GROUP BY p.school_id, n.code"
)
FIGURES_SQL = (
    "SELECT geo_code, measure_id, year, sen, need, value FROM benchmarks_figure"
    " WHERE level IN ('national', 'la') AND phase = '' AND breakdown = ''"
    " AND measure_id IN ('sen_support_rate', 'ehcp_rate', 'ehcp_20wk_rate', 'ehcp_20wk_den',"
    " 'ehcp_20wk_count', 'absence_overall_pct', 'ks2_rwm_expected_count', 'ks2_rwm_pupils',"
    " 'excl_one_plus_fixed', 'excl_headcount', 'ks4_attainment8_avg')"
    " AND geo_code IN ('E92000001', %s)"
)
NEED_NATIONAL_SQL = (
    "SELECT need, SUM(value) FROM benchmarks_figure WHERE level = 'la'"
    " AND measure_id = 'sen_need_count' AND need <> '' AND year ="
    " (SELECT MAX(year) FROM benchmarks_figure WHERE level = 'la'"
    "  AND measure_id = 'sen_need_count') GROUP BY need"
)


def _feeding_sql(trust):
    """The raw queries the page's figures come from, run back to back.

    The trend is the page's own two queries (`figures.trend_query`: the roll and the SEN
    statuses of every January census day), preceded by the query that finds the first census day.
    """
    from sendtrust.analytics.figures import census_days, trend_query

    la = trust.schools.values_list("la_code", flat=True).first() or ""
    runs = [raw_sql(COUNTS_SQL, [trust.pk]), raw_sql(NEED_SQL, [trust.pk]),
            raw_sql(FIGURES_SQL, [la]), raw_sql(NEED_NATIONAL_SQL, []),
            raw_sql(CENSUS_FIRST_SQL, [trust.pk])]
    runs += [raw_sql(sql, params) for sql, params in trend_query(trust, census_days(trust))]

    def run():
        for r in runs:
            r()

    return run


def bench(report: Report, *, quick: bool, data: Path) -> None:
    from django.contrib.auth import get_user_model

    from sendtrust.demo.services import build_demo_trust

    pupils_per_school = 60 if quick else 200
    queries = {}
    for schools in (10, 50):
        t0 = time.perf_counter()
        result = build_demo_trust(
            schools=schools, pupils=schools * pupils_per_school, seed=schools,
            password="bench-password", trust_name=f"Analytics Bench {schools}", progress=False,
        )
        trust = result.trust
        leader = next(get_user_model().objects.get(username=a.username)
                      for a in result.accounts if a.role == "send_leader")
        print(f"\nanalytics: {schools} schools, {schools * pupils_per_school:,} pupils "
              f"(built in {time.perf_counter() - t0:.1f} s)")
        client = client_for(leader)
        page = get_ok(client, f"/trusts/{trust.code}/analytics/")
        funnels = get_ok(client, f"/trusts/{trust.code}/analytics/funnels/")
        page()  # warm-up: renews the session, fills the funnel cache
        funnels()
        # Every query both requests run, counted as is: the count must not grow with the schools.
        queries[schools] = count_queries(lambda p=page, f=funnels: (p(), f()))
        if schools != 50:
            continue
        view_s = median_time(lambda p=page, f=funnels: (p(), f()), repeat=3 if quick else 7)
        sql_s = median_time(_feeding_sql(trust), repeat=3 if quick else 7)
        ratio = view_s / sql_s
        report.add(f"trust analytics page + funnels / raw SQL ({schools} schools)",
                   f"{ratio:.2f}", "<= 2", ratio <= 2)
    report.add("trust analytics page + funnels queries, 10 vs 50 schools",
               f"{queries[10]} vs {queries[50]}", "equal", queries[10] == queries[50])
