"""Autosave, submit locks, moderation with a reason trail, context, heat map and changes."""

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext

from sendtrust.access.models import AuditEntry
from sendtrust.evaluation import services
from sendtrust.evaluation.models import Moderation, Rating, RoundUnit, Theme
from sendtrust.evaluation.tests.helpers import fill, open_round, rate_all, shipped, unit_of
from sendtrust.testing import SchoolFactory

HTMX = {"HTTP_HX_REQUEST": "true"}


@pytest.fixture
def round_(cast):
    return open_round(cast)


def save_url(unit, slug="governance"):
    return f"/evaluation/units/{unit.code}/themes/{slug}/"


def test_opening_a_round_creates_a_unit_per_school_and_one_for_the_trust(cast, round_):
    assert [u.name for u in round_.units.all()] == ["Trust", "Alder Primary", "Birch Academy"]
    assert AuditEntry.objects.filter(action="evaluation.round.opened").count() == 1


def test_the_send_leader_opens_a_round_from_the_form(cast, client):
    client.force_login(cast.users["send_leader"])
    page = client.get(f"/trusts/{cast.trust.code}/evaluation/open/")
    assert page.status_code == 200
    response = client.post(f"/trusts/{cast.trust.code}/evaluation/open/", {
        "name": "Spring 2027", "framework": str(shipped().code),
        "schools": [str(cast.school_a.code)],
    })
    assert response.status_code == 302
    unit_names = [u.name for u in cast.trust.rounds.get(name="Spring 2027").units.all()]
    assert unit_names == ["Trust", "Alder Primary"]


def test_autosave_saves_a_draft_and_says_when(cast, client, round_):
    unit = unit_of(round_, cast.school_a)
    client.force_login(cast.users["senco_a"])
    response = client.post(save_url(unit), {
        "governance-level": "2", "governance-evidence": "Link governor named in July.",
        "governance-links": "https://example.org/minutes",
    }, **HTMX)
    assert response.status_code == 200
    body = response.content.decode()
    assert 'role="status"' in body and "Saved at" in body and "<html" not in body
    rating = Rating.objects.get(unit=unit, theme__slug="governance")
    assert (rating.level.value, rating.status, rating.updated_by) == (
        2, "draft", cast.users["senco_a"])
    assert rating.link_list == ["https://example.org/minutes"]
    entry = AuditEntry.objects.get(action="evaluation.rating.saved")
    assert entry.school_code == cast.school_a.code and entry.detail["level"] == 2


def test_saving_the_same_values_again_writes_no_audit_entry(cast, round_):
    unit, senco = unit_of(round_, cast.school_a), cast.users["senco_a"]
    theme = Theme.objects.get(framework=round_.framework, slug="governance")
    services.save_rating(unit, theme, level=3, evidence="x", by=senco)
    services.save_rating(unit, theme, level=3, evidence="x", by=senco)
    services.save_rating(unit, theme, strengths="y", by=senco)  # level kept
    assert AuditEntry.objects.filter(action="evaluation.rating.saved").count() == 2
    assert Rating.objects.get(unit=unit, theme=theme).level.value == 3


def test_a_bad_link_is_not_saved_and_the_status_says_why(cast, client, round_):
    unit = unit_of(round_, cast.school_a)
    client.force_login(cast.users["senco_a"])
    response = client.post(save_url(unit), {"governance-links": "not a link"}, **HTMX)
    assert response.status_code == 422
    assert "Not saved" in response.content.decode()
    assert not Rating.objects.filter(unit=unit).exists()


def test_the_plain_form_works_without_javascript(cast, client, round_):
    unit = unit_of(round_, cast.school_a)
    client.force_login(cast.users["headteacher_a"])
    response = client.post(save_url(unit), {"governance-level": "4",
                                            "governance-strengths": "A named link governor"})
    assert response.status_code == 302 and response["Location"].endswith("#theme-governance")
    rating = Rating.objects.get(unit=unit, theme__slug="governance")
    assert (rating.level.value, rating.strengths, rating.updated_by) == (
        4, "A named link governor", cast.users["headteacher_a"])
    page = client.get(response["Location"]).content.decode()
    assert 'id="id_governance-level_4" value="4" checked' in page


