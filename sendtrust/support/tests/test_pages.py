"""The support pages as each person uses them: forms, refusals, escaping, the family's view."""

import re
from html import unescape

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from sendtrust.access.models import AuditEntry
from sendtrust.organisations.models import Membership, Role
from sendtrust.pupils.models import Provision
from sendtrust.support import services
from sendtrust.support.models import Conversation, ParentViews, SupportPlan, VoiceResponse
from sendtrust.support.tests.conftest import days
from sendtrust.testing import PupilFactory, give_status

XSS = '<script>alert("x")</script>'


def text(response) -> str:
    html = re.sub(r"<(script|style)[^>]*>.*?</\1>", " ", response.content.decode(), flags=re.S)
    return re.sub(r"\s+", " ", unescape(re.sub(r"<[^>]+>", " ", html)))


def login(client, cast, role):
    client.force_login(cast.users[role])
    return client


def plan_post(n_outcomes=3, **extra):
    data = {"starts_on": days(0).isoformat(), "review_on": days(42).isoformat(),
            "strengths": "Loves drawing"}
    for n in range(1, n_outcomes + 1):
        data[f"outcome_{n}_description"] = f"Outcome number {n}"
        data[f"outcome_{n}_target_on"] = days(40).isoformat()
        data[f"outcome_{n}_strategies"] = f"Strategy {n}"
    data.update(extra)
    return data


def test_senco_writes_a_plan_with_three_outcomes_in_one_post(client, cast):
    login(client, cast, "senco_b")
    url = f"/pupils/{cast.pupil_b1.code}/support/new/"
    assert client.get(url).status_code == 200
    response = client.post(url, plan_post(3))
    plan = SupportPlan.objects.get(pupil=cast.pupil_b1)
    assert response.status_code == 302 and response["Location"] == f"/support-plans/{plan.code}/"
    page = text(client.get(response["Location"]))
    assert "Support plan saved with 3 outcomes." in page
    for n in (1, 2, 3):
        assert f"Outcome number {n}" in page
    assert AuditEntry.objects.filter(action="support.plan.created",
                                     pupil_code=cast.pupil_b1.code).exists()
    assert AuditEntry.objects.filter(action="support.plan.viewed").exists()


def test_a_half_filled_outcome_is_refused_by_the_field_and_nothing_is_saved(client, cast):
    login(client, cast, "senco_b")
    data = plan_post(1, outcome_2_strategies="Only a strategy", assessment="Typed text kept",
                     review_on=days(-5).isoformat())
    response = client.post(f"/pupils/{cast.pupil_b1.code}/support/new/", data)
    assert response.status_code == 400
    html = response.content.decode()
    assert 'class="error-summary"' in html and "autofocus" in html
    assert 'href="#id_outcome_2_description"' in html
    assert 'href="#id_outcome_2_target_on"' in html
    assert "The review date must be on or after the start date." in text(response)
    assert "Typed text kept" in html
    assert not SupportPlan.objects.filter(pupil=cast.pupil_b1).exists()


def test_no_outcome_at_all_is_refused(client, cast):
    login(client, cast, "senco_b")
    response = client.post(f"/pupils/{cast.pupil_b1.code}/support/new/", plan_post(0))
    assert response.status_code == 400
    assert "Write at least one outcome." in text(response)


def test_second_editor_is_told_and_keeps_their_words(client, cast, plan):
    url = f"/support-plans/{plan.code}/edit/"
    login(client, cast, "senco_a")
    first = plan_post(1, version=plan.version, strengths="SENCO saved first")
    assert client.post(url, first).status_code == 302
    login(client, cast, "teacher_a")
    stale = plan_post(1, version=plan.version, strengths="Teacher typed this")
    response = client.post(url, stale)
    assert response.status_code == 400
    page = text(response)
    assert "Someone else saved this support plan while you were editing it" in page
    assert "Teacher typed this" in response.content.decode()
    plan.refresh_from_db()
    assert plan.strengths == "SENCO saved first"


