"""Reports made in the worker: a button starts the job, a page shows its progress, then a link
downloads the file.

Each report (the trust analytics PDF, the strategic plan PDF) declares a Report: its job kind,
its task, the policy check that guards it (`authorise`, the same check as the button), the
audit entry its download writes, and the routes of its pages. The views here do the rest the
same way for every report:

- `start` queues the job for the person who pressed the button and sends them to its page;
- `job_page` shows the progress (polled by htmx; without JavaScript a link reloads it) and,
  once done, the download link; only for the person who asked, and only while `authorise`
  still lets them in;
- `download` checks all of that again (the policy reads their memberships as of today, so an
  ended membership is refused), asks for the password again where the report's button does,
  audits the download and sends the file, which the Job row holds (no app server keeps files)
  until the job's retention deletes it.

The work runs as the person who asked (job.created_by), never as a superuser: figures are
suppressed for an aggregate-only role exactly as on the page.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_safe

from sendtrust.ops.health import worker_seen
from sendtrust.ops.jobs import RETENTION, start_job
from sendtrust.ops.models import Job
from sendtrust.people.twofactor import ensure_recent_auth, require_recent_auth


def _always_valid(user, trust, job) -> bool:
    return True


@dataclass(frozen=True)
class Report:
    kind: str  # Job.kind
    title: str  # "SEND analytics report", in the page's words
    task: object  # the django-tasks task: task.enqueue(job_code)
    authorise: Callable  # (request, trust code) -> Trust; raises 404 or 403 (the policy)
    audit: Callable  # (request, trust, job): the download's audit entry
    page_route: str  # (trust code, job code) -> the progress page
    download_route: str  # (trust code, job code) -> the file
    back_route: str  # (trust code) -> the page the button sits on
    back_label: str
    recent_auth: bool = False  # ask for the password again before the download
    # Is the file made then still right for this person now? (e.g. not when they have become
    # aggregate-only since an unsuppressed report was made for them.)
    still_valid: Callable = _always_valid


def start(request, trust, report: Report, options: dict | None = None):
    """Queue the report for request.user (the caller has checked the policy) and go to its
    page. 302: the browser follows with a GET.

    A second press while the same report is still waiting or being made goes to that job's
    page: a double click does not make the worker draw the same report twice."""
    options = options or {}
    job = (Job.objects.filter(kind=report.kind, trust=trust, created_by=request.user,
                              options=options,
                              status__in=[Job.Status.QUEUED, Job.Status.RUNNING])
           .only("code").order_by("-pk").first())
    if job is None:
        job = start_job(report.kind, report.task, user=request.user, trust=trust,
                        options=options)
    return redirect(reverse(report.page_route, args=[trust.code, job.code]))


def _own_job(request, trust, code, report: Report, *, with_file: bool = False) -> Job:
    """The job with this code, if request.user started it for this trust; else 404 (another
    person's report, even one they could make themselves, is not theirs to see)."""
    jobs = Job.objects.filter(code=code, kind=report.kind, trust=trust, created_by=request.user)
    job = (jobs if with_file else jobs.defer("output", "payload")).first()
    if job is None or (job.finished_at and job.finished_at < timezone.now() - RETENTION):
        raise Http404("Not found")
    return job


@login_required
@require_safe
def job_page(request, code, job, report: Report):
    trust = report.authorise(request, code)
    job = _own_job(request, trust, job, report)
    stale = job.status == Job.Status.DONE and not report.still_valid(request.user, trust, job)
    ctx = {"trust": trust, "job": job, "report": report, "stale": stale,
           "failure": (job.result or {}).get("failure") if job.status == Job.Status.FAILED
           else None,
           "page_url": reverse(report.page_route, args=[trust.code, job.code]),
           "download_url": reverse(report.download_route, args=[trust.code, job.code]),
           "back_url": reverse(report.back_route, args=[trust.code]),
           "no_worker": job.status == Job.Status.QUEUED and not worker_seen()}
    template = "ops/report_job.html"
    if request.htmx:
        template += "#job-panel"
    return render(request, template, ctx)


@login_required
@require_recent_auth
@require_safe
def download(request, code, job, report: Report):
    trust = report.authorise(request, code)
    job = _own_job(request, trust, job, report, with_file=True)
    if job.status != Job.Status.DONE or job.output is None:
        raise Http404("Not found")
    if report.recent_auth:
        ensure_recent_auth(request)
    if not report.still_valid(request.user, trust, job):
        raise Http404("Not found")
    data = bytes(job.output)
    report.audit(request, trust, job)
    response = HttpResponse(data, content_type=job.output_type or "application/octet-stream")
    response["Content-Disposition"] = f'attachment; filename="{job.output_name}"'
    response["Cache-Control"] = "no-store"  # never kept by a browser or proxy cache
    return response
