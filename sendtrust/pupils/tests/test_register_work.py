"""The register work a SENCO expects: search, year groups, leavers, corrections, needs kept."""

import datetime as dt
import re

import pytest
from django.core.exceptions import ValidationError

from sendtrust.access.models import AuditEntry
from sendtrust.pupils import services
from sendtrust.pupils.models import EpisodeCorrection, Pupil
from sendtrust.testing import PupilFactory, give_status, need

pytestmark = pytest.mark.django_db


def register(client, cast, query=""):
    client.force_login(cast.users["senco_a"])
    r = client.get(f"/schools/{cast.school_a.code}/register/?{query}")
    assert r.status_code == 200
    return r


def names(r):
    return [p.surname for p in r.context["page"]]


class TestSearch:
    def test_by_surname_forename_or_both(self, client, cast):
        assert names(register(client, cast, "q=bee")) == ["Beech"]
        assert names(register(client, cast, "q=ada")) == ["Ash"]
        assert names(register(client, cast, "q=Ben+Beech")) == ["Beech"]
        assert names(register(client, cast, "q=Ben+Ash")) == []

    def test_by_upn_ignoring_case_and_spaces(self, client, cast):
        upn = cast.pupil_a2.upn
        spaced = f"{upn[:4].lower()} {upn[4:]}"
        assert names(register(client, cast, f"q={spaced}")) == ["Beech"]

    def test_finds_only_pupils_the_user_may_see(self, client, cast):
        client.force_login(cast.users["teacher_a"])
        r = client.get(f"/schools/{cast.school_a.code}/register/?q=Beech")
        assert names(r) == []


def test_year_filter_offers_only_the_schools_year_groups(client, cast):
    PupilFactory(school=cast.school_a, year_group=0)
    r = register(client, cast)
    years = [label for value, label in r.context["form"].fields["year"].choices]
    assert years == ["Any year", "Reception", "Year 4"]
    body = r.content.decode()
    assert "Year 14" not in body and "Year 7" not in body


class TestHistory:
    def test_the_register_varies_on_the_htmx_headers(self, client, cast):
        r = register(client, cast)
        vary = {v.strip() for v in r["Vary"].split(",")}
        assert {"HX-Request", "HX-History-Restore-Request"} <= vary

    def test_a_history_restore_gets_the_whole_page(self, client, cast):
        client.force_login(cast.users["senco_a"])
        r = client.get(f"/schools/{cast.school_a.code}/register/?status=E",
                       HTTP_HX_REQUEST="true", HTTP_HX_HISTORY_RESTORE_REQUEST="true")
        body = r.content.decode()
        assert "<html" in body and "Beech" in body


class TestStatusChangeKeepsTheNeeds:
    def test_the_form_starts_from_both_current_needs(self, client, cast):
        client.force_login(cast.users["senco_a"])
        body = client.get(f"/pupils/{cast.pupil_a2.code}/").content.decode()
        secondary = re.search(r'<select name="secondary_need".*?</select>', body, re.S).group()
        assert re.search(r'<option value="SLCN" selected>', secondary)
        primary = re.search(r'<select name="primary_need".*?</select>', body, re.S).group()
        assert re.search(r'<option value="ASD" selected>', primary)


class TestErrors:
    def test_an_error_stays_on_the_record_url_with_a_summary(self, client, cast):
        client.force_login(cast.users["senco_a"])
        url = f"/pupils/{cast.pupil_a1.code}/"
        r = client.post(url, {"form": "status", "provision": "E", "primary_need": "",
                              "starts_on": "2025-01-06"})
        assert r.status_code == 400
        body = r.content.decode()
        assert r.request["PATH_INFO"] == url
        assert 'class="error-summary"' in body and "data-autofocus" in body
        assert '<a href="#status-primary_need">SEN support and EHC plans need a primary' in body
        assert 'aria-describedby="status-primary_need-error"' in body
        assert "<title>Error: " in body
        # Every form on the page posts to the page itself.
        actions = set(re.findall(r'<form method="post" action="([^"]+)"', body))
        assert actions == {url}

    def test_ids_stay_unique_with_every_form_on_the_page(self, client, cast):
        client.force_login(cast.users["send_leader"])
        body = client.get(f"/pupils/{cast.pupil_a1.code}/").content.decode()
        ids = re.findall(r'\sid="([^"]+)"', body)
        assert len(ids) == len(set(ids)), sorted(i for i in ids if ids.count(i) > 1)

    def test_an_unknown_form_is_refused(self, client, cast):
        client.force_login(cast.users["senco_a"])
        r = client.post(f"/pupils/{cast.pupil_a1.code}/", {"form": "delete"})
        assert r.status_code == 400