def test_the_round_list_counts_only_submitted_units(cast, client, round_):
    unit = unit_of(round_, cast.school_a)
    fill(unit, level=2)
    services.submit_unit(unit, by=cast.users["senco_a"])
    client.force_login(cast.users["send_leader"])
    body = client.get(f"/trusts/{cast.trust.code}/evaluation/").content.decode()
    assert '<td class="num">1 of 3</td>' in body


def test_answers_to_key_questions_autosave(cast, client, round_):
    unit = unit_of(round_, cast.school_a)
    client.force_login(cast.users["senco_a"])
    url = f"/evaluation/units/{unit.code}/areas/setting-strategic-direction/questions/2/"
    response = client.post(url, {"setting-strategic-direction-q2-text": "Yes."}, **HTMX)
    assert response.status_code == 200 and "Saved at" in response.content.decode()
    assert unit.answers.get().text == "Yes."
    assert "Yes." in client.get(f"/evaluation/units/{unit.code}/").content.decode()


def test_the_rating_page_is_an_accessible_form(cast, client, round_):
    client.force_login(cast.users["senco_a"])
    body = client.get(f"/evaluation/units/{unit_of(round_, cast.school_a).code}/").content.decode()
    assert body.count('type="radio"') == 24 * 4
    assert body.count("<legend>Level for ") == 24
    assert 'hx-trigger="change delay:500ms, submit"' in body  # Save swaps in place too
    assert "Leading and embedded" in body  # the scale with its descriptors
    assert "Questions for reflection" in body


def test_submit_needs_every_theme_rated(cast, client, round_):
    unit = unit_of(round_, cast.school_a)
    fill(unit, level=2)
    unit.ratings.filter(theme__slug__in=["governance", "send-policy"]).delete()
    client.force_login(cast.users["senco_a"])
    response = client.post(f"/evaluation/units/{unit.code}/submit/", {"confirm": "yes"})
    assert response.status_code == 400
    body = response.content.decode()
    summary = body[body.index('<div class="error-summary"'):body.index("</div>",
                                                                     body.index("error-summary"))]
    # Each theme still to rate is named and linked to its first level, and nothing else.
    assert '<a href="#id_governance-level_1">Give Governance a level.</a>' in summary
    assert '<a href="#id_send-policy-level_1">Give SEND policy a level.</a>' in summary
    assert summary.count("<li>") == 2
    assert 'id="id_governance-level_1"' in body
    assert RoundUnit.objects.get(pk=unit.pk).status == "draft"


def test_submit_asks_to_confirm_that_the_ratings_lock(cast, client, round_):
    unit = unit_of(round_, cast.school_a)
    fill(unit, level=2)
    client.force_login(cast.users["senco_a"])
    page = client.get(f"/evaluation/units/{unit.code}/").content.decode()
    assert 'id="id_confirm-submit" name="confirm" value="yes"' in page
    assert "Every theme has a level." in page
    response = client.post(f"/evaluation/units/{unit.code}/submit/")
    assert response.status_code == 400
    assert ('<a href="#id_confirm-submit">Tick the box to confirm that submitting locks the '
            'ratings.</a>') in response.content.decode()
    assert RoundUnit.objects.get(pk=unit.pk).status == "draft"
    assert not AuditEntry.objects.filter(action="evaluation.unit.submitted").exists()


def test_the_rating_page_lists_its_areas_and_what_is_still_to_rate(cast, client, round_):
    unit = unit_of(round_, cast.school_a)
    rate_all(unit, by=cast.users["senco_a"], level=3)
    unit.ratings.filter(theme__slug="governance").delete()
    client.force_login(cast.users["senco_a"])
    body = client.get(f"/evaluation/units/{unit.code}/").content.decode()
    nav = body[body.index('<nav class="area-nav'):body.index("</nav>", body.index("area-nav"))]
    assert nav.count('<a href="#area-') == 6
    assert ('<a href="#area-setting-strategic-direction">Setting strategic direction</a> '
            '<span class="hint">3 of 4 themes rated</span>') in nav
    assert "1 theme still to rate" in nav
    assert '<li><a href="#theme-governance">Governance</a></li>' in body


