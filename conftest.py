import pytest


def _group(item):
    """pytest-django's order of tests: 0 rolled back, 1 transactional, 2 no database."""
    from django.test import TestCase, TransactionTestCase

    cls = getattr(item, "cls", None)
    if cls and issubclass(cls, TransactionTestCase):
        return 0 if issubclass(cls, TestCase) else 1
    fixtures = set(getattr(item, "fixturenames", ()))
    marker = item.get_closest_marker("django_db")
    if (marker and (marker.kwargs.get("transaction") or marker.kwargs.get("reset_sequences"))
            or {"transactional_db", "live_server"} & fixtures):
        return 1
    return 0 if marker or "db" in fixtures else 2


def pytest_itemcollected(item):
    """The tests that read the DfE files (`loaded`) join the benchmarks apps' xdist group
    (`--dist loadgroup`, as the Makefile runs the passes), so one worker loads the files (~20 s
    of CPU) and runs them all, instead of each worker loading them for a share of them.
    Marked here, as each test is collected, before xdist reads the groups."""
    if ("_session_load" in getattr(item, "fixturenames", ())
            and not item.get_closest_marker("xdist_group")):
        item.add_marker(pytest.mark.xdist_group("benchmarks"))


def pytest_collection_modifyitems(config, items):
    """Hand the long tests out early, within the order the database needs.

    pytest-django runs (as Django does) the tests in a rolled-back transaction first, then the
    transactional ones, whose flush empties the database (the need types and frameworks the
    migrations loaded too), then those without a database. Kept here; within it:
    - the `dbfree` tests (their own processes and SQLite files: gunicorn, the worker start,
      the two-process cache) go first of all, since they touch no test database;
    - among the transactional tests the accessibility crawl goes first, then the browser
      tests, so the crawl does not start last while the other worker waits.
    xdist hands tests out in this order; the order is otherwise unchanged (sort is stable)."""

    def rank(item):
        if item.get_closest_marker("dbfree") and _group(item) == 2:
            return (0, 0)
        within = 0 if item.get_closest_marker("crawl") else (
            1 if item.get_closest_marker("browser") else 2)
        return (1 + _group(item), within)

    items.sort(key=rank)

    # A group runs on one worker, scheduled as a whole (the largest first), so only rolled-back
    # tests may form one: a transactional test's flush would empty the database under the
    # rolled-back tests after it. xdist 3.8 names a test's group by setting item._nodeid,
    # which pytest 9 no longer reads (a node's id is item._id); it is named here. loadgroup
    # also hands tests out by id, running one test of several that share an id (the API fuzz
    # test's generated cases do): each such case gets its number, so every one runs.
    if getattr(config.option, "loadgroup", False):
        from _pytest.nodeid import coerce_node_id

        seen = {}
        for item in items:
            names = sorted({str(m.args[0]) for m in item.iter_markers("xdist_group")})
            suffix = "@" + "_".join(names) if names and _group(item) == 0 else ""
            base = item.nodeid.removesuffix("@" + "_".join(names)) if names else item.nodeid
            n = seen[base] = seen.get(base, -1) + 1
            wanted = (f"{base}[{n}]" if n else base) + suffix
            if wanted != item.nodeid:
                item._id = coerce_node_id(wanted)


@pytest.fixture
def cast(db):
    """The shared cast (see sendtrust.testing.Cast)."""
    from sendtrust.testing import build_cast

    return build_cast()


FAST_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(scope="session", autouse=True)
def _fast_password_hashing():
    """MD5 for the whole run, from before any test class's setUpTestData: users made there
    (the permission matrix's cast, the re-authentication tests) were hashed with argon2, about
    a second of CPU each. Production uses argon2; a test of the production settings reads them
    in a subprocess."""
    from django.test.utils import override_settings

    with override_settings(PASSWORD_HASHERS=FAST_HASHERS):
        yield


