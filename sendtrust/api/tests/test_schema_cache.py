"""The OpenAPI schema is built once per process, and what is served is what ninja builds."""

import json
from unittest import mock

import ninja.main
from django.urls import get_resolver
from ninja import NinjaAPI
from ninja.responses import NinjaJSONEncoder

from sendtrust.api.urls import api


def test_the_schema_is_built_once_and_served_from_then_on(client, cast):
    client.force_login(cast.users["senco_a"])
    with mock.patch.object(ninja.main, "get_schema", wraps=ninja.main.get_schema) as build:
        first = client.get("/api/v1/openapi.json")
        second = client.get("/api/v1/openapi.json")
    assert first.status_code == second.status_code == 200
    # At most once: another test in this process may have built it already.
    assert build.call_count <= 1
    assert first.json() == second.json()


def test_the_served_schema_is_the_one_ninja_builds(client, cast):
    client.force_login(cast.users["senco_a"])
    client.get("/api/v1/openapi.json")  # cached, if it was not already
    fresh = NinjaAPI.get_openapi_schema(api, path_prefix="/api/v1/")  # ninja's own, uncached
    served = client.get("/api/v1/openapi.json").json()
    assert served == json.loads(json.dumps(fresh, cls=NinjaJSONEncoder))
    assert {"/api/v1/schools", "/api/v1/pupils/{code}"} <= set(served["paths"])


def test_a_caller_changing_its_schema_does_not_change_the_next_one():
    assert get_resolver().url_patterns  # the URLs are generated: from here on it is cached
    schema = api.get_openapi_schema(path_prefix="/api/v1/")
    paths = len(schema["paths"])
    schema["paths"].clear()
    schema["info"]["title"] = "changed"
    again = api.get_openapi_schema(path_prefix="/api/v1/")
    assert len(again["paths"]) == paths > 0
    assert again["info"]["title"] == "sendtrust API"