def test_submit_locks_the_unit(cast, client, round_):
    unit, senco = unit_of(round_, cast.school_a), cast.users["senco_a"]
    rate_all(unit, by=senco, level=2)
    client.force_login(senco)
    response = client.post(f"/evaluation/units/{unit.code}/submit/", {"confirm": "yes"})
    assert response.status_code == 302
    assert set(unit.ratings.values_list("status", flat=True)) == {"submitted"}
    assert AuditEntry.objects.filter(action="evaluation.unit.submitted").count() == 1

    late = client.post(save_url(unit), {"governance-level": "4"}, **HTMX)
    assert late.status_code == 409
    assert "can no longer change" in late.content.decode()
    assert unit.ratings.get(theme__slug="governance").level.value == 2
    with pytest.raises(services.Locked):
        services.save_rating(unit, Theme.objects.get(framework=round_.framework, slug="governance"),
                             level=4, by=senco)
    page = client.get(f"/evaluation/units/{unit.code}/").content.decode()
    assert 'type="radio"' not in page


def test_a_closed_round_takes_no_more_ratings(cast, round_):
    unit = unit_of(round_, cast.school_b)
    services.close_round(round_, by=cast.users["send_leader"])
    with pytest.raises(services.Locked, match="round is closed"):
        rate_all(unit, by=cast.users["senco_b"])


def test_moderation_agrees_or_adjusts_with_a_reason_and_keeps_the_trail(cast, client, round_):
    unit, leader = unit_of(round_, cast.school_a), cast.users["send_leader"]
    fill(unit, level=3)
    services.submit_unit(unit, by=cast.users["senco_a"])
    governance = unit.ratings.get(theme__slug="governance")
    policy_rating = unit.ratings.get(theme__slug="send-policy")
    client.force_login(leader)
    assert client.get(f"/evaluation/rounds/{round_.code}/moderation/").status_code == 200

    url = f"/evaluation/ratings/{governance.code}/moderate/"
    p = str(governance.code)
    client.post(url, {f"{p}-level": "2"})  # no reason: refused
    assert not Moderation.objects.exists()
    client.post(url, {f"{p}-level": "2", f"{p}-reason": "No link governor since May."})
    client.post(f"/evaluation/ratings/{policy_rating.code}/moderate/",
                {f"{policy_rating.code}-level": "3"})  # agreed: no reason needed

    governance.refresh_from_db()
    assert (governance.level.value, governance.status) == (2, "moderated")
    (m,) = governance.moderations.all()
    assert (m.by, m.from_level.value, m.to_level.value, m.reason, m.agreed) == (
        leader, 3, 2, "No link governor since May.", False)
    assert policy_rating.moderations.get().agreed
    assert AuditEntry.objects.filter(action="evaluation.rating.moderated").count() == 2
    client.force_login(cast.users["senco_a"])
    page = client.get(f"/evaluation/units/{unit.code}/").content.decode()
    assert "moved from 3 Established to 2 Developing. Reason: No link governor since May." in page


def submitted_rounds(cast):
    """Summer (closed) and autumn rounds of Alder Primary, the autumn one submitted."""
    senco = cast.users["senco_a"]
    summer = open_round(cast, name="Summer 2026", schools=[cast.school_a])
    fill(unit_of(summer, cast.school_a), level=2)
    autumn = open_round(cast, schools=[cast.school_a, cast.school_b])
    for school in (cast.school_a, cast.school_b):
        unit = unit_of(autumn, school)
        fill(unit, level=3)
        services.submit_unit(unit, by=senco)
    return summer, autumn


