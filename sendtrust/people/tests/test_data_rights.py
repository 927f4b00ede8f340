"""Subject access export, anonymisation with audit redaction, and the retention policy."""

import csv
import datetime as dt
import io
import zipfile

import pytest
from django.core.management import call_command
from django.db import connection, transaction
from django.db.utils import DatabaseError

from sendtrust.access.audit import log_action
from sendtrust.access.models import ApiToken, AppendOnlyError, AuditEntry
from sendtrust.organisations.models import ParentLink
from sendtrust.people import registry
from sendtrust.people.erasure import anonymise_pupil
from sendtrust.people.models import Erasure
from sendtrust.people.testing import signed_in
from sendtrust.pupils.models import Identification, Pupil

pytestmark = pytest.mark.django_db


def download(client, pupil):
    response = client.post(f"/pupils/{pupil.code}/subject-access/")
    assert response["Content-Type"] == "application/zip"
    return zipfile.ZipFile(io.BytesIO(response.content))


def rows(zf, name):
    return list(csv.reader(io.StringIO(zf.read(name).decode("utf-8-sig"))))


def test_the_export_holds_the_record_history_and_audit_entries(client, cast):
    pupil = cast.pupil_a1
    log_action(None, "pupil.record.viewed", user=cast.users["teacher_a"], pupil=pupil)
    signed_in(client, cast.users["senco_a"])
    zf = download(client, pupil)
    names = set(zf.namelist())
    assert {"subject-access.pdf", "record.csv", "sen-history.csv", "enrolments.csv",
            "audit-log.csv", "parents-and-carers.csv"} <= names
    assert zf.read("subject-access.pdf").startswith(b"%PDF")
    assert ["UPN", pupil.upn] in rows(zf, "record.csv")
    history = rows(zf, "sen-history.csv")
    assert history[1][2] == "SEN support" and history[1][3].startswith("SLCN")
    assert any(r[1] == "teacher_a" and r[2] == "pupil.record.viewed"
               for r in rows(zf, "audit-log.csv"))
    entry = AuditEntry.objects.get(action="pupil.subject_access.exported")
    assert entry.pupil_code == pupil.code and entry.username == "senco_a"


def test_the_export_asks_for_the_password_first(client, cast):
    signed_in(client, cast.users["send_leader"], recent=False)
    response = client.post(f"/pupils/{cast.pupil_a1.code}/subject-access/")
    assert response["Content-Type"].startswith("text/html")
    assert not AuditEntry.objects.filter(action="pupil.subject_access.exported").exists()


def test_other_apps_add_their_parts_through_the_registry(client, cast):
    def notes(pupil):
        return [registry.Part("notes", "Notes", ["Note"], [[f"About {pupil.forename}"]])]

    registry.register_part(notes)
    try:
        signed_in(client, cast.users["send_leader"])
        zf = download(client, cast.pupil_a1)
        assert rows(zf, "notes.csv") == [["Note"], ["About Ada"]]
    finally:
        registry.PARTS.remove(notes)


def test_anonymising_removes_names_here_and_in_the_audit_log(cast):
    pupil = cast.pupil_a1
    Identification.objects.create(pupil=pupil, identified_on=dt.date(2024, 1, 1),
                                  identified_by="Dr Jones", evidence="Ada struggles to read")
    log_action(None, "pupil.moved", user=cast.users["send_leader"], pupil=pupil,
               note="Ada Ash moved to Birch", other="kept")
    unrelated = log_action(None, "pupil.record.viewed", pupil=cast.pupil_a2)
    before = AuditEntry.objects.filter(pupil_code=pupil.code).count()
    upn = pupil.upn

    erasure = anonymise_pupil(pupil, reason="test")

    pupil = Pupil.objects.get(pk=pupil.pk)
    assert (pupil.forename, pupil.surname) == ("Anonymised", "pupil")
    assert pupil.upn != upn and pupil.date_of_birth == dt.date(2016, 1, 1)
    assert not ParentLink.objects.filter(pupil=pupil).exists()
    assert Identification.objects.get(pupil=pupil).evidence == "[removed]"
    entries = AuditEntry.objects.filter(pupil_code=pupil.code)
    assert entries.count() == before + 1  # every entry kept, and the erasure recorded
    for entry in entries:
        text = entry.object_repr + str(entry.detail)
        assert "Ada" not in text and "Ash" not in text and upn not in text
    moved = entries.get(action="pupil.moved")
    assert moved.detail == {"note": "[removed] moved to Birch", "other": "kept"}
    assert erasure.audit_entries_redacted == before
    unrelated.refresh_from_db()
    assert unrelated.object_repr == "Ben Beech"


