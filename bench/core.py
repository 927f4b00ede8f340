"""`make bench`: speed, query counts and ratios, each measured within this one run.

Pages are reported in milliseconds (cold, warm p50 and p95) beside a fair floor that does the
same SQL work through the same middleware (bench/pages.py); other entries compare like
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

BENCH_DB = Path(os.environ.get("BENCH_DB", "var/bench.sqlite3"))  # its own file, always
# Each area measures its own pages in bench/<area>.py, after the pupil benches.
# (bench.dfe loads the DfE files into fresh copies of its own; it leaves the
# bench database as it found it.)
AREA_BENCHES = [
    "bench.evaluation",
    "bench.planning",
    "bench.analytics",
    "bench.support",
    "bench.provision",
    "bench.ehc",
]


def setup_django(db_path: Path, postgres: str | None = None) -> None:
    """A fresh bench database: the SQLite file (removed first), or with `postgres` (a URL)
    that PostgreSQL database dropped and created again, then migrated."""
    if postgres:
        _fresh_postgres(postgres)
        os.environ["DATABASE_URL"] = postgres
    else:
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


def _fresh_postgres(url: str) -> None:
    """Drop and create the database the URL names (its name must start with "bench")."""
    from urllib.parse import urlsplit, urlunsplit

    import psycopg

    parts = urlsplit(url)
    name = parts.path.lstrip("/")
    if not name.startswith("bench"):
        raise SystemExit(f"--postgres: the bench drops its database; name it bench..., "
                         f"not {name!r}")
    admin = urlunsplit(parts._replace(path="/postgres"))
    with psycopg.connect(admin, autocommit=True) as con:
        con.execute(f'DROP DATABASE IF EXISTS "{name}"')
        con.execute(f'CREATE DATABASE "{name}"')


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
    """A client signed in as user through both steps, as a trust-wide role must be: the
    two-factor middleware then lets the pages through, at the cost a real session pays."""
    from django.test import Client
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from sendtrust.people.testing import signed_in

    device = (TOTPDevice.objects.filter(user=user, confirmed=True).first()
              or TOTPDevice.objects.create(user=user, name="bench", confirmed=True))
    return signed_in(Client(), user, device=device)


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


WORKER_RUNS = 5
# Run in a fresh interpreter: what `gunicorn -c gunicorn.conf.py` does with preload_app. The
# master reads the config, imports the WSGI app and runs when_ready; then it forks, and the
# forked worker serves its first request. Prints master boot (wall, CPU) and the forked
# worker's fork-to-response (wall, CPU), in seconds.
WORKER_CODE = """
import os, runpy, sys, time
t0, c0 = time.perf_counter(), time.process_time()
conf = runpy.run_path("gunicorn.conf.py")
assert conf.get("preload_app"), "the bench models preload_app"
import sendtrust.wsgi
if "when_ready" in conf:
    conf["when_ready"](None)
boot, boot_cpu = time.perf_counter() - t0, time.process_time() - c0
read, write = os.pipe()
forked = time.perf_counter()
pid = os.fork()
if pid == 0:
    c1 = time.process_time()
    from django.test.client import RequestFactory
    environ = RequestFactory()._base_environ(PATH_INFO="/login/", REQUEST_METHOD="GET")
    status = []
    body = b"".join(sendtrust.wsgi.application(environ, lambda s, h, *a: status.append(s)))
    ok = status[0].startswith("200")
    os.write(write, f"{ok} {time.perf_counter() - forked} {time.process_time() - c1}".encode())
    os._exit(0)