def test_the_leader_agrees_several_ratings_at_once_with_a_reason_for_each(cast, client):
    _, autumn = submitted_rounds(cast)
    unit = unit_of(autumn, cast.school_a)
    chosen = list(unit.ratings.filter(theme__area__slug="team-working"))
    client.force_login(cast.users["send_leader"])
    url = f"/evaluation/rounds/{autumn.code}/moderation/agree/"
    codes = [str(r.code) for r in chosen]
    refused = client.post(url, {"ratings": codes, "reason": "  "})
    assert refused.status_code == 400
    assert ('<a href="#id_agree-reason">Say why you agree with these ratings.</a>'
            in refused.content.decode())
    assert refused.content.decode().count(" checked>") == 4  # the ticks are kept
    assert not Moderation.objects.exists()
    response = client.post(url, {"ratings": codes, "reason": "Evidence checked in October"})
    assert response.status_code == 302
    moderations = Moderation.objects.filter(rating__in=chosen)
    assert moderations.count() == 4
    assert {(m.reason, m.agreed, m.by.username) for m in moderations} == {
        ("Evidence checked in October", True, "send_leader")}
    assert set(Rating.objects.filter(pk__in=[r.pk for r in chosen]).values_list(
        "status", flat=True)) == {"moderated"}
    audit = AuditEntry.objects.filter(action="evaluation.rating.moderated")
    assert audit.count() == 4
    assert {e.detail["reason"] for e in audit} == {"Evidence checked in October"}
    assert unit.ratings.filter(status="submitted").count() == 20


def test_moderation_filters_by_school_and_area_and_shows_the_last_round(cast, client):
    summer, autumn = submitted_rounds(cast)
    unit = unit_of(autumn, cast.school_a)
    client.force_login(cast.users["send_leader"])
    url = f"/evaluation/rounds/{autumn.code}/moderation/"
    everything = client.get(url).content.decode()
    assert "Waiting (48)" in everything
    page = client.get(url, {"school": str(unit.code), "area": "team-working"})
    body = page.content.decode()
    assert "Waiting (4)" in body and "Birch Academy</td>" not in body
    assert body.count('name="ratings"') == 4
    assert body.count("2 Developing<br><span class=\"hint\">up 1</span>") == 4
    assert f"<th scope=\"col\">{summer.name}</th>" in body
    birch = client.get(url, {"school": str(unit_of(autumn, cast.school_b).code)})
    assert birch.content.decode().count("Not rated then") == 24


def test_one_rating_is_moved_on_its_own_page(cast, client):
    _, autumn = submitted_rounds(cast)
    rating = unit_of(autumn, cast.school_a).ratings.get(theme__slug="governance")
    url = f"/evaluation/ratings/{rating.code}/moderate/"
    client.force_login(cast.users["executive"])
    assert client.get(url).status_code == 403
    client.force_login(cast.users["send_leader"])
    assert client.get(url).status_code == 200
    p = str(rating.code)
    refused = client.post(url, {f"{p}-level": "1"})
    assert refused.status_code == 400
    assert (f'<li><a href="#id_{p}-reason">Say why the level changes.</a></li>'
            in refused.content.decode())
    assert client.post(url, {f"{p}-level": "1", f"{p}-reason": "No minutes"}).status_code == 302
    rating.refresh_from_db()
    assert (rating.level.value, rating.status) == (1, "moderated")


def test_drafts_cannot_be_moderated(cast, round_):
    unit = unit_of(round_, cast.school_a)
    fill(unit)
    with pytest.raises(ValidationError, match="Only submitted"):
        services.moderate_rating(unit.ratings.first(), level=2, reason="x",
                                 by=cast.users["send_leader"])