def test_the_audit_log_still_refuses_ordinary_changes_after_a_redaction(cast):
    entry = log_action(None, "pupil.record.viewed", pupil=cast.pupil_a1)
    anonymise_pupil(cast.pupil_a1, reason="test")
    with pytest.raises(AppendOnlyError):
        AuditEntry.objects.filter(pk=entry.pk).update(object_repr="changed")
    with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cur:
        cur.execute("UPDATE access_auditentry SET object_repr = 'x' WHERE id = %s", [entry.pk])


def make_due(pupil):
    Pupil.objects.filter(pk=pupil.pk).update(date_of_birth=dt.date(1990, 5, 1),
                                             left_on=dt.date(2008, 7, 20))
    pupil.enrolments.update(ends_on=dt.date(2008, 7, 20))


def test_retention_dry_run_changes_nothing_and_the_run_applies_it(cast, capsys):
    make_due(cast.pupil_b1)
    old_token, _ = ApiToken.issue(cast.users["senco_a"], "old",
                                  expires=dt.datetime(2020, 1, 1, tzinfo=dt.UTC))
    call_command("apply_retention", "--dry-run")
    out = capsys.readouterr().out
    assert f"Would anonymise pupil {cast.pupil_b1.code}" in out
    assert "Nothing was changed" in out
    assert Pupil.objects.get(pk=cast.pupil_b1.pk).surname == "Cedar"
    assert ApiToken.objects.filter(pk=old_token.pk).exists()

    call_command("apply_retention")
    assert Pupil.objects.get(pk=cast.pupil_b1.pk).surname == "pupil"
    assert Pupil.objects.get(pk=cast.pupil_a1.pk).surname == "Ash"  # not due
    assert not ApiToken.objects.filter(pk=old_token.pk).exists()
    assert Erasure.objects.get().pupil_code == cast.pupil_b1.code
    # Applying again finds nothing more to do.
    call_command("apply_retention", "--dry-run")
    assert "0 pupil(s) would be anonymised" in capsys.readouterr().out


def test_a_pupil_still_enrolled_is_never_due(cast, capsys):
    Pupil.objects.filter(pk=cast.pupil_b1.pk).update(date_of_birth=dt.date(1990, 5, 1),
                                                     left_on=dt.date(2008, 7, 20))
    call_command("apply_retention", "--dry-run")
    assert "0 pupil(s) would be anonymised" in capsys.readouterr().out


def test_the_trust_reads_its_retention_policy(client, cast):
    signed_in(client, cast.users["trustee"])
    body = client.get(f"/trusts/{cast.trust.code}/retention/").content.decode()
    assert "25 years after the pupil" in body


def test_the_record_panel_offers_only_what_the_viewer_may_do(rf, cast):
    from django.template.loader import render_to_string

    def panel(role):
        return render_to_string("people/_pupil_record.html",
                                {"user": cast.users[role], "pupil": cast.pupil_a1})

    assert "Subject access export" in panel("senco_a")
    assert "Invite a parent or carer" in panel("send_leader")
    assert panel("teacher_a").strip() == ""
    assert panel("senco_b").strip() == ""


def test_every_member_finds_the_retention_policy_from_their_account(client, cast):
    signed_in(client, cast.users["parent_a1"])
    body = client.get("/account/").content.decode()
    assert f"/trusts/{cast.trust.code}/retention/" in body
    assert str(cast.other_trust.code) not in body
