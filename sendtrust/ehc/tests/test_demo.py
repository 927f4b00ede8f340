"""The demo EHC journeys: every state, three authorities, some overdue with reasons."""

import datetime as dt
from collections import Counter

from django.utils import timezone

from sendtrust.demo import ehc as demo_ehc
from sendtrust.ehc import facts
from sendtrust.ehc.clocks import Clock
from sendtrust.ehc.models import ClockNote, Event, Journey
from sendtrust.pupils.models import Provision, Pupil
from sendtrust.testing import PupilFactory, SchoolFactory, TrustFactory, give_status


def _trust():
    """Two schools in one authority, 150 pupils with a plan and 150 on SEN support."""
    trust = TrustFactory()
    schools = [SchoolFactory(trust=trust), SchoolFactory(trust=trust, phase="secondary")]
    for i in range(300):
        school = schools[i % 2]
        year = (i % 7) + 1 if school.phase == "primary" else (i % 5) + 7
        pupil = PupilFactory(school=school, year_group=year)
        give_status(pupil, Provision.EHCP if i % 2 == 0 else Provision.SUPPORT, "ASD")
    return trust


def test_demo_journeys_cover_every_state_and_three_authorities(db):
    trust = _trust()
    counts = demo_ehc.seed(trust, seed=3)
    assert counts["authorities"] >= 3
    journeys = Journey.objects.filter(pupil__school__trust=trust)
    ehcp = Pupil.objects.filter(school__trust=trust, sen_provision=Provision.EHCP,
                                left_on__isnull=True).count()
    assert journeys.filter(pupil__sen_provision=Provision.EHCP).count() == ehcp
    rows = facts.journeys(journeys, today=timezone.localdate())
    today = timezone.localdate()
    states = Counter(d.state(today) for r in rows for d in r.clocks.deadlines)
    assert {"done", "late", "overdue", "due_soon", "upcoming"} <= set(states)
    stages = Counter(r.clocks.stage for r in rows)
    assert stages["EHC plan in place"] > 0 and stages["Assessment requested"] + stages[
        "Draft plan issued"] + stages["Authority decided not to assess"] > 0
    clocks_seen = {d.clock for r in rows for d in r.clocks.deadlines}
    assert {Clock.REVIEW, Clock.REPORT, Clock.REVIEW_DECISION, Clock.AMENDED,
            Clock.DECISION, Clock.FINAL} <= clocks_seen
    overdue_with_reason = [d for r in rows for d in r.clocks.deadlines
                           if d.state(today) == "overdue" and d.delay is not None]
    assert overdue_with_reason
    assert Event.objects.filter(kind="moved_authority").exists()
    assert ClockNote.objects.filter(type="delay").count() == counts["delay reasons"]
    # Every event is in the past; a trust that has journeys gets no more.
    assert not Event.objects.filter(on__gt=today + dt.timedelta(days=0)).exists()
    assert demo_ehc.seed(trust, seed=3) == {}  # already built: nothing added
