"""`make bench` entry: load every DfE file and compute national funnel limits, against pandas.

sendtrust's side: `manage.py load_benchmarks DATA` into emptied benchmark tables (every
benchmark row of the bench database is deleted first, outside the timing, so that the load
writes into empty tables as on a fresh database; the rest of the database is untouched), then
exact binomial and additive-overdispersion funnel limits (`analytics.stats.funnel`) for every
school in England, per phase, for SEN support and for EHC plans, from the school-level figures
the load stored.

The pandas side, in the same run: `pandas.read_csv` of the same files and `to_sql` into a fresh
SQLite file, then the same limits computed with numpy/scipy directly on the census DataFrame.
Both sides must find the same number of schools outside the 99.8% limits, or the bench fails.
"""

from __future__ import annotations

import os
import sqlite3
import statistics
import tempfile
import time
from pathlib import Path

import numpy as np

LEVELS = (0.95, 0.998)
CENSUS = "school-census-2019-perf-tables/england_census.csv"
# Seconds spent loading and computing, per side, in the last run (printed with the ratio).
SPLIT: dict[str, tuple[float, float]] = {}
MEASURES = {"sen_support": ("sen_support_count", "TSENELK"), "ehcp": ("ehcp_count", "TSENELSE")}


def bench(report, *, quick: bool, data: Path) -> None:
    data = Path(data)
    if not (data / CENSUS).is_file():
        print(f"\nNo DfE data at {data}: DfE load + funnel bench skipped")
        return
    repeat = 1 if quick else 3
    # Import outside the timing what both sides use (scipy.stats alone takes seconds to import).
    import pandas  # noqa: F401
    import scipy.stats  # noqa: F401

    import sendtrust.analytics.stats  # noqa: F401
    ours, theirs = [], []
    for _ in range(repeat):
        _empty_benchmark_tables()
        t0 = time.perf_counter()
        ours_result = _ours(data)
        ours.append(time.perf_counter() - t0)
        t0 = time.perf_counter()
        pandas_result = _pandas(data)
        theirs.append(time.perf_counter() - t0)
        _same_answers(ours_result, pandas_result)
    ours_s, pandas_s = statistics.median(ours), statistics.median(theirs)
    schools = sum(r["units"] for (_, name, method), r in ours_result.items()
                  if name == "sen_support" and method == "binomial")
    print(f"\nDfE files from {data}: load + funnel limits for {schools:,} schools "
          f"({len(ours_result)} phase x measure funnels, additive and binomial), "
          f"median of {repeat}")
    print(f"  sendtrust load_benchmarks + stats.funnel: {ours_s:.2f} s; "
          f"pandas read_csv + to_sql + numpy/scipy: {pandas_s:.2f} s")
    for side, (load_s, limits_s) in SPLIT.items():
        print(f"  {side}: loading {load_s:.2f} s, funnel limits {limits_s:.2f} s (last run)")
    report.add("DfE load + national funnels / pandas (fresh tables)",
               f"{ours_s / pandas_s:.2f}", "<= 1", ours_s / pandas_s <= 1)


def _empty_benchmark_tables() -> None:
    """Delete every benchmark row (the load then writes into empty tables)."""
    from django.db import connection, transaction

    from sendtrust.benchmarks.models import (
        Dataset,
        Establishment,
        EstablishmentLink,
        Figure,
        LoadRun,
        LocalAuthority,
        Measure,
    )

    with transaction.atomic(), connection.cursor() as cursor:
        for model in (Figure, LocalAuthority, Establishment, EstablishmentLink, LoadRun,
                      Dataset, Measure):
            cursor.execute(f"DELETE FROM {connection.ops.quote_name(model._meta.db_table)}")


# ------------------------------------------------------------------------------ sendtrust


def _ours(data: Path) -> dict:
    from django.core.management import call_command

    t0 = time.perf_counter()
    with open(os.devnull, "w") as devnull:
        call_command("load_benchmarks", str(data), quiet=True, stdout=devnull)
    t1 = time.perf_counter()
    result = our_funnels()
    SPLIT["ours"] = (t1 - t0, time.perf_counter() - t1)
    return result


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


# ------------------------------------------------------------------------------ pandas


def _pandas(data: Path) -> dict:
    import pandas as pd

    from sendtrust.benchmarks.loaders import LOADERS, SKIPS
    from sendtrust.benchmarks.loaders.runner import plan

    t0 = time.perf_counter()
    loaders, _, _ = plan(data, LOADERS, SKIPS)
    frames = {}
    with tempfile.TemporaryDirectory() as tmp:
        db = sqlite3.connect(Path(tmp) / "pandas.sqlite3")
        for number, loader in enumerate(loaders):
            path = data / loader.path
            try:
                frame = pd.read_csv(path, encoding="utf-8-sig", low_memory=False)
            except UnicodeDecodeError:
                frame = pd.read_csv(path, encoding="cp1252", low_memory=False)
            frame.to_sql(f"file_{number}", db, index=False, chunksize=10_000)
            frames[loader.path] = frame
        db.commit()
        db.close()
    t1 = time.perf_counter()
    result = pandas_funnels(frames[CENSUS])
    SPLIT["pandas"] = (t1 - t0, time.perf_counter() - t1)
    return result


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
