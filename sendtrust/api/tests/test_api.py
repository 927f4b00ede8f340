from sendtrust.access.models import ApiToken, AuditEntry


def test_openapi_schema_lists_the_routes(client, cast):
    # The schema and docs are for signed-in people (issue 9): anonymous users are sent away.
    assert client.get("/api/v1/openapi.json").status_code == 302
    client.force_login(cast.users["senco_a"])
    schema = client.get("/api/v1/openapi.json").json()
    assert {"/api/v1/schools", "/api/v1/pupils", "/api/v1/pupils/{code}"} <= set(schema["paths"])


def test_token_auth(client, cast):
    _, key = ApiToken.issue(cast.users["senco_a"], "test")
    r = client.get("/api/v1/pupils", HTTP_AUTHORIZATION=f"Bearer {key}")
    assert r.status_code == 200
    assert {p["surname"] for p in r.json()["items"]} == {"Ash", "Beech"}
    assert client.get("/api/v1/pupils", HTTP_AUTHORIZATION="Bearer wrong").status_code == 401


def test_pupils_filter_by_school_and_status(client, cast):
    client.force_login(cast.users["send_leader"])
    r = client.get(f"/api/v1/pupils?school={cast.school_a.code}&sen_provision=E")
    assert [p["surname"] for p in r.json()["items"]] == ["Beech"]
    assert r.json()["items"][0]["primary_need"] == "ASD"
    assert r.json()["items"][0]["school_code"] == str(cast.school_a.code)


def test_one_pupil_with_history_is_audited(client, cast):
    client.force_login(cast.users["external_a1"])
    r = client.get(f"/api/v1/pupils/{cast.pupil_a1.code}")
    data = r.json()
    assert data["upn"] == cast.pupil_a1.upn
    assert [h["provision"] for h in data["history"]] == ["K"]
    assert data["history"][0]["primary_need"]["code"] == "SLCN"
    entry = AuditEntry.objects.get(action="pupil.record.viewed")
    assert entry.detail == {"via": "api"} and entry.username == "external_a1"


def test_trustee_gets_aggregates_without_small_numbers(client, cast):
    client.force_login(cast.users["trustee"])
    schools = {s["name"]: s for s in client.get("/api/v1/schools").json()}
    assert set(schools) == {"Alder Primary", "Birch Academy"}
    assert schools["Birch Academy"]["sen_support"] is None  # 1 pupil: suppressed
    assert schools["Birch Academy"]["suppressed"] is True
    assert client.get("/api/v1/pupils").json()["items"] == []


def test_pupil_list_queries_do_not_grow(client, cast, django_assert_max_num_queries):
    from sendtrust.pupils.models import Provision
    from sendtrust.testing import PupilFactory, give_status

    client.force_login(cast.users["send_leader"])
    for _ in range(20):
        give_status(PupilFactory(school=cast.school_a), Provision.SUPPORT, "MLD")
    with django_assert_max_num_queries(9):
        r = client.get("/api/v1/pupils")
    assert r.json()["count"] == 23
