"""Every page a role can reach passes axe-core and reflows, at 1280 px and at 320 px (issue 16).

One browser signs in as each role of a small demo trust (every kind of record: rounds with and
without ratings, a strategic plan, support plans, provision, EHC journeys), one browser
context per role, and follows links breadth-first, GET only, visiting each URL pattern at
most PER_PATTERN times for each role. On each page, at both widths: axe-core with the WCAG 2.2
AA and best-practice rules, and no sideways scrolling of the page itself (a wide table may
scroll inside its own region, which must be focusable and named: axe checks that). Every
problem is collected and reported at the end, so one run lists them all.

Speed (the whole crawl must stay under 3 minutes on 2 cores): links are followed in-process
with Django's test client, which also gives each page's outline (the headings, landmarks,
forms, tables and controls of its <main>: its template's furniture, without the data). Only a
page whose URL pattern and outline no role has had checked yet goes to the browser, in one
context per role signed in with the client's session. There it is loaded once and checked at
1280 px (every rule), then resized to 320 px and checked again with the rules that read
layout or visibility; the wait is for the page's own work (htmx sections, charts), not for
half a second of network silence, and axe reports violations only.
"""

import hashlib
import json
import os
import sys
import time
from collections import deque
from html.parser import HTMLParser
from urllib.parse import urljoin, urlparse

import pytest
from django.urls import Resolver404, resolve

from tests.browser.conftest import AXE

pytestmark = [pytest.mark.browser, pytest.mark.crawl]

WIDTHS = (1280, 320)
PER_PATTERN = 1
MAX_PAGES_PER_ROLE = 150
PASSWORD = "Crawl-Orchard-2031"
# Downloads, sign-out and the machine-readable API are not pages to look at.
SKIP_SUFFIXES = (".csv", ".xlsx", ".pdf", ".ics", ".zip", ".json")
SKIP_PREFIXES = ("/logout", "/api/", "/static/", "/admin/", "/health/")
VERBOSE = bool(os.environ.get("CRAWL_VERBOSE"))
# At 320 px the page is the same document, resized: what can change is layout and what is
# shown (the "Menu" button, hidden panels), so the rules re-run there are the ones that read
# layout or visibility. Every rule has run at 1280 px on the same page. Colour contrast is not
# re-run: no style sheet changes a colour with the width, and it is 60 to 80 % of axe's time.
NARROW_RULES = ["scrollable-region-focusable", "target-size",
                "button-name", "link-name", "label", "select-name", "aria-hidden-focus",
                "nested-interactive", "image-alt", "svg-img-alt", "role-img-alt",
                "focus-order-semantics", "region", "landmark-one-main", "heading-order"]

AXE_RUN = """async (rules) => {
  const r = await axe.run(document, {
    runOnly: rules ? {type: 'rule', values: rules}
                   : {type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa',
                                            'wcag22aa', 'best-practice']},
    resultTypes: ['violations']});
  return r.violations.map(v => ({id: v.id, impact: v.impact,
                                 nodes: v.nodes.slice(0, 3).map(n => n.target)}));
}"""

# The page has finished its own work: htmx sections loaded, every chart drawn (or replaced
# by its "could not be drawn" text).
SETTLED = """() => !document.querySelector('[hx-trigger="load"], .htmx-request') &&
  [...document.querySelectorAll('[data-chart], [data-eval-chart]')].every(
    e => e.dataset.drawn || !e.isConnected || e.textContent.trim().length > 0)"""

SIDEWAYS = """() => {
  const doc = document.documentElement;
  const over = doc.scrollWidth - doc.clientWidth;
  if (over <= 1) return null;
  // Name the widest element that sticks out and is not inside a scroll region of its own.
  let worst = null;
  for (const el of document.body.querySelectorAll('*')) {
    const r = el.getBoundingClientRect();
    if (r.right <= doc.clientWidth + 1) continue;
    let p = el.parentElement, scrolls = false;
    while (p && p !== document.body) {
      const s = getComputedStyle(p);
      if (['auto', 'scroll'].includes(s.overflowX)) { scrolls = true; break; }
      p = p.parentElement;
    }
    if (!scrolls && (!worst || r.right > worst.right)) {
      worst = {right: Math.round(r.right), tag: el.tagName.toLowerCase(),
               id: el.id, cls: String(el.className).slice(0, 60),
               text: (el.innerText || '').slice(0, 60)};
    }
  }
  return {scrollWidth: doc.scrollWidth, clientWidth: doc.clientWidth, worst};
}"""


