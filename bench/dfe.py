"""`make bench` entry: the DfE load against a fair pandas comparator, then national funnels.

The load (issue 14). Both sides load every DfE file that holds figures (the census, LAIT, the
EHC plan releases, SEN in England, outcomes, the SEND/AP dashboard) into the same kind of fresh
SQLite database: a schema-only copy of the migrated bench database (every table and index the
migrations made, and the django_migrations rows) with dfe-vocab's local authorities loaded,
copied anew for every run outside the timing, in the bench database's folder. Both connections
run the settings' pragmas (journal_mode=WAL, synchronous=NORMAL) and the loaders' cache_size.

- sendtrust: runner.load_file for each file, as `manage.py load_benchmarks` does: each file in
  its own transaction, every row's width and every cell checked (a bad one named by file, line
  and column), published totals checked against their parts, a Dataset and a LoadRun recorded.
- pandas: read_csv of only the columns the loader uses (as text, so DfE symbols survive), the
  loader's own mapping functions applied once per distinct key (never per row) and merged in,
  melt to the long figure table, pd.to_numeric for the values, then written into the same
  benchmarks_figure table (same indexes), one commit per file. The write method is the fastest
  (by CPU) in the warm-up of to_sql (executemany), to_sql(method="multi") and sqlite3
  executemany of itertuples.

Each side: a warm-up, then the median of 5 (1 with --quick) of wall (perf_counter) and CPU
(process_time) time, the sides alternating in the same run. Both must store the same number of
figures from every file, or the bench fails. Not in the ratio: dfe-vocab (loaded into the
template for both sides: both match LA names against it) and the two GIAS files (reference
lists, not figures). pandas writes no Dataset, LoadRun or Measure rows (sendtrust writes a few
hundred) and checks nothing: a bad cell becomes NaN instead of an error naming its line.

The funnels: exact binomial and additive-overdispersion limits (`analytics.stats.funnel`) for
every school in England from the figures sendtrust stored, against numpy/scipy on the census
DataFrame; both must find the same schools outside the 99.8% limits.
"""

from __future__ import annotations

import shutil
import sqlite3
import statistics
import tempfile
import time
from collections.abc import Callable
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from bench.dfe_pandas import CENSUS, Comparator

LEVELS = (0.95, 0.998)
MEASURES = {"sen_support": ("sen_support_count", "TSENELK"), "ehcp": ("ehcp_count", "TSENELSE")}
# Files loaded into the template (both sides need the LAs) or left out of the comparison.
TEMPLATE_FAMILIES = {"dfe-vocab"}
NOT_FIGURES = {"gias"}
FIGURE_TABLE = "benchmarks_figure"
WRITE_METHODS = ("to_sql", "to_sql multi", "sqlite3 executemany")
# Rows a to_sql(method="multi") statement: 14 columns x 2,000 stays under SQLite's 32,766.
MULTI_ROWS = 2000


@dataclass
class Timing:
    wall: list[float]
    cpu: list[float]

    def median(self) -> tuple[float, float]:
        return statistics.median(self.wall), statistics.median(self.cpu)


def _timed(fn: Callable, timing: Timing):
    wall, cpu = time.perf_counter(), time.process_time()
    result = fn()
    timing.cpu.append(time.process_time() - cpu)
    timing.wall.append(time.perf_counter() - wall)
    return result


