"""The area wheel of one unit, the trust's strongest and weakest areas, and what trustees see."""

import pytest

from sendtrust.evaluation import services
from sendtrust.evaluation.models import Rating, ScaleLevel, Theme
from sendtrust.evaluation.tests.helpers import fill, open_round, unit_of


def set_area(unit, area_slug, level):
    scale = ScaleLevel.objects.get(framework_id=unit.round.framework_id, value=level)
    Rating.objects.filter(unit=unit, theme__area__slug=area_slug).update(level=scale)


@pytest.fixture
def round_(cast):
    r = open_round(cast)
    for unit in r.units.all():
        fill(unit, level=2)
    return r


def test_the_area_wheel_shows_each_areas_mean_as_chart_data_table_and_sentence(
        cast, client, round_):
    unit = unit_of(round_, cast.school_a)
    set_area(unit, "team-working", 4)
    # One theme of delivering results at 1: that area's mean is (1 + 2 + 2 + 2) / 4.
    services.save_rating(unit, Theme.objects.get(framework=round_.framework,
                                                 slug="analysis-of-send-data"),
                         level=1, by=cast.users["senco_a"])
    client.force_login(cast.users["senco_a"])
    page = client.get(f"/evaluation/units/{unit.code}/areas/")
    assert page.status_code == 200
    spec = page.context["spec"]
    means = {d["area"]: d["mean"] for d in spec["data"]["values"]}
    assert means["Team working"] == 4.0 and means["Delivering results"] == 1.8
    assert len(means) == 6
    # One equal slice per area, its radius the mean on a 0-to-top scale, numbered as the table.
    wedge = spec["layer"][1]["encoding"]["radius"]
    assert wedge["field"] == "mean" and wedge["scale"]["domain"] == [0, 4]
    labels = {d["area"]: d["label"] for d in spec["data"]["values"]}
    assert labels["Team working"] == "4: 4.0"
    body = page.content.decode()
    assert 'id="area-wheel-spec"' in body and "vendor/vega-embed.min.js" in body
    assert "<caption>Mean level per area: Alder Primary</caption>" in body
    assert page.context["reading"] == (
        "Alder Primary rates itself highest on Team working (4.0 of 4 on average) and lowest "
        "on Delivering results (1.8 of 4); 24 of 24 themes rated.")


def test_the_wheel_says_so_when_nothing_is_rated(cast, client):
    unit = unit_of(open_round(cast), cast.school_b)
    client.force_login(cast.users["senco_b"])
    page = client.get(f"/evaluation/units/{unit.code}/areas/")
    assert page.context["reading"] == "Birch Academy has not rated any theme yet."
    body = page.content.decode()
    # No empty chart (its marks would have a graphics role and no name): a sentence instead.
    assert 'data-eval-chart' not in body and 'id="area-wheel-spec"' not in body
    assert "No chart yet: Birch Academy has not rated any theme" in body
    assert body.count("Not rated") == 6


def test_the_heat_map_names_the_trusts_strongest_and_weakest_areas(cast, client, round_):
    for unit in round_.units.all():
        set_area(unit, "creating-alignment", 3)
    set_area(unit_of(round_, cast.school_b), "team-working", 1)
    client.force_login(cast.users["send_leader"])
    page = client.get(f"/evaluation/rounds/{round_.code}/heat-map/")
    strongest = [r["area"].title for r in page.context["strongest"]]
    weakest = [r["area"].title for r in page.context["weakest"]]
    assert strongest == ["Creating alignment"] and weakest == ["Team working"]
    means = {r["area"].title: r["mean"] for r in page.context["area_means"]}
    assert means["Team working"] == round((2 * 4 + 2 * 4 + 1 * 4) / 12, 1)
    body = page.content.decode()
    assert "Strongest: <strong>Creating alignment</strong>" in body
    assert "Weakest: <strong>Team working</strong>" in body


def test_a_trustee_sees_the_trust_level_only(cast, client, round_):
    client.force_login(cast.users["trustee"])
    page = client.get(f"/evaluation/rounds/{round_.code}/")
    assert page.status_code == 200
    assert [u.name for u in page.context["units"]] == ["Trust"]
    body = page.content.decode()
    assert "Alder Primary" not in body and "Birch Academy" not in body
    assert "heat-map" not in body and "moderation" not in body
    trust_unit = client.get(f"/evaluation/units/{unit_of(round_).code}/")
    assert trust_unit.status_code == 200 and not trust_unit.context["can_rate"]
    assert "Alder Primary" not in trust_unit.content.decode()
    assert client.get(f"/evaluation/units/{unit_of(round_).code}/areas/").status_code == 200
    for school in (cast.school_a, cast.school_b):
        unit = unit_of(round_, school)
        assert client.get(f"/evaluation/units/{unit.code}/").status_code == 403
        assert client.get(f"/evaluation/units/{unit.code}/areas/").status_code == 403
    assert client.get(f"/evaluation/rounds/{round_.code}/heat-map/").status_code == 403
    assert client.get(f"/evaluation/rounds/{round_.code}/changes/").status_code == 403
    listing = client.get(f"/trusts/{cast.trust.code}/evaluation/").content.decode()
    assert "Alder Primary" not in listing
