"""Each pupil's enrolment summary, kept by the database's triggers, says exactly who is on roll
(issue 15): whatever writes the enrolments, on_roll() from the summary picks the same pupils
on every day as the definition, an enrolment covering the day."""

import datetime as dt
import random

import pytest
from django.db.models import Count, Exists, Max, Min, OuterRef, Q

from sendtrust.analytics.figures.common import on_roll
from sendtrust.lib.bulk import insert_rows
from sendtrust.pupils.models import Enrolment, Pupil
from sendtrust.testing import PupilFactory, SchoolFactory

pytestmark = pytest.mark.django_db

D = dt.date


def covering(day):
    """The definition: an enrolment whose dates cover the day."""
    return Exists(Enrolment.objects.filter(pupil=OuterRef("pk"), starts_on__lte=day)
                  .filter(Q(ends_on__isnull=True) | Q(ends_on__gte=day)))


def assert_same_on(days):
    for day in days:
        by_summary = set(Pupil.objects.filter(on_roll(day)).values_list("pk", flat=True))
        by_definition = set(Pupil.objects.filter(covering(day)).values_list("pk", flat=True))
        assert by_summary == by_definition, day


def assert_summaries_hold():
    """Every pupil's summary is its enrolments' count, first day and last day, and the school
    of its one open enrolment (None when none or several are open)."""
    is_open = Q(enrolments__ends_on__isnull=True)
    rows = Pupil.objects.annotate(
        n=Count("enrolments"), first=Min("enrolments__starts_on"),
        last=Max("enrolments__ends_on"), open=Count("enrolments", filter=is_open),
        open_school=Max("enrolments__school", filter=is_open),
    ).values_list("pk", "enrolment_count", "enrolled_from", "enrolled_until",
                  "open_enrolment_school", "n", "first", "last", "open", "open_school")
    for pk, count, start, until, school, n, first, last, open_, open_school in rows:
        assert (count, start, until, school) == (
            n, first, None if open_ else last, open_school if open_ == 1 else None), pk


def bare_pupils(school, n):
    """Pupils with no enrolment (the factory enrols each; that enrolment is deleted)."""
    pupils = [PupilFactory(school=school) for _ in range(n)]
    Enrolment.objects.filter(pupil__in=pupils).delete()
    return pupils


def _random_enrolments(rng, pupils, schools, many):
    """Enrolments of every shape, at either school: open, ended, not started yet, ended and
    re-joined, with a gap, overlapping (dual registration), on the day's edges."""
    for p in rng.sample(pupils, many):
        for _ in range(rng.choice([1, 1, 1, 2, 3])):
            start = D(2020, 1, 1) + dt.timedelta(days=rng.randrange(0, 2600))
            end = rng.choice([None, start + dt.timedelta(days=rng.randrange(0, 900))])
            if end is None and p.enrolments.filter(ends_on__isnull=True).exists():
                end = start + dt.timedelta(days=30)
            Enrolment.objects.create(pupil=p, school=rng.choice(schools), starts_on=start,
                                     ends_on=end)


