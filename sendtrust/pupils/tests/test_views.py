import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from sendtrust.access.models import AuditEntry
from sendtrust.pupils.models import Provision
from sendtrust.testing import PupilFactory, give_status


def test_register_lists_sen_pupils_by_default(client, cast):
    PupilFactory(school=cast.school_a, surname="Zed")  # no SEN
    client.force_login(cast.users["senco_a"])
    r = client.get(f"/schools/{cast.school_a.code}/register/")
    names = [p.surname for p in r.context["page"]]
    assert names == ["Ash", "Beech"]
    r = client.get(f"/schools/{cast.school_a.code}/register/?status=all")
    assert [p.surname for p in r.context["page"]] == ["Ash", "Beech", "Zed"]


@pytest.mark.parametrize("query,expected", [
    ("status=E", ["Beech"]),
    ("status=K", ["Ash"]),
    ("need=SLCN", ["Ash"]),
    ("need=ASD", ["Beech"]),
    ("status=all&year=4", ["Ash", "Beech"]),
    ("status=K&year=4", ["Ash"]),
    ("status=all&sort=status", ["Beech", "Ash"]),  # E sorts before K
    ("status=nonsense", ["Ash", "Beech"]),  # a bad choice falls back to the default
])
def test_register_filters_and_sorts(client, cast, query, expected):
    client.force_login(cast.users["senco_a"])
    r = client.get(f"/schools/{cast.school_a.code}/register/?{query}")
    assert [p.surname for p in r.context["page"]] == expected


def test_teacher_register_shows_only_taught_pupils(client, cast):
    client.force_login(cast.users["teacher_a"])
    r = client.get(f"/schools/{cast.school_a.code}/register/")
    assert [p.surname for p in r.context["page"]] == ["Ash"]
    assert "Beech" not in r.content.decode()


def test_htmx_request_gets_only_the_results(client, cast):
    client.force_login(cast.users["senco_a"])
    r = client.get(f"/schools/{cast.school_a.code}/register/?status=E", HTTP_HX_REQUEST="true")
    body = r.content.decode()
    assert body.lstrip().startswith('<div id="register-results">')
    assert body.count('id="register-results"') == 1
    assert "<html" not in body and "Beech" in body


def test_register_paginates_with_constant_queries(client, cast, settings):
    settings.REGISTER_PAGE_SIZE = 10
    client.force_login(cast.users["senco_a"])
    url = f"/schools/{cast.school_a.code}/register/?status=all"
    client.get(url)  # the first request after sign-in renews the session
    with CaptureQueriesContext(connection) as small:
        client.get(url)
    for _ in range(40):
        give_status(PupilFactory(school=cast.school_a), Provision.SUPPORT, "MLD")
    with CaptureQueriesContext(connection) as large:
        r = client.get(url + "&page=3")
    assert len(small) == len(large)
    assert r.context["page"].paginator.num_pages == 5
    assert len(r.context["page"]) == 10


def test_viewing_a_record_is_audited(client, cast):
    client.force_login(cast.users["parent_a1"])
    r = client.get(f"/pupils/{cast.pupil_a1.code}/", REMOTE_ADDR="10.1.2.3")
    assert r.status_code == 200
    entry = AuditEntry.objects.get(action="pupil.record.viewed")
    assert entry.username == "parent_a1"
    assert entry.pupil_code == cast.pupil_a1.code
    assert entry.ip_address == "10.1.2.3"
    assert entry.trust_id_at_time == cast.trust.pk


def test_refused_look_is_not_a_view(client, cast):
    client.force_login(cast.users["senco_b"])
    assert client.get(f"/pupils/{cast.pupil_a1.code}/").status_code == 403
    assert not AuditEntry.objects.filter(action="pupil.record.viewed").exists()


def test_record_shows_the_status_timeline(client, cast):
    give_status(cast.pupil_a1, "E", "ASD", "SLCN", on=dt.date(2025, 2, 1))
    client.force_login(cast.users["senco_a"])
    body = client.get(f"/pupils/{cast.pupil_a1.code}/").content.decode()
    assert body.index("EHC plan") < body.index("Speech, language and communication needs")
    assert "10 Jan 2024 to 31 Jan 2025" in body
    assert "1 Feb 2025 to now" in body


def test_senco_records_a_status_change(client, cast):
    client.force_login(cast.users["senco_a"])
    r = client.post(f"/pupils/{cast.pupil_a1.code}/",
                    {"form": "status", "provision": "E", "primary_need": "ASD",
                     "starts_on": "2025-01-06"})
    assert r.status_code == 302
    assert cast.pupil_a1.episodes.count() == 2
    assert cast.pupil_a1.episodes.get(ends_on__isnull=True).provision == "E"


def test_a_bad_status_change_says_why_and_saves_nothing(client, cast):
    client.force_login(cast.users["senco_a"])
    r = client.post(f"/pupils/{cast.pupil_a1.code}/",
                    {"form": "status", "provision": "E", "primary_need": "NSA",
                     "starts_on": "2025-01-06"})
    assert r.status_code == 400
    assert "NSA is only used with SEN support" in r.content.decode()
    assert cast.pupil_a1.episodes.count() == 1


def test_leader_moves_a_pupil(client, cast):
    client.force_login(cast.users["send_leader"])
    r = client.post(f"/pupils/{cast.pupil_a1.code}/",
                    {"form": "move", "to_school": str(cast.school_b.code),
                     "on": dt.date.today().isoformat()})
    assert r.status_code == 302
    client.force_login(cast.users["senco_b"])
    assert client.get(f"/pupils/{cast.pupil_a1.code}/").status_code == 200
    client.force_login(cast.users["senco_a"])
    assert client.get(f"/pupils/{cast.pupil_a1.code}/").status_code == 403


def test_parent_sees_only_their_child(client, cast):
    client.force_login(cast.users["parent_a1"])
    r = client.get("/pupils/")
    assert [p.surname for p in r.context["children"]] == ["Ash"]


def test_page_links_keep_the_filters_and_swap_only_the_results(client, cast, settings):
    settings.REGISTER_PAGE_SIZE = 10
    for _ in range(25):
        give_status(PupilFactory(school=cast.school_a), Provision.SUPPORT, "MLD")
    client.force_login(cast.users["senco_a"])
    body = client.get(f"/schools/{cast.school_a.code}/register/?status=K&page=2").content.decode()
    assert "Page 2 of 3" in body
    for n in (1, 3):
        href = f"?status=K&amp;page={n}"
        assert (f'href="{href}" hx-get="{href}" hx-target="#register-results" '
                f'hx-swap="outerHTML"') in body
    assert ">Previous page</a>" in body and ">Next page</a>" in body