def bench(report, *, quick: bool, data: Path) -> None:
    from django.db import connection

    data = Path(data)
    if not (data / CENSUS).is_file():
        print(f"\nNo DfE data at {data}: DfE load + funnel bench skipped")
        return
    if connection.vendor != "sqlite":
        print("\nThe DfE load bench compares SQLite writes: skipped on another database")
        return
    repeat = 1 if quick else 5
    # Import outside the timing what both sides use (scipy.stats alone takes seconds to import).
    import pandas  # noqa: F401
    import scipy.stats  # noqa: F401

    import sendtrust.analytics.stats  # noqa: F401
    from sendtrust.benchmarks.loaders import LOADERS, SKIPS
    from sendtrust.benchmarks.loaders.runner import plan

    loaders, _, _ = plan(data, LOADERS, SKIPS)
    template_loaders = [x for x in loaders if x.family in TEMPLATE_FAMILIES]
    timed = [x for x in loaders if x.family not in TEMPLATE_FAMILIES | NOT_FIGURES]
    folder = Path(connection.settings_dict["NAME"]).resolve().parent
    with tempfile.TemporaryDirectory(dir=folder, prefix="dfe-bench-") as tmp:
        tmp = Path(tmp)
        template = _template(tmp / "template.sqlite3", data, template_loaders)
        with _database(template):
            comparators = [Comparator.for_loader(data, loader) for loader in timed]

        def fresh(name: str) -> Path:
            path = tmp / f"{name}.sqlite3"
            for suffix in ("", "-wal", "-shm"):
                Path(f"{path}{suffix}").unlink(missing_ok=True)
            shutil.copyfile(template, path)
            return path

        ours, theirs = Timing([], []), Timing([], [])
        # Warm-up: sendtrust once, pandas once per write method (the fastest by CPU is used).
        ours_rows = _run_ours(fresh("ours"), data, timed, Timing([], []))
        method_cpu = {}
        for method in WRITE_METHODS:
            warm = Timing([], [])
            pandas_rows = _run_pandas(fresh("pandas"), comparators, method, warm)
            method_cpu[method] = warm.cpu[0]
            _same_counts(ours_rows, pandas_rows)
        method = min(method_cpu, key=method_cpu.get)
        for _ in range(repeat):
            ours_db = fresh("ours")
            _same_counts(_run_ours(ours_db, data, timed, ours), ours_rows)
            _same_counts(_run_pandas(fresh("pandas"), comparators, method, theirs), ours_rows)
        (ours_wall, ours_cpu), (pandas_wall, pandas_cpu) = ours.median(), theirs.median()
        figures = sum(ours_rows.values())
        print(f"\nDfE load of {len(timed)} files, {figures:,} figures, each side into a fresh "
              f"migrated SQLite copy (WAL, synchronous=NORMAL, 64 MB cache), median of {repeat} "
              f"after a warm-up, wall (perf_counter) and CPU (process_time)")
        print(f"  sendtrust runner.load_files, each file validated and all-or-nothing: "
              f"{ours_wall:.2f} s wall, {ours_cpu:.2f} s CPU")
        print(f"  pandas read_csv(usecols) + melt + to_numeric + {method}: "
              f"{pandas_wall:.2f} s wall, {pandas_cpu:.2f} s CPU")
        print("  pandas write methods in the warm-up (CPU s): "
              + ", ".join(f"{m} {s:.2f}" for m, s in method_cpu.items()))
        report.add("DfE load / pandas usecols+melt+" + method + " (CPU)",
                   f"{ours_cpu / pandas_cpu:.2f}", "<= 1", ours_cpu / pandas_cpu <= 1)
        report.add("DfE load / pandas (wall)", f"{ours_wall / pandas_wall:.2f}", "<= 1",
                   ours_wall / pandas_wall <= 1)
        with _database(ours_db):
            _bench_funnels(report, data, repeat)


def _same_counts(ours: dict[str, int], theirs: dict[str, int]) -> None:
    """Both sides stored the same number of figures from every file."""
    differ = {key: (n, theirs.get(key)) for key, n in ours.items() if theirs.get(key) != n}
    assert not differ and set(ours) == set(theirs), f"figures stored differ: {differ}"


# ------------------------------------------------------------------------------ databases


def sqlite_pragmas() -> list[str]:
    """The pragmas every sendtrust SQLite connection runs, and the loaders' cache size."""
    from django.db import connection

    from sendtrust.benchmarks.loaders.base import SQLITE_CACHE_PRAGMA

    init = connection.settings_dict.get("OPTIONS", {}).get("init_command", "")
    return [p.strip() for p in init.split(";") if p.strip()] + [SQLITE_CACHE_PRAGMA]


def _template(path: Path, data: Path, loaders) -> Path:
    """A fresh database: the bench database's schema and migration records, plus dfe-vocab."""
    from django.db import connection

    from sendtrust.benchmarks.loaders.runner import load_file

    connection.ensure_connection()
    source = connection.connection
    schema = source.execute(
        "SELECT type, sql FROM sqlite_master WHERE sql IS NOT NULL AND name NOT LIKE 'sqlite_%' "
        "ORDER BY type = 'table' DESC, rowid"
    ).fetchall()
    migrations = source.execute("SELECT app, name, applied FROM django_migrations").fetchall()
    target = sqlite3.connect(path)
    with target:
        for _, sql in schema:
            target.execute(sql)
        target.executemany("INSERT INTO django_migrations (app, name, applied) VALUES (?, ?, ?)",
                           migrations)
    target.close()
    with _database(path):
        for loader in loaders:
            outcome = load_file(data, loader)
            assert outcome.status == "loaded", outcome.message
    return path