os.close(write)
ok, first, first_cpu = os.read(read, 200).decode().split()
os.waitpid(pid, 0)
assert ok == "True", "GET /login/ did not answer 200 in the forked worker"
print(boot, boot_cpu, first, first_cpu)
"""


def bench_worker_start(report: Report) -> tuple[float, float]:
    """A worker's start as gunicorn makes it with preload_app (gunicorn.conf.py).

    In a fresh interpreter, as the master: read gunicorn.conf.py, import the WSGI app, run
    its when_ready hook (master boot, once per deploy). Then fork, and in the child serve
    GET /login/ through the app (a worker's time to its first response: every worker start,
    including each restart after max_requests). Medians of WORKER_RUNS runs, wall and CPU;
    the bench's own database is used. Returns (worker first response, master boot) in ms.
    """
    import subprocess

    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "sendtrust.settings"}
    runs = []
    for _ in range(WORKER_RUNS):
        done = subprocess.run([sys.executable, "-c", WORKER_CODE], env=env, capture_output=True,
                              text=True, timeout=120, check=True)
        runs.append([1000 * float(v) for v in done.stdout.split()])
    boot, boot_cpu, first, first_cpu = (statistics.median(r[i] for r in runs) for i in range(4))
    print(f"\nWorker start, as gunicorn runs it with preload_app: a fresh interpreter acts as the "
          f"master (reads gunicorn.conf.py, imports sendtrust.wsgi, runs when_ready), then forks; "
          f"the forked worker serves GET /login/ through the WSGI app. Medians of {WORKER_RUNS}: "
          f"master boot {boot:.0f} ms wall, {boot_cpu:.0f} ms CPU (once per deploy; runs "
          f"{', '.join(f'{r[0]:.0f}' for r in runs)}); forked worker, fork to first response "
          f"{first:.0f} ms wall, {first_cpu:.0f} ms CPU (every worker start; runs "
          f"{', '.join(f'{r[2]:.0f}' for r in runs)}).")
    report.add("worker start: forked worker, fork to first response (ms)", f"{first:.0f}",
               "< 1000", first < 1000)
    report.add("worker start: master boot, config + app + when_ready (ms)", f"{boot:.0f}",
               "", None)
    return first, boot


README = Path("README.md")
TABLE_START, TABLE_END = "<!-- bench-pages:start -->", "<!-- bench-pages:end -->"
# The same table measured on PostgreSQL (--postgres), the production database.
PG_TABLE_START, PG_TABLE_END = ("<!-- bench-pages-postgres:start -->",
                                "<!-- bench-pages-postgres:end -->")


def write_readme_table(rows: list[dict], worker: tuple[float, float] | None,
                       path: Path = README, postgres: bool = False) -> None:
    """Replace the table between the markers in README.md with this run's figures (the
    PostgreSQL section's with `postgres`)."""
    start, end = (PG_TABLE_START, PG_TABLE_END) if postgres else (TABLE_START, TABLE_END)
    lines = [start, "",
             "| page | pupils | cold ms | p50 ms | p95 ms | queries | floor p50 ms "
             "| page / floor |",
             "|---|---:|---:|---:|---:|---:|---:|---:|"]
    for r in rows:
        lines.append(f"| {r['page']} | {r['pupils']:,} | {r['cold']:.0f} | {r['p50']:.0f} | "
                     f"{r['p95']:.0f} | {r['queries']} | {r['floor']:.0f} | {r['ratio']:.2f} |")
    if worker:
        lines += ["", f"Worker start (gunicorn with preload_app): a forked worker serves its "
                      f"first request (GET /login/) {worker[0]:.0f} ms after the fork; the "
                      f"master boots (config, app, when_ready) once in {worker[1]:.0f} ms."]
    how = "`make bench`, on SQLite"
    if postgres:
        from django.db import connection

        how = ("`python -m bench --pages --readme --postgres URL`, on PostgreSQL "
               f"{connection.pg_version // 10000}")
    lines += ["", f"Written by {how} ({time.strftime('%Y-%m-%d')}; "
                  f"{os.cpu_count()} cores, load average {os.getloadavg()[0]:.1f} at the end).",
              "", end]
    text = path.read_text()
    head, _, rest = text.partition(start)
    _, found, tail = rest.partition(end)
    if not found:
        raise SystemExit(f"README.md has no {start} ... {end} section to fill")
    path.write_text(head + "\n".join(lines) + tail)