@pytest.fixture(autouse=True)
def _fast_settings(settings):
    settings.PASSWORD_HASHERS = FAST_HASHERS
    settings.AXES_ENABLED = False
    # Trust-wide roles must sign in with a second factor; tests of other areas sign them in
    # directly. The people app's tests switch it back on where they test it.
    settings.SENDTRUST_REQUIRE_2FA = False
    settings.SENDTRUST_REQUIRE_RECENT_AUTH = False  # likewise re-authentication before exports


# The real DfE files (SENDTRUST_DATA_DIR, ../shared/data/real by default), loaded once per test
# worker and committed; each test then runs in a transaction that is rolled back. Defined here
# so that every app's tests share the one load.


@pytest.fixture(scope="session")
def data_dir():
    from pathlib import Path

    from django.conf import settings

    from sendtrust.benchmarks.tests.conftest import require_data_dir

    return require_data_dir(Path(settings.SENDTRUST_DATA_DIR))


def _load_all(data_dir):
    from sendtrust.benchmarks.loaders import LOADERS, SKIPS
    from sendtrust.benchmarks.loaders.runner import load_files, plan

    loaders, _, _ = plan(data_dir, LOADERS, SKIPS)
    # load_files indexes an empty figure table once after loading, as load_benchmarks does.
    outcomes = load_files(data_dir, loaders)
    return {loader.path: o for loader, o in zip(loaders, outcomes, strict=True)}


@pytest.fixture(scope="session")
def _session_load(django_db_setup, django_db_blocker, data_dir):
    with django_db_blocker.unblock():
        return _load_all(data_dir)


@pytest.fixture
def loaded(_session_load, db, data_dir):
    """Every shipped file loaded (outcomes by path); reloaded if a flush emptied the database."""
    from sendtrust.benchmarks.models import Dataset

    if Dataset.objects.count() < len(_session_load):
        return _load_all(data_dir)
    return _session_load


# The audit log refuses UPDATE and DELETE in the database itself (access migration 0003 on
# SQLite, 0002 on PostgreSQL). A transactional test ends with Django's flush, which on SQLite
# empties tables with DELETE: lift the SQLite triggers for the flush alone and put them back,
# so the next test meets the same protection as production. (On PostgreSQL the flush is a
# TRUNCATE by the owner, which the row triggers do not see.)


@pytest.fixture(scope="session", autouse=True)
def _flush_lifts_the_sqlite_audit_triggers():
    import importlib

    from django.core.management.commands import flush
    from django.db import connections

    guard = importlib.import_module("sendtrust.access.migrations.0003_audit_protection")
    original = flush.Command.handle

    def handle(self, **options):
        connection = connections[options.get("database", "default")]
        if connection.vendor != "sqlite":
            return original(self, **options)
        with connection.cursor() as cursor:
            for statement in guard.SQLITE_BACKWARD:
                cursor.execute(statement)
        try:
            return original(self, **options)
        finally:
            with connection.cursor() as cursor:
                for statement in guard.SQLITE_FORWARD:
                    cursor.execute(statement)

    flush.Command.handle = handle
    yield
    flush.Command.handle = original


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    """On PostgreSQL, no autovacuum in the test database. Autovacuum ran on tables that a
    transactional test had just emptied and recorded them as empty (reltuples 0); a later test
    that wrote thousands of pupils inside its transaction was then planned as a handful, with
    nested loops that ran for minutes. The tests' plans come from PostgreSQL's defaults."""
    from django.db import connections

    with django_db_blocker.unblock():
        for connection in connections.all():
            if connection.vendor != "postgresql":
                continue
            with connection.cursor() as cursor:
                cursor.execute("SELECT format('ALTER TABLE %I.%I SET (autovacuum_enabled = "
                               "false)', schemaname, tablename) FROM pg_tables "
                               "WHERE schemaname = 'public'")
                for (sql,) in cursor.fetchall():
                    cursor.execute(sql)
