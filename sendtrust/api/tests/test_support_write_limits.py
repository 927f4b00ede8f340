"""The support API's writes refuse, with a 422 naming the field, every value PostgreSQL would
refuse: a string longer than its column, a NUL character, a version out of integer range.

SQLite stores all three without a word, so before these limits the same requests were saved
on SQLite and crashed with a 500 on PostgreSQL (found by test_fuzz_schema on PostgreSQL).
These run against real pupils and plans, which the fuzzing's made-up codes never reach.
"""

import datetime as dt
import json

import pytest

from sendtrust.support import services
from sendtrust.support.models import ChronologyEntry, Conversation, SupportPlan

TODAY = dt.date.today()
LATER = (TODAY + dt.timedelta(days=42)).isoformat()


@pytest.fixture
def leader(client, cast):
    client.force_login(cast.users["send_leader"])
    return client


@pytest.fixture
def plan(cast):
    return services.create_plan(
        cast.pupil_a1, starts_on=TODAY, review_on=TODAY + dt.timedelta(days=30),
        outcomes=[services.OutcomeInput("Reads 40 words", TODAY + dt.timedelta(days=30), "", "",
                                        "TA")],
        by=cast.users["senco_a"])


def post(client, path, body):
    return client.post(path, json.dumps(body), content_type="application/json")


def fields_named(response) -> set[str]:
    return {str(e["loc"][-1]) for e in response.json()["detail"]}


def plan_body(**outcome):
    return {"starts_on": TODAY.isoformat(), "review_on": LATER,
            "outcomes": [{"description": "Writes a sentence", "target_on": LATER, **outcome}]}


@pytest.mark.parametrize("outcome, field", [
    ({"who": "x" * 201}, "who"),
    ({"description": "Reads\x00 aloud"}, "description"),
    ({"strategies": "\x00"}, "strategies"),
])
def test_a_new_plan_with_a_value_the_database_refuses_is_a_422(leader, cast, outcome, field):
    response = post(leader, f"/api/v1/support/pupils/{cast.pupil_b1.code}/plans",
                    plan_body(**outcome))
    assert response.status_code == 422, response.content
    assert field in fields_named(response)
    assert not SupportPlan.objects.filter(pupil=cast.pupil_b1).exists()


def test_the_longest_values_the_columns_hold_are_saved(leader, cast):
    response = post(leader, f"/api/v1/support/pupils/{cast.pupil_b1.code}/plans",
                    plan_body(who="x" * 200))
    assert response.status_code == 201, response.content
    assert response.json()["outcomes"][0]["who"] == "x" * 200


@pytest.mark.parametrize("version", [2**31, 2**63, -1])
def test_a_version_out_of_range_is_a_422_not_a_crash(leader, plan, version):
    response = post(leader, f"/api/v1/support/plans/{plan.code}",
                    {**plan_body(), "version": version})
    assert response.status_code == 422, response.content
    assert "version" in fields_named(response)
    response = post(leader, f"/api/v1/support/plans/{plan.code}/review",
                    {"version": version, "held_on": TODAY.isoformat(), "next_review_on": LATER,
                     "progress": []})
    assert response.status_code == 422, response.content
    plan.refresh_from_db()
    assert plan.version == 1 and plan.is_open


@pytest.mark.parametrize("body, field", [
    ({"language": "x" * 61}, "language"),
    ({"staff_notes": "a\x00b"}, "staff_notes"),
    ({"actions": [{"text": "x" * 301, "owner": "SENCO"}]}, "text"),
    ({"actions": [{"text": "Call", "owner": "x" * 121}]}, "owner"),
])
def test_a_conversation_with_a_value_the_database_refuses_is_a_422(leader, cast, body, field):
    response = post(leader, f"/api/v1/support/pupils/{cast.pupil_a1.code}/conversations",
                    {"status": "held", "on": TODAY.isoformat(), **body})
    assert response.status_code == 422, response.content
    assert field in fields_named(response)
    assert not Conversation.objects.filter(pupil=cast.pupil_a1).exists()


@pytest.mark.parametrize("body, field", [
    ({"title": "x" * 201}, "title"),
    ({"title": "Letter", "notes": "\x00"}, "notes"),
    ({"title": "Letter", "kind": "letter\x00"}, "kind"),
])
def test_a_chronology_entry_with_a_value_the_database_refuses_is_a_422(leader, cast, body,
                                                                        field):
    response = post(leader, f"/api/v1/support/pupils/{cast.pupil_a1.code}/chronology",
                    {"on": TODAY.isoformat(), "kind": "letter", **body})
    assert response.status_code == 422, response.content
    assert field in fields_named(response)
    assert not ChronologyEntry.objects.filter(pupil=cast.pupil_a1).exists()