def settle_postgres() -> None:
    """On PostgreSQL, VACUUM (ANALYZE) after building a trust, before timing its pages.

    Autovacuum would do the same within a minute or two of the build; timed while it runs, the
    first pages measured share the machine's two cores with it (the trust overview measured
    ~540 ms p50 at 50,000 pupils then, ~190 ms once it had finished). The bench times the
    pages of a settled database, and says so."""
    from django.db import connection

    if connection.vendor != "postgresql":
        return
    t0 = time.perf_counter()
    with connection.cursor() as cursor:
        cursor.execute("VACUUM (ANALYZE)")
    print(f"  (PostgreSQL: VACUUM (ANALYZE) after the build, as autovacuum would: "
          f"{time.perf_counter() - t0:.1f} s)")


def bench_pages(report: Report, sizes=((12, 8_000), (50, 50_000))) -> list[dict]:
    """Each main page at two trust sizes: cold, warm p50/p95, queries, and page / fair floor.

    See bench/pages.py for how each figure is measured.
    """
    from django.contrib.auth import get_user_model
    from django.urls import reverse

    from bench.pages import WARM_REQUESTS, measure
    from sendtrust.demo.leadership import seed_leadership
    from sendtrust.demo.services import build_demo_trust

    print(f"\nPages through the whole Django stack (test client, signed in as the trust SEND "
          f"leader): cold = first request after the cache is cleared; warm = p50/p95 of "
          f"{WARM_REQUESTS} requests; floor = the page's own SQL re-run by a minimal view "
          f"through the same middleware, every row printed by a template.")
    queries: dict[str, list[int]] = {}
    table: list[dict] = []
    for schools, pupils in sizes:
        t0 = time.perf_counter()
        result = build_demo_trust(
            schools=schools, pupils=pupils, seed=pupils, password="bench-Password-91",
            trust_name=f"Bench Trust {pupils}", progress=False,
        )
        seed_leadership(result.trust, seed=pupils)
        settle_postgres()
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
            table.append({"page": label, "pupils": pupils, "cold": t.cold_ms, "p50": t.p50_ms,
                          "p95": t.p95_ms, "queries": t.queries, "floor": t.floor_p50_ms,
                          "ratio": t.ratio})
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
    return table


IMPORT_REPEAT = 5
PANDAS_CHUNKSIZE = 1_000  # 16 columns x 1,000 rows: under SQLite's 32,766 bound parameters
YEAR_CODES = {"N1": "-2", "N2": "-1", "R": "0"}  # census year names, as pandas must map them