def _log(*args):
    if VERBOSE:
        print(*args, file=sys.stderr, flush=True)


@pytest.fixture
def demo(transactional_db, settings, tmp_path):
    """A small demo trust with every kind of record, one account per role, and a public
    (read-only) trust profile built from the small GIAS and census fixture."""
    from sendtrust.demo import ehc, provision, support
    from sendtrust.demo.leadership import seed_leadership
    from sendtrust.demo.services import build_demo_trust
    from sendtrust.evaluation.frameworks import load_frameworks
    from sendtrust.public.services import build_public_trust
    from sendtrust.public.tests.data import OAK, load_public_data
    from sendtrust.pupils.models import NeedType
    from sendtrust.pupils.taxonomy import load_taxonomy

    started = time.perf_counter()
    settings.SENDTRUST_REQUIRE_2FA = False  # sign-in with a code has its own browser tests
    load_taxonomy(NeedType)
    load_frameworks()
    result = build_demo_trust(schools=3, pupils=240, seed=3, password=PASSWORD,
                              trust_name="Crawl Trust", progress=False)
    seed_leadership(result.trust, seed=3)
    for area in (support, provision, ehc):
        area.seed(result.trust, seed=3)
    load_public_data(tmp_path)
    build_public_trust(OAK)
    _log(f"demo trust built in {time.perf_counter() - started:.1f}s")
    return result


def _pattern(path: str) -> str | None:
    try:
        match = resolve(path)
    except Resolver404:
        return None
    return match.route


TIMES = {"discover": 0.0, "load": 0.0, "axe": 0.0, "sideways": 0.0}


def _timed(key, fn, *args, **kwargs):
    started = time.perf_counter()
    try:
        return fn(*args, **kwargs)
    finally:
        TIMES[key] += time.perf_counter() - started


def _check(page, where, problems, rules=None):
    for v in _timed("axe", page.evaluate, AXE_RUN, rules):
        problems.append(f"{where}: axe {v['id']} ({v['impact']}) {json.dumps(v['nodes'])}")
    sideways = _timed("sideways", page.evaluate, SIDEWAYS)
    if sideways:
        problems.append(f"{where}: scrolls sideways {json.dumps(sideways)}")


class _Page(HTMLParser):
    """The links of a page and the outline of its <main>: its template's furniture."""

    OUTLINED = {"h1", "h2", "h3", "h4", "section", "form", "table", "details", "nav", "select",
                "textarea", "button", "dl", "figure"}

    def __init__(self):
        super().__init__()
        self.links, self.outline, self.depth = [], [], 0

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "a" and attrs.get("href"):
            self.links.append(attrs["href"])
        if tag == "main":
            self.depth = 1
        elif self.depth and tag in self.OUTLINED or (self.depth and attrs.get("role")):
            ident = "" if tag[0] == "h" else attrs.get("id", "")
            self.outline.append(f"{tag}{attrs.get('role', '')}{ident}")

    def handle_endtag(self, tag):
        if tag == "main":
            self.depth = 0


