"""Demo EHC journeys, built after the trust's pupils (see demo_trust).

Every pupil with an EHC plan gets a plan and its annual review history; a few pupils on SEN
support have an assessment under way. Across at least three authorities (each school's own and
its neighbours), in every state: reviews on time and late, reports and decisions pending,
amended plans awaited, plans ceased, plans moved to another authority, phase transfers, and some
deadlines overdue with a delay reason. Deterministic for a seed; bulk inserts.
"""

from __future__ import annotations

import datetime as dt
import random
import uuid

from django.db import transaction
from django.utils import timezone

from sendtrust.demo.data import LA_CLUSTERS
from sendtrust.ehc import clocks
from sendtrust.ehc.clocks import AMEND, ASSESS, CEASE, MAINTAIN, NOT_ASSESS, Kind
from sendtrust.ehc.models import ClockNote, Event, Journey
from sendtrust.lib import statutory as law
from sendtrust.lib.bulk import insert_rows
from sendtrust.pupils.models import Provision, Pupil

ASSESSMENT_SHARE = 0.02  # of pupils on SEN support, an assessment under way
DELAY_REASONS = [r.value for r in ClockNote.DELAY_REASONS]


def _neighbours(codes: set[str]) -> dict[str, str]:
    """Authorities next to the trust's own (same cluster), so a trust spans at least three."""
    out = {}
    for cluster in LA_CLUSTERS:
        if any(f"{c:03d}" in codes for c, *_ in cluster):
            out.update({f"{c:03d}": name for c, name, *_ in cluster})
    if len(out) < 3:
        out.update({f"{c:03d}": name for c, name, *_ in LA_CLUSTERS[0]})
    return out


class _Journey:
    def __init__(self, pupil, la: tuple[str, str]):
        self.pupil = pupil
        self.la = la
        self.events: list[tuple] = []

    def add(self, kind, on, outcome="", la=None):
        la = la or self.la
        self.events.append((kind, on, la, outcome))


def _assessment(rng, j: _Journey, today: dt.date) -> None:
    """An assessment under way: as many steps as the time since the request allows."""
    request = today - dt.timedelta(days=rng.randint(5, 150))
    j.add(Kind.REQUEST, request)
    decided = request + dt.timedelta(days=rng.choice([28, 35, 40, 41, 49, 55]))
    if decided > today:
        return
    refused = rng.random() < 0.15
    j.add(Kind.DECISION_TO_ASSESS, decided, NOT_ASSESS if refused else ASSESS)
    if refused:
        return
    asked = decided + dt.timedelta(days=rng.randint(1, 6))
    for _ in range(rng.randint(1, 3)):
        if asked > today:
            return
        j.add(Kind.ADVICE_REQUESTED, asked)
        given = asked + dt.timedelta(days=rng.randint(20, 55))
        if given <= today:
            j.add(Kind.ADVICE_GIVEN, given)
    draft = request + dt.timedelta(days=rng.randint(95, 125))
    if draft <= today:
        j.add(Kind.DRAFT_PLAN, draft)
        comments = draft + dt.timedelta(days=rng.randint(7, 16))
        if comments <= today:
            j.add(Kind.COMMENTS_RECEIVED, comments)


def _plan(rng, j: _Journey, today: dt.date, others: list[tuple[str, str]]) -> None:
    """A plan issued one to six years ago and every review since, some late, some pending."""
    final = today - dt.timedelta(days=rng.randint(60, 6 * 365))
    j.add(Kind.REQUEST, law.add_weeks(final, -rng.choice([17, 19, 20, 22, 26, 30])))
    j.add(Kind.FINAL_PLAN, final)
    anchor = final
    moving = rng.random() < 0.04
    while True:
        due = law.review_due(anchor)
        late = rng.random() < 0.15
        meet = due + dt.timedelta(days=rng.randint(1, 45)) if late else \
            due - dt.timedelta(days=rng.randint(1, 40))
        before = meet - dt.timedelta(days=rng.randint(15, 30) if rng.random() > 0.1
                                     else rng.randint(5, 13))
        if before <= today:
            j.add(Kind.REVIEW_INVITATIONS, before)
            j.add(Kind.REVIEW_PAPERS, before + dt.timedelta(days=rng.randint(0, 2)))
        if meet > today:
            break
        if moving and meet > today - dt.timedelta(days=300) and others:
            # The family moves away: the plan goes to the new authority.
            moved = meet - dt.timedelta(days=rng.randint(20, 60))
            j.la = rng.choice(others)
            j.add(Kind.MOVED_AUTHORITY, moved)
            moving = False
        j.add(Kind.REVIEW_MEETING, meet)
        report = meet + dt.timedelta(days=rng.randint(3, 13) if rng.random() > 0.12
                                     else rng.randint(15, 30))
        if report <= today:
            j.add(Kind.REVIEW_REPORT, report)
        decided = meet + dt.timedelta(days=rng.randint(10, 27) if rng.random() > 0.3
                                      else rng.randint(29, 60))
        if decided > today:
            break
        roll = rng.random()
        outcome = CEASE if roll < 0.03 else AMEND if roll < 0.35 else MAINTAIN
        j.add(Kind.REVIEW_DECISION, decided, outcome)
        if outcome == CEASE:
            break
        if outcome == AMEND:
            amended = decided + dt.timedelta(days=rng.randint(20, 55) if rng.random() > 0.25
                                             else rng.randint(57, 90))
            if amended <= today:
                j.add(Kind.AMENDED_PLAN, amended)
        anchor = meet
    if law.phase_transfer(j.pupil.year_group, today) and rng.random() < 0.5:
        start = dt.date(law.school_year_of(today), 9, 1)
        on = start + dt.timedelta(days=rng.randint(30, 160))
        if max(start, final) < on <= today:
            j.add(Kind.AMENDED_PLAN, on)


