"""The support API: same policy as the pages for reads and writes, writes audited, a stale
version refused with 409."""

import json

from sendtrust.access.models import AuditEntry
from sendtrust.support.models import Conversation, SupportPlan
from sendtrust.support.tests.conftest import days
from sendtrust.testing import ROLES

# Who may write a plan for pupil_a1 (school A): the SEND leader, its SENCO, its teacher.
PLAN_WRITERS = {"send_leader", "senco_a", "teacher_a"}
OUTSIDERS = {"other_trust_senco", "no_role"}


def post(client, url, payload):
    return client.post(url, json.dumps(payload, default=str), content_type="application/json")


def plan_payload(**kw):
    body = {"starts_on": days(0), "review_on": days(42), "strengths": "Kind",
            "outcomes": [{"description": "Reads 40 words", "target_on": days(40)}]}
    body.update(kw)
    return body


def test_every_role_creating_a_plan_gets_what_the_policy_says(client, cast):
    url = f"/api/v1/support/pupils/{cast.pupil_a1.code}/plans"
    for role in ROLES:
        client.force_login(cast.users[role])
        response = post(client, url, plan_payload())
        if role in PLAN_WRITERS:
            assert response.status_code == 201, (role, response.content)
            SupportPlan.objects.filter(pupil=cast.pupil_a1).delete()
        else:
            want = 404 if role in OUTSIDERS else 403
            assert response.status_code == want, (role, response.status_code)
    assert not SupportPlan.objects.filter(pupil=cast.pupil_a1).exists()
    assert AuditEntry.objects.filter(action="support.plan.created").count() == 3


def test_plan_write_read_update_conflict_and_review(client, cast):
    client.force_login(cast.users["senco_a"])
    bad = post(client, f"/api/v1/support/pupils/{cast.pupil_a1.code}/plans",
               plan_payload(outcomes=[{"description": f"O{n}", "target_on": days(30)}
                                      for n in range(7)]))
    assert bad.status_code == 400 and "at most 6 outcomes" in bad.json()["errors"]["outcomes"][0]
    made = post(client, f"/api/v1/support/pupils/{cast.pupil_a1.code}/plans", plan_payload())
    plan = made.json()
    url = f"/api/v1/support/plans/{plan['code']}"
    assert client.get(url).json()["outcomes"][0]["description"] == "Reads 40 words"
    changed = post(client, url, plan_payload(version=plan["version"], strengths="Funny"))
    assert changed.status_code == 200 and changed.json()["version"] == plan["version"] + 1
    stale = post(client, url, plan_payload(version=plan["version"], strengths="Lost?"))
    assert stale.status_code == 409 and "Someone else saved" in stale.json()["detail"]
    assert SupportPlan.objects.get(code=plan["code"]).strengths == "Funny"
    outcome = changed.json()["outcomes"][0]["code"]
    review = post(client, f"{url}/review", {
        "version": changed.json()["version"], "held_on": days(0), "next_review_on": days(60),
        "pupil_views": "Happy", "progress": [{"outcome_code": outcome, "progress": "partly",
                                             "carry_forward": True}]})
    assert review.status_code == 201 and review.json()["cycle"] == 2
    assert client.get(f"{url}/review").json()["pupil_views"] == "Happy"
    assert AuditEntry.objects.filter(action="support.plan.reviewed").count() == 1


def test_teacher_logs_a_conversation_but_a_parent_cannot_read_staff_notes(client, cast):
    url = f"/api/v1/support/pupils/{cast.pupil_a1.code}/conversations"
    client.force_login(cast.users["teacher_a"])
    made = post(client, url, {"status": "held", "on": days(0), "explore": "Sleep",
                              "staff_notes": "Staff only", "actions": [
                                  {"text": "Reading log", "owner": "Mum", "due_on": days(7)}]})
    assert made.status_code == 201
    assert Conversation.objects.get(pupil=cast.pupil_a1).actions.count() == 1
    future = post(client, url, {"status": "held", "on": days(3)})
    assert future.status_code == 400
    client.force_login(cast.users["parent_a1"])
    assert client.get(url).status_code == 403
    client.force_login(cast.users["ta_a"])
    assert post(client, url, {"status": "held", "on": days(0)}).status_code == 403


def test_chronology_through_the_api_is_for_school_leaders(client, cast):
    url = f"/api/v1/support/pupils/{cast.pupil_a1.code}/chronology"
    client.force_login(cast.users["teacher_a"])
    assert post(client, url, {"on": days(0), "kind": "letter", "title": "x"}).status_code == 403
    client.force_login(cast.users["senco_a"])
    made = post(client, url, {"on": days(0), "kind": "letter", "title": "Letter home"})
    assert made.status_code == 201
    assert [e["title"] for e in client.get(url).json()] == ["Letter home"]
    assert post(client, url, {"on": days(0), "kind": "memo", "title": "x"}).status_code == 400
