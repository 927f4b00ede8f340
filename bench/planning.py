"""`make bench` entry for the strategic plan: the plan page at 10 and at 200 actions.

Prints, from one run: the plan page's and My actions' query counts at both sizes (must be
equal: the page loads goals, criteria, actions and their owners and schools in a fixed number
of queries), and the plan page's time at 200 actions as a ratio to its time at 10.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

SIZES = (10, 200)


def build_plan(*, schools: int = 5, seed: int = 7):
    """A trust with a goal per horizon, criteria on real indicators, and no actions yet."""
    from django.contrib.auth import get_user_model

    from sendtrust.evaluation import evidence
    from sendtrust.organisations.models import Membership, Role, School, Trust
    from sendtrust.planning import indicators, services
    from sendtrust.planning.models import Horizon

    User = get_user_model()
    trust = Trust.objects.create(name="Bench Plan Trust")
    School.objects.bulk_create([
        School(trust=trust, urn=f"7{seed:02d}{n:03d}", name=f"Plan school {n}",
               phase=School.Phase.PRIMARY, la_code="801", la_name="Bristol, City of")
        for n in range(schools)
    ])
    leader = User.objects.create_user(f"bench-plan-leader-{seed}", password="bench-pass")
    owner = User.objects.create_user(f"bench-plan-senco-{seed}", password="bench-pass")
    first = trust.schools.first()
    Membership.objects.create(user=leader, role=Role.SEND_LEADER, trust=trust,
                              starts_on=dt.date(2020, 1, 1))
    Membership.objects.create(user=owner, role=Role.SENCO, trust=trust, school=first,
                              starts_on=dt.date(2020, 1, 1))
    keys = list(evidence.INDICATORS)[:2]
    goals = []
    for horizon in Horizon:
        goal = services.create_goal(trust, horizon=horizon, title=f"Goal {horizon.label}",
                                    themes=["analysis-of-send-data"], by=leader)
        services.create_criterion(goal, description="Described only", by=leader)
        for key in keys:
            # A target not yet met on the day (the service refuses one that is).
            now = indicators.current_value(key, trust=trust)
            services.create_criterion(goal, indicator_key=key, by=leader,
                                      target=None if now is None else now + 1)
        goals.append(goal)
    return trust, leader, owner, goals


def add_actions(goals, owner, schools, n: int, start: int = 0) -> None:
    from sendtrust.planning.models import PlanAction

    today = dt.date.today()
    made = PlanAction.objects.bulk_create([
        PlanAction(goal=goals[i % len(goals)], title=f"Action {i}", owner=owner,
                   due_on=today + dt.timedelta(days=(i % 40) - 10),
                   themes=["analysis-of-send-data"])
        for i in range(start, start + n)
    ])
    through = PlanAction.schools.through
    through.objects.bulk_create([
        through(planaction_id=a.pk, school_id=schools[i % len(schools)].pk)
        for i, a in enumerate(made)
    ])


def bench(report, *, quick: bool, data: Path) -> None:
    from bench.core import client_for, count_queries, get_ok, median_time

    trust, leader, owner, goals = build_plan()
    schools = list(trust.schools.all())
    plan_url = f"/trusts/{trust.code}/plan/"
    print(f"\nStrategic plan: {len(goals)} goals, criteria on live indicators, "
          f"{SIZES[0]} then {SIZES[1]} actions")
    leader_client, owner_client = client_for(leader), client_for(owner)
    for c, url in ((leader_client, plan_url), (owner_client, "/plan/mine/")):
        get_ok(c, url)()  # the first request renews the session
    counts, times, done = {}, {}, 0
    for size in SIZES:
        add_actions(goals, owner, schools, size - done, start=done)
        done = size
        counts[size] = (count_queries(get_ok(leader_client, plan_url)),
                        count_queries(get_ok(owner_client, "/plan/mine/")))
        times[size] = median_time(get_ok(leader_client, plan_url), repeat=3 if quick else 7)
    small, large = SIZES
    report.add(f"queries per plan page at {small} vs {large} actions",
               f"{counts[small][0]} vs {counts[large][0]}", "equal",
               counts[small][0] == counts[large][0])
    report.add(f"queries per My actions page at {small} vs {large} actions",
               f"{counts[small][1]} vs {counts[large][1]}", "equal",
               counts[small][1] == counts[large][1])
    report.add(f"plan page time, {large} / {small} actions", f"{times[large] / times[small]:.2f}",
               "", None)
