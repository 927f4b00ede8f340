"""`make bench`: speed, query counts and ratios, each measured within this one run.

Pages are reported in milliseconds (cold, warm p50 and p95) beside a fair floor that does the
same SQL work through the same middleware (sendtrust/pagebench.py); other entries compare like
with like in the same run. Uses its own SQLite file under var/, never the demo database.
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


PAGES = [
    # (label, URL name, what the argument is)
    ("trust overview", "trust_overview", "trust"),
    ("register", "school_register", "school"),
    ("pupil record", "pupil_record", "pupil"),
    ("trust analytics", "analytics:trust_analytics", "trust"),
    ("school analytics", "analytics:one_school", "school"),
    ("trust data quality", "quality:trust", "trust"),
    ("strategic plan", "planning:plan", "trust"),
]


def bench_pages(report: Report, sizes=((12, 8_000), (50, 50_000))) -> None:
    """Each main page at two trust sizes: cold, warm p50/p95, queries, and page / fair floor.

    See sendtrust/pagebench.py for how each figure is measured.
    """
    from django.contrib.auth import get_user_model
    from django.urls import reverse

    from sendtrust.demo.leadership import seed_leadership
    from sendtrust.demo.services import build_demo_trust
    from sendtrust.pagebench import WARM_REQUESTS, measure

    print(f"\nPages through the whole Django stack (test client, signed in as the trust SEND "
          f"leader): cold = first request after the cache is cleared; warm = p50/p95 of "
          f"{WARM_REQUESTS} requests; floor = the page's own SQL re-run by a minimal view "
          f"through the same middleware, every row printed by a template.")
    queries: dict[str, list[int]] = {}
    for schools, pupils in sizes:
        t0 = time.perf_counter()
        result = build_demo_trust(
            schools=schools, pupils=pupils, seed=pupils, password="bench-Password-91",
            trust_name=f"Bench Trust {pupils}", progress=False,
        )
        seed_leadership(result.trust, seed=pupils)
        trust = result.trust
        leader = next(get_user_model().objects.get(username=a.username)
                      for a in result.accounts if a.role == "send_leader")
        school = max(trust.schools.all(), key=lambda s: s.pupils.count())
        pupil = school.pupils.exclude(sen_provision="N").order_by("id").first()
        objects = {"trust": trust, "school": school, "pupil": pupil}
        print(f"\n{schools} schools, {pupils:,} pupils (built in "
              f"{time.perf_counter() - t0:.1f} s; largest school {school.pupils.count():,})")
        print(f"  {'page':<20} {'cold ms':>8} {'p50 ms':>8} {'p95 ms':>8} {'queries':>8} "
              f"{'floor p50':>10} {'page/floor':>10}")
        client = client_for(leader)
        client.get("/pupils/")  # the first request after sign-in renews the session
        for label, name, kind in PAGES:
            url = reverse(name, args=[objects[kind].code])
            t = measure(client, url)
            queries.setdefault(label, []).append(t.queries)
            print(f"  {label:<20} {t.cold_ms:>8.1f} {t.p50_ms:>8.1f} {t.p95_ms:>8.1f} "
                  f"{t.queries:>8} {t.floor_p50_ms:>10.1f} {t.ratio:>10.2f}", flush=True)
            if pupils == sizes[-1][1]:
                report.add(f"{label}: warm p95 ms at {pupils:,} pupils", f"{t.p95_ms:.0f}",
                           "<= 150", t.p95_ms <= 150)
                report.add(f"{label}: page / floor (p50) at {pupils:,} pupils",
                           f"{t.ratio:.2f}", "<= 1.5", t.ratio <= 1.5)
    for label, counts in queries.items():
        report.add(f"{label}: queries at {sizes[0][1]:,} vs {sizes[-1][1]:,} pupils",
                   " vs ".join(map(str, counts)), "equal", len(set(counts)) == 1)


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
    print("sendtrust bench: every figure measured in this run; each section says how")
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
        bench_pages(report, sizes=((5, 500), (10, 5_000)))
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
