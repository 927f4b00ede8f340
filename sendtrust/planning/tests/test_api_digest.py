"""The plan through /api/v1/plan/ (same policy as the pages) and the weekly digest."""

import datetime as dt
from io import StringIO

from django.core import mail
from django.core.management import call_command

from sendtrust.organisations.models import Membership
from sendtrust.planning import services
from sendtrust.planning.models import PlanAction

TODAY = dt.date.today()


def days(n):
    return TODAY + dt.timedelta(days=n)


# API --------------------------------------------------------------------------------------------


def test_goals_with_criteria_and_actions(client, cast, plan, indicator):
    goal, action = plan
    indicator["value"] = 8.0
    services.create_criterion(goal, indicator_key="test_rate", target=10,
                              by=cast.users["send_leader"])
    indicator["value"] = 9.0
    client.force_login(cast.users["trustee"])
    data = client.get(f"/api/v1/plan/trusts/{cast.trust.code}/goals").json()
    assert [g["title"] for g in data] == ["Earlier help"]
    c = data[0]["criteria"][0]
    assert (c["baseline"], c["current"], c["target"], c["progress"]) == (8.0, 9.0, 10.0,
                                                                       "towards")
    a = data[0]["actions"][0]
    assert a["code"] == str(action.code) and a["owner"] == "senco_a"
    assert a["school_codes"] == [str(cast.school_a.code)]


def test_one_action_with_notes_for_its_owner(client, cast, plan):
    _, action = plan
    services.record_progress(action, text="Started", status="in_progress",
                             by=cast.users["senco_a"])
    client.force_login(cast.users["senco_a"])
    data = client.get(f"/api/v1/plan/actions/{action.code}").json()
    assert data["status"] == "in_progress"
    assert [(n["text"], n["status_to"]) for n in data["notes"]] == [("Started", "in_progress")]


def test_teacher_owner_reads_own_action_but_not_the_plan(client, cast, plan):
    goal, _ = plan
    own = services.create_action(goal, title="Share strategies", owner=cast.users["teacher_a"],
                                 due_on=days(3), by=cast.users["send_leader"])
    client.force_login(cast.users["teacher_a"])
    assert client.get(f"/api/v1/plan/actions/{own.code}").status_code == 200
    assert client.get(f"/api/v1/plan/trusts/{cast.trust.code}/goals").status_code == 403
    mine = client.get("/api/v1/plan/mine").json()
    assert [a["title"] for a in mine] == ["Share strategies"]


def test_api_refuses_outsiders_and_anonymous(client, cast, plan):
    _, action = plan
    assert client.get(f"/api/v1/plan/actions/{action.code}").status_code == 401
    client.force_login(cast.users["other_trust_senco"])
    assert client.get(f"/api/v1/plan/trusts/{cast.trust.code}/goals").status_code == 404
    assert client.get("/api/v1/plan/mine").json() == []


# Digest -----------------------------------------------------------------------------------------


def _with_emails(cast):
    for role in ("senco_a", "senco_b", "headteacher_a"):
        user = cast.users[role]
        user.email = f"{role}@example.org"
        user.save(update_fields=["email"])


def test_digest_sends_each_owner_their_overdue_and_due_actions(cast, plan):
    goal, first = plan
    _with_emails(cast)
    sl = cast.users["send_leader"]
    PlanAction.objects.filter(pk=first.pk).update(due_on=days(-4))
    services.create_action(goal, title="Due this week", owner=cast.users["senco_a"],
                           due_on=days(5), by=sl)
    services.create_action(goal, title="Far off", owner=cast.users["senco_a"], due_on=days(30),
                           by=sl)
    services.create_action(goal, title="Already done", owner=cast.users["senco_a"],
                           due_on=days(-1), status="done", by=sl)
    services.create_action(goal, title="Birch review", owner=cast.users["senco_b"],
                           due_on=days(1), by=sl)
    services.create_action(goal, title="Nothing soon", owner=cast.users["headteacher_a"],
                           due_on=days(60), by=sl)
    out = StringIO()
    call_command("plan_digest", "--base-url", "https://send.example.org/", stdout=out)
    by_to = {m.to[0]: m for m in mail.outbox}
    assert set(by_to) == {"senco_a@example.org", "senco_b@example.org"}
    a = by_to["senco_a@example.org"]
    assert a.subject == "Your SEND plan actions: 1 overdue, 1 due this week"
    assert "Termly register review" in a.body and "Overdue by 4 days" in a.body
    assert "Due this week" in a.body and "Due in 5 days" in a.body
    assert "Far off" not in a.body and "Already done" not in a.body
    assert f"https://send.example.org/plan/actions/{first.code}/" in a.body
    assert "Birch review" in by_to["senco_b@example.org"].body
    assert "Sent 2 email(s)." in out.getvalue()


def test_digest_dry_run_sends_nothing_and_skips_leavers(cast, plan):
    goal, first = plan
    _with_emails(cast)
    PlanAction.objects.filter(pk=first.pk).update(due_on=days(-1))
    services.create_action(goal, title="Teacher job", owner=cast.users["teacher_a"],
                           due_on=days(2), by=cast.users["send_leader"])  # no email address
    out = StringIO()
    call_command("plan_digest", "--dry-run", stdout=out)
    assert mail.outbox == []
    assert "Subject: Your SEND plan actions: 1 overdue" in out.getvalue()
    assert "would be sent" in out.getvalue() and "teacher_a" in out.getvalue()
    # Someone who has left the trust gets no digest.
    Membership.objects.filter(user=cast.users["senco_a"]).update(ends_on=days(-1))
    call_command("plan_digest", stdout=StringIO())
    assert mail.outbox == []
