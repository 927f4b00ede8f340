"""The analytics data layer, pages, exports and API: figures from data, suppression for trustees."""

import csv
import datetime as dt
import io
import json
import re

import numpy as np
import openpyxl
import pytest
from scipy import stats as sps

from sendtrust.access.models import AuditEntry
from sendtrust.analytics import figures
from sendtrust.analytics.tables import Withheld
from sendtrust.analytics.tests.conftest import MIX
from sendtrust.organisations.models import School, Trust
from sendtrust.pupils.models import Enrolment, Provision
from sendtrust.testing import PupilFactory, SchoolFactory, give_status

pytestmark = pytest.mark.django_db


def test_national_funnel_pools_every_school_and_names_the_file(benchmarks):
    rows = benchmarks["schools"]["primary"]
    nf = figures.national_funnel("primary", "sen_support")
    n = np.array([r[0] for r in rows])
    k = np.array([r[1] for r in rows])
    assert nf.n_units == len(rows)
    assert nf.excluded == 1  # the row with "NA" counts
    note = figures.funnel_limits_note(nf)
    assert "1 school row with a missing figure was left out." in note
    assert "The test finds overdispersion" in note
    assert nf.p0 == pytest.approx(k.sum() / n.sum())
    assert nf.period == "2019" and "Synthetic school census" in nf.dataset
    # The data are overdispersed (beta-binomial), so the adjusted limits are drawn ...
    assert nf.method == "additive" and nf.phi > 1
    # ... and the plain binomial ones flag more schools, computed independently with scipy.
    p0 = k.sum() / n.sum()
    lo = sps.binom.ppf(0.001, n, p0) / n
    hi = sps.binom.ppf(0.999, n, p0) / n
    rough = int(np.sum((k / n < lo - 1 / n) | (k / n > hi + 1 / n)))
    plain = figures.national_funnel("primary", "sen_support", "binomial")
    assert plain.method == "binomial"
    assert plain.outside[0.998] >= rough > nf.outside[0.998]


def test_national_funnel_is_cached(benchmarks, django_assert_max_num_queries):
    figures.national_funnel("secondary", "ehcp")
    with django_assert_max_num_queries(2):  # the data-version check and the cache read
        again = figures.national_funnel("secondary", "ehcp")
    assert again.n_units == len(benchmarks["schools"]["secondary"])


def test_national_funnels_read_the_cache_once_for_every_phase(
        benchmarks, django_assert_num_queries):
    """Issue 15: the analytics page asked the shared cache once per (phase, measure), so its
    query count grew with the phases of the trust's schools (48 vs 50 queries in the bench's
    10- and 50-school trusts, the larger with an AP school)."""
    pairs = [("primary", "sen_support"), ("primary", "ehcp"), ("secondary", "sen_support"),
             ("secondary", "ehcp")]
    first = figures.national_funnels(pairs)  # computes and caches each
    with django_assert_num_queries(2):  # the data-version check and one cache read
        again = figures.national_funnels(pairs)
    assert {pair: nf.p0 for pair, nf in again.items()} == {
        pair: nf.p0 for pair, nf in first.items()}
    assert again[("secondary", "ehcp")].n_units == len(benchmarks["schools"]["secondary"])


def school_with(trust, name: str, pupils: int, on_support: int):
    """A primary school of the trust with `pupils` pupils, the first `on_support` on SEN support."""
    school = SchoolFactory(trust=trust, name=name)
    for i in range(pupils):
        pupil = PupilFactory(school=school)
        if i < on_support:
            give_status(pupil, Provision.SUPPORT, "SLCN")
    return school


def test_school_far_above_the_funnel_is_flagged_above(cast, benchmarks):
    school_with(cast.trust, "High Primary", 60, 30)
    data = figures.analytics(cast.trust, cast.users["send_leader"], sections={"funnel"})
    section = next(f for f in data.funnels if f.slug == "funnel-primary-sen_support")
    row = next(r for r in section.table.rows if r["school"] == "High Primary")
    assert row["rate"] == 50.0
    assert row["flag"] == "Above the 99.8% limit"
    assert row["hi998"] < 50.0
    point = next(p for p in section.points if p["school"] == "High Primary")
    assert {k: point[k] for k in ("pupils", "rate", "flag")} == {
        "pupils": 60, "rate": 50.0, "flag": "Above the 99.8% limit"}
    assert point["band"] == "Highest 5%"


