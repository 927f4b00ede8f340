"""Page latency as a person meets it, and a fair floor to hold it against (used by make bench).

How each figure is measured:
- cold: the first request for the URL in this process, after the shared cache is cleared
  and the stored figures (analytics.RollCount, IdentifiedCount, CensusCount) deleted, so it
  makes them again: what the first visit after a write to the records costs;
- warm: p50 and p95 of WARM_REQUESTS further requests, one at a time, through Django's test
  client: the whole middleware stack, the view, the template, no network;
- queries: the SQL statements one warm request runs;
- floor: a minimal view, reached through the same middleware with the same signed-in user,
  that runs exactly the page's own SQL statements (those the middleware does not run itself)
  and renders every row they return through a template. page / floor is the cost of what the
  page does beyond fetching and printing its data.
"""

from __future__ import annotations

import re
import statistics
import time
from dataclasses import dataclass

WARM_REQUESTS = 30
FLOOR_PATH = "__bench_floor__/"
FLOOR_TEMPLATE = (
    "<!doctype html><html lang='en'><title>floor</title><body>"
    "{% for rows in results %}<table>{% for row in rows %}<tr>{% for v in row %}<td>{{ v }}</td>"
    "{% endfor %}</tr>{% endfor %}</table>{% endfor %}</body></html>"
)
_REPLAY: dict[str, list[str]] = {}
# On PostgreSQL, a page's .iterator() reads through a named server-side cursor, and the captured
# SQL is its DECLARE: the floor runs the query itself (the same rows, all fetched), since
# declaring the same named cursor twice in one session fails.
_DECLARE = re.compile(r'^DECLARE "[^"]+" NO SCROLL CURSOR WITH(?:OUT)? HOLD FOR ', re.I)


@dataclass
class PageTiming:
    url: str
    cold_ms: float
    p50_ms: float
    p95_ms: float
    queries: int
    floor_p50_ms: float
    floor_p95_ms: float

    @property
    def ratio(self) -> float:
        return self.p50_ms / self.floor_p50_ms


def _floor_view(request):
    from django.db import connection
    from django.http import HttpResponse
    from django.template import engines

    results = []
    with connection.cursor() as cursor:
        for sql in _REPLAY.get(request.GET.get("k", ""), []):
            cursor.execute(_DECLARE.sub("", sql))
            results.append(cursor.fetchall() if cursor.description else [])
    html = engines["django"].from_string(FLOOR_TEMPLATE).render({"results": results}, request)
    return HttpResponse(html)


def install_floor() -> None:
    """Add the floor's URL to the running URL configuration (make bench only)."""
    from django.urls import clear_url_caches, path

    from sendtrust import urls

    if not any(getattr(p, "name", None) == "bench_floor" for p in urls.urlpatterns):
        urls.urlpatterns.append(path(FLOOR_PATH, _floor_view, name="bench_floor"))
        clear_url_caches()


def _sql_of(client, url) -> list[str]:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200, (url, response.status_code)
    return [q["sql"] for q in ctx.captured_queries]


def _timed(client, url, n: int) -> list[float]:
    times = []
    for _ in range(n):
        t0 = time.perf_counter()
        response = client.get(url)
        times.append(1000 * (time.perf_counter() - t0))
        assert response.status_code == 200, (url, response.status_code)
    return times


def p95(values: list[float]) -> float:
    return statistics.quantiles(values, n=20, method="inclusive")[18]


def measure(client, url: str, *, warm: int = WARM_REQUESTS) -> PageTiming:
    from django.core.cache import cache

    from sendtrust.analytics.models import CensusCount, IdentifiedCount, RollCount

    install_floor()
    cache.clear()
    CensusCount.objects.all().delete()
    RollCount.objects.all().delete()
    IdentifiedCount.objects.all().delete()
    cold = _timed(client, url, 1)[0]
    times = _timed(client, url, warm)
    page_sql = _sql_of(client, url)
    key = str(len(_REPLAY))
    _REPLAY[key] = []
    floor_url = f"/{FLOOR_PATH}?k={key}"
    own = set(_sql_of(client, floor_url))  # what the middleware runs for any page
    _REPLAY[key] = [sql for sql in page_sql if sql not in own]
    floor = _timed(client, floor_url, warm)
    return PageTiming(url, cold, statistics.median(times), p95(times), len(page_sql),
                      statistics.median(floor), p95(floor))


def percentiles(fn, n: int) -> tuple[float, float]:
    """p50 and p95 in milliseconds of n calls of fn, after one warm-up call."""
    fn()  # warm: template compilation, connections, session
    times = []
    for _ in range(n):
        t0 = time.perf_counter()
        fn()
        times.append(1000 * (time.perf_counter() - t0))
    return statistics.median(times), p95(times)