class TestLeavers:
    def test_a_leaver_is_off_roll_with_history_kept(self, client, cast):
        client.force_login(cast.users["senco_a"])
        last_day = dt.date.today() - dt.timedelta(days=2)
        r = client.post(f"/pupils/{cast.pupil_a1.code}/",
                        {"form": "leave", "on": last_day.isoformat(),
                         "destination": "Oakfield Primary (URN 123456)"})
        assert r.status_code == 302
        pupil = Pupil.objects.get(pk=cast.pupil_a1.pk)
        assert pupil.left_on == last_day
        enrolment = pupil.enrolments.get()
        assert (enrolment.ends_on, enrolment.destination) == (
            last_day, "Oakfield Primary (URN 123456)")
        episode = pupil.episodes.get()
        assert episode.ends_on == last_day and episode.provision == "K"
        assert AuditEntry.objects.filter(action="pupil.left").count() == 1
        assert names(register(client, cast)) == ["Beech"]
        assert names(register(client, cast, "status=all")) == ["Beech"]
        assert names(register(client, cast, "status=left")) == ["Ash"]
        body = client.get(f"/pupils/{pupil.code}/").content.decode()
        assert "left for Oakfield Primary (URN 123456)" in body
        assert "Record a change of SEN status" not in body

    def test_a_leaver_needs_a_destination_and_a_past_date(self, cast):
        with pytest.raises(ValidationError) as e:
            services.record_leaver(cast.pupil_a1, on=dt.date.today(), destination=" ")
        assert "destination" in e.value.message_dict
        with pytest.raises(ValidationError) as e:
            services.record_leaver(cast.pupil_a1, on=dt.date.today() + dt.timedelta(days=1),
                                   destination="Abroad")
        assert "on" in e.value.message_dict
        with pytest.raises(ValidationError):
            services.record_leaver(cast.pupil_a1, on=dt.date(2023, 1, 1), destination="Abroad")
        assert Pupil.objects.get(pk=cast.pupil_a1.pk).left_on is None

    def test_a_leavers_status_is_not_changed(self, cast):
        services.record_leaver(cast.pupil_a1, on=dt.date.today(), destination="Abroad")
        with pytest.raises(ValidationError):
            give_status(cast.pupil_a1, "E", "ASD", on=dt.date.today())


class TestCorrections:
    def test_a_correction_keeps_what_the_entry_said_and_why(self, client, cast):
        episode = cast.pupil_a1.episodes.get()
        client.force_login(cast.users["senco_a"])
        r = client.post(f"/pupils/{cast.pupil_a1.code}/", {
            "form": "correct", "episode": str(episode.code), "provision": "K",
            "primary_need": "SPLD", "secondary_need": "", "reason": "SLCN was mistyped",
        })
        assert r.status_code == 302
        episode.refresh_from_db()
        assert (episode.provision, episode.primary_need.code, episode.starts_on) == (
            "K", "SPLD", dt.date(2024, 1, 10))
        correction = EpisodeCorrection.objects.get()
        assert (correction.old_primary_need.code, correction.reason) == (
            "SLCN", "SLCN was mistyped")
        assert correction.corrected_by == cast.users["senco_a"]
        pupil = Pupil.objects.get(pk=cast.pupil_a1.pk)
        assert pupil.primary_need.code == "SPLD"  # the register follows the open entry
        entry = AuditEntry.objects.get(action="pupil.status.corrected")
        assert entry.detail["was"][1] == "SLCN" and entry.detail["now"][1] == "SPLD"
        body = client.get(f"/pupils/{pupil.code}/").content.decode()
        assert "It said: SEN support · Speech, language and communication needs" in body
        assert "Reason: SLCN was mistyped" in body

    def test_a_correction_needs_a_reason_and_a_change(self, cast):
        episode = cast.pupil_a1.episodes.get()
        with pytest.raises(ValidationError) as e:
            services.correct_episode(episode, provision="K", primary=need("SPLD"),
                                     secondary=None, reason="  ")
        assert "reason" in e.value.message_dict
        with pytest.raises(ValidationError):
            services.correct_episode(episode, provision="K", primary=need("SLCN"),
                                     secondary=None, reason="No change")
        with pytest.raises(ValidationError):
            services.correct_episode(episode, provision="E", primary=need("NSA"),
                                     secondary=None, reason="Census rules still apply")
        assert not EpisodeCorrection.objects.exists()

    def test_a_bad_correction_shows_the_error_by_its_field(self, client, cast):
        episode = cast.pupil_a1.episodes.get()
        client.force_login(cast.users["senco_a"])
        r = client.post(f"/pupils/{cast.pupil_a1.code}/", {
            "form": "correct", "episode": str(episode.code), "provision": "K",
            "primary_need": "SPLD", "reason": "",
        })
        assert r.status_code == 400
        assert '<a href="#correct-reason">' in r.content.decode()
        assert not EpisodeCorrection.objects.exists()