def test_every_write_keeps_the_summary_and_on_roll_matches_the_definition():
    rng = random.Random(15)
    school = SchoolFactory()
    pupils = bare_pupils(school, 60)
    assert Pupil.objects.filter(enrolment_count=0).count() == 60  # the default, no enrolment
    other_school = SchoolFactory(trust=school.trust)
    _random_enrolments(rng, pupils, [school, other_school], 50)
    assert Pupil.objects.filter(open_enrolment_school=other_school).exists()
    days = [D(2020, 1, 1), D(2021, 6, 30), D(2023, 1, 19), D(2024, 9, 1),
            D(2026, 1, 15), D(2026, 11, 26), D(2027, 3, 1)]
    days += [e.starts_on for e in Enrolment.objects.order_by("?")[:10]]
    days += [e.ends_on for e in Enrolment.objects.exclude(ends_on=None).order_by("?")[:10]]
    assert Pupil.objects.filter(enrolment_count__gt=1).exists()
    assert_summaries_hold()
    assert_same_on(days)

    # Updates through the ORM: a leaver's enrolment closed, a start moved, an enrolment
    # moved to another pupil (its old and new pupil both change), a whole-queryset update.
    enrolments = list(Enrolment.objects.all())
    for e in rng.sample(enrolments, 15):
        e.starts_on -= dt.timedelta(days=rng.randrange(0, 400))
        if e.ends_on is not None:
            e.ends_on += dt.timedelta(days=rng.randrange(0, 400))
        e.save()
    moved = next(e for e in enrolments if e.ends_on is not None)
    other = next(p for p in pupils if p.pk != moved.pupil_id)
    Enrolment.objects.filter(pk=moved.pk).update(pupil=other)
    changed = Enrolment.objects.filter(ends_on__isnull=True).order_by("pk")[:8]
    Enrolment.objects.filter(pk__in=list(changed.values_list("pk", flat=True))).update(
        school=other_school)  # the open school follows a change of school alone
    Enrolment.objects.filter(ends_on__isnull=True, starts_on__lt=D(2021, 1, 1)).update(
        ends_on=D(2025, 7, 22))
    assert_summaries_hold()
    assert_same_on(days)

    # Deletes: one enrolment, then every enrolment of some pupils (on roll nowhere).
    Enrolment.objects.filter(pk=rng.choice(enrolments).pk).delete()
    Enrolment.objects.filter(pupil__in=rng.sample(pupils, 10)).delete()
    assert_summaries_hold()
    assert_same_on(days)


def test_the_import_path_raw_inserts_keeps_the_summary_too():
    """Imports and the demo write enrolments with multi-row INSERTs (lib.bulk), not the ORM."""
    school = SchoolFactory()
    pupils = bare_pupils(school, 4)
    insert_rows(Enrolment, ["pupil", "school", "starts_on", "ends_on"], [
        (pupils[0].pk, school.pk, D(2023, 9, 1), None),
        (pupils[1].pk, school.pk, D(2023, 9, 1), D(2024, 7, 19)),
        (pupils[1].pk, school.pk, D(2025, 9, 1), None),
        (pupils[2].pk, school.pk, D(2027, 9, 1), None),
    ], adapt=True)
    assert_summaries_hold()
    assert_same_on([D(2024, 1, 18), D(2025, 1, 16), D(2026, 1, 15), D(2027, 9, 1)])
    on = set(Pupil.objects.filter(on_roll(D(2025, 1, 16))).values_list("pk", flat=True))
    assert on == {pupils[0].pk}  # the second left before then and came back after


def test_saving_a_pupil_read_earlier_does_not_undo_the_summary():
    """A pupil instance read before its enrolment closed still holds the old summary; saving
    it (a name corrected in the same request) must not write that back."""
    pupil = PupilFactory()  # one open enrolment from 1 September 2023
    pupil.refresh_from_db()
    Enrolment.objects.filter(pupil=pupil).update(ends_on=D(2025, 7, 22))
    pupil.forename = "Corrected"
    pupil.save()
    pupil.refresh_from_db()
    assert pupil.forename == "Corrected"
    assert (pupil.enrolment_count, pupil.enrolled_until) == (1, D(2025, 7, 22))
    assert not Pupil.objects.filter(on_roll(D(2026, 1, 15)), pk=pupil.pk).exists()
    pupil.save(update_fields=["surname", "enrolled_until"])  # asked for by name: still not
    assert Pupil.objects.get(pk=pupil.pk).enrolled_until == D(2025, 7, 22)


