"""A census file over IMPORT_BACKGROUND_KB is checked and saved by the worker; the page polls
its progress and then shows the same result as an import in the request."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from sendtrust.imports.tests.helpers import counts, csv_file, row
from sendtrust.ops.models import Job, WorkerHeartbeat
from sendtrust.ops.tests.helpers import run_queued_tasks
from sendtrust.pupils.models import Pupil

pytestmark = pytest.mark.django_db


@pytest.fixture
def background(settings):
    settings.IMPORT_BACKGROUND_KB = 1  # any file of more than 1 KB goes to the worker


def upload(rows):
    return {"file": SimpleUploadedFile("census.csv", csv_file(rows).getvalue())}


def test_a_large_file_goes_to_the_worker_and_the_page_shows_progress_then_the_result(
        client, cast, background):
    client.force_login(cast.users["senco_a"])
    rows = [row() for _ in range(30)]  # about 2.5 KB
    before = counts()
    response = client.post(f"/schools/{cast.school_a.code}/import/", upload(rows))
    job = Job.objects.get()
    assert response.status_code == 303
    assert response["Location"] == f"/schools/{cast.school_a.code}/import/jobs/{job.code}/"
    assert counts() == before  # nothing saved in the request
    assert job.status == "queued" and bytes(job.payload).startswith(b"UPN,")

    page = client.get(response["Location"])
    html = page.content.decode()
    assert page.status_code == 200 and "no-store" in page["Cache-Control"]
    assert "Waiting to start" in html and 'hx-trigger="every 2s"' in html
    assert "Check progress again" in html  # without JavaScript, a link reloads it
    assert "No background worker is running" in html  # none has stamped a heartbeat

    assert run_queued_tasks() == 1
    job.refresh_from_db()
    assert job.status == "done" and job.payload is None and job.done == job.total == 30
    assert counts()[0] == before[0] + 30
    assert Pupil.objects.filter(upn=rows[0][0], school=cast.school_a).exists()

    WorkerHeartbeat.objects.create(worker_id="w", host="h", pid=1, started_at=timezone.now(),
                                   seen_at=timezone.now())
    panel = client.get(response["Location"], HTTP_HX_REQUEST="true")
    html = panel.content.decode()
    assert "Import complete" in html and "hx-trigger" not in html  # polling stops
    assert "<dt>New pupils</dt><dd>30</dd>" in html
    assert "No background worker" not in html


def test_an_htmx_upload_swaps_in_the_progress_panel_and_pushes_its_address(
        client, cast, background):
    client.force_login(cast.users["senco_a"])
    response = client.post(f"/schools/{cast.school_a.code}/import/",
                           upload([row() for _ in range(30)]), HTTP_HX_REQUEST="true")
    job = Job.objects.get()
    assert response.status_code == 200
    assert response["HX-Push-Url"] == f"/schools/{cast.school_a.code}/import/jobs/{job.code}/"
    html = response.content.decode()
    assert html.lstrip().startswith('<div id="import-panel"') and "Waiting to start" in html


def test_a_file_with_errors_in_the_worker_saves_nothing_and_lists_them(
        client, cast, background):
    client.force_login(cast.users["senco_a"])
    rows = [row() for _ in range(30)] + [row(DOB="31/02/2016")]
    before = counts()
    location = client.post(f"/schools/{cast.school_a.code}/import/", upload(rows))["Location"]
    run_queued_tasks()
    assert counts() == before
    html = client.get(location).content.decode()
    assert "Nothing was saved" in html and "Row 32" not in html  # rows as the user sees them
    assert "<td class=\"num\">32</td><td>DOB</td>" in html


def test_only_the_person_who_started_an_import_sees_it(client, cast, background):
    client.force_login(cast.users["senco_a"])
    location = client.post(f"/schools/{cast.school_a.code}/import/",
                           upload([row() for _ in range(30)]))["Location"]
    run_queued_tasks()
    # The trust's SEND leader may import here too, but this job and its result are not theirs.
    for role, status in {"send_leader": 404, "senco_b": 403, "teacher_a": 403,
                         "other_trust_senco": 404}.items():
        client.force_login(cast.users[role])
        assert client.get(location).status_code == status, role
    # Another school's address for the same job finds nothing either.
    client.force_login(cast.users["senco_a"])
    other = location.replace(str(cast.school_a.code), str(cast.school_b.code))
    assert client.get(other).status_code == 403


def test_a_small_file_is_still_imported_in_the_request(client, cast):
    client.force_login(cast.users["senco_a"])
    before = counts()
    response = client.post(f"/schools/{cast.school_a.code}/import/", upload([row()]))
    assert response.status_code == 200 and "Import complete" in response.content.decode()
    assert counts()[0] == before[0] + 1 and not Job.objects.exists()
