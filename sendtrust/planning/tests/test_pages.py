"""The plan pages as each role uses them, including the refusals."""

import datetime as dt
import re
from html import unescape

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from sendtrust.organisations.models import Membership, Role
from sendtrust.planning import services
from sendtrust.planning.models import Goal, Horizon, PlanAction, SuccessCriterion

TODAY = dt.date.today()


def days(n):
    return TODAY + dt.timedelta(days=n)


def text(response) -> str:
    """The page's visible words, tags removed and spaces collapsed."""
    html = re.sub(r"<(script|style)[^>]*>.*?</\1>", " ", response.content.decode(), flags=re.S)
    return re.sub(r"\s+", " ", unescape(re.sub(r"<[^>]+>", " ", html)))


def login(client, cast, role):
    client.force_login(cast.users[role])
    return client


# The plan page --------------------------------------------------------------------------------


def test_plan_groups_goals_by_horizon_and_reads_indicators(client, cast, plan, indicator):
    goal, action = plan
    sl = cast.users["send_leader"]
    services.create_goal(cast.trust, horizon=Horizon.THREE_YEARS, title="Specialist hub", by=sl)
    services.create_goal(cast.trust, horizon=Horizon.THREE_MONTHS, title="Clean register",
                         by=sl)
    indicator["value"] = 14.0
    services.create_criterion(goal, indicator_key="test_rate", target=12.0, direction="down",
                              description="Fewer pupils wait for support", by=sl)
    indicator["value"] = 13.0
    page = text(login(client, cast, "trustee").get(f"/trusts/{cast.trust.code}/plan/"))
    # Horizons in time order, each goal under its own.
    order = [page.index(s) for s in ("Three months", "Clean register", "One year",
                                     "Earlier help", "Three years", "Specialist hub")]
    assert order == sorted(order)
    assert "14.0%" in page and "13.0%" in page and "12.0%" in page
    assert "Moving towards the target" in page
    indicator["value"] = 11.5
    page = text(client.get(f"/trusts/{cast.trust.code}/plan/"))
    assert "Target met" in page
    # No data is said in words, never shown as 0.
    indicator["value"] = None
    page = text(client.get(f"/trusts/{cast.trust.code}/plan/"))
    assert "No data yet" in page and "0.0%" not in page
    # The trustee reads but is offered nothing to change.
    assert "Add a goal" not in page and "Change the goal" not in page


def test_overdue_is_said_in_words(client, cast, plan):
    goal, action = plan
    PlanAction.objects.filter(pk=action.pk).update(due_on=days(-3))
    services.create_action(goal, title="Train TAs", owner=cast.users["senco_b"],
                           due_on=days(-1), status="done", by=cast.users["send_leader"])
    page = text(login(client, cast, "headteacher_a").get(f"/trusts/{cast.trust.code}/plan/"))
    assert "Overdue by 3 days" in page
    assert page.count("Overdue by") == 1  # a done action is never overdue
    assert "2 actions: 1 overdue, 1 done." in page


def test_plan_page_queries_do_not_grow_with_actions(client, cast, plan, indicator):
    goal, _ = plan
    sl = cast.users["send_leader"]
    services.create_criterion(goal, indicator_key="test_rate", target=15, by=sl)
    url = f"/trusts/{cast.trust.code}/plan/"
    login(client, cast, "send_leader").get(url)  # warm-up: the first request renews the session

    def count():
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(url).status_code == 200
        return len(ctx)

    few = count()
    PlanAction.objects.bulk_create([
        PlanAction(goal=goal, title=f"Action {n}", owner=cast.users["senco_a"], due_on=days(n))
        for n in range(40)
    ])
    assert count() == few


def test_printable_plan_has_no_navigation(client, cast, plan):
    response = login(client, cast, "executive").get(f"/trusts/{cast.trust.code}/plan/print/")
    html = response.content.decode()
    assert "Termly register review" in html
    assert 'aria-label="Main"' not in html and "Sign out" not in html
    assert "planning/plan-print.css" in html


# Gaps from the self-evaluation ------------------------------------------------------------------