def test_the_least_privileged_app_role_keeps_the_summary(transactional_db, monkeypatch):
    """Production connects as the role grant_app_role makes; the triggers must work for it.
    SQLite has no roles: there the three triggers must be in the schema."""
    import os

    from django.core.management import call_command
    from django.db import connection

    if connection.vendor == "sqlite":
        with connection.cursor() as cursor:
            cursor.execute("SELECT name FROM sqlite_master WHERE type = 'trigger' AND tbl_name"
                           " = 'pupils_enrolment' AND name LIKE 'pupils_enrolment_summary%'")
            assert len(cursor.fetchall()) == 3
        return
    import psycopg

    pupil = PupilFactory()  # one open enrolment
    role = f"sendtrust_app_s{os.getpid()}"
    monkeypatch.setenv("APP_DB_PASSWORD", "app-role-test-password")
    call_command("grant_app_role", role)
    db = connection.settings_dict
    try:
        with psycopg.connect(host=db["HOST"] or "127.0.0.1", port=db["PORT"] or 5432,
                             dbname=db["NAME"], user=role, password="app-role-test-password",
                             autocommit=True) as app:
            app.execute("UPDATE pupils_enrolment SET ends_on = '2025-07-22' WHERE pupil_id = %s",
                        [pupil.pk])
            app.execute("INSERT INTO pupils_enrolment (pupil_id, school_id, starts_on, "
                        "destination) VALUES (%s, %s, '2025-09-01', '')",
                        [pupil.pk, pupil.school_id])
    finally:
        with connection.cursor() as cursor:
            cursor.execute(f"GRANT {role} TO CURRENT_USER")
            cursor.execute(f"DROP OWNED BY {role}")
            cursor.execute(f"DROP ROLE {role}")
    pupil.refresh_from_db()
    assert (pupil.enrolment_count, pupil.enrolled_from, pupil.enrolled_until) == (
        2, D(2023, 9, 1), None)
    assert_same_on([D(2025, 8, 1), D(2025, 9, 1)])


def test_a_bulk_write_refreshes_the_planners_statistics_on_postgresql(
        django_capture_on_commit_callbacks, settings):
    """After a large import the pages must not be planned with statistics from before it
    (PostgreSQL); SQLite keeps none and is left alone.

    The ANALYZE runs here on the need types only: ANALYZE is not undone by the test's
    rollback, and statistics taken of a nearly empty pupil table would make PostgreSQL plan
    later tests' thousands of pupils as a handful (nested loops that ran for minutes)."""
    from django.db import connection

    from sendtrust.lib.bulk import refresh_statistics
    from sendtrust.pupils.models import NeedType

    settings.ANALYZE_AFTER_ROWS = 1000  # the test run sets it out of reach
    with django_capture_on_commit_callbacks(execute=True):
        assert not refresh_statistics([NeedType], rows=999)  # a small change: no
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        scheduled = refresh_statistics([NeedType], rows=1000)
    if connection.vendor == "sqlite":
        assert not scheduled and not callbacks
        with connection.cursor() as cursor:
            cursor.execute("SELECT name FROM sqlite_master WHERE name = 'sqlite_stat1'")
            assert cursor.fetchone() is None
        return
    assert scheduled and len(callbacks) == 1
    with connection.cursor() as cursor:
        cursor.execute("SELECT last_analyze IS NOT NULL FROM pg_stat_user_tables"
                       " WHERE relname = 'pupils_needtype'")
        assert cursor.fetchone() == (True,)


def test_the_demo_build_fills_in_the_summary_the_triggers_keep():
    """The demo writes each pupil's summary with the pupil (so PostgreSQL's trigger need not
    write it again): it must be what the enrolments say, leavers and movers included."""
    from django.db import connection

    from sendtrust.demo.services import build_demo_trust

    def written() -> tuple[int, int]:
        """Pupil rows inserted and updated so far in this transaction (PostgreSQL), which
        may hold other tests' writes (a test class's data set up around this test)."""
        if connection.vendor != "postgresql":
            return 0, 0
        with connection.cursor() as cursor:
            cursor.execute("SELECT n_tup_ins, n_tup_upd FROM pg_stat_xact_user_tables"
                           " WHERE relname = 'pupils_pupil'")
            return cursor.fetchone()

    before = written()
    build_demo_trust(schools=3, pupils=300, seed=15, password="demo-Password-15",
                     trust_name="Summary Trust", progress=False)
    after = written()
    assert Pupil.objects.filter(enrolment_count__gt=1).exists()
    assert Pupil.objects.exclude(enrolled_until=None).exists()  # leavers
    assert_summaries_hold()
    if connection.vendor == "postgresql":  # no pupil written twice by the trigger
        inserted, updated = after[0] - before[0], after[1] - before[1]
        # Without the summary filled in, every new pupil is written again (updated >=
        # inserted).
        assert inserted >= 300 and updated < inserted // 10, (inserted, updated)
