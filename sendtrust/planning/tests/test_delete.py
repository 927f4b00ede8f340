"""Deleting goals, criteria and actions: SEND leader only, confirmed, and kept in the audit log."""

from sendtrust.access.models import AuditEntry
from sendtrust.planning import services
from sendtrust.planning.models import Goal, PlanAction, ProgressNote, SuccessCriterion


def test_a_goal_goes_with_its_criteria_actions_and_notes_and_the_log_says_what(client, cast,
                                                                              plan):
    goal, action = plan
    sl = cast.users["send_leader"]
    services.create_criterion(goal, description="Every review on time", by=sl)
    services.record_progress(action, text="First review done", by=cast.users["senco_a"])
    client.force_login(sl)
    response = client.post(f"/plan/goals/{goal.code}/delete/", {"confirm": "yes"})
    assert response.status_code == 302
    assert response["Location"] == f"/trusts/{cast.trust.code}/plan/"
    assert not Goal.objects.filter(pk=goal.pk).exists()
    assert not SuccessCriterion.objects.filter(goal_id=goal.pk).exists()
    assert not PlanAction.objects.filter(pk=action.pk).exists()
    assert not ProgressNote.objects.filter(action_id=action.pk).exists()
    entry = AuditEntry.objects.filter(action="plan.goal.deleted").latest("pk")
    assert entry.detail["title"] == "Earlier help"
    assert (entry.detail["criteria"], entry.detail["actions"]) == (1, 1)


def test_nothing_is_deleted_without_the_box_ticked(client, cast, plan):
    goal, action = plan
    client.force_login(cast.users["send_leader"])
    response = client.post(f"/plan/actions/{action.code}/delete/", follow=True)
    assert PlanAction.objects.filter(pk=action.pk).exists()
    assert "Tick the box to confirm that the action should be deleted." in (
        response.content.decode())
    assert not AuditEntry.objects.filter(action="plan.action.deleted").exists()


def test_an_owner_may_record_progress_but_not_delete_their_action(client, cast, plan):
    goal, action = plan
    client.force_login(cast.users["senco_a"])
    response = client.post(f"/plan/actions/{action.code}/delete/", {"confirm": "yes"})
    assert response.status_code == 403
    assert PlanAction.objects.filter(pk=action.pk).exists()


def test_the_edit_page_offers_deleting_behind_a_labelled_confirm_box(client, cast, plan):
    goal, action = plan
    client.force_login(cast.users["send_leader"])
    criterion = services.create_criterion(goal, description="x", by=cast.users["send_leader"])
    body = client.get(f"/plan/criteria/{criterion.code}/edit/").content.decode()
    assert '<label for="confirm-delete">Yes, delete this success criterion</label>' in body
    assert 'name="confirm" value="yes"' in body
