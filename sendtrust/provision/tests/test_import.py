"""The provision import: every row checked first, all or nothing, errors name row, field and
value; a second import updates scores rather than enrolling twice."""

from decimal import Decimal

import pytest

from sendtrust.access.models import AuditEntry
from sendtrust.provision import importer
from sendtrust.provision.models import GroupEnrolment, ProvisionGroup
from sendtrust.provision.tests.matrix import build_group, build_measure

pytestmark = pytest.mark.django_db


@pytest.fixture
def setup(cast):
    cast.group = build_group(cast.school_a, build_measure(cast.trust))
    return cast


def csv_bytes(*lines):
    return ("\n".join(lines) + "\n").encode()


def test_a_clean_file_sets_up_groups_and_enrols_with_scores(client, setup):
    a1, a2 = setup.pupil_a1.upn, setup.pupil_a2.upn
    data = csv_bytes("group,intervention,starts_on,upn,entry_score,exit_score",
                     f"Spring readers,Reading boost,2025-01-06,{a1},84,91",
                     f"Spring readers,,,{a2},79,",
                     f"Reading boost group,,,{a1},88,")
    client.force_login(setup.users["senco_a"])
    from django.core.files.uploadedfile import SimpleUploadedFile

    response = client.post(f"/schools/{setup.school_a.code}/provision/import/",
                           {"file": SimpleUploadedFile("g.csv", data, "text/csv")})
    assert response.status_code == 302
    group = ProvisionGroup.objects.get(name="Spring readers")
    assert group.intervention == setup.group.intervention
    scores = dict(GroupEnrolment.objects.filter(group=group).values_list("pupil__upn",
                                                                         "exit_score"))
    assert scores == {a1: Decimal(91), a2: None}
    assert GroupEnrolment.objects.get(group=setup.group).entry_score == 88
    assert AuditEntry.objects.filter(action="provision.imported").exists()

    # Importing again updates the scores: nobody is enrolled twice.
    again = csv_bytes("group,upn,entry_score,exit_score", f"Spring readers,{a2},79,86")
    result = importer.import_file(setup.school_a, again, "g.csv")
    assert result.ok and (result.enrolled, result.updated) == (0, 1)
    assert GroupEnrolment.objects.get(group=group, pupil=setup.pupil_a2).exit_score == 86


def test_one_bad_row_saves_nothing_and_names_row_field_and_value(setup):
    data = csv_bytes("group,intervention,starts_on,upn,entry_score,exit_score",
                     f"New group,Reading boost,2025-01-06,{setup.pupil_a1.upn},84,91",
                     f"New group,,,{setup.pupil_a2.upn},84,250",
                     f"New group,,,{setup.pupil_b1.upn},84,90",
                     f"Other group,Knitting,2025-01-06,{setup.pupil_a2.upn},80,")
    result = importer.import_file(setup.school_a, data, "g.csv")
    messages = [str(e) for e in result.errors]
    assert messages[0].startswith("Row 3, exit_score “250”: outside")
    assert messages[1].startswith(f"Row 4, upn “{setup.pupil_b1.upn}”: no pupil")
    assert messages[2].startswith("Row 5, intervention “Knitting”")
    assert not ProvisionGroup.objects.filter(name="New group").exists()
    assert not GroupEnrolment.objects.exists()
    assert AuditEntry.objects.filter(action="provision.import.refused").exists()


def test_an_xlsx_file_is_read_the_same_way(setup):
    import io

    import openpyxl

    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["group", "intervention", "starts_on", "upn", "entry_score"])
    sheet.append(["Xlsx group", "Reading boost", "06/01/2025", setup.pupil_a1.upn, 90])
    buffer = io.BytesIO()
    book.save(buffer)
    result = importer.import_file(setup.school_a, buffer.getvalue(), "g.xlsx")
    assert result.ok, [str(e) for e in result.errors]
    group = ProvisionGroup.objects.get(name="Xlsx group")
    assert str(group.starts_on) == "2025-01-06"


def test_an_unknown_column_is_refused(setup):
    data = csv_bytes("group,upn,score", f"G,{setup.pupil_a1.upn},3")
    result = importer.import_file(setup.school_a, data, "g.csv")
    assert str(result.errors[0]) .startswith("Row 1, header “score”: is not a column")
