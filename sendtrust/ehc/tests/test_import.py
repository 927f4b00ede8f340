"""Importing EHC events: all or nothing, errors naming row, column and value."""

import datetime as dt

import openpyxl
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile

from sendtrust.access.models import AuditEntry
from sendtrust.ehc.importing import import_events
from sendtrust.ehc.models import Event, Journey


def _csv(text):
    return SimpleUploadedFile("events.csv", text.encode(), content_type="text/csv")


@time_machine.travel(dt.datetime(2026, 3, 2, 9), tick=False)
def test_one_bad_row_saves_nothing_and_each_error_names_row_column_and_value(cast):
    a1, a2 = cast.pupil_a1, cast.pupil_a2
    body = (
        "UPN,Event,Date,LA code,Outcome\n"
        f"{a1.upn},Final EHC plan issued,01/03/2025,801,\n"
        f"{a2.upn},final_plan,2025-02-30,801,\n"
        f"{a2.upn},Annual review meeting held,01/04/2026,801,\n"
        f"{cast.pupil_b1.upn},final_plan,01/03/2025,801,\n"
        f"{a1.upn},Authority's decision after the review,10/03/2025,801,Maybe\n"
        f"{a1.upn},Tea party,10/03/2025,80,\n"
    )
    result = import_events(_csv(body), school=cast.school_a)
    assert not result.ok
    text = "\n".join(result.errors)
    assert 'Row 3, Date "2025-02-30": there is no such date' in text
    assert 'Row 4, Date "01/04/2026": record a step on or after the day it happens' in text
    assert f'Row 5, UPN "{cast.pupil_b1.upn}": no pupil on roll at Alder Primary' in text
    assert 'Row 6, Outcome "Maybe": not a decision' in text
    assert 'Row 7, Event "Tea party": not a step of the EHC journey' in text
    assert not Event.objects.exists() and not Journey.objects.exists()


@time_machine.travel(dt.datetime(2026, 3, 2, 9), tick=False)
def test_a_good_file_saves_every_row_and_importing_again_adds_nothing(cast):
    a2 = cast.pupil_a2
    body = (
        "upn,event,date,la code,la name,outcome,note\n"
        f"{a2.upn},Request for an EHC needs assessment,03/09/2024,801,,,\n"
        f"{a2.upn},decision_to_assess,10/10/2024,801,,Will assess,\n"
        f"{a2.upn},Final EHC plan issued,21/01/2025,801,,,=cmd()\n"
        f"{a2.upn},Plan transferred to another local authority,01/02/2026,803,"
        "South Gloucestershire,,\n"
    )
    result = import_events(_csv(body), school=cast.school_a)
    assert result.ok, result.errors
    assert (result.rows, result.created, result.unchanged) == (4, 4, 0)
    journey = Journey.objects.get(pupil=a2)
    assert (journey.la_code, journey.la_name) == ("803", "South Gloucestershire")
    assert Event.objects.get(kind="decision_to_assess").outcome == "assess"
    again = import_events(_csv(body), school=cast.school_a)
    assert again.ok, again.errors
    assert (again.created, again.unchanged) == (0, 4)
    assert Event.objects.count() == 4
    assert AuditEntry.objects.filter(action="ehc.events.imported").count() == 2


@time_machine.travel(dt.datetime(2026, 3, 2, 9), tick=False)
def test_an_xlsx_file_through_the_page(client, cast, tmp_path):
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["UPN", "Event", "Date"])
    sheet.append([cast.pupil_a1.upn, "Final EHC plan issued", dt.date(2025, 5, 1)])
    path = tmp_path / "events.xlsx"
    book.save(path)
    client.force_login(cast.users["senco_a"])
    with open(path, "rb") as f:
        response = client.post(f"/schools/{cast.school_a.code}/ehc/import/", {"file": f})
    assert response.status_code == 200
    assert "Saved 1 event from 1 row" in response.content.decode()
    assert Event.objects.get().on == dt.date(2025, 5, 1)
    response = client.post(f"/schools/{cast.school_a.code}/ehc/import/", {
        "file": _csv("Name,Date\nx,01/01/2025\n")})
    assert response.status_code == 400
    page = response.content.decode()
    assert "Nothing was saved" in page and "the header has no UPN column" in page