def _leave(pupil, on):
    Enrolment.objects.filter(pupil=pupil, ends_on__isnull=True).update(ends_on=on)


def test_trend_counts_the_pupils_on_roll_each_census_day_leavers_and_joiners(cast, benchmarks):
    """Hand-computed: nine pupils from September 2023, a leaver before the 2024 census, a
    joiner in September 2024 and a leaver in July 2025."""
    school = SchoolFactory(trust=cast.trust, name="Trend Primary")
    pupils = [PupilFactory(school=school) for _ in range(10)]  # on roll from 1 Sep 2023
    leaver = pupils[9]
    give_status(leaver, Provision.SUPPORT, "MLD", on=dt.date(2023, 10, 1))
    _leave(leaver, dt.date(2023, 12, 20))  # the first recorded leaver
    joiner = PupilFactory(school=school)
    Enrolment.objects.filter(pupil=joiner).update(starts_on=dt.date(2024, 9, 5))
    give_status(joiner, Provision.SUPPORT, "SLCN", on=dt.date(2024, 10, 1))
    give_status(pupils[0], Provision.SUPPORT, "SLCN", on=dt.date(2023, 9, 1))
    give_status(pupils[0], Provision.EHCP, "SLCN", on=dt.date(2024, 9, 1))
    give_status(pupils[1], Provision.SUPPORT, "MLD", on=dt.date(2024, 1, 1))
    _leave(pupils[8], dt.date(2025, 7, 18))
    data = figures.analytics(cast.trust, cast.users["send_leader"], school=school,
                             sections={"trend"})
    by_year = {r["year"]: r for r in data.trend.table.rows if r["census_day"]}
    # 18 Jan 2024: pupils 0-8 (the leaver has gone, the joiner not come); SEN support 0, 1.
    assert by_year[2024]["census_day"] == "2024-01-18"
    assert (by_year[2024]["pupils"], by_year[2024]["sen_support"], by_year[2024]["ehcp"]) == (
        9, 2, 0)
    # 16 Jan 2025: pupils 0-8 and the joiner; SEN support 1 and the joiner; 0 has a plan.
    assert (by_year[2025]["pupils"], by_year[2025]["sen_support"], by_year[2025]["ehcp"]) == (
        10, 2, 1)
    assert by_year[2025]["ehcp_rate"] == 10.0
    # 15 Jan 2026: pupil 8 left in July 2025.
    assert (by_year[2026]["pupils"], by_year[2026]["sen_support"], by_year[2026]["ehcp"]) == (
        9, 2, 1)
    assert min(by_year) == 2024  # nothing before the first recorded leaver
    assert "complete from the January 2024 census" in " ".join(data.trend.table.notes)
    nat = {r["year"]: r for r in data.trend.table.rows}
    assert nat[2020]["national_ehcp_rate"] == benchmarks["national"][2020][1]
    assert nat[2020]["pupils"] is None  # not covered by the records: no trust figure
    # Today's figures count only pupils on roll: the two leavers are not among them.
    today = data.rates.rows[0]
    assert (today.pupils, today.sen_support, today.ehcp) == (9, 2, 1)


def test_no_trend_until_the_records_hold_a_leaver(cast, benchmarks):
    school = SchoolFactory(trust=cast.trust, name="New Primary")
    give_status(PupilFactory(school=school), Provision.SUPPORT, "MLD", on=dt.date(2023, 9, 1))
    data = figures.analytics(cast.trust, cast.users["send_leader"], school=school,
                             sections={"trend"})
    assert not [r for r in data.trend.table.rows if r["census_day"]]
    assert "no pupil who has left New Primary" in " ".join(data.trend.table.notes)


def test_need_mix_against_england_sum_of_la_rows(small_trust, benchmarks):
    data = figures.analytics(small_trust.trust, small_trust.users["send_leader"],
                             sections={"need"})
    rows = {r["need"]: r for r in data.need.table.rows}
    slcn = next(k for k in rows if "speech" in k.lower())
    # England share of SLCN: both LAs, both phases, from the fixture's formula.
    from sendtrust.analytics.tests.fixtures import NEEDS

    def la_total(code):
        return sum(b * (10 + j) + 5 * (ph == "primary") for j in (0, 1)
                   for ph in ("primary", "secondary") for c, b in NEEDS.items() if c == code)
    total = sum(la_total(c) for c in NEEDS)
    assert rows[slcn]["national_share"] == round(100 * la_total("SLCN") / total, 1)
    # Trust: cast (2 SLCN, 1 SEMH, 1 ASD... ) plus the small trust's SEN pupils.
    sen = [p for p in small_trust.trust.schools.all()]
    assert rows[slcn]["trust"] == sum(
        s.pupils.filter(primary_need__code="SLCN").count() for s in sen)