def _discover(client, problems, label):
    """Follow links as one signed-in user (GET only, in-process); return the pages to check.

    A page is kept when its URL pattern has fewer than PER_PATTERN pages yet; each kept page
    comes with its outline.
    """
    queue, seen, per_pattern, pages = deque(["/"]), {"/"}, {}, []
    while queue and len(pages) < MAX_PAGES_PER_ROLE:
        path = queue.popleft()
        pattern = _pattern(urlparse(path).path)
        if pattern is None or per_pattern.get(pattern, 0) >= PER_PATTERN:
            continue
        response = client.get(path)
        if response.status_code in (301, 302, 303):
            target = response["Location"]
            if target not in seen:
                seen.add(target)
                queue.appendleft(target)
            continue
        if response.status_code >= 400:
            problems.append(f"{label} {path}: HTTP {response.status_code}")
            continue
        if "html" not in response.get("Content-Type", ""):
            continue
        per_pattern[pattern] = per_pattern.get(pattern, 0) + 1
        parsed = _Page()
        parsed.feed(response.content.decode())
        pages.append((path, pattern, hashlib.sha1("|".join(parsed.outline).encode()).hexdigest()))
        for href in parsed.links:
            url = urlparse(urljoin("http://testserver" + path, href))
            if url.netloc != "testserver" or not url.path:
                continue
            target = url.path + (f"?{url.query}" if url.query else "")
            if (url.path.startswith(SKIP_PREFIXES) or url.path.endswith(SKIP_SUFFIXES)
                    or target in seen):
                continue
            seen.add(target)
            queue.append(target)
    return pages


def _check_pages(page, base, label, paths, problems):
    for path in paths:
        where = f"{label} {path}"
        page.set_viewport_size({"width": WIDTHS[0], "height": 900})
        started = time.perf_counter()
        response = page.goto(urljoin(base, path), wait_until="load")
        if response is None or response.status >= 400:
            problems.append(f"{where}: HTTP {response.status if response else 'none'}")
            continue
        page.wait_for_function(SETTLED, timeout=15_000)
        TIMES["load"] += time.perf_counter() - started
        _log(f"  checking {where}")
        for width, rules in ((WIDTHS[0], None), (WIDTHS[1], NARROW_RULES)):
            if width != WIDTHS[0]:
                page.set_viewport_size({"width": width, "height": 900})
                page.evaluate("() => new Promise(r => requestAnimationFrame(() => r()))")
            _check(page, f"{where} @{width}px", problems, rules)


def test_every_reachable_page_passes_axe_and_reflows(browser, live_server, demo):
    from django.conf import settings
    from django.contrib.auth import get_user_model
    from django.test import Client

    assert AXE.exists(), f"{AXE} is missing: run `npm ci`"
    started = time.perf_counter()
    problems: list[str] = []
    visited, checked, seen_roles = {}, set(), set()
    for account in demo.accounts:
        if account.role in seen_roles:
            continue  # one account per role
        seen_roles.add(account.role)
        user = get_user_model().objects.get(username=account.username)
        client = Client()
        client.force_login(user)
        role_started = time.perf_counter()
        pages = _discover(client, problems, account.username)
        visited[account.role] = len(pages)
        todo = []
        for path, pattern, outline in pages:
            if (pattern, outline) not in checked:
                checked.add((pattern, outline))
                todo.append(path)
        TIMES["discover"] += time.perf_counter() - role_started
        # One browser context per role, signed in with the client's session.
        context = browser.new_context(viewport={"width": WIDTHS[0], "height": 900})
        context.add_cookies([{"name": settings.SESSION_COOKIE_NAME, "url": live_server.url,
                              "value": client.cookies[settings.SESSION_COOKIE_NAME].value}])
        # axe-core is loaded into every page through the DevTools protocol, not as an inline
        # <script>, which the Content-Security-Policy (rightly) refuses.
        context.add_init_script(path=str(AXE))
        try:
            _check_pages(context.new_page(), live_server.url, account.username, todo, problems)
        finally:
            context.close()
        _log(f"{account.role}: {len(pages)} pages, {len(todo)} checked, "
             f"{time.perf_counter() - role_started:.1f}s")
    _log(f"crawl: {sum(visited.values())} pages, {len(checked)} checked, "
         f"{time.perf_counter() - started:.1f}s", {k: round(v, 1) for k, v in TIMES.items()})
    assert len(seen_roles) >= 9, seen_roles
    assert all(n >= 1 for n in visited.values()), visited
    assert not problems, f"{len(problems)} problems over {visited} pages:\n" + "\n".join(problems)
