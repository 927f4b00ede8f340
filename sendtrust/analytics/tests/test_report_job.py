"""The trust analytics PDF is made in the worker, with the rights of the person who asked: the
button queues it, its page shows progress and then a download only they may take, while the
policy still lets them read the trust's analytics; the download is audited."""

import datetime as dt

import pytest
from django.utils import timezone

from sendtrust.access.models import AuditEntry
from sendtrust.analytics import report
from sendtrust.ops import jobs
from sendtrust.ops.models import Job
from sendtrust.ops.tests.helpers import run_queued_tasks
from sendtrust.organisations.models import Membership, Role
from sendtrust.testing import member

pytestmark = pytest.mark.django_db

NOTE = "Counts from 1 to 4 are shown as"  # the report's suppression note
WITHHELD = '<span class="withheld">fewer than 5</span>'


@pytest.fixture
def drawn(monkeypatch):
    """The HTML each report was made from, beside the PDF made of it."""
    made = []
    real = report.html_to_pdf

    def html_to_pdf(html):
        pdf = real(html)
        made.append((html, pdf))
        return pdf

    monkeypatch.setattr(report, "html_to_pdf", html_to_pdf)
    return made


def ask(client, trust, query=""):
    response = client.post(f"/trusts/{trust.code}/analytics/report/{query}")
    job = Job.objects.latest("pk")
    assert response.status_code == 302, response.status_code
    assert response["Location"] == f"/trusts/{trust.code}/analytics/report/{job.code}/"
    return job, response["Location"]


def test_the_button_queues_the_report_and_the_worker_makes_it_suppressed_for_a_trustee(
        client, small_trust, benchmarks, drawn):
    trust, trustee = small_trust.trust, small_trust.users["trustee"]
    client.force_login(trustee)
    page = client.get(f"/trusts/{trust.code}/analytics/").content.decode()
    assert f'<form method="post" action="/trusts/{trust.code}/analytics/report/">' in page
    assert client.get(f"/trusts/{trust.code}/analytics/report/").status_code == 405

    job, location = ask(client, trust, "?limits=binomial")
    assert ask(client, trust, "?limits=binomial") == (job, location)  # a double click: one job
    # Nothing is made in the request: a job waits for the worker, for this trustee.
    assert drawn == [] and job.status == "queued" and job.output is None
    assert (job.kind, job.trust, job.created_by) == ("trust_report", trust, trustee)
    assert job.options == {"method": "binomial"}
    html = client.get(location).content.decode()
    assert "Waiting to start" in html and 'hx-trigger="every 2s"' in html
    assert "Check progress again" in html and "send-analytics.pdf" not in html
    assert client.get(location + "send-analytics.pdf").status_code == 404  # not made yet

    assert run_queued_tasks() == 1
    job.refresh_from_db()
    ((source, pdf),) = drawn
    assert job.status == "done" and bytes(job.output) == pdf and pdf.startswith(b"%PDF-")
    assert job.output_type == "application/pdf" and job.done == job.total
    # Made as the trustee: the figures withheld on their page are withheld in the PDF.
    assert job.result["aggregate_only"] is True and job.result["withheld"] > 0
    assert NOTE in source and WITHHELD in source
    assert job.result["method"] == "binomial"

    panel = client.get(location, HTTP_HX_REQUEST="true").content.decode()
    assert panel.lstrip().startswith('<div id="job-panel">') and "hx-trigger" not in panel
    assert "Your report is ready" in panel
    assert f'href="{location}send-analytics.pdf"' in panel

    response = client.get(location + "send-analytics.pdf")
    assert response.status_code == 200 and response.content == pdf
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == (
        f'attachment; filename="send-analytics-{timezone.localdate().isoformat()}.pdf"')
    assert "no-store" in response["Cache-Control"]
    entry = AuditEntry.objects.filter(action="analytics.exported").latest("pk")
    assert entry.username == "trustee" and entry.trust_id_at_time == trust.pk
    assert entry.detail == {"table": "report", "format": "pdf", "bytes": len(pdf),
                            "withheld": job.result["withheld"], "aggregate_only": True}


def test_a_leaders_report_shows_every_figure_and_is_theirs_alone(
        client, small_trust, benchmarks, monkeypatch):
    # The figures are what matters here: the charts and the PDF are stood in for (the test
    # above makes them for real).
    drawn = []
    monkeypatch.setattr(report, "chart_svg", lambda spec: "")
    monkeypatch.setattr(report, "html_to_pdf",
                        lambda html: drawn.append((html, b"%PDF-")) or b"%PDF-")
    trust, users = small_trust.trust, small_trust.users
    client.force_login(users["send_leader"])
    job, location = ask(client, trust)
    run_queued_tasks()
    ((source, _),) = drawn
    assert NOTE not in source and WITHHELD not in source
    assert Job.objects.get(pk=job.pk).result["aggregate_only"] is False
    assert client.get(location + "send-analytics.pdf").status_code == 200

    # The executive may make their own report, but this one is not theirs; an outsider, and a
    # school's SENCO (no trust analytics), get what they get for the trust.
    for role, status in {"executive": 404, "trustee": 404, "senco_a": 403,
                         "other_trust_senco": 404}.items():
        client.force_login(users[role])
        assert client.get(location).status_code == status, role
        assert client.get(location + "send-analytics.pdf").status_code == status, role
    # The same job under another trust's address finds nothing.
    client.force_login(users["send_leader"])
    elsewhere = location.replace(str(trust.code), str(small_trust.other_trust.code))
    assert client.get(elsewhere + "send-analytics.pdf").status_code in (403, 404)
    assert AuditEntry.objects.filter(action="analytics.exported").count() == 1


