"""The EHC pages as a SENCO, a leader, a parent and a trustee use them."""

import datetime as dt

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext

from sendtrust.access.models import AuditEntry
from sendtrust.ehc import services
from sendtrust.ehc.clocks import AMEND, Kind
from sendtrust.ehc.models import ClockNote, Event, Journey
from sendtrust.organisations.models import School
from sendtrust.pupils import services as pupil_services
from sendtrust.testing import PupilFactory, SchoolFactory

TODAY = dt.date(2026, 3, 2)  # a Monday


@pytest.fixture(autouse=True)
def _frozen():
    with time_machine.travel(dt.datetime(2026, 3, 2, 10, 0), tick=False):
        yield


def _login(client, cast, role):
    client.force_login(cast.users[role])


def _plan(pupil, on, **kw):
    return services.record_event(pupil, kind=Kind.FINAL_PLAN, on=on, **kw)


def test_a_senco_records_a_meeting_and_the_next_deadlines_move(client, cast):
    pupil = cast.pupil_a2
    _plan(pupil, dt.date(2025, 3, 20))
    _login(client, cast, "senco_a")
    page = client.get(f"/pupils/{pupil.code}/ehc/").content.decode()
    assert "Friday 20 March 2026" in page  # the review, 12 months from the plan
    response = client.post(f"/pupils/{pupil.code}/ehc/events/", {
        "kind": Kind.REVIEW_MEETING, "on": "2026-02-27", "la_code": "", "outcome": ""})
    assert response.status_code == 302
    page = client.get(f"/pupils/{pupil.code}/ehc/", follow=True).content.decode()
    assert "Next: Send the review report to the authority by Friday 13 March 2026" in page
    assert "Saturday 27 February 2027" in page  # the next review
    assert AuditEntry.objects.filter(action="ehc.event.recorded",
                                     pupil_code=pupil.code).exists()
    assert AuditEntry.objects.filter(action="ehc.journey.viewed").count() >= 2


def test_a_step_in_the_future_is_refused_and_nothing_is_saved(client, cast):
    _login(client, cast, "senco_a")
    response = client.post(f"/pupils/{cast.pupil_a2.code}/ehc/events/", {
        "kind": Kind.REVIEW_DECISION, "on": "2026-04-01", "la_code": "8O1", "outcome": ""})
    assert response.status_code == 400
    page = response.content.decode()
    assert 'class="error-summary"' in page and "data-autofocus" in page
    assert "record a step on or after the day it happens" in page.lower()
    assert "three-digit code" in page
    assert "choose the decision" in page.lower()
    assert not Event.objects.exists() and not Journey.objects.exists()


def test_a_parent_sees_the_dates_but_not_the_schools_notes(client, cast):
    pupil = cast.pupil_a1
    _plan(pupil, dt.date(2025, 1, 10), note="Private remark about the family")
    journey = Journey.objects.get(pupil=pupil)
    services.record_note(pupil, deadline="annual_review:2025-01-10", type="delay",
                         reason="authority_late", note="LA panel postponed")
    _login(client, cast, "parent_a1")
    page = client.get(f"/pupils/{pupil.code}/ehc/").content.decode()
    assert "Saturday 10 January 2026" in page
    assert "Private remark" not in page and "LA panel postponed" not in page
    assert "Record a step" not in page
    api = client.get(f"/api/v1/ehc/pupils/{pupil.code}").json()
    assert api["deadlines"][-1]["delay_reason"] is None
    _login(client, cast, "senco_a")
    page = client.get(f"/pupils/{pupil.code}/ehc/").content.decode()
    assert "Private remark" in page and "LA panel postponed" in page
    assert journey.la_code == "801"


def test_an_exception_is_shown_and_the_statutory_date_stays(client, cast):
    pupil = cast.pupil_a2
    _plan(pupil, dt.date(2025, 3, 1))
    _login(client, cast, "senco_a")
    response = client.post(f"/pupils/{pupil.code}/ehc/notes/", {
        "deadline": "annual_review:2025-03-01", "type": "exception",
        "reason": "family_request", "note": "Parent in hospital"})
    assert response.status_code == 302
    page = client.get(f"/pupils/{pupil.code}/ehc/").content.decode()
    assert "Exception: The family asked for more time (Parent in hospital)" in page
    assert "The statutory date stands" in page
    assert "Overdue by" in page  # 1 March 2026 has passed
    # a delay reason from outside the list is refused
    response = client.post(f"/pupils/{pupil.code}/ehc/notes/", {
        "deadline": "annual_review:2025-03-01", "type": "delay", "reason": "la_holiday"})
    assert response.status_code == 400
    assert ClockNote.objects.count() == 1