def seed(trust, *, seed: int) -> dict:
    """Build the trust's EHC journeys; return counts to print."""
    rng = random.Random(f"ehc-{seed}")
    today = timezone.localdate()
    pupils = list(Pupil.objects.filter(school__trust=trust, left_on__isnull=True,
                                       sen_provision__in=[Provision.EHCP, Provision.SUPPORT])
                  .select_related("school").order_by("pk"))
    if not pupils or Journey.objects.filter(pupil__school__trust=trust).exists():
        return {}
    names = _neighbours({p.school.la_code for p in pupils})
    journeys = []
    for p in pupils:
        own = (p.school.la_code, p.school.la_name)
        others = [(c, n) for c, n in names.items() if c != own[0]]
        if p.sen_provision == Provision.EHCP:
            # Most plans are the school's own authority's; some come from a neighbour.
            la = own if rng.random() < 0.8 or not others else rng.choice(others)
            j = _Journey(p, la)
            _plan(rng, j, today, [o for o in others if o != la])
        elif rng.random() < ASSESSMENT_SHARE:
            j = _Journey(p, own)
            _assessment(rng, j, today)
        else:
            continue
        journeys.append(j)
    return _write(rng, journeys, today)


def _code(rng) -> uuid.UUID:
    return uuid.UUID(int=rng.getrandbits(128), version=4)


@transaction.atomic
def _write(rng, journeys: list[_Journey], today: dt.date) -> dict:
    now = timezone.now()
    insert_rows(Journey, ["code", "pupil_id", "la_code", "la_name", "created"],
                ([_code(rng), j.pupil.pk, *j.la, now] for j in journeys), adapt=True)
    ids = dict(Journey.objects.filter(pupil__in=[j.pupil.pk for j in journeys])
               .values_list("pupil_id", "pk"))
    event_rows, note_rows = [], []
    states: dict[str, int] = {}
    for j in journeys:
        jid = ids[j.pupil.pk]
        for kind, on, (la_code, la_name), outcome in j.events:
            event_rows.append([_code(rng), jid, kind, on, la_code, la_name, outcome, "",
                               j.pupil.school_id, now, "demo"])
        computed = clocks.compute(
            [clocks.Event(k, on, la[0], o) for k, on, la, o in j.events],
            year_group=j.pupil.year_group, today=today)
        for d in computed.deadlines:
            state = d.state(today)
            states[state] = states.get(state, 0) + 1
            # Most missed dates carry a reason; a few are left for the SENCO to explain.
            if state in ("overdue", "late") and rng.random() < 0.7:
                note_rows.append([_code(rng), jid, d.key, ClockNote.Type.DELAY,
                                  rng.choice(DELAY_REASONS), "", now])
            elif state == "upcoming" and d.clock == clocks.Clock.REVIEW and rng.random() < 0.02:
                note_rows.append([_code(rng), jid, d.key, ClockNote.Type.EXCEPTION,
                                  ClockNote.Reason.LA_HOLIDAY, "Meeting falls in the summer "
                                  "holiday", now])
    for row in note_rows:
        if row[4] == ClockNote.Reason.OTHER:
            row[5] = "Interpreter not available"
    insert_rows(Event, ["code", "journey_id", "kind", "on", "la_code", "la_name", "outcome",
                        "note", "school_id", "recorded_at", "source"], event_rows, adapt=True)
    insert_rows(ClockNote, ["code", "journey_id", "deadline", "type", "reason", "note",
                            "recorded_at"], note_rows, adapt=True)
    authorities = len({j.la[0] for j in journeys})
    return {"EHC journeys": len(journeys), "events": len(event_rows),
            "authorities": authorities, "deadlines overdue": states.get("overdue", 0),
            "delay reasons": sum(r[3] == ClockNote.Type.DELAY for r in note_rows)}
