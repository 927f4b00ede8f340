"""Browser tests: Playwright drives Debian's Chromium; axe-core checks each page.

`make test` installs /usr/bin/chromium and npm's axe-core when they are missing, so these
tests never skip: a missing tool is a failure, not a pass.
"""

import json
import os
from pathlib import Path

import pytest

# Playwright's sync API runs an event loop in this thread; the test code's ORM calls are
# still synchronous and safe here.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM = "/usr/bin/chromium"
AXE = Path(__file__).resolve().parents[2] / "node_modules" / "axe-core" / "axe.min.js"


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    assert Path(CHROMIUM).exists(), f"{CHROMIUM} is missing: run scripts/ensure-browser.sh"
    return {
        **browser_type_launch_args,
        "executable_path": CHROMIUM,
        "args": [
            "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
            "--disable-background-networking", "--disable-component-update", "--disable-sync",
        ],
    }


@pytest.fixture
def live_cast(transactional_db):
    from sendtrust.evaluation.frameworks import load_frameworks
    from sendtrust.pupils.models import NeedType
    from sendtrust.pupils.taxonomy import load_taxonomy
    from sendtrust.testing import build_cast

    # A live server needs committed data, and the transactional flush also removes what the
    # migrations loaded (need types, shipped frameworks): load them again from the same files.
    load_taxonomy(NeedType)
    load_frameworks()
    return build_cast()


@pytest.fixture
def axe():
    """Return a function that runs axe-core on a page and fails on any violation."""
    assert AXE.exists(), f"{AXE} is missing: run `npm ci`"
    source = AXE.read_text()

    def check(page):
        # Evaluated through the DevTools protocol, not as an inline <script>, which the
        # Content-Security-Policy (rightly) refuses.
        page.evaluate(source + "\n;0")
        result = page.evaluate(
            "async () => await axe.run(document, {runOnly: {type: 'tag', values: "
            "['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa', 'best-practice']}, "
            # Every rule still runs on every node; only the passing, inapplicable and
            # incomplete results, which nothing reads, are not written out node by node.
            "resultTypes: ['violations']})"
        )
        violations = [
            {"id": v["id"], "impact": v["impact"], "help": v["help"],
             "nodes": [n["target"] for n in v["nodes"]][:5]}
            for v in result["violations"]
        ]
        assert not violations, f"axe-core on {page.url}:\n" + json.dumps(violations, indent=1)
        return result

    return check


@pytest.fixture
def login(page, live_server):
    def do(username, password=None):
        from sendtrust.testing import PASSWORD

        page.goto(f"{live_server.url}/login/")
        page.get_by_label("Username").fill(username)
        page.get_by_label("Password").fill(password or PASSWORD)
        # The sign-in's navigation (the POST and its redirects) has loaded its page: not
        # half a second of network silence after it, which each of ~40 sign-ins paid.
        with page.expect_navigation(wait_until="load"):
            page.get_by_role("button", name="Sign in").click()

    return do