@contextmanager
def _database(path: Path):
    """Point Django's default connection at another SQLite file for the block."""
    from django.db import connection

    saved = connection.settings_dict["NAME"]
    connection.close()
    connection.settings_dict["NAME"] = str(path)
    try:
        yield
    finally:
        connection.close()
        connection.settings_dict["NAME"] = saved


# ------------------------------------------------------------------------------ sendtrust


def _run_ours(path: Path, data: Path, loaders, timing: Timing) -> dict[str, int]:
    from sendtrust.benchmarks.loaders.runner import load_files

    def run():
        outcomes = load_files(data, loaders)
        failed = [o.message for o in outcomes if o.status != "loaded"]
        assert not failed, failed
        return {o.key: o.rows_loaded for o in outcomes}

    with _database(path):
        from django.db import connection

        connection.ensure_connection()  # connecting (and its pragmas) outside the timing
        return _timed(run, timing)


def _run_pandas(path: Path, comparators, method: str, timing: Timing) -> dict[str, int]:
    from sendtrust.benchmarks.loaders.base import FIGURE_COLUMNS

    insert = (f"INSERT INTO {FIGURE_TABLE} ({', '.join(FIGURE_COLUMNS)}) "
              f"VALUES ({', '.join('?' * len(FIGURE_COLUMNS))})")

    def run():
        con = sqlite3.connect(path)
        for pragma in sqlite_pragmas():
            con.execute(pragma)
        counts = {}
        for number, comp in enumerate(comparators, start=1):
            frame = comp.frame(number)
            if method == "sqlite3 executemany":
                con.executemany(insert, frame.itertuples(index=False, name=None))
                con.commit()
            elif method == "to_sql multi":
                frame.to_sql(FIGURE_TABLE, con, if_exists="append", index=False,
                             method="multi", chunksize=MULTI_ROWS)
            else:
                frame.to_sql(FIGURE_TABLE, con, if_exists="append", index=False,
                             chunksize=50_000)
            counts[comp.loader.path] = len(frame)
        con.close()
        return counts

    # Django's connection points at the same copy: Places reads the LAs from it.
    with _database(path):
        return _timed(run, timing)


# ------------------------------------------------------------------------------ funnels


def _bench_funnels(report, data: Path, repeat: int) -> None:
    """Limits from sendtrust's stored figures against numpy/scipy on the census DataFrame."""
    import pandas as pd

    ours, theirs = Timing([], []), Timing([], [])
    census = pd.read_csv(data / CENSUS, usecols=["URN", "SCHOOLTYPE", "NOR", "TSENELK",
                                                 "TSENELSE"], dtype=str, keep_default_na=False)
    our_funnels(), pandas_funnels(census)  # warm-up
    for _ in range(repeat):
        mine = _timed(our_funnels, ours)
        other = _timed(lambda: pandas_funnels(census), theirs)
        _same_answers(mine, other)
    (ours_wall, ours_cpu), (pandas_wall, pandas_cpu) = ours.median(), theirs.median()
    schools = sum(r["units"] for (_, name, method), r in mine.items()
                  if name == "sen_support" and method == "binomial")
    print(f"\nNational funnel limits for {schools:,} schools ({len(mine)} phase x measure x "
          f"method funnels), median of {repeat} after a warm-up")
    print(f"  sendtrust stored figures + stats.funnel: {ours_wall:.2f} s wall, "
          f"{ours_cpu:.2f} s CPU; numpy/scipy on the census DataFrame: {pandas_wall:.2f} s wall, "
          f"{pandas_cpu:.2f} s CPU")
    report.add("DfE national funnels / numpy+scipy (CPU)", f"{ours_cpu / pandas_cpu:.2f}", "",
               None)


