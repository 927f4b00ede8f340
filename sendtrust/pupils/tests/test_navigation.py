"""Navigation, home and error pages: no link a person may not follow, a way back from errors."""

import re

import pytest
from django.urls import NoReverseMatch

from sendtrust.testing import ROLES

pytestmark = pytest.mark.django_db


def nav_links(body: str) -> list[tuple[str, str]]:
    nav = re.search(r'<nav aria-label="Main">(.*?)</nav>', body, re.S)
    return re.findall(r'<a href="([^"]+)">([^<]+)</a>', nav.group(1)) if nav else []


@pytest.mark.parametrize("role", [r for r in ROLES if r != "no_role"])
def test_every_navigation_link_opens(client, cast, role):
    client.force_login(cast.users[role])
    # The home page, and the list of pupils for those who have one (the parent's own).
    links = nav_links(client.get("/", follow=True).content.decode())
    links += nav_links(client.get("/pupils/").content.decode())
    assert links
    for href, label in links:
        assert client.get(href, follow=True).status_code == 200, (role, label, href)


def test_a_senco_has_a_register_item_and_short_labels(client, cast):
    client.force_login(cast.users["senco_a"])
    links = dict((label, href) for href, label in
                 nav_links(client.get(f"/schools/{cast.school_a.code}/register/")
                           .content.decode()))
    assert links["Register"] == f"/schools/{cast.school_a.code}/register/"
    assert "My pupils" not in links
    # One school's name is not repeated in the register's items: the bar stays short.
    for label in ("Register", "Analytics", "Data quality"):
        assert label in links


class TestParents:
    def test_home_is_the_family_page_or_the_list_of_their_children(self, client, cast):
        from django.urls import reverse

        client.force_login(cast.users["parent_a1"])
        r = client.get("/")
        try:
            expected = reverse("support:family_home")
        except NoReverseMatch:
            expected = reverse("my_pupils")
        assert r.status_code == 302 and r["Location"] == expected

    def test_their_list_has_no_staff_furniture(self, client, cast):
        client.force_login(cast.users["parent_a1"])
        body = client.get("/pupils/").content.decode()
        assert "Ada Ash" in body and "Beech" not in body
        assert cast.pupil_a1.upn not in body
        assert "<select" not in body and "pupils you teach" not in body
        labels = [label for _, label in nav_links(body)]
        for staff_item in ("My actions", "Public trusts", "My pupils", "Register"):
            assert staff_item not in labels


class TestErrorPages:
    def test_403_is_styled_with_navigation_and_a_way_home(self, client, cast):
        client.force_login(cast.users["senco_b"])
        r = client.get(f"/pupils/{cast.pupil_a1.code}/")
        assert r.status_code == 403
        body = r.content.decode()
        assert "sendtrust.css" in body and '<nav aria-label="Main">' in body
        assert "<h1>You do not have access to this page</h1>" in body
        assert '<a href="/">Go to your home page</a>' in body

    def test_404_is_styled_with_navigation_and_a_way_home(self, client, cast):
        client.force_login(cast.users["senco_a"])
        r = client.get(f"/pupils/{cast.other_pupil.code}/")
        assert r.status_code == 404
        body = r.content.decode()
        assert "sendtrust.css" in body and '<nav aria-label="Main">' in body
        assert "<h1>Page not found</h1>" in body
        assert '<a href="/">Go to your home page</a>' in body


def test_every_page_names_a_favicon_that_is_there(client, cast):
    from django.contrib.staticfiles import finders

    client.force_login(cast.users["senco_a"])
    body = client.get("/", follow=True).content.decode()
    href = re.search(r'<link rel="icon" href="/static/([^"]+)"', body).group(1)
    assert finders.find(href)


class TestQualityBreadcrumbs:
    def test_school_leaders_get_no_crumb_to_trust_pages(self, client, cast):
        for role in ("senco_a", "headteacher_a"):
            client.force_login(cast.users[role])
            body = client.get(f"/schools/{cast.school_a.code}/data-quality/").content.decode()
            crumbs = re.search(r'<nav class="breadcrumbs".*?</nav>', body, re.S).group()
            assert f"/trusts/{cast.trust.code}/" not in crumbs, role
            for href in re.findall(r'href="([^"]+)"', crumbs):
                assert client.get(href).status_code == 200, (role, href)

    def test_the_leader_keeps_the_trust_crumbs(self, client, cast):
        client.force_login(cast.users["send_leader"])
        body = client.get(f"/schools/{cast.school_a.code}/data-quality/").content.decode()
        crumbs = re.search(r'<nav class="breadcrumbs".*?</nav>', body, re.S).group()
        assert f'href="/trusts/{cast.trust.code}/"' in crumbs


def test_the_audit_log_lists_a_detail_named_items(client, cast):
    # The leader's navigation leads here; an EHC worklist view logs `items=`.
    from sendtrust.access.audit import log_action

    log_action(None, "ehc.worklist.viewed", user=cast.users["senco_a"], trust=cast.trust,
               items=3)
    client.force_login(cast.users["send_leader"])
    r = client.get(f"/trusts/{cast.trust.code}/audit/")
    assert r.status_code == 200
    assert "items: 3" in r.content.decode()


TRUST_MENUS = {"EHC deadlines", "Support plans and families", "Staff and roles", "Provision"}


@pytest.mark.parametrize("role, menus", [
    ("send_leader", TRUST_MENUS),
    ("executive", TRUST_MENUS - {"Staff and roles"}),
    ("senco_a", {"Provision"}),  # the school's own; its worklist and deadlines below
])
def test_the_navigation_reads_the_users_trusts_once(client, cast, role, menus):
    """Each menu (analytics, support, provision, EHC plans, staff) picks its trusts from one
    read of the user's trusts (issue 15: one query each was ~1 ms each on PostgreSQL on
    every page), and the menus still hold what each role may open."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client.force_login(cast.users[role])
    client.get("/pupils/")
    with CaptureQueriesContext(connection) as queries:
        body = client.get("/pupils/").content.decode()
    reads = [q["sql"] for q in queries.captured_queries
             if q["sql"].startswith('SELECT "organisations_trust"."id"')]
    assert len(reads) <= 1, reads
    labels = {label for _, label in nav_links(body)}
    assert labels & TRUST_MENUS == menus
    if role == "senco_a":
        assert {"Support worklist", "EHC deadlines: Alder Primary"} <= labels