def test_weakest_moderated_themes_are_offered_as_gaps(client, cast, plan):
    from sendtrust.evaluation.models import Rating, ScaleLevel
    from sendtrust.evaluation.tests.helpers import fill, open_round, unit_of

    round_ = open_round(cast, schools=[cast.school_a])
    unit = unit_of(round_, cast.school_a)
    fill(unit, level=3)
    low = ScaleLevel.objects.get(framework_id=round_.framework_id, value=1)
    Rating.objects.filter(unit=unit, theme__slug="pupil-voice-and-participation").update(
        level=low)
    Rating.objects.filter(unit=unit).update(status=Rating.Status.MODERATED)
    page = text(login(client, cast, "send_leader").get(f"/trusts/{cast.trust.code}/plan/"))
    assert "Gaps to plan for" in page
    gaps = page[page.index("Weakest themes"):]
    assert gaps.index("Pupil voice and participation") < gaps.index("3.0 of 4")
    assert "1.0 of 4" in gaps
    # School leaders do not see the trust's heat map, so not its gaps either.
    page = text(login(client, cast, "senco_a").get(f"/trusts/{cast.trust.code}/plan/"))
    assert "Gaps to plan for" not in page


def test_plan_a_goal_from_a_gap_prefills_the_form(client, cast):
    from sendtrust.evaluation.tests.helpers import open_round

    round_ = open_round(cast)
    url = (f"/trusts/{cast.trust.code}/plan/goals/new/?theme=governance&round={round_.code}")
    html = login(client, cast, "send_leader").get(url).content.decode()
    assert re.search(r'value="governance"[^>]*checked', html)
    assert re.search(rf'<option value="{round_.code}" selected', html)


# Forms ------------------------------------------------------------------------------------------


def test_leader_adds_goal_criterion_and_action(client, cast, indicator):
    login(client, cast, "send_leader")
    r = client.post(f"/trusts/{cast.trust.code}/plan/goals/new/", {
        "horizon": "3", "title": "Every school names a SEND governor",
        "themes": ["governance"], "order": ""})
    goal = Goal.objects.get(title="Every school names a SEND governor")
    assert r.status_code == 302 and goal.horizon == Horizon.THREE_MONTHS
    assert goal.themes == ["governance"]
    indicator["value"] = 20.0
    r = client.post(f"/plan/goals/{goal.code}/criteria/new/", {
        "description": "", "indicator_key": "test_rate", "school": str(cast.school_a.code),
        "target": "25", "direction": "up"})
    assert r.status_code == 302
    c = SuccessCriterion.objects.get(goal=goal)
    assert (c.baseline, c.target, c.school) == (20.0, 25.0, cast.school_a)
    r = client.post(f"/plan/goals/{goal.code}/actions/new/", {
        "title": "Ask each board", "owner": cast.users["headteacher_a"].pk,
        "due_on": days(14).isoformat(), "status": "not_started",
        "schools": [str(cast.school_a.code)]})
    assert r.status_code == 302
    action = PlanAction.objects.get(goal=goal)
    assert action.owner == cast.users["headteacher_a"]
    assert list(action.schools.all()) == [cast.school_a]


@pytest.mark.parametrize("url_for, data, field", [
    (lambda c, g: f"/trusts/{c.trust.code}/plan/goals/new/", {"horizon": "12", "title": ""},
     "Goal"),
    (lambda c, g: f"/trusts/{c.trust.code}/plan/goals/new/", {"horizon": "7", "title": "X"},
     "Horizon"),
    (lambda c, g: f"/plan/goals/{g.code}/criteria/new/",
     {"indicator_key": "made_up", "direction": "up"}, "Indicator"),
    (lambda c, g: f"/plan/goals/{g.code}/criteria/new/", {"target": "5", "direction": "up"},
     "How we will know"),
    (lambda c, g: f"/plan/goals/{g.code}/actions/new/",
     {"title": "X", "owner": "{other}", "due_on": "2030-01-01", "status": "not_started"},
     "Owner"),
    (lambda c, g: f"/plan/goals/{g.code}/actions/new/",
     {"title": "X", "owner": "{senco}", "due_on": "31/02/2030", "status": "not_started"},
     "Due date"),
])
def test_bad_input_names_the_field_and_saves_nothing(client, cast, plan, url_for, data, field):
    goal, _ = plan
    data = {k: v.format(other=cast.users["other_trust_senco"].pk,
                        senco=cast.users["senco_a"].pk) for k, v in data.items()}
    before = (Goal.objects.count(), SuccessCriterion.objects.count(), PlanAction.objects.count())
    r = login(client, cast, "send_leader").post(url_for(cast, goal), data)
    assert r.status_code == 400
    page = text(r)
    assert "There is a problem" in page and f"{field}:" in page
    assert 'role="alert"' in r.content.decode()
    assert (Goal.objects.count(), SuccessCriterion.objects.count(),
            PlanAction.objects.count()) == before