def test_the_school_worklist_says_the_next_action_and_follows_a_pupil_who_moves(client, cast):
    pupil = cast.pupil_a2
    _plan(pupil, dt.date(2025, 3, 20))
    _login(client, cast, "senco_a")
    page = client.get(f"/schools/{cast.school_a.code}/ehc/").content.decode()
    assert ("Send the annual review papers to the family and the authority by Friday 6 March "
            "2026") in page
    assert "Hold the annual review meeting by Friday 20 March 2026" in page
    # The pupil moves school mid-review: the dates stay, the work moves with them.
    pupil_services.move_pupil(pupil, to_school=cast.school_b, on=TODAY)
    page = client.get(f"/schools/{cast.school_a.code}/ehc/").content.decode()
    assert pupil.full_name not in page
    _login(client, cast, "senco_b")
    page = client.get(f"/schools/{cast.school_b.code}/ehc/").content.decode()
    assert pupil.full_name in page and "by Friday 20 March 2026" in page


def test_the_trust_worklist_groups_and_filters_by_authority(client, cast):
    other_la = SchoolFactory(trust=cast.trust, name="Cedar School", la_code="803",
                             la_name="South Gloucestershire", phase=School.Phase.SECONDARY)
    far = PupilFactory(school=other_la, forename="Eve", surname="Elm")
    _plan(cast.pupil_a2, dt.date(2025, 3, 10))
    _plan(far, dt.date(2025, 3, 12), la_code="803", la_name="South Gloucestershire")
    _login(client, cast, "send_leader")
    page = client.get(f"/trusts/{cast.trust.code}/ehc/").content.decode()
    assert "Bristol, City of (801)" in page and "South Gloucestershire (803)" in page
    page = client.get(f"/trusts/{cast.trust.code}/ehc/?la=803").content.decode()
    results = page.split('id="results"')[1]
    assert "Eve Elm" in results and cast.pupil_a2.full_name not in results
    partial = client.get(f"/trusts/{cast.trust.code}/ehc/?la=801", HTTP_HX_REQUEST="true")
    text = partial.content.decode()
    assert text.lstrip().startswith('<div id="results">')
    assert cast.pupil_a2.full_name in text and "Eve Elm" not in text
    api = client.get(f"/api/v1/ehc/trusts/{cast.trust.code}/worklist?la=803").json()
    assert {i["pupil"] for i in api} == {"Eve Elm"}


def test_a_teacher_cannot_open_the_worklist_and_a_trustee_sees_no_pupil(client, cast):
    _plan(cast.pupil_a2, dt.date(2025, 3, 10))
    _login(client, cast, "teacher_a")
    assert client.get(f"/schools/{cast.school_a.code}/ehc/").status_code == 403
    _login(client, cast, "trustee")
    assert client.get(f"/trusts/{cast.trust.code}/ehc/").status_code == 403
    page = client.get(f"/trusts/{cast.trust.code}/ehc/compliance/").content.decode()
    assert cast.pupil_a2.full_name not in page


