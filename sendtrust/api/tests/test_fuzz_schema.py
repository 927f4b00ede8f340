"""Schemathesis over /api/v1/openapi.json: no generated request gets a 5xx.

Every operation of the published schema (reads and writes of every area) is called with
inputs generated from the schema itself, as a trust SEND leader with a bearer token, against
real pupils, plans, schools and trusts: malformed input must be refused with a 4xx and a
message, never crash the server. It runs on SQLite and on PostgreSQL, which refuses values
SQLite stores (too long for a column, a NUL character, an integer out of range).
"""

import pytest
import schemathesis
from hypothesis import HealthCheck, settings

from sendtrust.access.models import ApiToken
from sendtrust.api.urls import api
from sendtrust.wsgi import application

# The schema the API publishes at /api/v1/openapi.json (for signed-in users), called in-process.
schema = schemathesis.openapi.from_dict(api.get_openapi_schema(path_prefix="/api/v1"))
schema.app = application


@pytest.fixture
def bearer(cast):
    _token, key = ApiToken.issue(cast.users["send_leader"], "schemathesis")
    return {"Authorization": f"Bearer {key}"}


@pytest.fixture
def real_codes(cast):
    """Codes of objects the SEND leader may change, so that generated bodies reach the writes
    (a made-up code stops at 404 before any value is saved)."""
    import datetime as dt

    from sendtrust.support import services

    today = dt.date.today()
    plan = services.create_plan(
        cast.pupil_a1, starts_on=today, review_on=today + dt.timedelta(days=30),
        outcomes=[services.OutcomeInput("Reads 40 words", today + dt.timedelta(days=30), "", "",
                                        "TA")], by=cast.users["senco_a"])
    return {"/pupils/{code}": cast.pupil_b1.code, "/plans/{code}": plan.code,
            "/schools/{code}": cast.school_a.code, "/trusts/{code}": cast.trust.code}


@pytest.fixture(autouse=True)
def _one_connection_per_test():
    """Keep the test's connection (and its transaction) across the WSGI calls, as Django's
    test client does: the real handler closes it after each request, which on PostgreSQL
    would end the test's transaction."""
    from django.core.signals import request_finished, request_started
    from django.db import close_old_connections

    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@schema.parametrize()
@settings(max_examples=6, deadline=None, derandomize=True,
          suppress_health_check=list(HealthCheck))
def test_no_generated_request_gets_a_server_error(case, bearer, real_codes):
    for fragment, code in real_codes.items():
        if fragment in case.path and (case.path_parameters or {}).get("code"):
            case.path_parameters["code"] = str(code)
    response = case.call(headers=bearer)
    assert response.status_code < 500, (
        f"{case.method} {case.formatted_path} -> {response.status_code}: {response.text[:500]}"
    )
