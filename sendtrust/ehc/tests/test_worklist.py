"""The worklists' kept deadlines give what computing every journey afresh gives, and follow
every change: a new step, a note, a pupil moving up a year, leaving, or a new day."""

import datetime as dt

import pytest
import time_machine
from django.core.cache import cache

from bench.ehc import build_trust
from sendtrust.ehc import facts, services
from sendtrust.ehc.clocks import Kind
from sendtrust.ehc.models import ClockNote, Journey

TODAY = dt.date(2026, 3, 2)


@pytest.fixture(autouse=True)
def _frozen():
    with time_machine.travel(dt.datetime(2026, 3, 2, 10, 0), tick=False):
        yield


def _afresh(scope, today):
    """Every journey computed from its events, as the journey and compliance pages do."""
    return facts.worklist(facts.journeys(facts.on_roll(scope), today=today, open_only=True),
                          today=today)


def _lines(items):
    return [(i.row.journey.pk, i.pupil.full_name, i.pupil.school.name, i.deadline.key,
             i.deadline.due, i.deadline.done_on, i.state, i.la_code, i.deadline.next_action(),
             i.deadline.preparing_for_adulthood,
             i.deadline.exception and i.deadline.exception.reason,
             i.deadline.delay and i.deadline.delay.reason) for i in items]


def _kept(scope, today):
    return facts.open_worklist(facts.on_roll(scope), today=today)


@pytest.mark.django_db
def test_the_kept_worklist_is_what_computing_afresh_gives_and_follows_each_change():
    trust, _ = build_trust(120, seed=7)
    scope = Journey.objects.filter(pupil__school__trust=trust)
    cache.clear()
    first = _kept(scope, TODAY)
    expected = _afresh(scope, TODAY)
    assert len(expected) > 20 and {i.state for i in expected} == {"overdue", "due_soon"}
    assert _lines(first.items) == _lines(expected)
    assert first.plans == facts.on_roll(scope).count()
    assert set(first.authorities) == set(scope.values_list("la_code", flat=True))
    assert _lines(_kept(scope, TODAY).items) == _lines(expected)  # now read from the cache

    # A step recorded closes a deadline and opens the next ones.
    item = next(i for i in first.items if i.deadline.clock == "annual_review")
    pupil = item.pupil
    services.record_event(pupil, kind=Kind.REVIEW_MEETING, on=TODAY)
    after = _lines(_kept(scope, TODAY).items)
    assert after == _lines(_afresh(scope, TODAY)) and after != _lines(expected)
    assert not any(line[0] == item.row.journey.pk and line[3] == item.deadline.key
                   for line in after)

    # A delay reason on an overdue deadline shows at once.
    overdue = next(i for i in _kept(scope, TODAY).items if i.state == "overdue"
                   and i.deadline.delay is None)
    services.record_note(overdue.pupil, deadline=overdue.deadline.key,
                         type=ClockNote.Type.DELAY, reason=ClockNote.DELAY_REASONS[0].value)
    noted = next(i for i in _kept(scope, TODAY).items
                 if i.row.journey.pk == overdue.row.journey.pk
                 and i.deadline.key == overdue.deadline.key)
    assert noted.deadline.delay.reason == ClockNote.DELAY_REASONS[0].value

    # A pupil moving into year 6 now has a phase transfer to plan for; one leaving is gone.
    mover = Journey.objects.filter(pupil__school__trust=trust, pupil__year_group=5).first()
    mover.pupil.year_group = 6
    mover.pupil.save(update_fields=["year_group"])
    leaver = first.items[-1].pupil
    leaver.left_on = TODAY
    leaver.save(update_fields=["left_on"])
    changed = _lines(_kept(scope, TODAY).items)
    assert changed == _lines(_afresh(scope, TODAY))
    assert leaver.full_name not in {line[1] for line in changed}

    # Another day: deadlines come due and the overdue age.
    later = TODAY + dt.timedelta(days=40)
    assert _lines(_kept(scope, later).items) == _lines(_afresh(scope, later))