def test_gaps_and_timeliness_come_from_the_files(cast, benchmarks):
    data = figures.analytics(cast.trust, cast.users["send_leader"],
                             sections={"gaps", "timeliness"})
    gaps = data.gaps.rows
    absence = next(r for r in gaps if r["place"] == "England" and "absence" in r["outcome"])
    assert absence["gap"] == pytest.approx(8.9 - 5.6)
    assert absence["ci_low"] is None and absence["trust"] == "no trust data yet"
    bristol = next(r for r in gaps if r["place"] == "Bristol, City of")
    assert bristol["gap"] == pytest.approx(3.3)
    ks2 = next(r for r in gaps if "KS2" in r["outcome"])
    (x1, n1), (x0, n0) = benchmarks["ks2"]["any_sen"], benchmarks["ks2"]["no_sen"]
    assert ks2["gap"] == pytest.approx(100 * (x1 / n1 - x0 / n0), abs=0.01)
    assert ks2["ci_low"] < ks2["gap"] < ks2["ci_high"]
    suspensions = next(r for r in gaps if "suspensions" in r["outcome"])
    ex = benchmarks["excl"]
    any_sen = (ex["ehcp"][0] + ex["sen_support"][0]) / (ex["ehcp"][1] + ex["sen_support"][1])
    assert suspensions["sen"] == pytest.approx(100 * any_sen, abs=0.01)
    rows = {(r["place"], r["year"]): r for r in data.timeliness.rows}
    den, num = 400 + 50, 100 + 150  # 2024, from the fixture
    assert rows[("Bristol, City of", 2024)]["plans"] == den
    assert rows[("Bristol, City of", 2024)]["rate"] == round(100 * num / den, 1)
    assert rows[("England", 2019)]["ci_low"] < rows[("England", 2019)]["rate"]


def test_read_only_trust_uses_published_census_figures(db, benchmarks, cast):
    from sendtrust.benchmarks.models import Figure

    urn = Figure.objects.filter(level="school", phase="primary", measure_id="pupils").first()
    public = Trust.objects.create(name="Public", read_only=True)
    School.objects.create(trust=public, urn=urn.geo_code, name="Pub", phase="primary",
                          la_code="801", la_name="Bristol")
    data = figures.analytics(public, cast.users["no_role"], sections={"funnel"})
    row = data.rates_table.rows[0]
    assert row["pupils"] == int(urn.value)
    assert data.funnels and data.funnels[0].points[0]["pupils"] == int(urn.value)


# --------------------------------------------------------------------------- trustees

COUNT_KINDS = {"count"}


def _small_numbers_in(table):
    bad = []
    for row in table.all_rows():
        for c in table.columns:
            v = row.get(c.key)
            if c.kind == "count" and isinstance(v, int) and 1 <= v <= 4:
                bad.append((table.key, row.get(c.columns[0].key) if False else c.key, v))
    return bad


def test_trustee_tables_hold_no_count_from_1_to_4_and_hidden_cells_stay_hidden(
        small_trust, benchmarks):
    trust = small_trust.trust
    leader = figures.analytics(trust, small_trust.users["send_leader"])
    ash = next(r for r in leader.rates_table.rows if r["school"] == "Ash Primary")
    assert (ash["sen_support"], ash["ehcp"]) == MIX["Ash Primary"][:2]  # the test can fail
    data = figures.analytics(trust, small_trust.users["trustee"])
    assert data.hide
    for table in data.tables().values():
        assert not _small_numbers_in(table), table.key
    # No withheld count of the schools table follows from its row (K + E + N = pupils) or
    # column (sum = trust total) by subtraction.
    rows = data.rates.rows
    for f in rows:
        cells = [f.sen_support, f.ehcp, f.no_sen, f.pupils]
        assert sum(isinstance(v, Withheld) for v in cells) != 1, f.name
    for attr in ("sen_support", "ehcp", "no_sen", "pupils"):
        col = [getattr(f, attr) for f in rows] + [getattr(data.rates.total, attr)]
        assert sum(isinstance(v, Withheld) for v in col) != 1, attr
    ash_t = next(r for r in data.rates_table.rows if r["school"] == "Ash Primary")
    assert isinstance(ash_t["sen_support_rate"], Withheld)
    assert "need-mix-schools" not in data.tables()


