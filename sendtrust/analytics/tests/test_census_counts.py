"""The trend's census counts are stored and used again only while the history they were
rebuilt from is unchanged (issue 15): after any write of an enrolment or SEN status, by any
path, the trend is what a plain reading of the records gives."""

import datetime as dt
import importlib

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from sendtrust.analytics import figures
from sendtrust.analytics.models import CensusCount
from sendtrust.analytics.tests.test_trend_query import DAYS, by_hand
from sendtrust.lib.bulk import insert_rows
from sendtrust.organisations.models import School
from sendtrust.pupils.models import Enrolment, HistoryVersion, Provision, SenEpisode
from sendtrust.testing import PupilFactory, SchoolFactory, TrustFactory, give_status

pytestmark = pytest.mark.django_db

trend_module = importlib.import_module("sendtrust.analytics.figures.trend")


def counted(trust, school=None):
    """The trend's counts, and whether they were rebuilt (its queries ran)."""
    with CaptureQueriesContext(connection) as ctx:
        got = figures._status_by_day(trust, DAYS, school)
    rebuilt = any("WITH scope" in q["sql"] for q in ctx.captured_queries)
    return got, rebuilt


def assert_right(trust, school=None):
    got, _ = counted(trust, school)
    assert got == {d: by_hand(trust, d, school) for d in DAYS}


@pytest.fixture
def history(cast):
    a = SchoolFactory(trust=cast.trust, name="Store A")
    b = SchoolFactory(trust=cast.trust, name="Store B")
    pupils = [PupilFactory(school=a) for _ in range(3)] + [PupilFactory(school=b)]
    give_status(pupils[0], Provision.SUPPORT, "MLD", on=dt.date(2023, 10, 2))
    give_status(pupils[1], Provision.EHCP, "ASD", on=dt.date(2024, 9, 2))
    return cast.trust, a, b, pupils


def test_counts_are_stored_and_read_back_without_rebuilding(history):
    trust, a, _, _ = history
    first, rebuilt = counted(trust)
    assert rebuilt and first == {d: by_hand(trust, d) for d in DAYS}
    assert CensusCount.objects.filter(trust=trust, school_key=0).count() == len(DAYS)
    again, rebuilt = counted(trust)
    assert again == first and not rebuilt
    # A school's counts are stored apart from the trust's.
    at_a, rebuilt = counted(trust, a)
    assert rebuilt and at_a == {d: by_hand(trust, d, a) for d in DAYS}
    assert counted(trust, a) == (at_a, False)


WRITES = {
    "enrolment added": lambda t, a, b, p: Enrolment.objects.create(
        pupil=p[3], school=a, starts_on=dt.date(2021, 9, 1), ends_on=dt.date(2024, 7, 19)),
    "enrolment ended": lambda t, a, b, p: Enrolment.objects.filter(pupil=p[2]).update(
        ends_on=dt.date(2024, 7, 19)),
    "enrolment moved to another school": lambda t, a, b, p: Enrolment.objects.filter(
        pupil=p[2]).update(school=b),
    "enrolment deleted": lambda t, a, b, p: Enrolment.objects.filter(pupil=p[1]).delete(),
    "enrolments inserted raw": lambda t, a, b, p: insert_rows(
        Enrolment, ["pupil", "school", "starts_on", "ends_on"],
        [(p[3].pk, a.pk, dt.date(2022, 9, 1), dt.date(2025, 7, 18))], adapt=True),
    "status recorded": lambda t, a, b, p: give_status(
        p[2], Provision.SUPPORT, "SLCN", on=dt.date(2024, 1, 8)),
    "status dates changed": lambda t, a, b, p: SenEpisode.objects.filter(
        pupil=p[0], provision=Provision.SUPPORT).update(starts_on=dt.date(2025, 2, 3)),
    "status changed in place": lambda t, a, b, p: SenEpisode.objects.filter(
        pupil=p[1], provision=Provision.EHCP).update(provision=Provision.SUPPORT),
    "status deleted": lambda t, a, b, p: SenEpisode.objects.filter(pupil=p[1]).delete(),
    "statuses inserted raw": lambda t, a, b, p: insert_rows(
        SenEpisode, ["code", "pupil", "provision", "starts_on", "ends_on", "source"],
        [(SenEpisode._meta.get_field("code").default(), p[3].pk, Provision.EHCP,
          dt.date(2023, 1, 2), dt.date(2025, 12, 1), "import")], adapt=True),
    "pupil deleted": lambda t, a, b, p: p[0].delete(),
    "school moved to another trust": lambda t, a, b, p: School.objects.filter(pk=b.pk).update(
        trust=TrustFactory()),
}


