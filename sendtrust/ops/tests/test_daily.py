"""The worker sends each digest day's digests itself, once, however many workers ask."""

import datetime as dt
import subprocess
import sys
import zoneinfo

import pytest
from django.core import mail
from django.db import IntegrityError

from sendtrust.ops import daily
from sendtrust.ops.models import DailyRun
from sendtrust.ops.tests.helpers import (
    ROOT,
    committed_cast,
    run_queued_tasks,
    shared_database,
    subprocess_env,
)
from sendtrust.planning import digest as plan_digest
from sendtrust.planning import services
from sendtrust.planning.models import Horizon
from sendtrust.support import digest as support_digest

LONDON = zoneinfo.ZoneInfo("Europe/London")
MONDAY = dt.date(2026, 11, 30)


def at(day, hour, minute=0):
    return dt.datetime(day.year, day.month, day.day, hour, minute, tzinfo=LONDON)


def action_due_for(cast, due_on=MONDAY + dt.timedelta(days=2)):
    user = cast.users["senco_a"]
    user.email = "senco_a@example.org"
    user.save(update_fields=["email"])
    goal = services.create_goal(cast.trust, horizon=Horizon.ONE_YEAR, title="Earlier help",
                                by=cast.users["send_leader"])
    return services.create_action(goal, title="Termly register review", owner=user,
                                  due_on=due_on,
                                  by=cast.users["send_leader"])


@pytest.fixture
def digest_days(settings):
    settings.DIGEST_HOUR, settings.DIGEST_DAYS = 7, ["mon"]
    settings.SITE_URL = "https://send.example.org"


@pytest.mark.django_db
def test_two_calls_on_a_digest_day_queue_the_digests_once_and_they_are_sent_once(
        cast, digest_days, time_machine):
    action = action_due_for(cast)
    time_machine.move_to(at(MONDAY, 8), tick=False)  # the digests' "today" is the run's day
    expected = ([(d.owner.email, d.subject()) for d in plan_digest.collect(MONDAY)[0]]
                + [(d.user.email, d.subject()) for d in support_digest.collect(MONDAY)[0]])
    assert ("senco_a@example.org", "Your SEND plan actions: 1 due this week") in expected

    assert daily.queue_due(at(MONDAY, 8)) == ["plan_digest", "support_digest"]
    assert daily.queue_due(at(MONDAY, 8, 1)) == []  # the second call (another worker) queues none
    assert run_queued_tasks() == 2
    assert sorted((m.to[0], m.subject) for m in mail.outbox) == sorted(expected)
    (plan_mail,) = [m for m in mail.outbox if m.subject.startswith("Your SEND plan")]
    assert f"https://send.example.org/plan/actions/{action.code}/" in plan_mail.body

    assert daily.queue_due(at(MONDAY, 23, 59)) == [] and run_queued_tasks() == 0
    assert len(mail.outbox) == len(expected)
    runs = {r.kind: r for r in DailyRun.objects.all()}
    assert set(runs) == {"plan_digest", "support_digest"}
    assert runs["plan_digest"].finished_at is not None
    assert runs["plan_digest"].result["sent"] >= 1


@pytest.mark.django_db
def test_a_worker_that_lost_the_race_queues_nothing(cast, digest_days, monkeypatch):
    """Two workers may both see no row for today; the unique row lets only one queue it."""
    assert daily.queue_due(at(MONDAY, 9)) == ["plan_digest", "support_digest"]

    class NothingSeen:  # the second worker read before the first one's rows were committed
        def filter(self, **kwargs):
            return self

        def values_list(self, *args, **kwargs):
            return []

        def create(self, **kwargs):
            return DailyRun._default_manager.create(**kwargs)

    monkeypatch.setattr(DailyRun, "objects", NothingSeen())
    assert daily.queue_due(at(MONDAY, 9)) == []
    monkeypatch.undo()
    assert DailyRun.objects.count() == 2 and run_queued_tasks() == 2
    with pytest.raises(IntegrityError):
        DailyRun.objects.create(kind="plan_digest", day=MONDAY)


@pytest.mark.django_db
def test_nothing_is_queued_before_the_hour_or_on_another_day(cast, settings, digest_days):
    assert daily.queue_due(at(MONDAY, 6, 59)) == []
    assert daily.queue_due(at(MONDAY + dt.timedelta(days=1), 12)) == []
    settings.DIGEST_DAYS = []
    assert daily.queue_due(at(MONDAY, 12)) == []
    assert not DailyRun.objects.exists() and run_queued_tasks() == 0
    settings.DIGEST_DAYS, settings.DIGEST_HOUR = ["tue", "fri"], 0
    assert daily.queue_due(at(MONDAY + dt.timedelta(days=1), 0)) == ["plan_digest",
                                                                      "support_digest"]


@pytest.mark.django_db(transaction=True)
def test_two_worker_processes_send_the_days_digests_once_with_no_cron(tmp_path):
    cast = committed_cast()
    action_due_for(cast, due_on=dt.date.today() + dt.timedelta(days=2))
    # Due today at any hour: each worker queues what is not yet queued as it starts, then runs
    # the queue (--batch). Two start together, as on a deployment with several workers.
    env = {"DIGEST_DAYS": "mon,tue,wed,thu,fri,sat,sun", "DIGEST_HOUR": "0",
           "EMAIL_BACKEND": "django.core.mail.backends.console.EmailBackend"}
    with shared_database(tmp_path) as url:
        workers = [subprocess.Popen(
            [sys.executable, "manage.py", "run_worker", "--batch", "--no-startup-delay"],
            cwd=ROOT, env=subprocess_env(url, **env), stdout=subprocess.PIPE,
            stderr=subprocess.PIPE, text=True) for _ in range(2)]
        runs = [(w.communicate(timeout=300), w.returncode) for w in workers]
    for (out, err), code in runs:
        assert code == 0, err[-3000:] + out[-3000:]
    stdout = "".join(out for (out, _), _ in runs)
    assert stdout.count("Subject: Your SEND plan actions: 1 due this week") == 1, stdout[-3000:]
    assert stdout.count("Subject: Support worklist for Alder Primary") == 1
    assert {r.kind: r.finished_at is not None for r in DailyRun.objects.all()} == {
        "plan_digest": True, "support_digest": True}
