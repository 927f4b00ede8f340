"""The evaluation API: the same policy as the pages, and the schema lists every route."""

import pytest

from sendtrust.evaluation import services
from sendtrust.evaluation.tests.helpers import fill, open_round, shipped, unit_of

API = "/api/v1/evaluation"


@pytest.fixture
def round_(cast):
    r = open_round(cast)
    for unit in r.units.all():
        fill(unit, level=2)
    return r


def test_frameworks_list_shipped_ones_and_the_trusts_own_copies(cast, client):
    mine = services.copy_framework(shipped(), cast.trust, by=cast.users["send_leader"])
    theirs = services.copy_framework(shipped(), cast.other_trust,
                                     by=cast.users["other_trust_senco"])
    client.force_login(cast.users["senco_a"])
    codes = {f["code"]: f for f in client.get(f"{API}/frameworks").json()}
    assert str(mine.code) in codes and str(theirs.code) not in codes
    assert codes[str(mine.code)]["editable"] is True
    assert codes[str(shipped().code)]["shipped"] is True
    assert client.get(f"{API}/frameworks/{theirs.code}").status_code == 404


def test_framework_detail_has_areas_themes_questions_and_levels(cast, client):
    client.force_login(cast.users["teacher_a"])
    body = client.get(f"{API}/frameworks/{shipped().code}").json()
    fw = shipped()
    assert len(body["areas"]) == fw.areas.count() == 6
    assert sum(len(a["themes"]) for a in body["areas"]) == fw.themes.count() == 24
    assert all(3 <= len(a["questions"]) <= 5 for a in body["areas"])
    assert [lv["value"] for lv in body["levels"]] == list(
        fw.levels.values_list("value", flat=True))


def test_rounds_units_and_ratings_follow_the_policy(cast, client, round_):
    unit = unit_of(round_, cast.school_a)
    services.submit_unit(unit, by=cast.users["senco_a"])
    rating = unit.ratings.get(theme__slug="governance")
    services.moderate_rating(rating, level=1, reason="No link governor yet.",
                             by=cast.users["send_leader"])

    client.force_login(cast.users["trustee"])
    rounds = client.get(f"{API}/trusts/{cast.trust.code}/rounds").json()
    assert [r["name"] for r in rounds] == ["Autumn 2026"]
    units = client.get(f"{API}/rounds/{round_.code}/units").json()
    assert [u["name"] for u in units] == ["Trust"]
    assert client.get(f"{API}/units/{unit.code}/ratings").status_code == 403

    client.force_login(cast.users["senco_b"])
    units = client.get(f"{API}/rounds/{round_.code}/units").json()
    assert [u["name"] for u in units] == ["Birch Academy"]

    client.force_login(cast.users["headteacher_a"])
    ratings = client.get(f"{API}/units/{unit.code}/ratings").json()
    assert len(ratings) == 24
    governance = next(r for r in ratings if r["theme"] == "governance")
    assert (governance["level"], governance["status"]) == (1, "moderated")
    assert governance["moderations"][0]["reason"] == "No link governor yet."
    assert governance["moderations"][0]["from_level"] == 2

    client.force_login(cast.users["other_trust_senco"])
    assert client.get(f"{API}/rounds/{round_.code}/units").status_code == 404


def test_the_openapi_schema_lists_the_evaluation_routes(client, cast):
    client.force_login(cast.users["senco_a"])
    paths = client.get("/api/v1/openapi.json").json()["paths"]
    for path in ["/frameworks", "/frameworks/{code}", "/trusts/{code}/rounds",
                 "/rounds/{code}/units", "/units/{code}/ratings"]:
        assert f"{API}{path}" in paths, path


def test_anonymous_api_users_get_401(client, round_):
    assert client.get(f"{API}/rounds/{round_.code}/units").status_code == 401