def test_compliance_counts_and_trustee_suppression(client, cast, loaded):
    # Seven plans at school A: five reviews on time, two late, all in the last 12 months.
    pupils = [PupilFactory(school=cast.school_a) for _ in range(7)]
    for i, p in enumerate(pupils):
        _plan(p, dt.date(2024, 6, 1))
        held = dt.date(2025, 5, 20) if i < 5 else dt.date(2025, 6, 20)
        services.record_event(p, kind=Kind.REVIEW_MEETING, on=held)
    # Three at school B, all on time: 1 to 4 must be hidden from trustees.
    for _ in range(3):
        p = PupilFactory(school=cast.school_b)
        _plan(p, dt.date(2024, 6, 1))
        services.record_event(p, kind=Kind.REVIEW_MEETING, on=dt.date(2025, 5, 1))
    _login(client, cast, "send_leader")
    data = client.get(f"/api/v1/ehc/trusts/{cast.trust.code}/compliance").json()
    rows = {r["values"]["group"]: r["values"] for r in data["by_school"]["rows"]}
    assert rows["Alder Primary"]["reviews_on_time"] == 5
    assert rows["Alder Primary"]["reviews_due"] == 7
    assert rows["Alder Primary"]["reviews_pct"] == 71.4
    assert rows["Birch Academy"]["reviews_on_time"] == 3
    la = {r["values"]["group"]: r["values"] for r in data["by_authority"]["rows"]}
    assert la["Bristol, City of"]["dfe_20wk"].endswith(("in 2024", "in 2023", "in 2025"))
    england = data["by_authority"]["footer"][-1]["values"]
    assert england["group"] == "England (DfE)" and "%" in england["dfe_20wk"]
    assert data["period_start"] == "2025-03-03" and data["period_end"] == "2026-03-02"

    _login(client, cast, "trustee")
    data = client.get(f"/api/v1/ehc/trusts/{cast.trust.code}/compliance").json()
    rows = {r["values"]["group"]: r for r in data["by_school"]["rows"]}
    birch, alder = rows["Birch Academy"], rows["Alder Primary"]
    assert birch["values"]["reviews_on_time"] is None and birch["values"]["reviews_pct"] is None
    # Alder's 2 late reviews would follow from 7 - 5: withheld too.
    assert alder["values"]["reviews_on_time"] is None or alder["values"]["reviews_due"] is None
    total = data["by_school"]["footer"][0]["values"]
    shown = [v for v in (total["reviews_on_time"], total["reviews_due"]) if v is not None]
    assert all(v >= 5 for v in shown)
    page = client.get(f"/trusts/{cast.trust.code}/ehc/compliance/").content.decode()
    assert "fewer than 5" in page and "Counts from 1 to 4 are not shown" in page


def test_the_phase_transfer_list(client, cast):
    leaving = PupilFactory(school=cast.school_b, year_group=11, forename="Fay", surname="Fir")
    _plan(leaving, dt.date(2023, 5, 1))
    services.record_event(leaving, kind=Kind.REVIEW_MEETING, on=dt.date(2025, 10, 1))
    services.record_event(leaving, kind=Kind.REVIEW_DECISION, on=dt.date(2025, 10, 20),
                          outcome=AMEND)
    year6 = PupilFactory(school=cast.school_a, year_group=6, forename="Gil", surname="Gum")
    _plan(year6, dt.date(2024, 9, 1))
    _login(client, cast, "send_leader")
    page = client.get(f"/trusts/{cast.trust.code}/ehc/transfers/").content.decode()
    assert "Fay Fir" in page and "Tuesday 31 March 2026" in page
    assert "Gil Gum" in page and "Sunday 15 February 2026" in page
    services.record_event(leaving, kind=Kind.AMENDED_PLAN, on=dt.date(2026, 2, 27))
    page = client.get(f"/trusts/{cast.trust.code}/ehc/transfers/").content.decode()
    assert "Arrived 27 Feb 2026" in page


def test_worklist_queries_do_not_grow_with_plans(client, cast):
    """The first read after plans change reads their events (one query) and keeps the day's
    deadlines (the cache's queries); later reads use what was kept. Neither grows with plans."""
    _login(client, cast, "send_leader")
    url = f"/api/v1/ehc/trusts/{cast.trust.code}/worklist"
    for _ in range(2):
        _plan(PupilFactory(school=cast.school_a), dt.date(2025, 3, 10))
    client.get(url)  # the first request of a session pays for its own set-up

    def reads(new_plans):
        for _ in range(new_plans):
            _plan(PupilFactory(school=cast.school_b), dt.date(2025, 3, 10))
        with CaptureQueriesContext(connection) as changed:
            assert client.get(url).status_code == 200
        with CaptureQueriesContext(connection) as kept:
            found = client.get(url).json()
        return len(changed), len(kept), len(found)

    changed_few, kept_few, _ = reads(1)
    changed_many, kept_many, listed = reads(20)
    assert listed >= 40
    assert (changed_many, kept_many) == (changed_few, kept_few)
    assert kept_few < changed_few


def test_the_pupil_record_shows_the_next_deadlines_to_those_who_may_see_it(client, cast):
    _plan(cast.pupil_a1, dt.date(2025, 3, 20))
    _login(client, cast, "parent_a1")
    page = client.get(f"/pupils/{cast.pupil_a1.code}/").content.decode()
    assert "EHC plan deadlines" in page
    assert "Hold the annual review meeting by Friday 20 March 2026" in page
    _login(client, cast, "senco_b")
    assert client.get(f"/pupils/{cast.pupil_a1.code}/").status_code == 403