def test_context_profiles_are_edited_and_shown_beside_the_evaluation(cast, client, round_):
    client.force_login(cast.users["senco_a"])
    response = client.post(f"/schools/{cast.school_a.code}/context/", {
        "deprivation": "Half the pupils are eligible for free school meals.",
    })
    assert response.status_code == 302
    assert AuditEntry.objects.filter(action="evaluation.context.saved").count() == 1
    page = client.get(f"/evaluation/units/{unit_of(round_, cast.school_a).code}/")
    assert "Half the pupils are eligible" in page.content.decode()
    client.force_login(cast.users["send_leader"])
    client.post(f"/trusts/{cast.trust.code}/context/", {"send_capacity": "One SEND leader."})
    page = client.get(f"/evaluation/units/{unit_of(round_).code}/").content.decode()
    assert "One SEND leader." in page and "Half the pupils" not in page


def test_the_heat_map_shows_level_numbers_and_names(cast, client, round_):
    fill(unit_of(round_, cast.school_a), level=4)
    client.force_login(cast.users["executive"])
    body = client.get(f"/evaluation/rounds/{round_.code}/heat-map/").content.decode()
    assert body.count("<strong>4</strong> Leading and embedded") == 24 + 1  # cells + legend
    assert body.count("Not rated") == 24 * 2
    assert "<caption>" in body and 'scope="row"' in body
    # Its scroll region can be reached and scrolled from the keyboard, and is named.
    assert ('<div class="table-scroll heat-map-scroll" tabindex="0" role="region" '
            'aria-labelledby="grid-heading">') in body


def test_the_heat_map_shows_one_area_when_asked(cast, client, round_):
    fill(unit_of(round_, cast.school_a), level=4)
    client.force_login(cast.users["send_leader"])
    page = client.get(f"/evaluation/rounds/{round_.code}/heat-map/", {"area": "team-working"})
    body = page.content.decode()
    assert body.count('<th scope="row">') == 4 + 6  # its four themes, and the six area means
    assert "Creating SEND teams" in body and "SEND policy</th>" not in body
    assert '<option value="team-working" selected>' in body
    assert body.count("<strong>4</strong> Leading and embedded") == 4 + 1


def test_heat_map_queries_do_not_grow_with_schools(cast, client):
    client.force_login(cast.users["send_leader"])
    client.get("/pupils/")  # the first request after sign-in renews the session

    def queries_for(round_):
        for unit in round_.units.all():
            fill(unit, level=2)
        url = f"/evaluation/rounds/{round_.code}/heat-map/"
        client.get(url)  # the framework's structure is cached from the first request on
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(url).status_code == 200
        return len(ctx.captured_queries)

    small = queries_for(open_round(cast, name="Small"))
    more = [SchoolFactory(trust=cast.trust) for _ in range(5)]
    big = queries_for(open_round(cast, name="Big", schools=[cast.school_a, *more]))
    assert small == big


def test_changes_compare_with_the_previous_round(cast, client):
    senco = cast.users["senco_a"]
    first = open_round(cast, name="Summer 2026", schools=[cast.school_a])
    fill(unit_of(first, cast.school_a), level=2)
    second = open_round(cast, name="Autumn 2026", schools=[cast.school_a])
    fill(unit_of(second, cast.school_a), level=3)
    theme = Theme.objects.get(framework=second.framework, slug="governance")
    services.save_rating(unit_of(second, cast.school_a), theme, level=1, by=senco)
    client.force_login(cast.users["send_leader"])
    body = client.get(f"/evaluation/rounds/{second.code}/changes/").content.decode()
    assert body.count("up 2 → 3") == 23
    assert body.count("down 2 → 1") == 1
    assert "not rated yet" in body  # the trust unit
    first_page = client.get(f"/evaluation/rounds/{first.code}/changes/").content.decode()
    assert "nothing to compare with" in first_page


def test_a_refused_plain_form_keeps_what_was_typed(cast, client, round_):
    unit = unit_of(round_, cast.school_a)
    client.force_login(cast.users["senco_a"])
    response = client.post(save_url(unit), {
        "governance-level": "3", "governance-evidence": "Board minutes", "governance-links": "x",
    })
    assert response.status_code == 422
    body = response.content.decode()
    assert "Line 1 is not a web address: x" in body and "Board minutes</textarea>" in body
    assert 'id="id_governance-level_3" value="3" checked' in body
