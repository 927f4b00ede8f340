"""Every page a role can reach passes axe-core and reflows, at 1280 px and at 320 px.

Run with `make crawl` (not yet part of `make test`: on this 2-core machine one crawl of every
role takes longer than the suite's time budget, and it lists problems still to fix; see
issue 16).

One shared browser signs in as each role of a small demo trust (every kind of record: rounds,
a strategic plan, support plans, provision, EHC journeys) and follows links breadth-first,
GET only, visiting each URL pattern at most PER_PATTERN times for each role. On each page, at
both widths: axe-core with the WCAG 2.2 AA and best-practice rules, and no sideways scrolling
of the page itself (a wide table may scroll inside its own focusable region). Every problem
is collected and reported at the end, so one run lists them all.
"""

import json
from collections import deque
from urllib.parse import urljoin, urlparse

import pytest
from django.urls import Resolver404, resolve

pytestmark = pytest.mark.browser

WIDTHS = (1280, 320)
PER_PATTERN = 1
MAX_PAGES_PER_ROLE = 60
PASSWORD = "Crawl-Orchard-2031"
# Downloads, sign-out and the machine-readable API are not pages to look at.
SKIP_SUFFIXES = (".csv", ".xlsx", ".pdf", ".ics", ".zip", ".json")
SKIP_PREFIXES = ("/logout", "/api/", "/static/", "/admin/", "/health/")

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
      if (['auto', 'scroll'].includes(s.overflowX) || ['auto', 'scroll'].includes(s.overflow)) {
        scrolls = true; break;
      }
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


@pytest.fixture
def demo(transactional_db, settings):
    """A small demo trust with every kind of record, and one account per role."""
    from sendtrust.demo import ehc, provision, support
    from sendtrust.demo.leadership import seed_leadership
    from sendtrust.demo.services import build_demo_trust
    from sendtrust.evaluation.frameworks import load_frameworks
    from sendtrust.pupils.models import NeedType
    from sendtrust.pupils.taxonomy import load_taxonomy

    settings.SENDTRUST_REQUIRE_2FA = False  # sign-in with a code has its own browser tests
    load_taxonomy(NeedType)
    load_frameworks()
    result = build_demo_trust(schools=3, pupils=240, seed=3, password=PASSWORD,
                              trust_name="Crawl Trust", progress=False)
    seed_leadership(result.trust, seed=3)
    for area in (support, provision, ehc):
        area.seed(result.trust, seed=3)
    return result


def _pattern(path: str) -> str | None:
    try:
        match = resolve(path)
    except Resolver404:
        return None
    return match.route


def _crawl_role(page, base, username, axe_source, problems):
    page.set_viewport_size({"width": WIDTHS[0], "height": 900})
    page.goto(f"{base}/login/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_load_state("networkidle")
    start = urlparse(page.url).path
    queue, seen_urls, per_pattern, visited = deque([start]), {start}, {}, 0
    while queue and visited < MAX_PAGES_PER_ROLE:
        path = queue.popleft()
        pattern = _pattern(urlparse(path).path)
        if pattern is None or per_pattern.get(pattern, 0) >= PER_PATTERN:
            continue
        per_pattern[pattern] = per_pattern.get(pattern, 0) + 1
        visited += 1
        for width in WIDTHS:
            page.set_viewport_size({"width": width, "height": 900})
            response = page.goto(urljoin(base, path))
            page.wait_for_load_state("networkidle")
            where = f"{username} {path} @{width}px"
            if response is None or response.status >= 400:
                problems.append(f"{where}: HTTP {response.status if response else 'none'}")
                break
            page.evaluate(axe_source + "\n;0")
            result = page.evaluate(
                "async () => await axe.run(document, {runOnly: {type: 'tag', values: "
                "['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa', 'best-practice']}})")
            for v in result["violations"]:
                nodes = [n["target"] for n in v["nodes"]][:3]
                problems.append(f"{where}: axe {v['id']} ({v['impact']}) {json.dumps(nodes)}")
            sideways = page.evaluate(SIDEWAYS)
            if sideways:
                problems.append(f"{where}: scrolls sideways {json.dumps(sideways)}")
        links = page.eval_on_selector_all("a[href]", "els => els.map(e => e.getAttribute('href'))")
        for href in links:
            url = urlparse(urljoin(base + path, href))
            if url.netloc != urlparse(base).netloc or not url.path:
                continue
            target = url.path + (f"?{url.query}" if url.query else "")
            if (url.path.startswith(SKIP_PREFIXES) or url.path.endswith(SKIP_SUFFIXES)
                    or target in seen_urls):
                continue
            seen_urls.add(target)
            queue.append(target)
    return visited


def test_every_reachable_page_passes_axe_and_reflows(page, live_server, demo):
    from tests.browser.conftest import AXE

    axe_source = AXE.read_text()
    problems: list[str] = []
    visited = {}
    seen_roles = set()
    for account in demo.accounts:
        if account.role in seen_roles:
            continue  # one account per role
        seen_roles.add(account.role)
        page.context.clear_cookies()
        visited[account.role] = _crawl_role(page, live_server.url, account.username,
                                            axe_source, problems)
    assert len(seen_roles) >= 9, seen_roles
    assert all(n >= 1 for n in visited.values()), visited
    assert not problems, f"{len(problems)} problems over {visited} pages:\n" + "\n".join(problems)
