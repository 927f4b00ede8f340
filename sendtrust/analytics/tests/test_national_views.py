"""The national picture page, its downloads and API routes: who sees what, and the same cells."""

from __future__ import annotations

import csv
import io

import pytest

from sendtrust.access.models import AuditEntry
from sendtrust.access.policy.national import national_local_authorities
from sendtrust.analytics import national
from sendtrust.testing import SchoolFactory


@pytest.fixture
def viewer(client, cast, loaded):
    def login(role):
        client.force_login(cast.users[role])
        return client

    return login


def test_it_sends_anonymous_users_to_sign_in(client, db):
    for path in ("/national/", "/national/ehc-plans.csv"):
        response = client.get(path)
        assert response.status_code == 302
        assert response["Location"].startswith("/login/")
    assert client.get("/api/v1/national/").status_code == 401
    assert client.get("/api/v1/national/placement").status_code == 401


def test_every_role_reads_the_page_with_its_trusts_authorities(viewer, cast):
    SchoolFactory(trust=cast.trust, name="Cedar School", la_code="330", la_name="Birmingham")
    for role in ("send_leader", "trustee", "senco_b", "teacher_a", "parent_a1", "external_a1"):
        response = viewer(role).get("/national/")
        assert response.status_code == 200, role
        html = response.content.decode()
        assert "Bristol, City of (801)" in html and "Birmingham (330)" in html, role
        assert 'href="/national/"' in html  # the main navigation links to the page
    # The other trust's SENCO sees their own trust's authority only.
    html = viewer("other_trust_senco").get("/national/").content.decode()
    assert "Bristol, City of (801)" in html and "Birmingham (330)" not in html


def test_someone_in_no_trust_sees_england_alone(viewer, cast):
    assert national_local_authorities(cast.users["no_role"]) == []
    html = viewer("no_role").get("/national/").content.decode()
    assert "figures are England's alone" in html
    assert "Bristol, City of (801)" not in html


def test_the_page_draws_a_chart_and_table_for_every_figure(viewer):
    html = viewer("senco_a").get("/national/").content.decode()
    for key in national.KEYS:
        assert f'id="chart-{key}"' in html, key
        assert f'href="/national/{key}.csv"' in html, key
    assert html.count('class="table-scroll" tabindex="0" role="region"') >= len(national.KEYS)


def test_the_csv_holds_the_page_table_and_is_audited(viewer, cast):
    client = viewer("teacher_a")
    response = client.get("/national/timeliness.csv")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    areas = national.areas_for(national_local_authorities(cast.users["teacher_a"]))
    table = national.figure("timeliness", areas).table
    assert rows[0] == [c.label for c in table.columns]
    first = table.rows[0]
    assert rows[1] == [str(first[c.key]) for c in table.columns]
    assert any(r and r[0].startswith("Source: ") for r in rows)
    entry = AuditEntry.objects.filter(action="national.exported").latest("pk")
    assert entry.username == "teacher_a"
    xlsx = client.get("/national/placement.xlsx")
    assert xlsx.status_code == 200
    assert xlsx["Content-Type"].startswith("application/vnd.openxmlformats")


def test_unknown_tables_and_formats_are_not_found(viewer):
    client = viewer("send_leader")
    assert client.get("/national/nothing.csv").status_code == 404
    assert client.get("/national/ehc-plans.pdf").status_code == 404
    assert client.get("/api/v1/national/nothing").status_code == 404


def test_the_api_gives_every_figure_and_each_table(viewer, django_assert_max_num_queries):
    client = viewer("headteacher_a")
    with django_assert_max_num_queries(35):
        listed = client.get("/api/v1/national/").json()
    assert [f["key"] for f in listed] == list(national.KEYS)
    assert all(f["sources"] and f["reading"] for f in listed)
    with django_assert_max_num_queries(12):
        body = client.get("/api/v1/national/timeliness").json()
    assert body["group"] == "ehc"
    places = {row["values"]["place"] for row in body["table"]["rows"]}
    assert places == {"England", "Bristol, City of"}
    england_2024 = next(r["values"] for r in body["table"]["rows"]
                        if r["values"]["place"] == "England" and r["values"]["year"] == "2024")
    assert england_2024["inc_rate"] == pytest.approx(
        100 * england_2024["inc_within"] / england_2024["inc_issued"], abs=0.051)
