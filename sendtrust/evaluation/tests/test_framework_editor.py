"""The framework editor: a trust copies a framework, edits its wording, and a round fixes it."""

import pytest

from sendtrust.access.models import AuditEntry
from sendtrust.evaluation import services
from sendtrust.evaluation.models import Area, Framework, KeyQuestion, ScaleLevel, Theme
from sendtrust.evaluation.tests.helpers import open_round, shipped
from sendtrust.testing import ROLES

HTMX = {"HTTP_HX_REQUEST": "true"}


def list_url(trust):
    return f"/trusts/{trust.code}/frameworks/"


def edit_url(trust, framework):
    return f"/trusts/{trust.code}/frameworks/{framework.code}/"


def copy_url(trust, framework):
    return f"/trusts/{trust.code}/frameworks/{framework.code}/copy/"


@pytest.fixture
def leader(cast, client):
    client.force_login(cast.users["send_leader"])
    return cast.users["send_leader"]


@pytest.fixture
def copy(cast):
    return services.copy_framework(shipped(), cast.trust, by=cast.users["send_leader"])


def all_fields(page) -> dict:
    """The edit page's fields as the plain form would post them."""
    return {f.name: f.value for f in page.context["by_name"].values()}


def test_the_send_leader_copies_the_six_area_model_and_edits_its_wording(cast, client, leader):
    listing = client.get(list_url(cast.trust))
    assert listing.status_code == 200
    assert f"{shipped().name} v1" in listing.content.decode()

    response = client.post(copy_url(cast.trust, shipped()))
    copy = Framework.objects.get(trust=cast.trust)
    assert response.status_code == 302 and response["Location"] == edit_url(cast.trust, copy)
    assert copy.copied_from == shipped() and copy.themes.count() == 24

    page = client.get(edit_url(cast.trust, copy))
    assert page.status_code == 200
    body = page.content.decode()
    assert 'name="theme-governance-title"' in body and 'for="id_theme-governance-title"' in body
    data = all_fields(page)
    data.update({
        "theme-governance-title": "Trust board and local governance",
        "area-setting-strategic-direction-summary": "Where the trust is going, and why.",
        "question-setting-strategic-direction-1": "How do we share one inclusive vision?",
        "level-1-label": "Not started",
    })
    response = client.post(edit_url(cast.trust, copy), data, follow=True)
    assert response.redirect_chain == [(edit_url(cast.trust, copy), 302)]
    assert "Saved 4 changes." in response.content.decode()

    assert copy.themes.get(slug="governance").title == "Trust board and local governance"
    assert Area.objects.get(framework=copy, slug="setting-strategic-direction").summary == (
        "Where the trust is going, and why.")
    assert KeyQuestion.objects.get(area__framework=copy, area__order=1, number=1).text == (
        "How do we share one inclusive vision?")
    assert ScaleLevel.objects.get(framework=copy, value=1).label == "Not started"
    # The shipped version is untouched.
    assert shipped().themes.get(slug="governance").title == "Governance"
    assert ScaleLevel.objects.get(framework=shipped(), value=1).label == "Not yet in place"

    edited = AuditEntry.objects.filter(action="evaluation.framework.edited")
    assert sorted(e.detail["ref"] for e in edited) == [
        "governance", "level 1", "setting-strategic-direction",
        "setting-strategic-direction question 1"]
    assert all(e.username == "send_leader" and e.detail["framework"] == str(copy.code)
               for e in edited)
    assert AuditEntry.objects.filter(action="evaluation.framework.copied").count() == 1

    # Posting the same values again changes nothing and writes no audit entry.
    page = client.get(edit_url(cast.trust, copy))
    client.post(edit_url(cast.trust, copy), all_fields(page))
    assert AuditEntry.objects.filter(action="evaluation.framework.edited").count() == 4


def test_autosave_saves_one_field_and_says_so(cast, client, leader, copy):
    response = client.post(edit_url(cast.trust, copy),
                           {"theme-governance-summary": "  Board oversight of SEND.  "}, **HTMX)
    assert response.status_code == 200
    body = response.content.decode()
    assert "<html" not in body and 'id="field-theme-governance-summary"' in body
    assert "Saved" in body and 'id="framework-status" hx-swap-oob="innerHTML"' in body
    assert copy.themes.get(slug="governance").summary == "Board oversight of SEND."
    entry = AuditEntry.objects.get(action="evaluation.framework.edited")
    assert (entry.detail["item"], entry.detail["fields"]) == ("Theme", ["summary"])