def _digits_in_count_cells(html):
    """Numbers in the count columns of every table on a page (by the column's header)."""
    found = []
    for table in re.findall(r"<table.*?</table>", html, flags=re.S):
        heads = re.findall(r'<th scope="col"( class="num")?>(.*?)</th>', table)
        count_cols = [i for i, (_, h) in enumerate(heads)
                      if not re.search(r"%|lower|upper|Year|Gap|CI|with SEN|without",
                                       h)]
        for tr in re.findall(r"<tr>(.*?)</tr>", table, flags=re.S):
            cells = re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>", tr, flags=re.S)
            for i in count_cols:
                if i < len(cells) and i > 0:
                    text = re.sub(r"<[^>]+>", "", cells[i]).strip().replace(",", "")
                    if text.isdigit():
                        found.append(int(text))
    return found


def test_trustee_sees_no_figure_1_to_4_on_pages_exports_or_api(client, small_trust, benchmarks):
    trust = small_trust.trust
    client.force_login(small_trust.users["send_leader"])
    page = client.get(f"/trusts/{trust.code}/analytics/").content.decode()
    assert {2, 3} <= set(_digits_in_count_cells(page))  # a leader sees them: the check works

    client.force_login(small_trust.users["trustee"])
    base = f"/trusts/{trust.code}/analytics/"
    page = client.get(base).content.decode()
    page += client.get(base + "funnels/", HTTP_HX_REQUEST="true").content.decode()
    assert "fewer than 5" in page
    assert not [n for n in _digits_in_count_cells(page) if 1 <= n <= 4]

    data = figures.analytics(trust, small_trust.users["trustee"])
    for key, table in data.tables().items():
        count_cols = [i for i, c in enumerate(table.columns) if c.kind == "count"]
        body = client.get(f"{base}{key}.csv").content.decode("utf-8-sig")
        lines = list(csv.reader(io.StringIO(body)))
        for line in lines[1:len(table.all_rows()) + 1]:
            for i in count_cols:
                assert line[i] not in {"1", "2", "3", "4"}, (key, line)
        book = openpyxl.load_workbook(io.BytesIO(client.get(f"{base}{key}.xlsx").content))
        sheet_rows = list(book.active.iter_rows(values_only=True))[2:len(table.all_rows()) + 2]
        for line in sheet_rows:
            for i in count_cols:
                assert line[i] not in (1, 2, 3, 4), (key, line)

    api = f"/api/v1/analytics/trusts/{trust.code}/"
    for part in ("schools", "need-mix", "trend", "gaps", "timeliness", "funnel"):
        payload = client.get(api + part).json()
        tables = [t["table"] for t in payload] if part == "funnel" else [payload]
        for t in tables:
            counts = [c["key"] for c in t["columns"] if c["kind"] == "count"]
            for row in t["rows"] + t["footer"]:
                for k in counts:
                    assert row["values"][k] not in (1, 2, 3, 4), (part, row)
    ash = next(r for r in client.get(api + "schools").json()["rows"]
               if r["values"]["school"] == "Ash Primary")
    assert ash["withheld"]["sen_support"] == "primary"
    assert ash["values"]["sen_support_rate"] is None


# --------------------------------------------------------------------------- pages and exports


def vendored_vega_lite_major() -> str:
    from django.conf import settings

    path = settings.BASE_DIR / "sendtrust" / "static" / "vendor" / "vega-lite.min.js"
    return re.search(r'var n="(\d+)\.\d+\.\d+"', path.read_text()[:2000]).group(1)


