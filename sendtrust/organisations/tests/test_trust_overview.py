import pytest

from sendtrust.benchmarks import queries as benchmarks
from sendtrust.pupils.models import Provision
from sendtrust.testing import PupilFactory, give_status


@pytest.fixture
def big_school_a(cast):
    """School A with 20 pupils: 6 on SEN support, 3 with EHC plans (plus the cast's)."""
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


def test_national_rates_come_from_the_loaded_dfe_file(client, big_school_a):
    cast = big_school_a
    client.force_login(cast.users["send_leader"])
    r = client.get(f"/trusts/{cast.trust.code}/")
    national = benchmarks.national_sen_rates()
    total = r.context["total"]
    assert total.national == national
    if national is not None:
        assert f"{national.sen_support_rate:.1f}%" in r.content.decode()
    else:
        assert "No national figures are loaded yet" in r.content.decode()


def test_trustee_sees_no_small_counts(client, cast):
    # School B has one pupil on SEN support: a trustee must not see "1".
    client.force_login(cast.users["trustee"])
    r = client.get(f"/trusts/{cast.trust.code}/")
    b = row_for(r, cast.school_b)
    assert b.sen_support_shown == "fewer than 5"
    assert b.sen_support_rate is None
    assert r.context["hide_small"] is True
    assert "Cal" not in r.content.decode() and "Cedar" not in r.content.decode()
    # and no link into a register they may not open
    assert f"/schools/{cast.school_b.code}/register/" not in r.content.decode()


def test_leader_sees_small_counts(client, cast):
    client.force_login(cast.users["send_leader"])
    r = client.get(f"/trusts/{cast.trust.code}/")
    assert row_for(r, cast.school_b).sen_support_shown == "1"


def test_query_count_does_not_grow_with_pupils(client, cast, django_assert_max_num_queries):
    client.force_login(cast.users["send_leader"])
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client.get(f"/trusts/{cast.trust.code}/")  # the first request after sign-in renews the session
    with CaptureQueriesContext(connection) as small:
        client.get(f"/trusts/{cast.trust.code}/")
    for _ in range(30):
        give_status(PupilFactory(school=cast.school_b), Provision.SUPPORT, "MLD")
    with CaptureQueriesContext(connection) as large:
        client.get(f"/trusts/{cast.trust.code}/")
    assert len(small) == len(large)


def test_home_sends_each_role_to_its_page(client, cast):
    expected = {
        "send_leader": f"/trusts/{cast.trust.code}/",
        "trustee": f"/trusts/{cast.trust.code}/",
        "senco_a": f"/schools/{cast.school_a.code}/register/",
        "teacher_a": f"/schools/{cast.school_a.code}/register/",
        "parent_a1": "/pupils/",
        "external_a1": "/pupils/",
    }
    for role, url in expected.items():
        client.force_login(cast.users[role])
        r = client.get("/")
        assert r.status_code == 302 and r["Location"] == url, role


def test_trustee_sees_no_rate_from_a_small_school(client, cast):
    # School B has a single pupil on roll: neither the roll nor any rate may be shown.
    client.force_login(cast.users["trustee"])
    b = row_for(client.get(f"/trusts/{cast.trust.code}/"), cast.school_b)
    assert b.pupils_shown == "fewer than 5"
    assert b.sen_support_rate is None and b.ehcp_rate is None