def test_errors_name_the_field_and_nothing_is_saved(cast, client, leader, copy):
    page = client.get(edit_url(cast.trust, copy))
    data = all_fields(page)
    data.update({"theme-governance-title": "   ", "level-2-label": "x" * 101,
                 "area-team-working-title": "Teams"})
    response = client.post(edit_url(cast.trust, copy), data)
    assert response.status_code == 400
    body = response.content.decode()
    assert "Nothing was saved: 2 fields to correct" in body and 'role="alert"' in body
    assert "Theme 1.4 (Governance) title: This cannot be empty." in body
    assert "Level 2 label: Use at most 100 characters (this has 101)." in body
    assert 'href="#id_theme-governance-title"' in body
    assert 'aria-invalid="true" aria-describedby="id_theme-governance-title-error"' in body
    assert 'value="Teams"' in body  # what was typed comes back
    assert Area.objects.get(framework=copy, slug="team-working").title == "Team working"
    assert not AuditEntry.objects.filter(action="evaluation.framework.edited").exists()

    autosave = client.post(edit_url(cast.trust, copy), {"framework-name": ""}, **HTMX)
    assert autosave.status_code == 422
    assert "Framework name: This cannot be empty." in autosave.content.decode()
    copy.refresh_from_db()
    assert copy.name == shipped().name


def test_a_copy_is_read_only_once_a_round_uses_it(cast, client, leader, copy):
    open_round(cast, name="Autumn 2026", framework=copy)
    page = client.get(edit_url(cast.trust, copy))
    assert page.status_code == 200
    body = page.content.decode()
    assert "Round &#x27;Autumn 2026&#x27; uses this version: copy it again to make changes." \
        in body
    assert 'name="theme-governance-title"' not in body and "Governance" in body

    refused = client.post(edit_url(cast.trust, copy), {"theme-governance-title": "New"})
    assert refused.status_code == 409
    autosave = client.post(edit_url(cast.trust, copy), {"theme-governance-title": "New"},
                           **HTMX)
    assert autosave.status_code == 409 and "copy it again" in autosave.content.decode()
    assert copy.themes.get(slug="governance").title == "Governance"
    assert not AuditEntry.objects.filter(action="evaluation.framework.edited").exists()

    # Copying it again gives an editable version 2, based on the fixed copy.
    response = client.post(copy_url(cast.trust, copy))
    again = Framework.objects.get(trust=cast.trust, version=2)
    assert response["Location"] == edit_url(cast.trust, again)
    assert again.copied_from == copy and again.is_editable


def test_a_shipped_framework_is_never_edited(cast, client, leader):
    assert client.get(edit_url(cast.trust, shipped())).status_code == 403
    response = client.post(edit_url(cast.trust, shipped()), {"theme-governance-title": "X"})
    assert response.status_code == 403
    assert shipped().themes.get(slug="governance").title == "Governance"


def test_opening_a_round_offers_the_trusts_copies_and_fixes_the_one_chosen(
        cast, client, leader, copy):
    other = services.copy_framework(shipped(), cast.other_trust,
                                    by=cast.users["other_trust_senco"])
    form = client.get(f"/trusts/{cast.trust.code}/evaluation/open/")
    options = {str(f.code) for f in form.context["form"].fields["framework"].queryset}
    assert str(copy.code) in options and str(shipped().code) in options
    assert str(other.code) not in options
    assert f"{copy.name} v1 (your trust&#x27;s copy)" in form.content.decode()

    response = client.post(f"/trusts/{cast.trust.code}/evaluation/open/", {
        "name": "Spring 2027", "framework": str(copy.code), "schools": []})
    assert response.status_code == 302
    assert cast.trust.rounds.get(name="Spring 2027").framework == copy
    assert not Framework.objects.get(pk=copy.pk).is_editable
    refused = client.post(f"/trusts/{cast.trust.code}/evaluation/open/", {
        "name": "Theirs", "framework": str(other.code), "schools": []})
    assert refused.status_code == 400


