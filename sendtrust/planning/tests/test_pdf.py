"""The plan as a PDF: rendered by WeasyPrint from the printable page, offline, audited; made
in the worker (its indicators cover every school), downloaded by the person who asked."""

import pytest

from sendtrust.access.models import AuditEntry
from sendtrust.lib.pdf import OfflineFetchError, static_file
from sendtrust.ops.models import Job
from sendtrust.ops.tests.helpers import run_queued_tasks


def test_the_plan_downloads_as_a_pdf_of_the_printable_page(client, cast, plan):
    goal, action = plan
    client.force_login(cast.users["trustee"])
    printable = client.get(f"/trusts/{cast.trust.code}/plan/print/").content.decode()
    button = f'method="post" action="/trusts/{cast.trust.code}/plan/pdf/"'
    assert button in printable
    response = client.post(f"/trusts/{cast.trust.code}/plan/pdf/")
    job = Job.objects.get()
    location = f"/trusts/{cast.trust.code}/plan/pdf/{job.code}/"
    assert response.status_code == 302 and response["Location"] == location
    assert job.status == "queued" and job.created_by == cast.users["trustee"]
    assert "Waiting to start" in client.get(location).content.decode()
    assert run_queued_tasks() == 1
    assert "Your report is ready" in client.get(location).content.decode()
    # Another reader of the plan may make their own, not take this one.
    client.force_login(cast.users["senco_a"])
    assert client.get(location + "send-plan.pdf").status_code == 404
    client.force_login(cast.users["trustee"])
    response = client.get(location + "send-plan.pdf")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"].startswith('attachment; filename="send-plan-')
    body = response.content
    assert body.startswith(b"%PDF-") and body.rstrip().endswith(b"%%EOF")
    # The printable page it came from names the goal and the action, with no site navigation.
    page = client.get(f"/trusts/{cast.trust.code}/plan/print/").content.decode()
    assert goal.title in page and action.title in page and 'aria-label="Main"' not in page
    entry = AuditEntry.objects.filter(action="plan.pdf.downloaded").latest("pk")
    assert entry.username == "trustee" and entry.trust_id_at_time == cast.trust.pk
    assert entry.detail["bytes"] == len(body)


def test_a_pdf_reads_its_stylesheet_from_disk_and_nothing_from_the_network():
    css, mime = static_file("https://sendtrust.invalid/static/planning/plan-print.css")
    assert b"@page" in css and mime == "text/css"
    with pytest.raises(OfflineFetchError, match="nothing from the network"):
        static_file("https://example.org/tracker.png")
    with pytest.raises(OfflineFetchError, match="no static file"):
        static_file("https://sendtrust.invalid/static/planning/missing.css")
