# sendtrust: `make run` and `make test` are all a fresh machine needs.
SHELL := /bin/bash
export UV_PYTHON_DOWNLOADS := never
export UV_LINK_MODE := copy
# Python writes its bytecode caches (__pycache__, git-ignored). An environment that forbids it
# (PYTHONDONTWRITEBYTECODE) makes every test worker and every subprocess compile each module and
# rewrite each test file from source again: about 15 s of CPU per process.
unexport PYTHONDONTWRITEBYTECODE
# Use uv when it runs (a pyenv shim may exist without it); otherwise bootstrap it.
UV := $(shell uv --version >/dev/null 2>&1 && echo uv || echo .tools/bin/uv)
PY := .venv/bin/python
DATA ?= ../shared/data/real
# One test worker per core (xdist's auto); CI machines with more cores finish sooner. Each pass
# prints its 20 slowest tests: where to look when `make test` nears its 15-minute budget.
# --dist loadgroup: the tests that read the DfE files go to one worker, which alone loads them
# (conftest.py marks them); every other test is handed out one by one as before.
PYTEST_WORKERS ?= auto
DEMO_PASSWORD ?= Demo-Orchard-2026
# Development and test runs only: production must set its own SECRET_KEY (settings refuse to
# start without one unless DEBUG is on).
DEV_ENV := DEBUG=1
TEST_KEY := SECRET_KEY=make-test-only-not-secret

.PHONY: crawl install run demo serve worker test test-sqlite test-postgres bench loadtest lint vendor clean

# uv is pinned and installed from PyPI into .tools when the machine lacks it.
.tools/bin/uv:
	python3 -m pip install --quiet --target .tools/lib uv==0.13.8
	mkdir -p .tools/bin && ln -sf ../lib/bin/uv .tools/bin/uv

install: $(if $(filter uv,$(UV)),,.tools/bin/uv)
	$(UV) sync --frozen --quiet

# The demo is loaded once; the stamp is written only after every step succeeded, so an
# interrupted load is retried by the next `make run`.
var/demo.stamp:
	@mkdir -p var
	$(DEV_ENV) $(PY) manage.py migrate --verbosity 0
	@if [ -d "$(DATA)" ]; then \
	  echo "Loading national benchmarks from $(DATA)"; \
	  $(DEV_ENV) $(PY) manage.py load_benchmarks "$(DATA)"; \
	else \
	  echo "No DfE data at $(DATA): national rates will show as 'no data'. See README."; \
	fi
	$(DEV_ENV) $(PY) manage.py demo_trust --schools 12 --pupils 8000 --seed 1 --password $(DEMO_PASSWORD) \
	  --accounts-csv var/demo-accounts.csv
	@touch $@

demo: install var/demo.stamp

run: install
	@[ -n "$$DATABASE_URL" ] || [ -f db.sqlite3 ] || rm -f var/demo.stamp
	@$(MAKE) --no-print-directory var/demo.stamp
	$(DEV_ENV) $(PY) manage.py migrate --verbosity 0
	@echo "Demo accounts are in var/demo-accounts.csv; every password is $(DEMO_PASSWORD)"
	@echo "Serving sendtrust at http://127.0.0.1:8000, with the background worker beside it"
	@# The worker makes the PDF reports, large imports and digests; it stops with the server.
	$(DEV_ENV) $(PY) manage.py run_worker & worker=$$!; trap 'kill $$worker 2>/dev/null' EXIT; \
	  $(DEV_ENV) $(PY) manage.py runserver 127.0.0.1:8000

# Production: gunicorn with WhiteNoise static files, settings from the environment (SECRET_KEY,
# DATABASE_URL, ALLOWED_HOSTS, HTTPS, TRUSTED_PROXIES, ...). See README, "Deploying".
serve: install
	COLLECTED_STATIC=1 $(PY) manage.py collectstatic --noinput --verbosity 0
	COLLECTED_STATIC=1 $(PY) manage.py migrate --verbosity 0
	COLLECTED_STATIC=1 $(PY) -m gunicorn sendtrust.wsgi:application -c gunicorn.conf.py

# The background worker (census files over IMPORT_BACKGROUND_KB): beside `make serve`, with
# the same environment; any number on PostgreSQL, one on SQLite. /health/ reports it.
worker: install
	$(PY) manage.py run_worker

test: install
	bash scripts/ensure-browser.sh
	$(TEST_KEY) $(PY) manage.py makemigrations --check --dry-run --verbosity 0
	$(UV) run --frozen ruff check sendtrust bench tests conftest.py
	@echo "== deptry: every import the app makes is a declared production dependency"
	$(UV) run --frozen deptry .
	bash scripts/check-production-install.sh
	$(MAKE) --no-print-directory test-sqlite
	$(MAKE) --no-print-directory test-postgres

test-sqlite:
	@echo "== pytest on SQLite"
	$(PY) -m pytest -n $(PYTEST_WORKERS) --dist loadgroup -q --durations=20

# Every server-side test runs again on PostgreSQL, the production database. Two kinds run once,
# in the SQLite pass, which keeps `make test` inside its 15-minute budget on 2 cores: the
# browser tests (Playwright, the accessibility crawl), which drive the same views through the
# front end, and the `dbfree` tests, which start their own processes on their own SQLite file
# (gunicorn, check --deploy, worker start, the cache shared by two processes) and so would only
# repeat themselves.
test-postgres:
	@echo "== pytest on PostgreSQL 15 (all but the browser and dbfree tests, which ran on SQLite)"
	DATABASE_URL=$$(bash scripts/ensure-postgres.sh | tail -n 1) \
	  $(PY) -m pytest -n $(PYTEST_WORKERS) --dist loadgroup -q --durations=20 -m "not browser and not dbfree"

# Issue 16's accessibility crawl: every role, every reachable page, axe-core at 1280 and 320 px.
crawl: install
	bash scripts/ensure-browser.sh
	$(PY) -m pytest -p no:xdist -q tests/browser/test_crawl.py

bench: install
	DATABASE_URL= $(TEST_KEY) $(PY) -m bench --data "$(DATA)"

# locust against gunicorn (DEBUG off, random SECRET_KEY, 127.0.0.1) on a throwaway demo trust,
# with a large import at the same time. LOADTEST_USERS (50), LOADTEST_SECONDS (120),
# LOADTEST_DATABASE_URL (an empty PostgreSQL database; SQLite in a temp folder by default).
loadtest: install
	$(PY) loadtest/run.py

lint: install
	$(UV) run --frozen ruff check sendtrust bench tests conftest.py
	$(UV) run --frozen ruff format --check sendtrust bench tests conftest.py

# Copy front-end files from npm packages into static/vendor; the copies are committed.
vendor:
	npm ci --no-audit --no-fund
	cp node_modules/htmx.org/dist/htmx.min.js node_modules/vega/build/vega.min.js \
	  node_modules/vega-lite/build/vega-lite.min.js node_modules/vega-embed/build/vega-embed.min.js \
	  sendtrust/static/vendor/

clean:
	rm -rf .venv .venv-prod .tools db.sqlite3* staticfiles var
