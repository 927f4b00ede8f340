import csv
import io

import openpyxl
import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from sendtrust.access.models import AuditEntry
from sendtrust.imports.census import HEADERS
from sendtrust.imports.services import import_file
from sendtrust.imports.tests.helpers import counts, csv_file, expected_statuses, row, statuses
from sendtrust.pupils.models import SenEpisode
from sendtrust.testing import PupilFactory

pytestmark = pytest.mark.django_db

# role -> status for school A's register downloads; outsiders to the trust get 404.
EXPORT_STATUS = expected_statuses({"send_leader", "headteacher_a", "senco_a"})


def url(school, fmt="csv"):
    return f"/schools/{school.code}/register.{fmt}"


def body(response) -> bytes:
    return b"".join(response.streaming_content)


def csv_rows(response) -> list[list[str]]:
    return list(csv.reader(io.StringIO(body(response).decode("utf-8-sig"))))


def xlsx_rows(response) -> list[list]:
    sheet = openpyxl.load_workbook(io.BytesIO(body(response)), read_only=True).worksheets[0]
    return [list(r) for r in sheet.iter_rows(values_only=True)]


def test_who_may_download_the_register(client, cast):
    paths = [url(cast.school_a, "csv"), url(cast.school_a, "xlsx")]
    assert statuses(client, cast, paths, EXPORT_STATUS) == {
        (role, path): status for role, status in EXPORT_STATUS.items() for path in paths}


def test_senco_cannot_download_another_schools_register(client, cast):
    client.force_login(cast.users["senco_a"])
    assert client.get(url(cast.school_b)).status_code == 403
    assert client.get(url(cast.other_school)).status_code == 404


def test_anonymous_is_sent_to_login(client, cast):
    response = client.get(url(cast.school_a))
    assert response.status_code == 302 and response["Location"].startswith("/login/")


def test_csv_has_census_columns_and_the_schools_pupils(client, cast):
    client.force_login(cast.users["senco_a"])
    response = client.get(url(cast.school_a))
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert "no-store" in response["Cache-Control"]
    assert 'filename="register-100001-' in response["Content-Disposition"]
    header, *rows = csv_rows(response)
    assert header == HEADERS
    assert [r[:3] for r in rows] == [[cast.pupil_a1.upn, "Ash", "Ada"],
                                     [cast.pupil_a2.upn, "Beech", "Ben"]]
    assert rows[1][3:] == ["2016-03-01", "F", "4", "E", "ASD", "SLCN",
                           "false", "false", "false", "false"]


def test_xlsx_has_the_same_rows(client, cast):
    client.force_login(cast.users["senco_a"])
    response = client.get(url(cast.school_a, "xlsx"))
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    header, *rows = xlsx_rows(response)
    assert header == HEADERS
    assert [r[0] for r in rows] == [cast.pupil_a1.upn, cast.pupil_a2.upn]
    assert rows[1][3].date().isoformat() == "2016-03-01"


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_every_export_is_audited_with_its_size(client, cast, fmt):
    client.force_login(cast.users["headteacher_a"])
    body(client.get(url(cast.school_a, fmt)))
    entry = AuditEntry.objects.get(action="register.exported")
    assert entry.detail == {"rows": 2, "format": fmt}
    assert entry.school_code == cast.school_a.code and entry.username == "headteacher_a"


def test_refused_downloads_are_not_exports(client, cast):
    client.force_login(cast.users["teacher_a"])
    client.get(url(cast.school_a))
    assert not AuditEntry.objects.filter(action="register.exported").exists()


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_formulas_are_neutralised(client, cast, fmt):
    PupilFactory(school=cast.school_a, surname="=HYPERLINK(\"http://x\")", forename="+1")
    PupilFactory(school=cast.school_a, surname="@SUM(A1)", forename="-2")
    client.force_login(cast.users["senco_a"])
    response = client.get(url(cast.school_a, fmt))
    rows = csv_rows(response) if fmt == "csv" else xlsx_rows(response)
    names = {r[1] for r in rows} | {r[2] for r in rows}
    assert {"'=HYPERLINK(\"http://x\")", "'+1", "'@SUM(A1)", "'-2"} <= names
    assert not any(str(n).startswith(("=", "+", "-", "@")) for n in names)


def test_xlsx_holds_no_formula_cells(client, cast):
    PupilFactory(school=cast.school_a, surname="=1+1")
    client.force_login(cast.users["senco_a"])
    sheet = openpyxl.load_workbook(io.BytesIO(body(client.get(url(cast.school_a, "xlsx")))))
    assert all(c.data_type != "f" for r in sheet.active.iter_rows() for c in r)


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_queries_do_not_grow_with_the_register(client, cast, fmt, django_assert_num_queries):
    client.force_login(cast.users["senco_a"])
    client.get("/pupils/")  # the first request after sign-in renews the session
    with CaptureQueriesContext(connection) as small:
        body(client.get(url(cast.school_a, fmt)))
    import_file(csv_file([row() for _ in range(60)]), school=cast.school_a)
    with django_assert_num_queries(len(small)):
        response = client.get(url(cast.school_a, fmt))
        assert len(body(response)) > 2000


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_round_trip_export_then_import_changes_nothing(client, cast, fmt):
    import_file(csv_file([row(FSMeligible="Y", NCyearActual="R"), row(NCyearActual="N1"),
                          row(SENprovision="N", SENtype1="", Forename="-Jo")]),
                school=cast.school_a)
    client.force_login(cast.users["senco_a"])
    exported = io.BytesIO(body(client.get(url(cast.school_a, fmt))))
    before = counts()
    result = import_file(exported, school=cast.school_a)
    assert result.ok, result.errors
    assert (result.created, result.updated, result.status_changes, result.unchanged) == (
        0, 0, 0, 5)
    assert counts()[:3] == before[:3]


def test_exported_secondary_need_is_the_current_one(client, cast):
    SenEpisode.objects.filter(pupil=cast.pupil_a2).update(secondary_need=None)
    client.force_login(cast.users["senco_a"])
    _, first, second = csv_rows(client.get(url(cast.school_a)))
    assert second[8] == ""