def test_a_target_already_met_is_refused_on_the_form(client, cast, plan, indicator):
    goal, _ = plan
    indicator["value"] = 14.0
    r = login(client, cast, "send_leader").post(f"/plan/goals/{goal.code}/criteria/new/", {
        "description": "Fewer pupils wait", "indicator_key": "test_rate", "target": "12",
        "direction": "up"})
    assert r.status_code == 400
    page = text(r)
    assert ("Target value: Enter a target above today's value of 14.0%: higher is better, so "
            "a target of 12.0% is already met.") in page
    assert 'href="#id_target"' in r.content.decode()
    assert not SuccessCriterion.objects.filter(goal=goal).exists()


# Actions and their owners -----------------------------------------------------------------------


def test_owner_records_progress_but_cannot_edit_the_plan(client, cast, plan):
    goal, action = plan
    login(client, cast, "senco_a")
    r = client.post(f"/plan/actions/{action.code}/progress/",
                    {"status": "in_progress", "text": "Register reviewed with class teachers"})
    assert r.status_code == 302
    action.refresh_from_db()
    assert action.status == "in_progress"
    page = text(client.get(f"/plan/actions/{action.code}/"))
    assert "Register reviewed with class teachers" in page
    assert "status from not started to in progress" in page
    assert "Change the action" not in page
    for url, data in [
        (f"/plan/actions/{action.code}/edit/", {"title": "Mine now"}),
        (f"/plan/goals/{goal.code}/edit/", {"title": "Mine now", "horizon": "3"}),
        (f"/plan/goals/{goal.code}/actions/new/", {"title": "Mine now"}),
        (f"/trusts/{cast.trust.code}/plan/goals/new/", {"title": "Mine now", "horizon": "3"}),
    ]:
        assert client.post(url, data).status_code == 403, url
    assert not Goal.objects.filter(title="Mine now").exists()
    assert not PlanAction.objects.filter(title="Mine now").exists()


def test_progress_through_htmx_returns_the_panel(client, cast, plan):
    _, action = plan
    login(client, cast, "senco_a")
    r = client.post(f"/plan/actions/{action.code}/progress/", {"status": "blocked", "text": ""},
                    HTTP_HX_REQUEST="true")
    assert r.status_code == 200
    html = r.content.decode()
    assert html.lstrip().startswith('<div id="progress-panel">')
    assert "Progress recorded." in html and "Blocked" in html
    # Nothing to record is refused with a message that names the field.
    r = client.post(f"/plan/actions/{action.code}/progress/",
                    {"status": "blocked", "text": ""}, HTTP_HX_REQUEST="true")
    assert r.status_code == 400
    assert "Progress note: Write a note or change the status." in text(r)


def test_trustee_reads_but_cannot_change(client, cast, plan):
    goal, action = plan
    login(client, cast, "trustee")
    assert client.get(f"/plan/actions/{action.code}/").status_code == 200
    assert client.post(f"/plan/actions/{action.code}/progress/",
                       {"status": "done", "text": "x"}).status_code == 403
    assert client.post(f"/plan/goals/{goal.code}/edit/",
                       {"title": "x", "horizon": "3"}).status_code == 403
    action.refresh_from_db()
    assert action.status == "not_started"


def test_other_trust_gets_404(client, cast, plan):
    goal, action = plan
    login(client, cast, "other_trust_senco")
    for url in (f"/trusts/{cast.trust.code}/plan/", f"/plan/actions/{action.code}/",
                f"/plan/goals/{goal.code}/edit/", f"/api/v1/plan/actions/{action.code}"):
        assert client.get(url).status_code == 404, url
    assert client.post(f"/plan/actions/{action.code}/progress/",
                       {"status": "done", "text": "x"}).status_code == 404


def test_sender_leader_reassigns_to_current_members_only(client, cast, plan):
    _, action = plan
    login(client, cast, "send_leader")
    url = f"/plan/actions/{action.code}/edit/"
    html = client.get(url, {"owner_school": ""}).content.decode()
    assert "senco_b" in html and "other_trust_senco" not in html and "parent_a1" not in html


def owner_options(response) -> list[str]:
    select = re.search(r'<select name="owner".*?</select>', response.content.decode(), re.S)
    return [unescape(o) for o in re.findall(r'<option value="\d+"[^>]*>([^<]*)</option>',
                                            select.group(0))]


