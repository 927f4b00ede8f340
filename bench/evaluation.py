"""`make bench` entry for self-evaluation: the heat map at 50 schools x 24 themes x 4 rounds.

Prints, from one run: the heat-map page's server time as a ratio to the raw SQL that feeds it
(target <= 2), and its query count at 10 and at 50 schools (must be equal).
"""

from __future__ import annotations

import datetime as dt
import random
from pathlib import Path

ROUNDS = 4


def build_trust(schools: int, *, name: str, seed: int = 1):
    """A trust with `schools` schools and ROUNDS rounds, every unit fully rated (bulk inserts)."""
    from django.contrib.auth import get_user_model
    from django.utils import timezone

    from sendtrust.evaluation.models import Framework, Rating, Round, RoundUnit, Theme
    from sendtrust.organisations.models import Membership, Role, School, Trust

    rng = random.Random(seed)
    trust = Trust.objects.create(name=name)
    School.objects.bulk_create([
        School(trust=trust, urn=f"{seed:02d}{n:05d}", name=f"{name} school {n:02d}",
               phase=School.Phase.PRIMARY, la_code="801", la_name="Bristol, City of")
        for n in range(schools)
    ])
    leader = get_user_model().objects.create_user(f"bench-eval-{seed}", password="bench-pass")
    Membership.objects.create(user=leader, role=Role.SEND_LEADER, trust=trust,
                              starts_on=dt.date(2020, 1, 1))
    framework = Framework.objects.get(trust=None, slug="six-area-leadership", version=1)
    themes = list(Theme.objects.filter(framework=framework))
    levels = list(framework.levels.all())
    school_list = list(trust.schools.all())
    now = timezone.now()
    rounds = Round.objects.bulk_create([
        Round(trust=trust, name=f"Round {n + 1}", framework=framework, opened_by=leader,
              opened_at=now - dt.timedelta(days=120 * (ROUNDS - n)))
        for n in range(ROUNDS)
    ])
    rounds = list(trust.rounds.order_by("opened_at"))
    RoundUnit.objects.bulk_create([
        RoundUnit(round=r, school=s) for r in rounds for s in [None, *school_list]
    ])
    units = list(RoundUnit.objects.filter(round__trust=trust))
    Rating.objects.bulk_create(
        [Rating(unit=u, theme=t, level=rng.choice(levels), status=Rating.Status.SUBMITTED,
                updated_by=leader) for u in units for t in themes],
        batch_size=2000,
    )
    return trust, leader, rounds[-1]


HEAT_MAP_SQL = (
    "SELECT u.id, u.school_id, s.name, t.id, t.title, a.title, r.status, l.value, l.label "
    "FROM evaluation_roundunit u LEFT JOIN organisations_school s ON s.id = u.school_id "
    "JOIN evaluation_rating r ON r.unit_id = u.id JOIN evaluation_theme t ON t.id = r.theme_id "
    "JOIN evaluation_area a ON a.id = t.area_id "
    "LEFT JOIN evaluation_scalelevel l ON l.id = r.level_id WHERE u.round_id = %s "
    "ORDER BY a.\"order\", t.\"order\", s.name"
)


def bench(report, *, quick: bool, data: Path) -> None:
    from bench.core import client_for, count_queries, get_ok, median_time, raw_sql
    from sendtrust.evaluation.models import Rating

    sizes = (10, 50)
    pages = {}
    for n, schools in enumerate(sizes):
        trust, leader, latest = build_trust(schools, name=f"Eval bench {schools}", seed=n + 1)
        ratings = Rating.objects.filter(unit__round__trust=trust).count()
        print(f"\nSelf-evaluation: {schools} schools x 24 themes x {ROUNDS} rounds "
              f"({ratings:,} ratings)")
        client = client_for(leader)
        url = f"/evaluation/rounds/{latest.code}/heat-map/"
        get_ok(client, url)()  # the first request after a login renews the session
        pages[schools] = count_queries(get_ok(client, url))
        if schools == sizes[-1]:
            view_s = median_time(get_ok(client, url), repeat=3 if quick else 7)
            sql_s = median_time(raw_sql(HEAT_MAP_SQL, [latest.pk]), repeat=3 if quick else 7)
            report.add(f"heat map / raw SQL ({schools} schools x 24 themes)",
                       f"{view_s / sql_s:.2f}", "<= 2", view_s / sql_s <= 2)
    small, large = (pages[s] for s in sizes)
    report.add(f"queries per heat map at {sizes[0]} vs {sizes[1]} schools",
               f"{small} vs {large}", "equal", small == large)