def _pandas_target(connection) -> str:
    """A copy of pupils_pupil (same columns, constraints, indexes and triggers: the history
    version a new pupil moves) for pandas to fill."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT type, sql FROM sqlite_master WHERE tbl_name = 'pupils_pupil' "
                       "AND sql IS NOT NULL ORDER BY CASE type WHEN 'table' THEN 0"
                       " WHEN 'index' THEN 1 ELSE 2 END")
        ddl = cursor.fetchall()
        cursor.execute("DROP TABLE IF EXISTS bench_pandas_pupil")
        for kind, sql in ddl:  # the table, its indexes, then its triggers
            if kind == "trigger":
                sql = sql.replace("TRIGGER pupils_pupil_", "TRIGGER bench_pandas_pupil_")
                sql = sql.replace(" ON pupils_pupil", " ON bench_pandas_pupil")
            sql = sql.replace('"pupils_pupil"', '"bench_pandas_pupil"')
            sql = sql.replace('INDEX "', 'INDEX "bench_pandas_')
            cursor.execute(sql)
        cursor.execute("SELECT type, count(*) FROM sqlite_master WHERE tbl_name ="
                       " 'bench_pandas_pupil' AND type IN ('index', 'trigger') GROUP BY type")
        made = dict(cursor.fetchall())
        return f"{made.get('index', 0)} indexes, {made.get('trigger', 0)} triggers"


def _pandas_import(engine, path, school_id: int, method: str | None = "multi") -> int:
    """pandas' own way: read_csv, shape the census columns into pupil columns, to_sql."""
    import uuid

    import pandas as pd

    df = pd.read_csv(path, dtype=str, keep_default_na=False)
    flag = {"true": True, "false": False}
    out = pd.DataFrame({
        "code": [uuid.uuid4().hex for _ in range(len(df))],
        "upn": df["UPN"], "forename": df["Forename"], "surname": df["Surname"],
        "date_of_birth": pd.to_datetime(df["DOB"], format="%d/%m/%Y").dt.date,
        "year_group": df["NCyearActual"].replace(YEAR_CODES).astype(int), "sex": df["Gender"],
        "fsm": df["FSMeligible"].map(flag), "pupil_premium": df["PupilPremium"].map(flag),
        "eal": df["EAL"].map(flag), "looked_after": df["LookedAfter"].map(flag),
        "sen_provision": df["SENprovision"], "primary_need_id": None, "school_id": school_id,
        "left_on": None,
    })
    with engine.connect() as conn:
        trans = conn.begin()
        out.to_sql("bench_pandas_pupil", conn, if_exists="append", index=False, method=method,
                   chunksize=PANDAS_CHUNKSIZE)
        written = conn.exec_driver_sql("SELECT count(*) FROM bench_pandas_pupil").scalar()
        trans.rollback()  # like sendtrust's run: each run starts from the same state
    return written


def _median_of(fn, repeat: int) -> tuple[float, list[float]]:
    fn()  # warm-up, not counted
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return statistics.median(times), times


