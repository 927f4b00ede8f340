"""`make bench`: speed and query-count ratios, each measured within this one run.

Prints ratios, not absolute times: the machine's speed cancels out. Uses its own SQLite file
under var/ so that it never touches the demo database.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

BENCH_DB = Path("var/bench.sqlite3")
# Each area measures its own pages in sendtrust/<area>/bench.py, after the pupil benches.
# (sendtrust.benchmarks.bench runs first: it empties and reloads the DfE tables.)
AREA_BENCHES = [
    "sendtrust.evaluation.bench",
    "sendtrust.planning.bench",
    "sendtrust.analytics.bench",
    "sendtrust.support.bench",
    "sendtrust.provision.bench",
    "sendtrust.ehc.bench",
]


def setup_django(db_path: Path) -> None:
    for suffix in ("", "-wal", "-shm"):
        Path(f"{db_path}{suffix}").unlink(missing_ok=True)
    db_path.parent.mkdir(parents=True, exist_ok=True)
    os.environ["DATABASE_URL"] = f"sqlite:///{db_path.resolve()}"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "sendtrust.settings")
    os.environ["AXES_ENABLED"] = "false"
    os.environ["ALLOWED_HOSTS"] = "testserver"
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)


def median_time(fn, repeat: int = 7) -> float:
    fn()  # warm caches: the first call pays for template compilation and connections
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return statistics.median(times)


def raw_sql(sql: str, params):
    from django.db import connection

    def run():
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            return cursor.fetchall()

    return run


def count_queries(fn) -> int:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as ctx:
        fn()
    return len(ctx)


class Report:
    def __init__(self):
        self.rows: list[tuple[str, str, str, str]] = []

    def add(self, name: str, value: str, target: str, ok: bool | None):
        verdict = "" if ok is None else ("meets target" if ok else "MISSES target")
        self.rows.append((name, value, target, verdict))
        print(f"  {name:<62} {value:>14}   {target:<10} {verdict}", flush=True)


def client_for(user):
    from django.test import Client

    client = Client()
    client.force_login(user)
    return client


def get_ok(client, url):
    def run():
        response = client.get(url)
        assert response.status_code == 200, (url, response.status_code)
        return response

    return run


def bench_pages(report: Report, sizes=(5_000, 50_000), schools: int = 50) -> None:
    from django.contrib.auth import get_user_model

    from sendtrust.demo.services import build_demo_trust
    from sendtrust.pupils.models import Pupil

    counts: dict[int, dict[str, int]] = {}
    for pupils in sizes:
        t0 = time.perf_counter()
        result = build_demo_trust(
            schools=schools, pupils=pupils, seed=pupils, password="bench-password",
            trust_name=f"Bench Trust {pupils}", progress=False,
        )
        build_s = time.perf_counter() - t0
        trust = result.trust
        leader = next(
            get_user_model().objects.get(username=a.username)
            for a in result.accounts if a.role == "send_leader"
        )
        school = max(trust.schools.all(), key=lambda s: s.pupils.count())
        print(f"\n{schools} schools, {pupils:,} pupils (built in {build_s:.1f} s; "
              f"largest school {school.pupils.count():,} pupils)")
        client = client_for(leader)
        overview_url = f"/trusts/{trust.code}/"
        register_url = f"/schools/{school.code}/register/"
        view_s = median_time(get_ok(client, overview_url))
        sql_s = median_time(raw_sql(
            "SELECT school_id, COUNT(*), "
            "SUM(CASE WHEN sen_provision = 'K' THEN 1 ELSE 0 END), "
            "SUM(CASE WHEN sen_provision = 'E' THEN 1 ELSE 0 END) "
            "FROM pupils_pupil p JOIN organisations_school s ON s.id = p.school_id "
            "WHERE s.trust_id = %s GROUP BY school_id", [trust.pk],
        ))
        report.add(f"trust overview / raw SQL aggregate ({pupils:,} pupils)",
                   f"{view_s / sql_s:.2f}", "<= 2", view_s / sql_s <= 2)
        reg_s = median_time(get_ok(client, register_url))
        reg_sql = raw_sql(
            "SELECT p.id, p.code, p.surname, p.forename, p.upn, p.year_group, p.sen_provision,"
            " n.code FROM pupils_pupil p LEFT JOIN pupils_needtype n ON n.id = p.primary_need_id"
            " WHERE p.school_id = %s AND p.sen_provision <> 'N'"
            " ORDER BY p.surname, p.forename, p.id LIMIT 50", [school.pk],
        )
        count_sql = raw_sql(
            "SELECT COUNT(*) FROM pupils_pupil WHERE school_id = %s AND sen_provision <> 'N'",
            [school.pk],
        )
        raw_s = median_time(lambda c=count_sql, r=reg_sql: (c(), r()))
        report.add(f"register page / raw SQL (count + page) ({pupils:,} pupils)",
                   f"{reg_s / raw_s:.2f}", "<= 2", reg_s / raw_s <= 2)
        counts[pupils] = {
            "overview": count_queries(get_ok(client, overview_url)),
            "register": count_queries(get_ok(client, register_url)),
        }
        assert Pupil.objects.filter(school__trust=trust).count() == pupils
    small, large = (counts[s] for s in sizes)
    for page in ("overview", "register"):
        report.add(f"queries per {page} page at {sizes[0]:,} vs {sizes[1]:,} pupils",
                   f"{small[page]} vs {large[page]}", "equal", small[page] == large[page])


def bench_import(report: Report, rows: int = 100_000, when: str = "", urn: str = "999001",
                 seed: int = 7) -> None:
    import pandas as pd
    from django.db import connection

    from sendtrust.imports.samples import write_sample_csv
    from sendtrust.imports.services import import_file
    from sendtrust.organisations.models import School, Trust

    trust = Trust.objects.create(name=f"Import bench trust {urn}")
    school = School.objects.create(trust=trust, urn=urn, name="Import Bench School",
                                   phase="secondary", la_code="801", la_name="Bristol, City of")
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "pupils.csv"
        write_sample_csv(path, rows, school_la=801 if urn == "999001" else 803, seed=seed)
        print(f"\nImport of {rows:,} rows ({path.stat().st_size / 1e6:.1f} MB CSV), {when}")
        t0 = time.perf_counter()
        pdf = pd.read_csv(path, dtype=str)
        pdf.to_sql("bench_pandas_import", connection.connection, index=False, if_exists="replace",
                   chunksize=10_000)
        pandas_s = time.perf_counter() - t0
        t0 = time.perf_counter()
        result = import_file(path, school=school)
        ours_s = time.perf_counter() - t0
        with connection.cursor() as cursor:
            cursor.execute("DROP TABLE bench_pandas_import")
    assert not result.errors, result.errors[:3]
    assert school.pupils.count() == rows
    print(f"  pandas read_csv + to_sql: {pandas_s:.2f} s; sendtrust import with validation: "
          f"{ours_s:.2f} s ({rows / ours_s:,.0f} rows/s)")
    report.add(f"import rate / pandas read_csv + to_sql ({rows:,} rows, {when})",
               f"{pandas_s / ours_s:.2f}", ">= 0.5", pandas_s / ours_s >= 0.5)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--data", default="../shared/data/real", help="DfE data folder")
    parser.add_argument("--quick", action="store_true", help="small sizes, for a smoke run")
    args = parser.parse_args(argv)
    setup_django(BENCH_DB)
    report = Report()
    print("sendtrust bench: ratios measured in this run (median of 7 after a warm-up)")
    data = Path(args.data)
    if data.is_dir():
        # The overview reads national and LA rates: load them so the page does its real work.
        from django.core.management import call_command

        t0 = time.perf_counter()
        call_command("load_benchmarks", str(data), quiet=True, stdout=open(os.devnull, "w"))
        print(f"Loaded the DfE files from {data} in {time.perf_counter() - t0:.1f} s")
        from sendtrust.benchmarks.bench import bench as bench_dfe

        bench_dfe(report, quick=args.quick, data=data)
    else:
        print(f"No DfE data at {data}: the overview runs without national rates")
    # The import runs twice: into the fresh database, and again after the page benchmarks
    # have filled it with pupils, whose indexes every new row must join.
    rows = 10_000 if args.quick else 100_000
    bench_import(report, rows=rows, when="into an empty database")
    if args.quick:
        bench_pages(report, sizes=(500, 5_000), schools=10)
    else:
        bench_pages(report)
    from sendtrust.pupils.models import Pupil

    bench_import(report, rows=rows, urn="999002",
                 when=f"into a database of {Pupil.objects.count():,} pupils")
    import importlib

    for area in AREA_BENCHES:
        importlib.import_module(area).bench(report, quick=args.quick, data=data)
    print("\nSummary")
    for name, value, target, verdict in report.rows:
        print(f"  {name:<62} {value:>14}   {target:<10} {verdict}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
