"""The demo trust's self-evaluation: every state a user meets is on show, built the real way."""

import datetime as dt

import pytest
from django.db.models import F

from sendtrust.access.models import AuditEntry
from sendtrust.demo.leadership import seed_leadership
from sendtrust.demo.services import build_demo_trust
from sendtrust.evaluation.models import ContextProfile, Moderation, Rating, Round, RoundUnit
from sendtrust.organisations.models import Membership, Role

ON = dt.date(2026, 11, 20)


@pytest.fixture
def trust(db):
    return build_demo_trust(schools=4, pupils=400, seed=3, password="pw-demo-1", on=ON).trust


def levels(trust):
    return list(
        Rating.objects.filter(unit__round__trust=trust)
        .order_by("unit__round__name", "unit__pk", "theme__slug")
        .values_list("unit__round__name", "unit__school__urn", "theme__slug", "level__value")
    )


def test_summer_round_is_closed_with_every_unit_submitted(trust):
    made = seed_leadership(trust, seed=3, on=ON)
    summer = Round.objects.get(trust=trust, name="Summer 2026")
    assert summer.status == Round.Status.CLOSED
    units = summer.units.all()
    assert units.count() == 5  # four schools and the trust itself
    assert set(units.values_list("status", flat=True)) == {RoundUnit.Status.SUBMITTED}
    themes = summer.framework.themes.count()
    assert Rating.objects.filter(unit__round=summer, level__isnull=False).count() == 5 * themes
    assert made["rounds"] == 2
    assert made["moderations"] == Moderation.objects.filter(
        rating__unit__round__trust=trust).count() > 0


def test_autumn_round_shows_every_state(trust):
    seed_leadership(trust, seed=3, on=ON)
    autumn = Round.objects.get(trust=trust, name="Autumn 2026")
    assert autumn.is_open
    statuses = set(autumn.units.values_list("status", flat=True))
    assert statuses == {RoundUnit.Status.DRAFT, RoundUnit.Status.SUBMITTED}
    untouched = [u for u in autumn.units.all() if not u.ratings.exists()]
    assert len(untouched) == 1 and untouched[0].school_id is not None
    # Changes are moderated through the service: each move has a reason and an audit entry.
    moved = Moderation.objects.filter(rating__unit__round=autumn).exclude(
        from_level=F("to_level"))
    assert all(m.reason for m in moved)
    assert AuditEntry.objects.filter(action="evaluation.rating.moderated").count() == (
        Moderation.objects.filter(rating__unit__round__trust=trust).count())


def test_same_seed_same_ratings(db):
    a = build_demo_trust(schools=3, pupils=300, seed=5, password="pw-demo-1", on=ON).trust
    seed_leadership(a, seed=5, on=ON)
    first = [(r[0], r[2], r[3]) for r in levels(a)]
    Rating.objects.filter(unit__round__trust=a).delete()
    b = build_demo_trust(schools=3, pupils=300, seed=5, password="pw-demo-1", on=ON).trust
    seed_leadership(b, seed=5, on=ON)
    assert [(r[0], r[2], r[3]) for r in levels(b)] == first


def test_context_profile_names_the_trusts_local_authorities(trust):
    seed_leadership(trust, seed=3, on=ON)
    profile = ContextProfile.objects.get(trust=trust, school=None)
    for la in set(trust.schools.values_list("la_name", flat=True)):
        assert la in profile.geography


def test_heat_map_of_the_demo_round_opens_for_the_send_leader(trust, client):

    seed_leadership(trust, seed=3, on=ON)
    leader = Membership.objects.get(trust=trust, role=Role.SEND_LEADER).user
    client.force_login(leader)
    autumn = Round.objects.get(trust=trust, name="Autumn 2026")
    response = client.get(f"/evaluation/rounds/{autumn.code}/heat-map/")
    assert response.status_code == 200
    for school in trust.schools.all():
        assert school.name in response.content.decode()


def test_plan_has_every_horizon_and_actions_due_overdue_and_done(trust):
    from sendtrust.planning.models import Goal, PlanAction, SuccessCriterion

    made = seed_leadership(trust, seed=3, on=ON)
    goals = Goal.objects.filter(trust=trust)
    assert made["goals"] == goals.count() == 3
    assert sorted(goals.values_list("horizon", flat=True)) == [3, 12, 36]
    actions = PlanAction.objects.filter(goal__trust=trust)
    assert made["actions"] == actions.count()
    assert actions.filter(due_on__lt=ON).exclude(status__in=PlanAction.CLOSED).exists()
    assert actions.filter(due_on__gte=ON, due_on__lte=ON + dt.timedelta(days=7)).exists()
    assert actions.filter(status=PlanAction.Status.DONE).exists()
    # Criteria tied to an indicator keep the value on the day they were written as baseline.
    tied = SuccessCriterion.objects.filter(goal__trust=trust).exclude(indicator_key="")
    assert tied.exists() and all(c.baseline is not None for c in tied)
    # The demo SENCO account has actions to see under My actions.
    senco = Membership.objects.get(trust=trust, role=Role.SENCO, school=trust.schools.order_by(
        "pk").first()).user
    assert actions.filter(owner=senco).exists()
