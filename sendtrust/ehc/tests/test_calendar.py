"""The calendar feed: a secret, revocable address; no names unless chosen; today's access."""

import datetime as dt

import time_machine
from icalendar import Calendar

from sendtrust.access.models import AuditEntry
from sendtrust.ehc import services
from sendtrust.ehc.clocks import Kind
from sendtrust.ehc.models import CalendarFeed
from sendtrust.organisations.models import Membership


def _feed_url(client, cast, role, names=False):
    client.force_login(cast.users[role])
    response = client.post("/ehc/calendar/", {"include_names": "on" if names else ""})
    assert response.status_code == 302
    feed = CalendarFeed.objects.get(user=cast.users[role], revoked_at__isnull=True)
    client.logout()
    return f"/ehc/calendar/{feed.token}.ics"


def _summaries(response):
    cal = Calendar.from_ical(response.content)
    return [str(e["summary"]) for e in cal.walk("VEVENT")]


@time_machine.travel(dt.datetime(2026, 3, 2, 9), tick=False)
def test_the_feed_has_initials_unless_names_are_chosen(client, cast):
    services.record_event(cast.pupil_a2, kind=Kind.FINAL_PLAN, on=dt.date(2025, 3, 20))
    url = _feed_url(client, cast, "senco_a")
    response = client.get(url)  # no session: the address is the key
    assert response.status_code == 200 and response["Content-Type"].startswith("text/calendar")
    summaries = _summaries(response)
    assert "Annual review meeting (within 12 months): B.B. (Alder Primary)" in summaries
    assert not any("Ben" in s or "Beech" in s for s in summaries)
    cal = Calendar.from_ical(response.content)
    review = next(e for e in cal.walk("VEVENT") if "Annual review meeting" in str(e["summary"]))
    assert review["dtstart"].dt == dt.date(2026, 3, 20)
    assert AuditEntry.objects.filter(action="ehc.calendar.fetched").count() == 1

    named = _feed_url(client, cast, "senco_a", names=True)
    assert any("Ben Beech" in s for s in _summaries(client.get(named)))
    assert client.get(url).status_code == 404  # the earlier address stopped working


@time_machine.travel(dt.datetime(2026, 3, 2, 9), tick=False)
def test_revoking_and_losing_access_empty_the_feed(client, cast):
    services.record_event(cast.pupil_a1, kind=Kind.FINAL_PLAN, on=dt.date(2025, 3, 20))
    url = _feed_url(client, cast, "parent_a1")
    assert len(_summaries(client.get(url))) > 0  # their own child's dates
    # The parent's membership ends: the link to the child no longer counts.
    Membership.objects.filter(user=cast.users["parent_a1"]).update(ends_on=dt.date(2026, 3, 1))
    assert _summaries(client.get(url)) == []
    client.force_login(cast.users["parent_a1"])
    client.post("/ehc/calendar/", {"action": "revoke"})
    client.logout()
    assert client.get(url).status_code == 404
    assert client.get("/ehc/calendar/not-a-token.ics").status_code == 404


@time_machine.travel(dt.datetime(2026, 3, 2, 9), tick=False)
def test_a_parent_feed_holds_only_their_own_child(client, cast):
    services.record_event(cast.pupil_a1, kind=Kind.FINAL_PLAN, on=dt.date(2025, 3, 20))
    services.record_event(cast.pupil_a2, kind=Kind.FINAL_PLAN, on=dt.date(2025, 3, 21))
    url = _feed_url(client, cast, "parent_a1", names=True)
    summaries = _summaries(client.get(url))
    assert summaries and all("Ada Ash" in s for s in summaries)
