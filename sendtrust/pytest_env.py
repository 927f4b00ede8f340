"""Loaded by pytest before Django (see addopts in pyproject.toml): the test run's environment.

Settings refuse to start without SECRET_KEY unless DEBUG is on; tests run with DEBUG off, as
production does, and a throwaway key made for this run.
"""

import os
import secrets

os.environ.setdefault("SECRET_KEY", "test-only-" + secrets.token_urlsafe(32))
# No ANALYZE after bulk writes in tests (see settings.ANALYZE_AFTER_ROWS); the test of it sets
# the threshold itself.
os.environ.setdefault("ANALYZE_AFTER_ROWS", str(10**9))
