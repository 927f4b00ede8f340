"""gunicorn settings for `make serve`; every value can be overridden from the environment.

Workers are processes (sync) so a slow page never blocks another; the application is loaded
once before forking (preload_app) so a new worker starts in milliseconds.

Long work does not run in a request: a census file over IMPORT_BACKGROUND_KB (256 KB, about
3,500 pupils) is checked and saved by the worker (`manage.py run_worker`). The longest work
left in a request is a smaller import (3,000 rows in 1.0 s on SQLite with the machine's load
average at 10) or a PDF report, so a worker silent for GUNICORN_TIMEOUT (60 s) is stuck and is
replaced. Uploads are read whole by Django: behind a proxy that buffers request bodies (nginx
does by default), a slow client never holds a worker.
"""

import multiprocessing
import os

bind = os.environ.get("BIND", "127.0.0.1:8000")
workers = int(os.environ.get("WEB_CONCURRENCY", multiprocessing.cpu_count() * 2 + 1))
worker_class = "sync"
preload_app = True
timeout = int(os.environ.get("GUNICORN_TIMEOUT", 60))
graceful_timeout = 30
keepalive = 5
max_requests = int(os.environ.get("GUNICORN_MAX_REQUESTS", 2000))
max_requests_jitter = 200
accesslog = None  # one structured line per request comes from the app (REQUEST_LOG=1)
errorlog = "-"
forwarded_allow_ips = os.environ.get("TRUSTED_PROXIES", "127.0.0.1")


def when_ready(server):
    """In the master, after the app is loaded and before any worker is forked: import the
    statistics libraries the funnels use (numpy, scipy; seconds), which the app itself
    imports only on first use, and the URL configuration with every view and the API's
    schemas (Django loads it on a process's first request: ~1 s CPU). Every worker then
    starts with them already in memory."""
    from django.urls import get_resolver

    from sendtrust.analytics import stats

    stats.preload()
    resolver = get_resolver()
    resolver.url_patterns  # noqa: B018  (imports every urls module and view)
    resolver.reverse_dict  # noqa: B018  (the names {% url %} looks up, built once here)