def test_review_form_records_progress_and_opens_the_next_cycle(client, cast, plan):
    login(client, cast, "senco_a")
    first, second = plan.outcomes.all()
    services.add_parent_views(plan, going_well="Sleeping better", by=cast.users["parent_a1"])
    response = client.get(f"/support-plans/{plan.code}/review/")
    assert "Sleeping better" in response.content.decode()  # the family's views start the box
    data = {"held_on": days(0).isoformat(), "next_review_on": days(50).isoformat(),
            "version": plan.version, "pupil_views": "I can read more",
            "parent_views": "Sleeping better",
            f"progress_{first.pk}": "achieved", f"progress_{second.pk}": "not_yet",
            f"carry_{second.pk}": "on"}
    response = client.post(f"/support-plans/{plan.code}/review/", data)
    nxt = SupportPlan.objects.get(pupil=cast.pupil_a1, status="open")
    assert response.status_code == 302 and nxt.cycle == 2
    assert [o.description for o in nxt.outcomes.all()] == [second.description]
    page = text(client.get(f"/support-plans/{plan.code}/"))
    assert "Review on" in page and "I can read more" in page and "Achieved" in page


def test_review_before_the_plan_started_is_refused(client, cast, plan):
    login(client, cast, "senco_a")
    data = {"held_on": days(-40).isoformat(), "next_review_on": days(50).isoformat(),
            "version": plan.version}
    for o in plan.outcomes.all():
        data[f"progress_{o.pk}"] = "partly"
    response = client.post(f"/support-plans/{plan.code}/review/", data)
    assert response.status_code == 400
    assert "The review cannot be before the plan starts" in text(response)
    plan.refresh_from_db()
    assert plan.is_open


def test_text_from_staff_and_families_is_escaped_everywhere(client, cast):
    plan = services.create_plan(
        cast.pupil_a1, starts_on=days(-1), review_on=days(30), strengths=XSS,
        outcomes=[services.OutcomeInput(XSS, days(20), strategies=XSS)],
        by=cast.users["senco_a"])
    services.save_profile(cast.pupil_a1, version=None, admire=XSS, by=cast.users["senco_a"])
    services.add_parent_views(plan, going_well=XSS, by=cast.users["parent_a1"])
    pages = [(role, url) for role, url in (
        ("senco_a", f"/support-plans/{plan.code}/"),
        ("senco_a", f"/pupils/{cast.pupil_a1.code}/support/"),
        ("senco_a", f"/pupils/{cast.pupil_a1.code}/profile/print/"),
        ("teacher_a", f"/pupils/{cast.pupil_a1.code}/"),
        ("parent_a1", f"/family/{cast.pupil_a1.code}/"),
    )]
    for role, url in pages:
        html = login(client, cast, role).get(url).content.decode()
        assert XSS not in html, url
        assert "&lt;script&gt;" in html, url


def test_parent_sees_their_child_and_shared_notes_only(client, cast, plan):
    senco = cast.users["senco_a"]
    services.log_conversation(cast.pupil_a1, status="held", on=days(-2), actions=[
        services.ActionInput("Reading log every night", "Mum", days(14))],
        explore="Bedtime is hard", staff_notes="STAFF ONLY: referral made", by=senco)
    services.log_conversation(cast.pupil_a1, status="held", on=days(-1), actions=[],
                              explore="Not for the family", shared_with_family=False, by=senco)
    other = services.create_plan(cast.pupil_a2, starts_on=days(-1), review_on=days(9),
                                 outcomes=[services.OutcomeInput("Other child's goal", days(5))],
                                 by=senco)
    login(client, cast, "parent_a1")
    home = client.get("/family/")
    page = text(home)
    assert "Ada Ash" in page and "Ben Beech" not in page
    child = client.get(f"/family/{cast.pupil_a1.code}/")
    page = text(child)
    assert "Reads 40 common words" in page and "Bedtime is hard" in page
    assert "Reading log every night" in page
    assert "STAFF ONLY" not in page and "Not for the family" not in page
    assert "Other child's goal" not in page
    # No staff or trust navigation on a family page.
    html = child.content.decode()
    for staff_link in ("/pupils/", "/plan/mine/", "My pupils", "Strategic plan", "register"):
        assert staff_link not in html
    assert client.get(f"/family/{cast.pupil_a2.code}/").status_code == 403
    assert client.get(f"/support-plans/{other.code}/").status_code == 403
    assert client.get(f"/support-plans/{plan.code}/").status_code == 403  # staff page