def test_pages_show_charts_tables_and_sources(client, small_trust, benchmarks):
    client.force_login(small_trust.users["send_leader"])
    trust = small_trust.trust
    page = client.get(f"/trusts/{trust.code}/analytics/").content.decode()
    for chart in ("chart-need", "chart-trend", "chart-gaps", "chart-timeliness"):
        assert f'data-chart="{chart}-spec"' in page
        spec = re.search(rf'<script id="{chart}-spec" type="application/json">(.*?)</script>',
                         page, flags=re.S).group(1)
        # The schema's major version is the vendored library's, so vega-embed does not warn.
        assert json.loads(spec)["$schema"] == (
            f"https://vega.github.io/schema/vega-lite/v{vendored_vega_lite_major()}.json")
    assert "Synthetic LAIT SEN indicators" in page
    ash = School.objects.get(name="Ash Primary")
    assert f'href="/schools/{ash.code}/analytics/"' in page
    funnels = client.get(f"/trusts/{trust.code}/analytics/funnels/?limits=binomial",
                         HTTP_HX_REQUEST="true").content.decode()
    assert "exact binomial limits" in funnels and "<html" not in funnels
    assert "tail probability is below the level" in funnels and "centile" in funnels
    assert "2019" in funnels and "Flag" in funnels
    school = client.get(f"/schools/{ash.code}/analytics/").content.decode()
    assert "Ash Primary: SEND analytics" in school and "Bristol" in school


def test_export_is_audited_and_neutralises_formulas(client, small_trust, benchmarks):
    SchoolFactory(trust=small_trust.trust, name="=HYPERLINK(\"x\")")
    client.force_login(small_trust.users["send_leader"])
    response = client.get(f"/trusts/{small_trust.trust.code}/analytics/schools.csv")
    body = response.content.decode("utf-8-sig")
    assert "'=HYPERLINK" in body
    assert response["Content-Disposition"].endswith('-schools.csv"')
    entry = AuditEntry.objects.filter(action="analytics.exported").latest("id")
    assert entry.detail["table"] == "schools" and entry.detail["format"] == "csv"
    assert client.get(f"/trusts/{small_trust.trust.code}/analytics/nope.csv").status_code == 404


def test_api_funnel_in_openapi_and_matches_page_figures(client, small_trust, benchmarks):
    client.force_login(small_trust.users["send_leader"])
    schema = client.get("/api/v1/openapi.json").json()
    assert "/api/v1/analytics/trusts/{code}/funnel" in schema["paths"]
    payload = client.get(
        f"/api/v1/analytics/trusts/{small_trust.trust.code}/funnel?limits=binomial").json()
    first = payload[0]
    assert first["limits_drawn"] == "binomial" and first["schools_in_england"] > 100
    nf = figures.national_funnel(first["phase"], first["measure"], "binomial")
    assert first["p0"] == pytest.approx(nf.p0)


def test_low_identification_shows_in_the_lowest_5_percent_among_real_schools(cast, loaded):
    """The centile is read against every state-funded primary in the real 2019 file (numpy)."""
    from sendtrust.analytics.tests.dfe import census_2019

    school_with(cast.trust, "Low Primary", 60, 1)
    data = figures.analytics(cast.trust, cast.users["send_leader"], sections={"funnel"})
    section = next(f for f in data.funnels if f.slug == "funnel-primary-sen_support")
    row = next(r for r in section.table.rows if r["school"] == "Low Primary")
    df = census_2019()
    df = df[(df.SCHOOLTYPE == "State-funded primary") & (df.NOR > 0) & df.TSENELK.notna()
            & (df.TSENELK <= df.NOR)]
    rates = (df.TSENELK / df.NOR).to_numpy()
    v = 1 / 60
    expected = 100 * (np.sum(rates < v) + 0.5 * np.sum(rates == v)) / rates.size
    assert row["centile"] == round(expected, 1)
    assert expected < 5 and row["band"] == "Lowest 5%"
    # The default limits are wide, so the flag alone would not show it.
    assert row["flag"] == "Within the limits"
    assert "Centile" in " ".join(section.table.notes)


def test_the_pdf_report_draws_the_page_charts_offline(client, small_trust, benchmarks):
    from sendtrust.analytics import charts, report
    from sendtrust.ops.tests.helpers import run_queued_tasks

    trust = small_trust.trust
    client.force_login(small_trust.users["trustee"])
    job_page = client.post(f"/trusts/{trust.code}/analytics/report/")["Location"]
    run_queued_tasks()  # the report is made in the worker (test_report_job.py)
    response = client.get(job_page + "send-analytics.pdf")
    assert response.status_code == 200 and response.content.startswith(b"%PDF")
    entry = AuditEntry.objects.filter(action="analytics.exported").latest("id")
    assert entry.detail["format"] == "pdf" and entry.detail["aggregate_only"] is True
    data = figures.analytics(trust, small_trust.users["trustee"], sections={"funnel", "trend"})
    spec = charts.funnel_spec(data.funnels[0])
    svg = report.chart_svg(spec)
    assert svg.startswith("<svg") and data.funnels[0].title in svg