@pytest.mark.parametrize("write", list(WRITES))
def test_after_any_write_the_trend_is_rebuilt_from_the_records(history, write):
    trust, a, b, pupils = history
    counted(trust), counted(trust, a), counted(trust, b)  # stored
    before = {s: counted(trust, s)[0] for s in (None, a, b)}
    WRITES[write](trust, a, b, pupils)
    assert_right(trust)
    for school in (a, b):
        if School.objects.get(pk=school.pk).trust_id == trust.pk:
            assert_right(trust, school)
    assert {s: counted(trust, s)[0] for s in (None, a, b)} != before or write in {
        "status dates changed"}  # (moved within the same census year)


def test_a_write_during_the_rebuild_leaves_the_stored_counts_unused(history, monkeypatch):
    """The history versions are read before the counts are made: counts made before a write
    that then commits are stored under the versions from before it, so they are not used."""
    trust, a, _, pupils = history
    real = trend_module._count_days

    def count_then_write(*args):
        made = real(*args)
        give_status(pupils[2], Provision.EHCP, "SLCN", on=dt.date(2023, 11, 6))  # commits now
        return made

    monkeypatch.setattr(trend_module, "_count_days", count_then_write)
    stale, _ = counted(trust)
    monkeypatch.setattr(trend_module, "_count_days", real)
    assert stale != {d: by_hand(trust, d) for d in DAYS}  # made before the write
    got, rebuilt = counted(trust)
    assert rebuilt and got == {d: by_hand(trust, d) for d in DAYS}


def test_the_history_triggers_are_in_the_schema(history):
    """SQLite drops a table's triggers when a migration rebuilds the table."""
    trust, a, _, pupils = history
    if connection.vendor == "sqlite":
        with connection.cursor() as cursor:
            cursor.execute("SELECT name FROM sqlite_master WHERE type = 'trigger' AND name LIKE"
                           " 'pupils_%_history_%'")
            assert len(cursor.fetchall()) == 12  # enrolments, statuses, pupils,
            # identifications: 3 each
    version = HistoryVersion.objects.get(school=a).version
    Enrolment.objects.filter(pupil=pupils[2]).update(ends_on=dt.date(2025, 7, 18))
    assert HistoryVersion.objects.get(school=a).version > version


# The per-school counts of pupils on roll today (analytics.RollCount) ---------------------

from sendtrust.analytics.models import RollCount  # noqa: E402
from sendtrust.analytics.tests.test_record_counts import by_hand as roll_by_hand  # noqa: E402
from sendtrust.pupils.models import Pupil  # noqa: E402
from sendtrust.testing import need  # noqa: E402


def roll_counted(trust):
    """Every school's counts, and whether the pupils were read to make them."""
    with CaptureQueriesContext(connection) as ctx:
        got = figures.record_counts(trust)
    made = any('FROM "pupils_pupil"' in q["sql"] for q in ctx.captured_queries)
    return got, made


def by_need(trust):
    """The stored grouping itself: per (school, status, need id)."""
    from sendtrust.analytics.figures.schools import _pupils_on_roll

    return _pupils_on_roll(trust)