def test_a_parent_whose_membership_ended_sees_no_child(client, cast, plan):
    Membership.objects.filter(user=cast.users["parent_a1"], role=Role.PARENT).update(
        ends_on=days(-1))
    login(client, cast, "parent_a1")
    assert "Ada Ash" not in text(client.get("/family/"))
    assert client.get(f"/family/{cast.pupil_a1.code}/").status_code == 404


def test_parent_adds_views_and_asks_for_a_conversation(client, cast, plan):
    login(client, cast, "parent_a1")
    url = f"/family/{cast.pupil_a1.code}/views/"
    response = client.post(url, {})
    assert response.status_code == 400 and "Write something in at least one box." in text(
        response)
    assert client.post(url, {"worries": "Homework takes hours"}).status_code == 302
    assert ParentViews.objects.get(plan=plan).worries == "Homework takes hours"
    client.post(f"/family/{cast.pupil_a1.code}/ask/", {"note": "Homework"})
    asked = Conversation.objects.get(pupil=cast.pupil_a1)
    assert asked.status == Conversation.Status.REQUESTED and asked.request_note == "Homework"


def test_pupil_voice_page_has_symbols_and_large_choices_and_saves(client, cast, plan):
    login(client, cast, "ta_a")
    url = f"/support-plans/{plan.code}/voice/"
    html = client.get(url).content.decode()
    assert "support/openmoji/1F600.svg" in html and "OpenMoji" in html
    assert html.count('type="radio"') >= 15
    assert client.post(url, {}).status_code == 400
    response = client.post(url, {"feel_school": "happy", "hard": "maths",
                                 "own_words": "I like Lego"})
    assert response.status_code == 302
    voice = VoiceResponse.objects.get(plan=plan)
    assert voice.answers == {"feel_school": "happy", "hard": "maths"}
    assert client.post(url, {"feel_school": "ecstatic"}).status_code == 400


def test_conversation_logged_in_one_post(client, cast):
    login(client, cast, "senco_a")
    data = {"status": "held", "on": days(0).isoformat(), "attendees": "Mum, SENCO",
            "language": "Polish", "interpreter_needed": "on", "explore": "Worried about SATs",
            "focus": "Reading", "plan_notes": "Daily reading", "review_notes": "Half term",
            "shared_with_family": "on", "action_1_text": "Read every night",
            "action_1_owner": "Mum", "action_1_due_on": days(14).isoformat()}
    response = client.post(f"/pupils/{cast.pupil_a1.code}/conversations/new/", data)
    assert response.status_code == 302
    c = Conversation.objects.get(pupil=cast.pupil_a1)
    assert c.interpreter_needed and c.language == "Polish" and c.actions.count() == 1
    assert cast.pupil_a1.chronology.filter(kind="meeting").exists()


def test_teacher_sees_the_profile_first_on_the_pupil_record(client, cast, plan):
    services.save_profile(cast.pupil_a1, version=None, admire="Great sense of humour",
                          support="Sit near the front", by=cast.users["senco_a"])
    page = text(login(client, cast, "teacher_a").get(f"/pupils/{cast.pupil_a1.code}/"))
    assert "How best to support Ada" in page and "Sit near the front" in page
    assert page.index("Sit near the front") < page.index("SEN status")
    parent_page = text(login(client, cast, "parent_a1").get(f"/pupils/{cast.pupil_a1.code}/"))
    assert "Sit near the front" not in parent_page


def test_document_download_is_audited_and_not_sniffed(client, cast):
    from django.core.files.uploadedfile import SimpleUploadedFile

    login(client, cast, "senco_a")
    pdf = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
    response = client.post(f"/pupils/{cast.pupil_a1.code}/chronology/new/", {
        "on": days(0).isoformat(), "kind": "report", "title": "EP report",
        "document": SimpleUploadedFile("ep.pdf", pdf, "application/pdf")})
    assert response.status_code == 302
    page = client.get(f"/pupils/{cast.pupil_a1.code}/chronology/")
    href = re.search(r'href="(/documents/[^"]+)"', page.content.decode()).group(1)
    download = client.get(href)
    assert b"".join(download.streaming_content) == pdf
    assert download["Content-Type"] == "application/pdf"
    assert download["X-Content-Type-Options"] == "nosniff"
    assert AuditEntry.objects.filter(action="support.document.downloaded",
                                     pupil_code=cast.pupil_a1.code).count() == 1
    bad = client.post(f"/pupils/{cast.pupil_a1.code}/chronology/new/", {
        "on": days(0).isoformat(), "kind": "report", "title": "Fake",
        "document": SimpleUploadedFile("fake.pdf", b"MZ\x90\x00" * 20)})
    assert bad.status_code == 400 and "its content is" in text(bad)


