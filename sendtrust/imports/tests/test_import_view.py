import datetime as dt

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from sendtrust.access.models import AuditEntry
from sendtrust.imports.census import HEADERS
from sendtrust.imports.tests.helpers import (
    counts,
    csv_file,
    expected_statuses,
    row,
    statuses,
    xlsx_file,
)
from sendtrust.pupils.models import Pupil

pytestmark = pytest.mark.django_db

# role -> status for school A's import page; outsiders to the trust get 404.
IMPORT_STATUS = expected_statuses({"send_leader", "senco_a"})


def url(school, suffix=""):
    return f"/schools/{school.code}/import/{suffix}"


def upload(rows, name="pupils.csv", **kwargs):
    data = kwargs.pop("data", None) or csv_file(rows).getvalue()
    return {"file": SimpleUploadedFile(name, data), **kwargs}


def test_who_may_open_the_import_page_and_template(client, cast):
    paths = [url(cast.school_a), url(cast.school_a, "template.csv")]
    assert statuses(client, cast, paths, IMPORT_STATUS) == {
        (role, path): status for role, status in IMPORT_STATUS.items() for path in paths}


def test_members_without_the_right_cannot_post_a_file(client, cast):
    before = counts()
    for role, status in IMPORT_STATUS.items():
        if status != 200:
            client.force_login(cast.users[role])
            assert client.post(url(cast.school_a), upload([row()])).status_code == status, role
    assert counts() == before


def test_senco_may_import_only_into_their_school(client, cast):
    client.force_login(cast.users["senco_a"])
    assert client.get(url(cast.school_b)).status_code == 403
    assert client.get(url(cast.other_school)).status_code == 404
    before = counts()
    assert client.post(url(cast.school_b), upload([row()])).status_code == 403
    assert counts() == before


def test_anonymous_is_sent_to_login(client, cast):
    response = client.get(url(cast.school_a))
    assert response.status_code == 302 and response["Location"].startswith("/login/")


def test_the_form_is_accessible_and_works_with_htmx(client, cast):
    client.force_login(cast.users["senco_a"])
    html = client.get(url(cast.school_a)).content.decode()
    assert '<label for="id_file">' in html and 'id="id_file"' in html
    assert 'aria-describedby="file-hint"' in html and ", ".join(HEADERS) in html
    assert 'enctype="multipart/form-data"' in html and 'hx-encoding="multipart/form-data"' in html
    assert f'hx-post="{url(cast.school_a)}"' in html
    assert "<progress" in html and "/static/js/sendtrust.js" in html
    from django.contrib.staticfiles import finders

    assert "htmx:xhr:progress" in open(finders.find("js/sendtrust.js")).read()
    assert f'href="{url(cast.school_a, "template.csv")}"' in html


def test_template_is_the_census_header(client, cast):
    client.force_login(cast.users["senco_a"])
    response = client.get(url(cast.school_a, "template.csv"))
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response.content.decode("utf-8-sig").strip() == ",".join(HEADERS)


def test_a_plain_post_imports_and_shows_counts(client, cast):
    client.force_login(cast.users["senco_a"])
    response = client.post(url(cast.school_a), upload([row(), row()]))
    assert response.status_code == 200
    html = response.content.decode()
    assert "<html" in html and "Import complete" in html
    assert "<dt>New pupils</dt><dd>2</dd>" in html
    assert Pupil.objects.filter(school=cast.school_a).count() == 4
    entry = AuditEntry.objects.get(action="register.imported")
    assert entry.username == "senco_a" and entry.detail["created"] == 2


def test_an_htmx_post_gets_the_panel_only(client, cast):
    client.force_login(cast.users["send_leader"])
    response = client.post(url(cast.school_a), upload([row()], name="pupils.xlsx",
                                                      data=xlsx_file([row()]).getvalue()),
                           HTTP_HX_REQUEST="true")
    html = response.content.decode()
    assert html.lstrip().startswith('<div id="import-panel">') and "<html" not in html
    assert "<dt>New pupils</dt><dd>1</dd>" in html


def test_errors_are_listed_and_announced(client, cast):
    client.force_login(cast.users["senco_a"])
    before = counts()
    response = client.post(url(cast.school_a), upload([row(), row(Gender="Q", DOB="30/02/2016")]),
                           HTTP_HX_REQUEST="true")
    assert counts() == before
    html = response.content.decode()
    assert 'role="alert"' in html and "Nothing was saved" in html and "2 problems" in html
    assert '<td class="num">3</td><td>Gender</td><td><code>Q</code></td><td>Use M or F</td>' in html
    assert "<td>DOB</td><td><code>30/02/2016</code></td><td>There is no such date</td>" in html


def test_the_effective_date_is_used(client, cast):
    client.force_login(cast.users["senco_a"])
    cells = row()
    client.post(url(cast.school_a), upload([cells], effective="2025-02-03"))
    assert Pupil.objects.get(upn=cells[0]).enrolments.get().starts_on == dt.date(2025, 2, 3)


@pytest.mark.parametrize("data,message", [
    ({"effective": "2999-01-01"}, "The date the changes take effect cannot be in the future"),
    ({"effective": "someday"}, "Enter a valid date."),
])
def test_form_errors(client, cast, data, message):
    client.force_login(cast.users["senco_a"])
    html = client.post(url(cast.school_a), upload([row()], **data)).content.decode()
    assert message in html and 'aria-invalid="true"' in html
    assert not AuditEntry.objects.filter(action="register.imported").exists()


def test_a_file_of_another_type_is_refused(client, cast):
    client.force_login(cast.users["senco_a"])
    html = client.post(url(cast.school_a), upload([], name="notes.pdf", data=b"%PDF")).content
    assert b"Upload a .csv or .xlsx file." in html


def test_posting_without_a_file(client, cast):
    client.force_login(cast.users["senco_a"])
    r = client.post(url(cast.school_a), {})
    html = r.content.decode()
    # The GOV.UK pattern: a summary that takes focus and links to the field, the message by
    # the field, on the page's own address.
    assert 'class="error-summary"' in html and "data-autofocus" in html
    assert '<a href="#id_file">Choose a census file to upload</a>' in html
    assert 'id="file-error"' in html and 'aria-describedby="file-hint file-error"' in html
    assert "<title>Error: " in html
    assert r.request["PATH_INFO"] == url(cast.school_a)
