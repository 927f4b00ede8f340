"""Data quality and the register's history: dropped secondary needs, leavers, corrections."""

import datetime as dt

import pytest

from sendtrust.pupils import services
from sendtrust.testing import give_status, need

pytestmark = pytest.mark.django_db


def found(client, cast):
    client.force_login(cast.users["send_leader"])
    r = client.get(f"/trusts/{cast.trust.code}/data-quality/")
    return {(p.check.key, p.surname) for p in r.context["problems"]}


def test_a_secondary_need_dropped_at_a_change_of_status_is_noticed(client, cast):
    # pupil_a2: EHC plan, ASD then SLCN. Moved to SEN support without the secondary need.
    give_status(cast.pupil_a2, "K", "ASD", on=dt.date(2025, 2, 1))
    assert ("secondary_dropped", "Beech") in found(client, cast)


def test_a_change_that_keeps_the_needs_or_changes_the_primary_is_not_flagged(client, cast):
    give_status(cast.pupil_a2, "K", "ASD", "SLCN", on=dt.date(2025, 2, 1))
    give_status(cast.pupil_b1, "E", "ASD", on=dt.date(2025, 2, 1))  # no secondary before
    assert not {k for k, _ in found(client, cast)} & {"secondary_dropped"}


def test_a_corrected_entry_is_not_flagged_again(client, cast):
    episode = give_status(cast.pupil_a2, "K", "ASD", on=dt.date(2025, 2, 1))
    services.correct_episode(episode, provision="K", primary=need("ASD"),
                             secondary=need("SLCN"), reason="The need still applies")
    assert ("secondary_dropped", "Beech") not in found(client, cast)


def test_a_leaver_is_not_a_pupil_without_an_enrolment(client, cast):
    services.record_leaver(cast.pupil_a1, on=dt.date.today(), destination="Abroad")
    keys = {k for k, surname in found(client, cast) if surname == "Ash"}
    assert not keys & {"no_open_enrolment", "status_mismatch"}