def test_owner_list_names_role_and_school_once_each(client, cast, plan):
    goal, _ = plan
    senco = cast.users["senco_a"]
    Membership.objects.create(user=senco, trust=cast.trust, school=cast.school_b,
                              role=Role.TEACHER, starts_on=days(-30))
    Membership.objects.filter(user=cast.users["ta_a"]).update(ends_on=days(-1))
    r = login(client, cast, "send_leader").get(f"/plan/goals/{goal.code}/actions/new/")
    options = owner_options(r)
    assert len(options) == len(set(options))
    mine = [o for o in options if o.startswith(f"{senco.get_full_name() or 'senco_a'}:")]
    assert mine == [f"{senco.get_full_name() or 'senco_a'}: SENCO, Alder Primary; "
                    "Teacher, Birch Academy"]
    assert any(o.endswith(f"Trust SEND leader, {cast.trust.name}") for o in options)
    assert not any("ta_a" in o or "Parent" in o or "External" in o for o in options)


def test_owner_search_narrows_the_list_and_defaults_to_the_actions_school(client, cast, plan):
    goal, action = plan  # the action concerns Alder Primary
    login(client, cast, "send_leader")
    edit = f"/plan/actions/{action.code}/edit/"
    options = owner_options(client.get(edit))
    assert options and all("Alder Primary" in o for o in options)
    # As you type (htmx GET): the list narrows, the chosen owner stays.
    found = owner_options(client.get(edit, {"owner_q": "headteacher", "owner_school": "",
                                            "owner": str(cast.users["senco_b"].pk)},
                                      HTTP_HX_REQUEST="true"))
    assert any("Headteacher, Alder Primary" in o for o in found)
    assert any("SENCO, Birch Academy" in o for o in found)  # senco_b, already chosen
    assert not any("Trust SEND leader" in o for o in found)
    # Without JavaScript: "Show matching people" sends the form back narrowed, saving nothing.
    r = client.post(edit, {"title": "Renamed", "owner": str(cast.users["senco_a"].pk),
                           "owner_q": "trust send", "owner_school": "", "find_owner": "1",
                           "due_on": "2030-01-01", "status": "not_started"})
    assert r.status_code == 200 and "There is a problem" not in text(r)
    assert 'value="Renamed"' in r.content.decode()
    assert [o.split(": ", 1)[1] for o in owner_options(r)] == [
        "SENCO, Alder Primary", f"Trust SEND leader, {cast.trust.name}"]
    action.refresh_from_db()
    assert action.title == "Termly register review"


def test_action_form_offers_the_plans_framework_only_and_no_date_format(client, cast, plan):
    from sendtrust.evaluation.tests.helpers import open_round, shipped

    goal, _ = plan
    open_round(cast, framework=shipped("achievement-for-all"))
    open_round(cast, name="Later round")  # the latest round: the six-area model
    html = login(client, cast, "send_leader").get(
        f"/plan/goals/{goal.code}/actions/new/").content.decode()
    assert html.count('name="themes"') == 24
    assert "Setting strategic direction" in html  # grouped by area
    assert "For example 2026" not in html and 'type="date"' in html


# My actions -------------------------------------------------------------------------------------


def test_my_actions_groups_by_when_due(client, cast, plan):
    goal, first = plan
    sl, senco = cast.users["send_leader"], cast.users["senco_a"]
    PlanAction.objects.filter(pk=first.pk).update(due_on=days(-2))
    for title, due, status in [("Soon", 3, "in_progress"), ("Today", 0, "not_started"),
                               ("Later", 20, "not_started"), ("Finished", -5, "done"),
                               ("Someone else's", 1, "not_started")]:
        owner = cast.users["senco_b"] if title == "Someone else's" else senco
        services.create_action(goal, title=title, owner=owner, due_on=days(due), status=status,
                               by=sl)
    page = text(login(client, cast, "senco_a").get("/plan/mine/"))
    sections = re.split(r"(Overdue \(\d\)|Due in the next 7 days \(\d\)|Due later \(\d\)|"
                        r"Done or dropped \(\d\))", page)
    found = {sections[i]: sections[i + 1] for i in range(1, len(sections) - 1, 2)}
    assert "Termly register review" in found["Overdue (1)"]
    assert "Overdue by 2 days" in found["Overdue (1)"]
    assert {"Soon", "Today"} <= set(re.findall(r"Soon|Today", found["Due in the next 7 days (2)"]))
    assert "Due today" in found["Due in the next 7 days (2)"]
    assert "Later" in found["Due later (1)"]
    assert "Finished" in found["Done or dropped (1)"]
    assert "Someone else's" not in page


def test_my_actions_for_someone_with_none(client, cast, plan):
    page = text(login(client, cast, "parent_a1").get("/plan/mine/"))
    assert "You own no actions." in page
