"""Facts of EHC journeys as plain functions: the computed clocks of many pupils at once,
worklist items and the deadlines settled in a period. No figure for a page is made here
(sendtrust.analytics.figures.ehc turns these into what a person sees).

Every function reads in a fixed number of queries whatever the number of journeys: the
journeys with their pupils and schools, their events, and their notes.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections import defaultdict
from dataclasses import dataclass
from typing import NamedTuple

from django.core.cache import cache
from django.db import connection
from django.db.models import Count, Max, QuerySet

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
    events = _events(ids)
    notes = _notes(ids)
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


def _events(ids) -> dict[int, list[clocks.Event]]:
    """The events of the journeys ids (a query of journey pks, or a list), by journey."""
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
    return events


def _notes(ids) -> dict[tuple[int, str], dict[str, NoteView]]:
    """The latest note of each type on each deadline of the journeys ids, by (journey, key)."""
    notes: dict[tuple[int, str], dict[str, NoteView]] = defaultdict(dict)
    for jid, deadline, type_, reason, text in (
        ClockNote.objects.filter(journey__in=ids).order_by("recorded_at", "pk")
        .values_list("journey_id", "deadline", "type", "reason", "note")
    ):
        notes[jid, deadline][type_] = NoteView(type_, reason, text)  # the latest of each type
    return notes


@dataclass
class Worklist:
    """What a worklist page shows: its items, and the plans and authorities it looked at."""

    items: list[Item]
    plans: int  # journeys in scope
    authorities: dict[str, str]  # code -> name of every journey's authority


def open_worklist(scope: QuerySet[Journey], *, today: dt.date) -> Worklist:
    """The worklist of scope's journeys (overdue or due in 4 weeks), as worklist() gives it.

    A journey's running deadlines depend only on its events, its authority, the pupil's year
    group and the day. Events are only ever added (no page, API or import edits one; they go
    only with their journey), so a journey's number of events and latest event id change
    whenever its events do. Each journey's deadlines on the day's list are kept in the cache
    for the day, beside those four facts; a journey whose facts differ from what is kept is
    computed again from its events. The cache is the database's, so what a
    rolled-back transaction computed goes with it. Journeys and notes are read afresh, and
    only for the journeys on the list. A fixed number of queries whatever the plans: one for
    every journey's facts, one for the events of journeys whose facts changed (if any), the
    cache's own, and two for the listed journeys and their notes.
    """
    facts_of = list(
        scope.order_by().values_list("pk", "la_code", "la_name", "pupil__year_group")
        .annotate(n_events=Count("events"), last_event=Max("events__id")))
    key = "ehc-open:1:" + hashlib.sha256(  # the number changes with what is kept
        f"{scope.values('pk').query}|{today.isoformat()}".encode()).hexdigest()
    # pk -> (facts, [(state, deadline as a tuple)] on the list, (stage, plan since, ceased on,
    # authority)): plain tuples, which the cache reads back many times faster than objects.
    kept: dict[int, tuple] = cache.get(key) or {}
    computed: dict[int, tuple] = {}
    stale = []
    for pk, la_code, _, year_group, events, last in facts_of:
        facts = (events, last, la_code, year_group)
        found = kept.get(pk)
        if found is not None and found[0] == facts:
            computed[pk] = found
        else:
            stale.append((pk, facts))
    if stale:
        events = _events([pk for pk, _ in stale])
        for pk, facts in stale:
            journey = clocks.compute(events[pk], year_group=facts[3], today=today,
                                     la_code=facts[2], open_only=True)
            listed = tuple((state, _as_tuple(d)) for d in journey.deadlines
                           if (state := d.state(today)) in WORKLIST_STATES)
            computed[pk] = (facts, listed, (journey.stage, journey.plan_since,
                                            journey.ceased_on, journey.la_code))
    if stale or len(computed) != len(kept):
        cache.set(key, computed, timeout=86_400)
    due = [pk for pk, (_, listed, _) in computed.items() if listed]
    items = []
    if due:
        listed = (Journey.objects.filter(pk__in=due).select_related("pupil__school")
                  .order_by("pupil__surname", "pupil__forename", "pk"))
        notes = _notes(due)
        for journey in listed:
            _, found, (stage, plan_since, ceased_on, la_code) = computed[journey.pk]
            deadlines = []
            for state, fields in found:
                d = clocks.Deadline(*fields)
                on = notes.get((journey.pk, d.key), {})
                d.exception = on.get(ClockNote.Type.EXCEPTION)
                d.delay = on.get(ClockNote.Type.DELAY)
                deadlines.append((state, d))
            # The row carries the journey's listed deadlines only.
            row = Row(journey, clocks.Journey([d for _, d in deadlines], stage, plan_since,
                                              ceased_on, la_code))
            items += [Item(row, d, state) for state, d in deadlines]
    items.sort(key=lambda i: (i.deadline.due, i.pupil.surname, i.pupil.forename))
    return Worklist(items, len(facts_of), {la: name for _, la, name, *_ in facts_of})


def _as_tuple(d: clocks.Deadline) -> tuple:
    """A running deadline's fields in order, for clocks.Deadline(*fields) (no notes yet)."""
    return (d.clock, d.due, d.started_on, d.done_on, d.closed, d.la_code, d.school_id,
            d.preparing_for_adulthood)


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
