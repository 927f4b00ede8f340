"""A user's EHC deadlines as an iCalendar feed (RFC 5545, written by the icalendar library).

What the feed holds is decided when it is fetched, through the same policy as the pages: the
deadlines of the pupils the user may read today. Without the owner's choice no pupil's name
appears, only initials and school.
"""

from __future__ import annotations

import datetime as dt

from sendtrust.access.policy import visible_pupils
from sendtrust.ehc import facts
from sendtrust.ehc.models import Journey
from sendtrust.lib.statutory import add_months

HORIZON_MONTHS = 12  # open deadlines up to a year ahead, and every overdue one


def who(pupil, include_names: bool) -> str:
    if include_names:
        return f"{pupil.full_name} ({pupil.school.name})"
    return f"{pupil.forename[:1]}.{pupil.surname[:1]}. ({pupil.school.name})"


def feed_for(user, *, include_names: bool, today: dt.date) -> bytes:
    """Return the .ics body of user's open EHC deadlines."""
    scope = facts.on_roll(Journey.objects.filter(pupil__in=visible_pupils(user)))
    rows = facts.journeys(scope, today=today, open_only=True)
    until = add_months(today, HORIZON_MONTHS)
    # icalendar (~0.2 s to import) is loaded by the first feed, not by every process that
    # imports the URLs (issue 15: a worker's start).
    from icalendar import Calendar
    from icalendar import Event as VEvent

    cal = Calendar()
    cal.add("prodid", "-//sendtrust//EHC deadlines//EN")
    cal.add("version", "2.0")
    cal.add("x-wr-calname", "EHC deadlines (sendtrust)")
    stamp = dt.datetime.combine(today, dt.time(), tzinfo=dt.UTC)
    for row in rows:
        for d in row.clocks.open_deadlines():
            if d.due > until:
                continue
            ev = VEvent()
            ev.add("uid", f"{row.journey.code}-{d.key}@sendtrust")
            ev.add("dtstamp", stamp)
            ev.add("dtstart", d.due)
            ev.add("dtend", d.due + dt.timedelta(days=1))
            overdue = "OVERDUE: " if d.due < today else ""
            ev.add("summary", f"{overdue}{d.label}: {who(row.pupil, include_names)}")
            ev.add("description", d.next_action() + ".")
            ev.add("transp", "TRANSPARENT")
            cal.add_component(ev)
    return cal.to_ical()
