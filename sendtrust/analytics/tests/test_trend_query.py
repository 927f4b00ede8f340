"""The census-day trend query (issue 15): counts by index ranges, each pupil once a day.

The query counts the enrolments covering a day and takes off, exactly, a pupil counted more
than once (two enrolments overlapping that day, as with dual registration); SEN statuses
come from one pass over the episodes. These tests hold it to a plain reading of the records.
"""

import datetime as dt

import pytest

from sendtrust.analytics import figures
from sendtrust.analytics.figures.trend import Coverage, coverage
from sendtrust.pupils.models import Enrolment, Provision, SenEpisode
from sendtrust.testing import PupilFactory, SchoolFactory, give_status

pytestmark = pytest.mark.django_db

DAYS = [dt.date(2024, 1, 18), dt.date(2025, 1, 16), dt.date(2026, 1, 15)]


def _covers(row, day) -> bool:
    return row.starts_on <= day and (row.ends_on is None or row.ends_on >= day)


def by_hand(trust, day, school=None) -> tuple[int, int, int]:
    """Pupils enrolled in scope on day, and those of them on SEN support / with a plan."""
    schools = {s.pk for s in trust.schools.all() if school is None or s.pk == school.pk}
    on_roll = {e.pupil_id for e in Enrolment.objects.all()
               if e.school_id in schools and _covers(e, day)}
    status = {p: {ep.provision for ep in SenEpisode.objects.filter(pupil_id=p)
                  if _covers(ep, day)} for p in on_roll}
    return (len(on_roll), sum(Provision.SUPPORT in s for s in status.values()),
            sum(Provision.EHCP in s for s in status.values()))


def test_a_pupil_enrolled_twice_on_a_census_day_is_counted_once(cast):
    a = SchoolFactory(trust=cast.trust, name="Dual A")
    b = SchoolFactory(trust=cast.trust, name="Dual B")
    elsewhere = SchoolFactory(name="Another trust's school")
    before = figures._status_by_day(cast.trust, DAYS, None)

    dual = PupilFactory(school=a)  # on roll at A from 1 September 2023
    Enrolment.objects.create(pupil=dual, school=b, starts_on=dt.date(2023, 9, 1),
                             ends_on=dt.date(2025, 7, 18))  # and at B, dual registered
    give_status(dual, Provision.SUPPORT, "MLD", on=dt.date(2023, 10, 1))
    give_status(dual, Provision.EHCP, "MLD", on=dt.date(2024, 9, 2))
    single = PupilFactory(school=b)
    give_status(single, Provision.SUPPORT, "SLCN", on=dt.date(2024, 3, 1))
    PupilFactory(school=elsewhere)  # never counted for this trust
    # Two overlapping enrolments at one school (a one-school trend reads only that school's
    # enrolments for the pupils counted twice).
    twice = PupilFactory(school=b)
    Enrolment.objects.create(pupil=twice, school=b, starts_on=dt.date(2023, 9, 1),
                             ends_on=dt.date(2024, 3, 1))

    after = figures._status_by_day(cast.trust, DAYS, None)
    added = {d: tuple(x - y for x, y in zip(after[d], before[d], strict=True)) for d in DAYS}
    # 2024: the three pupils on roll (the dual one and the twice-enrolled one once each), the
    # dual one on SEN support. 2025: the dual one has a plan, the single one is on SEN
    # support. 2026: the same.
    assert added == {DAYS[0]: (3, 1, 0), DAYS[1]: (3, 1, 1), DAYS[2]: (3, 1, 1)}
    for day in DAYS:
        assert after[day] == by_hand(cast.trust, day)
    # Each school counts the dual pupil while enrolled there.
    at_b = figures._status_by_day(cast.trust, DAYS, b)
    assert at_b == {d: by_hand(cast.trust, d, b) for d in DAYS}
    # The dual enrolment at B ended in July 2025; the twice-enrolled pupil counts once a day.
    assert at_b[DAYS[0]] == (3, 1, 0) and at_b[DAYS[2]] == (2, 1, 0)


def test_a_day_with_no_sen_episodes_in_scope_counts_zero(cast):
    school = SchoolFactory(trust=cast.trust, name="No SEN Primary")
    PupilFactory(school=school)
    got = figures._status_by_day(cast.trust, DAYS, school)
    assert got == {d: (1, 0, 0) for d in DAYS}


def coverage_by_hand(trust) -> Coverage:
    """Each school with enrolments: its first recorded leaving date (none: not yet)."""
    firsts = {}
    for e in Enrolment.objects.filter(school__trust=trust).select_related("school"):
        ends = firsts.setdefault(e.school_id, (e.school.name, []))[1]
        if e.ends_on is not None:
            ends.append(e.ends_on)
    missing = sorted(name for name, ends in firsts.values() if not ends)
    if not firsts or missing:
        return Coverage(None, missing)
    return Coverage(max(min(ends) for _, ends in firsts.values()), [])


def test_coverage_is_the_latest_first_leaving_date_over_the_schools(cast):
    """Issue 15: each school's first leaving date is one index probe, not a read of every
    enrolment; it must be what a plain reading of the enrolments gives."""
    Enrolment.objects.filter(school__trust=cast.trust).delete()
    assert coverage(cast.trust) == coverage_by_hand(cast.trust) == Coverage(None, [])
    a = SchoolFactory(trust=cast.trust, name="Cover A")
    b = SchoolFactory(trust=cast.trust, name="Cover B")
    SchoolFactory(trust=cast.trust, name="Cover Empty")  # no enrolments: not counted
    for school, left in ((a, dt.date(2023, 12, 20)), (a, dt.date(2025, 7, 18)),
                         (b, dt.date(2024, 7, 19))):
        Enrolment.objects.filter(pupil=PupilFactory(school=school)).update(ends_on=left)
    PupilFactory(school=a)  # on roll: no leaving date
    assert coverage(cast.trust) == coverage_by_hand(cast.trust)
    assert coverage(cast.trust).complete_from == dt.date(2024, 7, 19)
    assert coverage(cast.trust, a).complete_from == dt.date(2023, 12, 20)
    # Two schools of one name, neither with a leaver yet: both named.
    for _ in range(2):
        PupilFactory(school=SchoolFactory(trust=cast.trust, name="Twin"))
    assert coverage(cast.trust) == coverage_by_hand(cast.trust)
    assert coverage(cast.trust).without_leavers == ["Twin", "Twin"]
