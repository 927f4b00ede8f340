"""The plan page reads each trust's per-school pupil counts once (issue 15).

Every indicator on the plan reads school_rates; at 50,000 pupils each read of the counts
took ~58 ms, and the page read them once per indicator.
"""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from sendtrust.analytics import figures
from sendtrust.analytics.figures.schools import counts_shared
from sendtrust.analytics.models import RollCount
from sendtrust.people.testing import give_authenticator, signed_in
from sendtrust.planning import services

pytestmark = pytest.mark.django_db

# The one read of the pupils behind every school's counts (figures.schools._count_on_roll),
# and the look for them stored (analytics.RollCount) that comes before it.
COUNT_SQL = '"primary_need_id", COUNT("pupils_pupil"."id") AS "n"'
STORED_SQL = '"analytics_rollcount"."day" ='


def _counts_read(queries) -> int:
    return sum(COUNT_SQL in q["sql"] for q in queries)


def _stored_read(queries) -> int:
    return sum(STORED_SQL in q["sql"] for q in queries)


def test_the_plan_page_counts_the_pupils_once_for_all_its_indicators(client, cast, plan):
    goal, _ = plan
    sl = cast.users["send_leader"]
    services.create_criterion(goal, indicator_key="sen_support_rate", target=90, by=sl)
    services.create_criterion(goal, indicator_key="ehcp_rate", target=99, by=sl,
                              school=cast.school_a)
    signed_in(client, sl, device=give_authenticator(sl))
    url = f"/trusts/{cast.trust.code}/plan/"
    client.get(url)
    RollCount.objects.all().delete()  # as after a write: the page counts again, once
    with CaptureQueriesContext(connection) as ctx:
        page = client.get(url)
    assert page.status_code == 200
    assert _counts_read(ctx.captured_queries) == 1
    assert _stored_read(ctx.captured_queries) == 1
    with CaptureQueriesContext(connection) as ctx:  # then reads them stored, once
        client.get(url)
    assert _counts_read(ctx.captured_queries) == 0
    assert _stored_read(ctx.captured_queries) == 1


def test_counts_are_shared_only_inside_the_block(cast):
    with CaptureQueriesContext(connection) as outside:
        figures.school_rates(cast.trust, hide=False)
        figures.school_rates(cast.trust, hide=True)
    with CaptureQueriesContext(connection) as inside, counts_shared():
        first = figures.school_rates(cast.trust, hide=False)
        again = figures.school_rates(cast.trust, hide=False)
    assert _stored_read(outside.captured_queries) == 2
    assert _stored_read(inside.captured_queries) == 1
    assert _counts_read(outside.captured_queries) == 1  # then stored for the day
    assert [(f.pupils, f.sen_support, f.ehcp) for f in first.rows] == [
        (f.pupils, f.sen_support, f.ehcp) for f in again.rows]