ROLL_WRITES = {
    "status written on the register": lambda t, a, b, p: Pupil.objects.filter(
        pk=p[2].pk).update(sen_provision=Provision.EHCP),
    "need written on the register": lambda t, a, b, p: Pupil.objects.filter(
        pk=p[0].pk).update(primary_need=need("HI")),
    "register school changed": lambda t, a, b, p: Pupil.objects.filter(pk=p[2].pk).update(
        school=b),
    "pupil joins": lambda t, a, b, p: PupilFactory(school=b),
    "pupil deleted": lambda t, a, b, p: p[1].delete(),
    "enrolment ended yesterday": lambda t, a, b, p: Enrolment.objects.filter(
        pupil=p[3]).update(ends_on=dt.date.today() - dt.timedelta(days=1)),
    "status recorded": lambda t, a, b, p: give_status(p[3], Provision.SUPPORT, "SLCN"),
}


@pytest.mark.parametrize("write", list(ROLL_WRITES))
def test_after_any_write_the_schools_counts_are_made_again(history, write):
    trust, a, b, pupils = history
    first, made = roll_counted(trust)
    assert made and first == roll_by_hand(trust)[0]
    assert roll_counted(trust) == (first, False)  # stored: the pupils are not read
    grouped = by_need(trust)
    ROLL_WRITES[write](trust, a, b, pupils)
    got, made = roll_counted(trust)
    assert made and got == roll_by_hand(trust)[0]
    assert by_need(trust) != grouped


def test_a_name_corrected_keeps_the_stored_counts(history):
    """Only the register fields the counts read move the school's version."""
    trust, _, _, pupils = history
    roll_counted(trust)
    Pupil.objects.filter(pk=pupils[0].pk).update(forename="Corrected")
    pupils[1].surname = "Corrected"
    pupils[1].save()
    assert roll_counted(trust)[1] is False


def test_the_counts_are_made_again_on_a_new_day(history, time_machine):
    trust, _, _, pupils = history
    time_machine.move_to(dt.datetime(2026, 3, 2, 12, 0))
    first, made = roll_counted(trust)
    assert made and RollCount.objects.get(trust=trust).day == dt.date(2026, 3, 2)
    Enrolment.objects.filter(pupil=pupils[3]).update(ends_on=dt.date(2026, 3, 2))
    time_machine.move_to(dt.datetime(2026, 3, 3, 12, 0))  # the pupil's last day has passed
    got, made = roll_counted(trust)
    assert made and got == roll_by_hand(trust)[0] != first
    assert RollCount.objects.filter(trust=trust).count() == 1  # one row a trust


def identified_by_hand(trust) -> dict[int, int]:
    from django.utils import timezone

    from sendtrust.pupils.models import Identification

    today = timezone.localdate()
    out: dict[int, int] = {}
    for p in Pupil.objects.filter(school__trust=trust, sen_provision__in=["K", "E"]):
        on = any(e.starts_on <= today and (e.ends_on is None or e.ends_on >= today)
                 for e in Enrolment.objects.filter(pupil=p))
        if on and Identification.objects.filter(pupil=p, episode__isnull=False,
                                                episode__ends_on__isnull=True).exists():
            out[p.school_id] = out.get(p.school_id, 0) + 1
    return out


def test_identified_counts_are_made_again_after_an_identification_is_written(history):
    """The evidence's identified pupils are stored like the counts (analytics.IdentifiedCount);
    writing an identification moves the pupil's schools' versions (pupils migration 0012)."""
    from sendtrust.evaluation.evidence import Facts
    from sendtrust.pupils.models import Identification

    trust, _, _, pupils = history

    def identified():
        return Facts(trust).identified_by_school

    before = identified()
    assert before == identified_by_hand(trust)
    episode = SenEpisode.objects.get(pupil=pupils[0], ends_on__isnull=True)
    made = Identification.objects.create(
        pupil=pupils[0], episode=episode, identified_on=dt.date(2023, 10, 2),
        identified_by="SENCO", evidence="Assessment")
    added = identified()
    assert added == identified_by_hand(trust) != before
    Identification.objects.filter(pk=made.pk).update(episode=None)
    assert identified() == identified_by_hand(trust) == before
    Identification.objects.filter(pk=made.pk).update(episode=episode)
    assert identified() == added
    Identification.objects.filter(pk=made.pk).delete()
    assert identified() == identified_by_hand(trust) == before
