"""Rules the plan keeps whatever page or script writes to it."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError

from sendtrust.access.models import AuditEntry
from sendtrust.organisations.models import Membership
from sendtrust.planning import services
from sendtrust.planning.models import Horizon, PlanAction, ProgressNote

DUE = dt.date(2030, 1, 31)


def test_owner_must_be_a_current_member_of_the_trust(cast, plan):
    goal, _ = plan
    sl = cast.users["send_leader"]
    for outsider in ("other_trust_senco", "no_role", "parent_a1"):
        with pytest.raises(ValidationError) as e:
            services.create_action(goal, title="X", owner=cast.users[outsider], due_on=DUE,
                                   by=sl)
        assert "owner" in e.value.error_dict, outsider
    # A SENCO whose membership has ended can no longer be given an action.
    Membership.objects.filter(user=cast.users["senco_b"]).update(
        ends_on=dt.date.today() - dt.timedelta(days=1))
    with pytest.raises(ValidationError) as e:
        services.create_action(goal, title="X", owner=cast.users["senco_b"], due_on=DUE, by=sl)
    assert "owner" in e.value.error_dict
    assert not PlanAction.objects.filter(title="X").exists()


def test_schools_and_themes_must_belong_to_the_trust(cast, plan):
    goal, _ = plan
    sl = cast.users["send_leader"]
    with pytest.raises(ValidationError) as e:
        services.create_action(goal, title="X", owner=cast.users["senco_a"], due_on=DUE,
                               schools=[cast.other_school], by=sl)
    assert "schools" in e.value.error_dict
    with pytest.raises(ValidationError) as e:
        services.create_goal(cast.trust, horizon=Horizon.ONE_YEAR, title="Y",
                             themes=["no-such-theme"], by=sl)
    assert "no-such-theme" in str(e.value)
    assert not PlanAction.objects.filter(title="X").exists()


def test_indicator_must_exist_and_a_criterion_needs_a_measure(cast, plan, indicator):
    goal, _ = plan
    sl = cast.users["send_leader"]
    with pytest.raises(ValidationError) as e:
        services.create_criterion(goal, indicator_key="made_up", target=5, by=sl)
    assert "indicator_key" in e.value.error_dict
    with pytest.raises(ValidationError) as e:
        services.create_criterion(goal, target=5, by=sl)
    assert {"description", "target"} <= set(e.value.error_dict)
    # An indicator alone, or a description alone, is enough.
    assert services.create_criterion(goal, indicator_key="test_rate", target=15, by=sl).pk
    assert services.create_criterion(goal, description="Parents say so", target=90, by=sl).pk


def test_baseline_is_the_indicator_value_when_written(cast, plan, indicator):
    goal, _ = plan
    sl = cast.users["send_leader"]
    indicator["value"] = 14.2
    c = services.create_criterion(goal, indicator_key="test_rate", target=12, direction="down",
                                  by=sl)
    indicator["value"] = 13.0
    c.refresh_from_db()
    assert c.baseline == 14.2 and c.baseline_on == dt.date.today()
    # Missing data is kept as missing, never as 0.
    indicator["value"] = None
    c2 = services.create_criterion(goal, indicator_key="test_rate", target=12, by=sl)
    assert c2.baseline is None


def test_real_registry_indicators_give_a_baseline_or_none(cast, plan):
    """Every indicator shipped in the registry can be planned against, with its value today
    (or no data, never 0) kept as the baseline."""
    from sendtrust.evaluation import evidence

    assert len(evidence.INDICATORS) >= 5
    goal, _ = plan
    for key in evidence.INDICATORS:
        reading = evidence.evaluate(key, trust=cast.trust)
        expected = reading.value if reading.available else None
        # A target beyond today's value in the better direction, so that it is not yet met.
        target = None if expected is None else expected + 1
        c = services.create_criterion(goal, indicator_key=key, target=target, by=cast.users[
            "send_leader"])
        c.refresh_from_db()
        assert c.baseline == expected, key
        assert c.baseline_on == (dt.date.today()), key


@pytest.mark.parametrize(("direction", "target"), [
    ("up", 9.0), ("up", 10.0), ("down", 11.0), ("down", 10.0)])
def test_a_target_already_met_on_the_day_is_refused(cast, plan, indicator, direction,
                                                     target):
    goal, _ = plan
    indicator["value"] = 10.0
    with pytest.raises(ValidationError) as e:
        services.create_criterion(goal, indicator_key="test_rate", target=target,
                                  direction=direction, by=cast.users["send_leader"])
    message = " ".join(e.value.error_dict["target"][0].messages)
    better = "higher" if direction == "up" else "lower"
    assert f"today's value of 10.0%: {better} is better" in message
    assert f"a target of {target:.1f}% is already met" in message
    assert not goal.criteria.exists()
    assert not AuditEntry.objects.filter(action="plan.criterion.created").exists()


def test_a_target_beyond_the_baseline_is_kept_and_a_change_to_the_wrong_side_refused(
        cast, plan, indicator):
    goal, _ = plan
    sl = cast.users["send_leader"]
    indicator["value"] = 10.0
    c = services.create_criterion(goal, indicator_key="test_rate", target=8.0,
                                  direction="down", by=sl)
    with pytest.raises(ValidationError) as e:
        services.update_criterion(c, direction="up", by=sl)
    assert "target" in e.value.error_dict
    c.refresh_from_db()
    assert (c.target, c.direction) == (8.0, "down")
    # Without a baseline (no data that day) nothing can be met yet: any target is kept.
    indicator["value"] = None
    assert services.create_criterion(goal, indicator_key="test_rate", target=1.0, by=sl).pk


def test_progress_changes_status_and_is_audited(cast, plan):
    _, action = plan
    senco = cast.users["senco_a"]
    note = services.record_progress(action, text="Reviewed the register with teachers",
                                    status="in_progress", by=senco)
    action.refresh_from_db()
    assert action.status == "in_progress"
    assert (note.status_from, note.status_to) == ("not_started", "in_progress")
    entry = AuditEntry.objects.filter(action="plan.action.progress").get()
    assert entry.username == "senco_a" and entry.detail["status_to"] == "in_progress"
    with pytest.raises(ValidationError) as e:
        services.record_progress(action, text="  ", status="in_progress", by=senco)
    assert "text" in e.value.error_dict
    assert ProgressNote.objects.filter(action=action).count() == 1


def test_changes_to_goals_and_actions_are_audited(cast, plan):
    goal, action = plan
    sl = cast.users["send_leader"]
    services.update_goal(goal, title="Earlier, better help", by=sl)
    services.update_action(action, owner=cast.users["headteacher_a"], status="blocked", by=sl)
    plan_log = AuditEntry.objects.filter(action__startswith="plan.").order_by("id")
    actions = list(plan_log.values_list("action", flat=True))
    assert actions == ["plan.goal.created", "plan.action.created", "plan.goal.updated",
                       "plan.action.updated"]
    last = plan_log.last()
    assert set(last.detail["fields"]) == {"owner", "status"}
    assert last.detail["owner"] == "headteacher_a"
    # A status change made on the edit form also shows in the action's history.
    assert action.notes.get().status_to == "blocked"
    # Saving unchanged values writes nothing.
    services.update_goal(goal, title="Earlier, better help", by=sl)
    assert plan_log.count() == 4
