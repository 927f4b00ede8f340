"""A worker starts without the statistics libraries (issue 15).

Importing scipy.stats takes seconds; the URL patterns import every view and the API, so a
module-level `import scipy` anywhere under them made every new worker pay for it. The
libraries are imported where a funnel or an interval is computed, and gunicorn's master
imports them once before forking (gunicorn.conf.py, `stats.preload`).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

# Subprocesses with no database: run once, in the SQLite pass.
pytestmark = pytest.mark.dbfree

ROOT = Path(__file__).resolve().parents[3]
HEAVY = ("scipy", "numpy", "pandas")


def _loaded_after(statements: str) -> dict[str, bool]:
    """Which heavy libraries a fresh interpreter holds after running statements."""
    code = (
        "import json, os, sys\n"
        "os.environ['DJANGO_SETTINGS_MODULE'] = 'sendtrust.settings'\n"
        f"{statements}\n"
        f"print(json.dumps({{m: m in sys.modules for m in {HEAVY!r}}}))\n"
    )
    env = {**os.environ, "SECRET_KEY": os.environ.get("SECRET_KEY", "worker-start-test")}
    done = subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True,
                          text=True, timeout=120)
    assert done.returncode == 0, done.stderr[-2000:]
    return json.loads(done.stdout.strip().splitlines()[-1])


def test_importing_the_wsgi_app_and_urls_imports_no_statistics_library():
    loaded = _loaded_after("import sendtrust.wsgi\nimport sendtrust.urls")
    assert loaded == {m: False for m in HEAVY}


def test_gunicorn_preload_imports_them_before_forking():
    """The hook gunicorn's master runs does load them: the check above can tell."""
    loaded = _loaded_after(
        "import sendtrust.wsgi\n"
        "import runpy\n"
        "conf = runpy.run_path('gunicorn.conf.py')\n"
        "conf['when_ready'](None)"
    )
    assert loaded["scipy"] and loaded["numpy"]


def test_constants_written_out_to_avoid_the_imports_match_the_libraries():
    from scipy import stats as scipy_stats

    from sendtrust.analytics import stats
    from sendtrust.analytics.figures import funnel
    from sendtrust.lib import effects

    assert effects.Z95 == float(scipy_stats.norm.ppf(0.975))
    assert (funnel.ABOVE, funnel.BELOW, funnel.WITHIN) == (stats.ABOVE, stats.BELOW,
                                                           stats.WITHIN)
