"""The trust overview: counts from pupil records, comparators from the DfE file, suppression."""

import pytest

from sendtrust.analytics.tests.dfe import census_rates
from sendtrust.organisations.models import School
from sendtrust.pupils.models import Provision
from sendtrust.testing import PupilFactory, SchoolFactory, give_status


@pytest.fixture
def big_school_a(cast):
    """School A with 19 pupils: 6 on SEN support, 3 with EHC plans (with the cast's)."""
    for i in range(17):
        p = PupilFactory(school=cast.school_a)
        if i < 5:
            give_status(p, Provision.SUPPORT, "SEMH")
        elif i < 7:
            give_status(p, Provision.EHCP, "ASD")
    return cast


def row_for(response, school):
    return next(r for r in response.context["rows"] if r.school == school)


def test_leader_sees_every_school_with_rates(client, big_school_a):
    cast = big_school_a
    client.force_login(cast.users["send_leader"])
    r = client.get(f"/trusts/{cast.trust.code}/")
    assert r.status_code == 200
    a = row_for(r, cast.school_a)
    assert (a.pupils, a.sen_support, a.ehcp) == (19, 6, 3)
    assert a.sen_support_rate == round(100 * 6 / 19, 1)
    assert a.ehcp_rate == round(100 * 3 / 19, 1)
    body = r.content.decode()
    assert "Alder Primary" in body and "Birch Academy" in body
    assert "Hawthorn School" not in body  # another trust's school
    assert f"{a.sen_support_rate:.1f}%" in body


def test_comparators_are_like_for_like_from_the_dfe_file(client, big_school_a, loaded):
    cast = big_school_a
    special = SchoolFactory(trust=cast.trust, name="Oak Special", type=School.Type.SPECIAL,
                            la_code="330", la_name="Birmingham")
    through = SchoolFactory(trust=cast.trust, name="Elm All-through",
                            phase=School.Phase.ALL_THROUGH)
    client.force_login(cast.users["send_leader"])
    r = client.get(f"/trusts/{cast.trust.code}/")
    body = r.content.decode()
    a = row_for(r, cast.school_a).compare
    assert a.national.label == "England, state-funded primary, January 2019"
    assert (a.national.sen_support_rate, a.national.ehcp_rate) == census_rates(
        "State-funded primary")
    assert a.la.label == "Bristol, City of, state-funded primary, January 2019"
    assert (a.la.sen_support_rate, a.la.ehcp_rate) == census_rates("State-funded primary", "801")
    b = row_for(r, cast.school_b).compare
    assert (b.national.sen_support_rate, b.national.ehcp_rate) == census_rates(
        "State-funded secondary")
    s = row_for(r, special).compare
    assert s.national.label == "England, state-funded special, January 2019"
    assert (s.national.sen_support_rate, s.national.ehcp_rate) == census_rates(
        "State-funded special school")
    # The published national row for special schools disagrees with its school rows: say which.
    assert "the DfE national row gives" in body and "sum of the file" in body
    t = row_for(r, through).compare
    assert not t.national.available and "all-through" in t.national.label
    assert "No like-for-like figure" in body
    # Every comparator names its place, kind of school and census year.
    assert body.count("state-funded primary, January 2019") >= 2


def test_trustee_sees_no_small_counts(client, cast):
    # School B has one pupil on SEN support: a trustee must not see "1".
    client.force_login(cast.users["trustee"])
    r = client.get(f"/trusts/{cast.trust.code}/")
    b = row_for(r, cast.school_b)
    assert str(b.sen_support) == "fewer than 5"
    assert str(b.sen_support_rate).startswith("withheld")
    assert r.context["hide_small"] is True
    assert "Cal" not in r.content.decode() and "Cedar" not in r.content.decode()
    # and no link into a register they may not open
    assert f"/schools/{cast.school_b.code}/register/" not in r.content.decode()


def test_trustee_cannot_work_out_a_hidden_count_from_the_total(client, big_school_a):
    cast = big_school_a
    client.force_login(cast.users["trustee"])
    r = client.get(f"/trusts/{cast.trust.code}/")
    total = r.context["total"]
    rows = r.context["rows"]
    for key in ("pupils", "sen_support", "ehcp"):
        hidden = [f for f in rows if not isinstance(getattr(f, key), int)]
        # A total published beside exactly one hidden cell would give that cell away.
        assert not (isinstance(getattr(total, key), int) and len(hidden) == 1), key


def test_leader_sees_small_counts(client, cast):
    client.force_login(cast.users["send_leader"])
    r = client.get(f"/trusts/{cast.trust.code}/")
    assert row_for(r, cast.school_b).sen_support == 1


def test_query_count_does_not_grow_with_pupils_or_schools(client, cast):
    client.force_login(cast.users["send_leader"])
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from sendtrust.analytics.models import RollCount

    def queries() -> tuple[int, int]:
        """The page's queries when it counts the pupils (the first request after a write),
        then when it reads the counts it stored (analytics.RollCount)."""
        RollCount.objects.all().delete()
        made = []
        for _ in range(2):
            with CaptureQueriesContext(connection) as ctx:
                client.get(f"/trusts/{cast.trust.code}/")
            made.append(len(ctx))
        return made[0], made[1]

    client.get(f"/trusts/{cast.trust.code}/")  # the first request after sign-in renews the session
    small = queries()
    for _ in range(30):
        give_status(PupilFactory(school=cast.school_b), Provision.SUPPORT, "MLD")
    for _ in range(3):
        SchoolFactory(trust=cast.trust)
    assert queries() == small


def test_trustee_sees_no_rate_from_a_small_school(client, cast):
    # School B has a single pupil on roll: neither the roll nor any rate may be shown.
    client.force_login(cast.users["trustee"])
    b = row_for(client.get(f"/trusts/{cast.trust.code}/"), cast.school_b)
    assert str(b.pupils) == "fewer than 5"
    assert not isinstance(b.sen_support_rate, float) and not isinstance(b.ehcp_rate, float)
