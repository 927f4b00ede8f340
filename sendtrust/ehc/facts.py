"""Facts of EHC journeys as plain functions: the computed clocks of many pupils at once,
worklist items and the deadlines settled in a period. No figure for a page is made here
(sendtrust.analytics.figures.ehc turns these into what a person sees).

Every function reads in a fixed number of queries whatever the number of journeys: the
journeys with their pupils and schools, their events, and their notes.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass
from typing import NamedTuple

from django.db import connection
from django.db.models import QuerySet

from sendtrust.ehc import clocks
from sendtrust.ehc.models import ClockNote, Event, Journey

WORKLIST_STATES = ("overdue", "due_soon")


@dataclass
class Row:
    """One journey with its pupil and school, and its computed clocks."""

    journey: Journey
    clocks: clocks.Journey

    @property
    def pupil(self):
        return self.journey.pupil


@dataclass
class Item:
    """One line of a worklist: a deadline that is overdue or due in the next 4 weeks."""

    row: Row
    deadline: clocks.Deadline
    state: str

    @property
    def pupil(self):
        return self.row.journey.pupil

    @property
    def la_code(self) -> str:
        return self.deadline.la_code or self.row.journey.la_code


class NoteView(NamedTuple):
    """A note on a deadline as pages show it (read as tuples: a worklist reads thousands)."""

    type: str
    reason: str
    note: str

    def get_reason_display(self) -> str:
        return REASONS.get(self.reason, self.reason)


REASONS = dict(ClockNote.Reason.choices)


def journeys(scope: QuerySet[Journey], *, today: dt.date, open_only: bool = False) -> list[Row]:
    """Return the journeys of scope with their clocks computed as of today (3 queries).

    open_only keeps only the deadlines still running, for worklists and calendars.
    """
    found = list(scope.select_related("pupil__school__trust").order_by(
        "pupil__surname", "pupil__forename", "pk"))
    if not found:
        return []
    ids = scope.values("pk")
    events: dict[int, list[clocks.Event]] = defaultdict(list)
    # Read through the cursor: a trust's worklist reads ~50,000 events, and Django's per-value
    # converters cost more than the query; a date seen once is parsed once (SQLite gives text).
    query = (Event.objects.filter(journey__in=ids).order_by()
             .values_list("journey_id", "kind", "on", "la_code", "outcome", "school_id"))
    sql, params = query.query.sql_with_params()
    dates: dict = {}
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        for jid, kind, on, la, outcome, school in cursor.fetchall():
            day = dates.get(on)
            if day is None:
                day = dates[on] = on if isinstance(on, dt.date) else dt.date.fromisoformat(on)
            events[jid].append(clocks.Event(kind, day, la, outcome, school))
    notes: dict[tuple[int, str], dict[str, NoteView]] = defaultdict(dict)
    for jid, deadline, type_, reason, text in (
        ClockNote.objects.filter(journey__in=ids).order_by("recorded_at", "pk")
        .values_list("journey_id", "deadline", "type", "reason", "note")
    ):
        notes[jid, deadline][type_] = NoteView(type_, reason, text)  # the latest of each type
    rows = []
    for j in found:
        computed = clocks.compute(events[j.pk], year_group=j.pupil.year_group, today=today,
                                  la_code=j.la_code, open_only=open_only)
        for d in computed.deadlines:
            found_notes = notes.get((j.pk, d.key), {})
            d.exception = found_notes.get(ClockNote.Type.EXCEPTION)
            d.delay = found_notes.get(ClockNote.Type.DELAY)
        rows.append(Row(j, computed))
    return rows


def on_roll(scope: QuerySet[Journey]) -> QuerySet[Journey]:
    """Journeys of pupils still on a school's roll."""
    return scope.filter(pupil__left_on__isnull=True)


def worklist(rows: list[Row], *, today: dt.date) -> list[Item]:
    """Deadlines overdue or due in the next 4 weeks, soonest first."""
    items = [Item(row, d, d.state(today)) for row in rows for d in row.clocks.deadlines]
    items = [i for i in items if i.state in WORKLIST_STATES]
    items.sort(key=lambda i: (i.deadline.due, i.pupil.surname, i.pupil.forename))
    return items


@dataclass(frozen=True)
class Settled:
    """A deadline that fell in a period: met on time or not, at which school and authority."""

    clock: str
    school_id: int
    la_code: str
    on_time: bool
    exception: bool


def settled(rows: list[Row], clock: str, *, start: dt.date, end: dt.date) -> list[Settled]:
    """Deadlines of one clock falling from start to end (and before today's end): each met on
    time, or not (met late, missed, or closed with no record)."""
    out = []
    for row in rows:
        for d in row.clocks.deadlines:
            if d.clock != clock or not (start <= d.due <= end):
                continue
            if d.is_open() and d.due >= end:
                continue  # still running: not yet settled
            out.append(Settled(clock, d.school_id or row.pupil.school_id,
                               d.la_code or row.journey.la_code, d.on_time() is True,
                               d.exception is not None))
    return out


def transfers(rows: list[Row]) -> list[tuple[Row, clocks.Deadline]]:
    """Pupils moving phase next September, with the deadline for the amended plan."""
    out = [(row, d) for row in rows for d in row.clocks.deadlines
           if d.clock == clocks.Clock.TRANSFER]
    out.sort(key=lambda rd: (rd[1].due, rd[0].pupil.surname, rd[0].pupil.forename))
    return out