def our_funnels(year: int = 2019) -> dict:
    """{(phase, measure): summary} for every school-level phase, from the stored figures."""
    from sendtrust.analytics.stats import funnel
    from sendtrust.benchmarks.models import Figure, Level

    codes = ["pupils", *(m for m, _ in MEASURES.values())]
    rows = (
        Figure.objects.filter(level=Level.SCHOOL, year=year, measure_id__in=codes, sen="",
                              need="", breakdown="")
        .exclude(phase="")
        .values_list("phase", "geo_code", "measure_id", "value")
    )
    by_phase: dict[str, dict[str, dict[str, float | None]]] = {}
    for phase, urn, measure, value in rows.iterator(chunk_size=10_000):
        by_phase.setdefault(phase, {}).setdefault(urn, {})[measure] = value
    out = {}
    for phase, schools in sorted(by_phase.items()):
        values = list(schools.values())
        n = np.array([_nan(v.get("pupils")) for v in values])
        for name, (code, _) in MEASURES.items():
            y = np.array([_nan(v.get(code)) for v in values])
            if np.count_nonzero(~np.isnan(y) & (n > 0)) < 2:
                continue
            for method in ("additive", "binomial"):
                result = funnel(y, n, method=method, levels=LEVELS)
                out[(phase, name, method)] = {
                    "units": result.n_units, "p0": result.p0, "drawn": result.method,
                    "outside": result.outside(0.998),
                }
    return out


def _nan(value):
    return np.nan if value is None else value


def pandas_funnels(census) -> dict:
    """The same limits, written directly with numpy/scipy on the census DataFrame."""
    import pandas as pd

    from sendtrust.benchmarks.loaders.census2019 import SCHOOL_TYPES

    schools = census[census["URN"] != "NAT"].copy()
    schools["phase"] = schools["SCHOOLTYPE"].map(lambda t: str(SCHOOL_TYPES.get(t, "")))
    schools = schools[schools["phase"] != ""]
    for col in ("NOR", "TSENELK", "TSENELSE"):
        schools[col] = pd.to_numeric(schools[col], errors="coerce")
    out = {}
    for phase, group in schools.groupby("phase", sort=True):
        for name, (_, column) in MEASURES.items():
            usable = group[group[column].notna() & group["NOR"].notna() & (group["NOR"] > 0)]
            if len(usable) < 2:
                continue
            y = usable[column].to_numpy(float)
            n = usable["NOR"].to_numpy(float)
            for method in ("additive", "binomial"):
                out[(phase, name, method)] = _numpy_funnel(y, n, method)
    return out


def _numpy_funnel(y, n, method: str) -> dict:
    from scipy import stats

    p0 = y.sum() / n.sum()
    s2 = p0 * (1 - p0) / n
    z = (y / n - p0) / np.sqrt(s2)
    lo_z, hi_z = np.percentile(z, [10, 90])
    phi = np.mean(np.clip(z, lo_z, hi_z) ** 2)
    w = 1 / s2
    tau2 = max(0.0, (len(y) * phi - (len(y) - 1)) / (w.sum() - (w**2).sum() / w.sum()))
    # Adjusted only where the chi-squared test finds overdispersion (p < 0.05).
    p_value = stats.chi2.sf(len(y) * phi, len(y) - 1)
    overdispersed = phi > 1 and p_value < 0.05
    drawn = "additive" if method == "additive" and overdispersed else "binomial"
    prop = y / n
    for level in LEVELS:
        if drawn == "binomial":
            # Exact rule: flagged where the school's own tail probability is below the level.
            alpha = (1 - level) / 2
            outside = int(np.count_nonzero((stats.binom.sf(y - 1, n, p0) < alpha)
                                           | (stats.binom.cdf(y, n, p0) < alpha)))
        else:
            half = stats.norm.ppf(0.5 + level / 2) * np.sqrt(s2 + tau2)
            lo, hi = np.clip(p0 - half, 0, 1), np.clip(p0 + half, 0, 1)
            outside = int(np.count_nonzero((prop > hi) | (prop < lo)))
    return {"units": len(y), "p0": float(p0), "drawn": drawn, "outside": outside}


def _same_answers(ours: dict, theirs: dict) -> None:
    """Both sides computed the same funnels: same schools, target and outliers at 99.8%."""
    assert set(ours) == set(theirs), (sorted(ours), sorted(theirs))
    for key, mine in ours.items():
        other = theirs[key]
        assert mine["units"] == other["units"], (key, mine, other)
        assert abs(mine["p0"] - other["p0"]) < 1e-12, (key, mine, other)
        assert mine["drawn"] == other["drawn"], (key, mine, other)
        assert mine["outside"] == other["outside"], (key, mine, other)
