"""National funnels are computed once per DfE data version across processes (issue 15).

Two real processes share one SQLite database file and its database cache: the first loads
the figures and fills the cache as load_benchmarks does; the second (a fresh worker) reads
every funnel and computes none. Loading again (a new data version) computes each once more.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[3]

PRELUDE = """
import json, os, sys
os.environ["DJANGO_SETTINGS_MODULE"] = "sendtrust.settings"
import django
django.setup()
from sendtrust.analytics.figures import funnel
computed = []
real = funnel._compute_funnel
def counting(phase, measure, method):
    computed.append((phase, measure, method))
    return real(phase, measure, method)
funnel._compute_funnel = counting
def every_funnel():
    v = funnel.data_version()
    return {f"{p}/{m}/{k}": getattr(funnel.national_funnel(p, m, k, v), "p0", None)
            for p in funnel.PHASE_LABELS for m in funnel.FUNNEL_MEASURES for k in funnel.METHODS}
"""

FIRST = PRELUDE + """
from django.core.management import call_command
call_command("migrate", verbosity=0)
call_command("createcachetable", verbosity=0)
from sendtrust.analytics.tests.fixtures import load_synthetic_benchmarks
load_synthetic_benchmarks()
line = funnel.warm_national_cache()  # what load_benchmarks runs after loading
print(json.dumps({"computed": len(computed), "line": line, "funnels": every_funnel()}))
"""

SECOND = PRELUDE + """
print(json.dumps({"computed": len(computed), "funnels": every_funnel()}))
"""

RELOADED = PRELUDE + """
from django.utils import timezone
from sendtrust.benchmarks.models import Dataset
Dataset.objects.update(loaded_at=timezone.now())  # as a new load of the files does
first = every_funnel()
after_first = len(computed)
again = every_funnel()
print(json.dumps({"computed": after_first, "again": len(computed) - after_first,
                  "funnels": first}))
"""


def _run(code: str, db: Path) -> dict:
    env = {**os.environ, "DATABASE_URL": f"sqlite:///{db}",
           "SECRET_KEY": os.environ.get("SECRET_KEY", "shared-cache-test")}
    done = subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True,
                          text=True, timeout=300)
    assert done.returncode == 0, done.stderr[-3000:]
    return json.loads(done.stdout.strip().splitlines()[-1])


@pytest.mark.dbfree
def test_funnels_are_computed_once_per_data_version_across_processes(tmp_path):
    db = tmp_path / "shared.sqlite3"
    first = _run(FIRST, db)
    made = {k for k, v in first["funnels"].items() if v is not None}
    # The synthetic files hold primary and secondary schools: 2 phases x 2 measures x 3 limits.
    assert len(made) == 12 and all(k.split("/")[0] in ("primary", "secondary") for k in made)
    assert first["line"].endswith(": 12")
    # Every (phase, measure, limits) was computed once, the phases without a file included
    # (cached as "none"), and reading them all again in the same process computed nothing.
    assert first["computed"] == len(first["funnels"])

    second = _run(SECOND, db)
    assert second["computed"] == 0
    assert second["funnels"] == first["funnels"]

    reloaded = _run(RELOADED, db)
    assert reloaded["computed"] == len(first["funnels"])  # a new version: each computed once
    assert reloaded["again"] == 0
    assert reloaded["funnels"] == first["funnels"]