def test_plan_pdf_for_the_family_is_audited(client, cast, plan):
    response = login(client, cast, "parent_a1").get(
        f"/family/{cast.pupil_a1.code}/support-plan.pdf")
    assert response.status_code == 200 and response.content.startswith(b"%PDF")
    assert AuditEntry.objects.filter(action="support.plan.pdf.downloaded").exists()


def _worklist(client, url):
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    return response, len(ctx)


def test_worklist_lists_what_needs_doing_in_constant_queries(client, cast, plan):
    overdue_pupil = PupilFactory(school=cast.school_a, forename="Olly", surname="Oak")
    give_status(overdue_pupil, Provision.SUPPORT, "MLD")
    services.create_plan(overdue_pupil, starts_on=days(-90), review_on=days(-3),
                         outcomes=[services.OutcomeInput("Counts to 20", days(-10))],
                         by=cast.users["senco_a"])
    login(client, cast, "senco_a")
    url = f"/schools/{cast.school_a.code}/support/"
    client.get(url)  # the first request of a session pays for the session itself
    response, before = _worklist(client, url)
    page = text(response)
    due = page[page.index("Reviews due in the next 14 days: 1"):]
    assert "Ada Ash" in due.split("Current plans without outcomes:")[0]
    assert "Olly Oak" not in due.split("Current plans without outcomes:")[0]
    overdue = page[page.index("Reviews overdue: 1"):]
    assert "Olly Oak" in overdue.split("Reviews due in")[0]
    assert "Families on SEN support without a conversation this term" in page
    for _ in range(5):
        p = PupilFactory(school=cast.school_a)
        give_status(p, Provision.SUPPORT, "SPLD")
    response, after = _worklist(client, url)
    assert "Pupils on SEN support without a support plan: 5" in text(response)
    assert after == before


def test_trustee_sees_figures_with_small_counts_withheld(client, cast, plan):
    login(client, cast, "trustee")
    page = text(client.get(f"/trusts/{cast.trust.code}/support/"))
    assert "fewer than 5" in page
    assert "Counts from 1 to 4" in page
    login(client, cast, "send_leader")
    page = text(client.get(f"/trusts/{cast.trust.code}/support/"))
    assert "fewer than 5" not in page
    assert "Alder Primary" in page
    csv = client.get(f"/trusts/{cast.trust.code}/support/support-plans.csv")
    assert csv.status_code == 200 and b"Alder Primary" in csv.content
    assert AuditEntry.objects.filter(action="support.figures.exported").exists()


@pytest.mark.parametrize("role", ["teacher_a", "ta_a", "external_a1"])
def test_linked_staff_lose_access_when_the_link_goes(client, cast, plan, role):
    from sendtrust.organisations.models import ExternalAssignment, TeachingGroup

    url = f"/support-plans/{plan.code}/"
    login(client, cast, role)
    assert client.get(url).status_code == 200
    TeachingGroup.objects.filter(staff=cast.users[role]).delete()
    ExternalAssignment.objects.filter(professional=cast.users[role]).update(ends_on=days(-1))
    assert client.get(url).status_code == 403


def test_navigation_shows_each_person_only_the_support_pages_they_may_open(client, cast):
    worklist = f"/schools/{cast.school_a.code}/support/"
    trust_view = f"/trusts/{cast.trust.code}/support/"
    html = login(client, cast, "senco_a").get("/pupils/").content.decode()
    assert worklist in html and trust_view not in html
    html = login(client, cast, "send_leader").get("/pupils/").content.decode()
    assert trust_view in html and worklist not in html  # one link, not one per school
    page = client.get(trust_view).content.decode()
    assert f'href="{worklist}"' in page  # the leader follows a school's name to its worklist
    page = login(client, cast, "trustee").get(trust_view).content.decode()
    assert worklist not in page
    html = login(client, cast, "teacher_a").get("/pupils/").content.decode()
    assert worklist not in html and trust_view not in html and "/family/" not in html