def test_the_page_shows_the_stage_and_the_steps_done_while_the_report_is_made(client, cast):
    job = Job.objects.create(kind="trust_report", created_by=cast.users["trustee"],
                             trust=cast.trust, status="running", done=3, total=10,
                             stage="Drawing the charts: 3 of 9 drawn")
    client.force_login(cast.users["trustee"])
    html = client.get(f"/trusts/{cast.trust.code}/analytics/report/{job.code}/",
                      HTTP_HX_REQUEST="true").content.decode()
    assert '<label for="job-progress">Drawing the charts: 3 of 9 drawn</label>' in html
    assert '<progress id="job-progress" max="10" value="3">30%</progress>' in html
    assert "3 of 10 steps" in html and "No background worker" not in html


def test_the_download_is_refused_once_the_membership_has_ended(client, cast):
    """The policy reads memberships as of today, at the download as at the button."""
    trustee = cast.users["trustee"]
    job = Job.objects.create(kind="trust_report", created_by=trustee, trust=cast.trust,
                             status="done", finished_at=timezone.now(), output=b"%PDF-1.7",
                             output_type="application/pdf", output_name="r.pdf",
                             result={"bytes": 8, "withheld": 3, "aggregate_only": True})
    url = f"/trusts/{cast.trust.code}/analytics/report/{job.code}/send-analytics.pdf"
    client.force_login(trustee)
    assert client.get(url).status_code == 200
    Membership.objects.filter(user=trustee, trust=cast.trust).update(
        ends_on=timezone.localdate() - dt.timedelta(days=1))
    client.force_login(trustee)  # a fresh request reads the memberships again
    assert client.get(url).status_code == 404
    assert client.get(url.removesuffix("send-analytics.pdf")).status_code == 404


def test_a_report_with_every_figure_is_not_given_to_someone_now_aggregate_only(client, cast):
    """An executive's report holds every figure; once they are only a trustee it is refused
    (and the page says to make a new one), as the page would now withhold cells."""
    user = cast.users["executive"]
    job = Job.objects.create(kind="trust_report", created_by=user, trust=cast.trust,
                             status="done", finished_at=timezone.now(), output=b"%PDF-1.7",
                             output_type="application/pdf", output_name="r.pdf",
                             result={"bytes": 8, "withheld": 0, "aggregate_only": False})
    url = f"/trusts/{cast.trust.code}/analytics/report/{job.code}/"
    Membership.objects.filter(user=user, trust=cast.trust).update(
        ends_on=timezone.localdate() - dt.timedelta(days=1))
    member(user, Role.TRUSTEE, cast.trust)
    client.force_login(user)
    assert "This report is out of date" in client.get(url).content.decode()
    assert client.get(url + "send-analytics.pdf").status_code == 404


def test_the_worker_refuses_a_report_for_someone_who_lost_access_meanwhile(
        client, small_trust, benchmarks, drawn):
    trust, leader = small_trust.trust, small_trust.users["send_leader"]
    client.force_login(leader)
    job, location = ask(client, trust)
    Membership.objects.filter(user=leader, trust=trust).update(
        ends_on=timezone.localdate() - dt.timedelta(days=1))
    run_queued_tasks()
    job.refresh_from_db()
    assert drawn == [] and job.status == "failed" and job.output is None
    assert job.result == {"failure": f"you no longer have access to {trust.name}'s analytics"}
    # Given access again, they read why on its page (and nothing to download).
    Membership.objects.filter(user=leader, trust=trust).update(ends_on=None)
    html = client.get(location).content.decode()
    assert "The report was not made" in html and "You no longer have access to" in html
    assert "send-analytics.pdf" not in html
    assert client.get(location + "send-analytics.pdf").status_code == 404


def test_a_report_is_deleted_with_the_jobs_retention(client, cast):
    leader = cast.users["send_leader"]
    finished = timezone.now() - jobs.RETENTION - dt.timedelta(minutes=1)
    job = Job.objects.create(kind="trust_report", created_by=leader, trust=cast.trust,
                             status="done", finished_at=finished, output=b"%PDF-1.7",
                             output_type="application/pdf", output_name="r.pdf",
                             result={"bytes": 8, "withheld": 0, "aggregate_only": False})
    client.force_login(leader)
    # Past its retention it is gone even before a worker has pruned it ...
    url = f"/trusts/{cast.trust.code}/analytics/report/{job.code}/send-analytics.pdf"
    assert client.get(url).status_code == 404
    # ... and the next job the worker runs deletes it, file and all.
    assert jobs.prune() == 1 and not Job.objects.filter(pk=job.pk).exists()


def test_a_stale_sign_in_confirms_before_the_download_and_comes_back_to_it(
        client, cast, settings):
    from sendtrust.people.testing import signed_in

    settings.SENDTRUST_REQUIRE_RECENT_AUTH = True
    leader = cast.users["send_leader"]
    job = Job.objects.create(kind="trust_report", created_by=leader, trust=cast.trust,
                             status="done", finished_at=timezone.now(), output=b"%PDF-1.7",
                             output_type="application/pdf", output_name="r.pdf",
                             result={"bytes": 8, "withheld": 0, "aggregate_only": False})
    url = f"/trusts/{cast.trust.code}/analytics/report/{job.code}/send-analytics.pdf"
    signed_in(client, leader, recent=False)
    response = client.get(url)
    assert response.status_code == 302 and response["Location"].startswith("/account/confirm/")
    assert not AuditEntry.objects.filter(action="analytics.exported").exists()
    signed_in(client, leader)
    assert client.get(url).status_code == 200