def bench_import(report: Report, rows: int = 100_000, when: str = "", urn: str = "999001",
                 seed: int = 7, repeat: int = IMPORT_REPEAT) -> None:
    """sendtrust's validated import against pandas read_csv + to_sql(method="multi").

    Both read the same census CSV and write pupil rows into tables with the same columns,
    constraints and indexes (pandas into a copy of pupils_pupil), on the same SQLite database,
    in this run; each is timed as the median of `repeat` runs after one warm-up. Every run of
    both starts from the same state: each runs inside a transaction that is rolled back at the
    end of the run (so neither pays for a commit). sendtrust's figure covers
    checking every row (UPN check letter, dates, codes) and writing pupils, SEN episodes,
    enrolments and the audit entry; pandas' covers only parsing and inserting pupil rows.
    """
    from django.conf import settings
    from django.db import connection, transaction
    from sqlalchemy import create_engine

    from sendtrust.imports.samples import write_sample_csv
    from sendtrust.imports.services import import_file
    from sendtrust.organisations.models import School, Trust

    trust = Trust.objects.create(name=f"Import bench trust {urn}")
    school = School.objects.create(trust=trust, urn=urn, name="Import Bench School",
                                   phase="secondary", la_code="801", la_name="Bristol, City of")
    indexes = _pandas_target(connection)
    engine = create_engine(f"sqlite:///{settings.DATABASES['default']['NAME']}")

    class Rollback(Exception):
        pass

    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "pupils.csv"
        write_sample_csv(path, rows, school_la=801 if urn == "999001" else 803, seed=seed)
        print(f"\nImport of {rows:,} rows ({path.stat().st_size / 1e6:.1f} MB CSV), {when}: "
              f"median of {repeat} after a warm-up, each")

        def ours():
            try:
                with transaction.atomic():
                    result = import_file(path, school=school)
                    assert result.ok, result.errors[:3]
                    assert result.created == rows, (result.created, rows)
                    raise Rollback
            except Rollback:
                pass

        def pandas():
            assert _pandas_import(engine, path, school.pk) == rows

        def pandas_executemany():
            assert _pandas_import(engine, path, school.pk, method=None) == rows

        ours_s, ours_all = _median_of(ours, repeat)
        pandas_s, pandas_all = _median_of(pandas, repeat)
        # For reference: pandas' default method (one executemany), often faster on SQLite, where
        # SQLAlchemy's building of each many-row VALUES statement dominates method="multi".
        many_s, many_all = _median_of(pandas_executemany, repeat)
        with connection.cursor() as cursor:
            cursor.execute("DROP TABLE bench_pandas_pupil")
    engine.dispose()
    assert school.pupils.count() == 0  # every sendtrust run was rolled back
    print(f"  pandas read_csv + to_sql(method='multi', chunksize={PANDAS_CHUNKSIZE:,}) into a "
          f"copy of pupils_pupil ({indexes}, rolled back after each run): median {pandas_s:.2f} s "
          f"(runs {', '.join(f'{t:.2f}' for t in pandas_all)})")
    print(f"  pandas, the same with to_sql's default method (executemany), for reference: median "
          f"{many_s:.2f} s (runs {', '.join(f'{t:.2f}' for t in many_all)})")
    print(f"  sendtrust import_file, every row validated, pupils + SEN episodes + enrolments + "
          f"audit, in a transaction rolled back after each run: median {ours_s:.2f} s "
          f"(runs {', '.join(f'{t:.2f}' for t in ours_all)}; {rows / ours_s:,.0f} rows/s)")
    report.add(f"import: pandas time / sendtrust time ({rows:,} rows, {when})",
               f"{pandas_s / ours_s:.2f}", ">= 1", pandas_s / ours_s >= 1)
    report.add(f"import: pandas executemany time / sendtrust time ({rows:,} rows, reference)",
               f"{many_s / ours_s:.2f}", "", None)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__)
    parser.add_argument("--data", default="../shared/data/real", help="DfE data folder")
    parser.add_argument("--quick", action="store_true", help="small sizes, for a smoke run")
    parser.add_argument("--pages", action="store_true",
                        help="only the DfE load, worker start and the page table")
    parser.add_argument("--readme", action="store_true",
                        help="write the page table and worker start into README.md")
    parser.add_argument("--postgres", metavar="URL",
                        help="with --pages: measure on this PostgreSQL database (dropped and "
                             "created again; its name must start with bench)")
    args = parser.parse_args(argv)
    if args.postgres and not args.pages:
        parser.error("--postgres measures the pages only: add --pages")
    setup_django(BENCH_DB, postgres=args.postgres)
    report = Report()
    print("sendtrust bench: every figure measured in this run; each section says how")
    worker = bench_worker_start(report)
    data = Path(args.data)
    if data.is_dir():
        # The overview reads national and LA rates: load them so the page does its real work.
        from django.core.management import call_command

        t0 = time.perf_counter()
        call_command("load_benchmarks", str(data), quiet=True, stdout=open(os.devnull, "w"))
        print(f"Loaded the DfE files from {data} in {time.perf_counter() - t0:.1f} s")
        from bench.dfe import bench as bench_dfe

        if not args.pages:
            bench_dfe(report, quick=args.quick, data=data)
    else:
        print(f"No DfE data at {data}: the overview runs without national rates")
    # The import runs twice: into the fresh database, and again after the page benchmarks
    # have filled it with pupils, whose indexes every new row must join.
    rows = 10_000 if args.quick else 100_000
    if not args.pages:
        bench_import(report, rows=rows, when="into an empty database")
    if args.quick:
        table = bench_pages(report, sizes=((5, 500), (10, 5_000)))
    else:
        table = bench_pages(report)
    if args.readme:
        write_readme_table(table, worker, postgres=bool(args.postgres))
        print("\nREADME.md: page table and worker start written")
    from sendtrust.pupils.models import Pupil

    if not args.pages:
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