def test_the_list_says_which_rounds_use_each_version(cast, client, leader, copy):
    on_copy = open_round(cast, name="Autumn 2026", framework=copy)
    open_round(cast, name="Summer 2026")
    services.open_round(cast.other_trust, name="Hilltop round", framework=shipped(),
                        schools=[], by=cast.users["other_trust_senco"])
    page = client.get(list_url(cast.trust))
    copies = page.context["copies"]
    assert [(fw, [r.name for r in fw.visible_rounds]) for fw in copies] == [
        (copy, ["Autumn 2026"])]
    shipped_rows = {fw.pk: [r.name for r in fw.visible_rounds] for fw in page.context["shipped"]}
    assert shipped_rows[shipped().pk] == ["Summer 2026"]  # never another trust's rounds
    body = page.content.decode()
    assert "Hilltop round" not in body
    assert f'href="/evaluation/rounds/{on_copy.code}/"' in body
    assert "No: a round uses it" in body and 'action="' + copy_url(cast.trust, copy) in body


def test_school_leaders_see_the_list_without_the_editing_actions(cast, client):
    copy = services.copy_framework(shipped(), cast.trust, by=cast.users["send_leader"])
    open_round(cast, name="Only Birch", schools=[cast.school_b], framework=copy)
    client.force_login(cast.users["senco_a"])
    page = client.get(list_url(cast.trust))
    assert page.status_code == 200 and not page.context["can_edit"]
    body = page.content.decode()
    assert "/copy/" not in body and edit_url(cast.trust, copy) not in body
    # The round is on Birch Academy only: Alder's SENCO sees that one exists, not its name.
    assert "Only Birch" not in body and "1 round" in body


WRITE_OUTCOME = {"send_leader": 302, "other_trust_senco": 404, "no_role": 404}


@pytest.mark.parametrize("role", ROLES)
def test_only_the_send_leader_copies_and_edits(cast, client, role, copy):
    """Both writes, for every role: trust A's other members get 403, outsiders 404."""
    client.force_login(cast.users[role])
    expected = WRITE_OUTCOME.get(role, 403)
    edit = client.post(edit_url(cast.trust, copy), {"theme-governance-title": "Changed"})
    assert edit.status_code == expected
    copied = client.post(copy_url(cast.trust, shipped()))
    assert copied.status_code == expected
    changed = copy.themes.get(slug="governance").title == "Changed"
    assert changed is (role == "send_leader")
    assert Framework.objects.filter(trust=cast.trust).count() == (
        2 if role == "send_leader" else 1)


def test_another_trusts_copy_is_not_found_even_for_a_send_leader(cast, client, leader):
    theirs = services.copy_framework(shipped(), cast.other_trust,
                                     by=cast.users["other_trust_senco"])
    assert client.get(edit_url(cast.trust, theirs)).status_code == 404
    assert client.post(edit_url(cast.trust, theirs),
                       {"theme-governance-title": "Mine now"}).status_code == 404
    assert client.post(copy_url(cast.trust, theirs)).status_code == 404
    assert theirs.themes.get(slug="governance").title == "Governance"
    # And under their own trust's address, a SEND leader of trust A is an outsider.
    assert client.get(edit_url(cast.other_trust, theirs)).status_code == 404


def test_the_edit_service_refuses_an_item_of_another_framework(cast, copy):
    theme = Theme.objects.get(framework=shipped(), slug="governance")
    with pytest.raises(Exception, match="another framework"):
        services.edit_framework_items(copy, [(theme, {"title": "X"})],
                                      by=cast.users["send_leader"])


def test_the_heat_map_of_a_round_on_a_copy_shows_the_copys_wording(cast, client, leader, copy):
    services.edit_framework_item(copy.themes.get(slug="governance"),
                                 title="Board oversight & <scrutiny>", by=leader)
    services.edit_framework_item(ScaleLevel.objects.get(framework=copy, value=1),
                                 label="Not started", by=leader)
    on_shipped = open_round(cast, name="Summer 2026")
    on_copy = open_round(cast, name="Autumn 2026", framework=copy)
    for round_, title, label in [
            (on_shipped, "Governance", "Not yet in place"),
            (on_copy, "Board oversight &amp; &lt;scrutiny&gt;", "Not started")]:
        for _ in range(2):  # the second answer comes from the cached structure
            body = client.get(f"/evaluation/rounds/{round_.code}/heat-map/").content.decode()
            assert f'<th scope="row">{title}</th>' in body
            assert f"<strong>1</strong> {label}" in body
