"""The strategic plan as a PDF (WeasyPrint), for board papers and email, made in the worker.

The plan reads an indicator for each success criterion across every school of the trust, so
the PDF takes seconds: the button (views.plan_pdf) queues it, its page shows the progress and
then the download (see sendtrust.ops.reports), which is audited as plan.pdf.downloaded. The
plan is built as the person who asked, so its indicators show what they may see.
"""

from __future__ import annotations

from django.http import Http404
from django.template.loader import render_to_string
from django.utils import timezone

from sendtrust.access import policy
from sendtrust.access.audit import log_action
from sendtrust.access.policy import PlanRight
from sendtrust.analytics.figures.schools import counts_shared
from sendtrust.lib.pdf import html_to_pdf
from sendtrust.ops.jobs import FileResult, JobRefused, run_job
from sendtrust.ops.reports import Report
from sendtrust.organisations.models import Trust

try:  # Django 6 has the task framework built in; on 5.2 it is the django-tasks backport
    from django.tasks import task
except ImportError:
    from django_tasks import task

KIND = "plan_pdf"
STEPS = 2  # read the plan and its indicators, then write the PDF


@task()
def run_plan_pdf(job_code: str) -> str:
    return run_job(job_code, _make_pdf)


def plan_html(trust, user) -> str:
    from sendtrust.planning import plan

    with counts_shared():  # each indicator reads the same per-school counts
        ctx = plan.build_plan(trust, user)
    ctx["printed_at"] = timezone.localtime()
    ctx["as_pdf"] = True
    return render_to_string("planning/plan_print.html", ctx)


def _make_pdf(job, progress) -> FileResult:
    user, trust = job.created_by, job.trust
    if not policy.allows_plan(user, PlanRight.VIEW, trust):
        raise JobRefused(f"you no longer have access to {trust.name}'s strategic plan")
    progress(0, STEPS, "Reading the plan and its indicators")
    html = plan_html(trust, user)
    progress(1, STEPS, "Writing the PDF")
    pdf = html_to_pdf(html)
    return FileResult(pdf, f"send-plan-{timezone.localdate().isoformat()}.pdf",
                      "application/pdf", {"bytes": len(pdf)})


def authorise(request, code) -> Trust:
    """As the plan's pages: 404 for no such trust, then the policy decides."""
    trust = Trust.objects.filter(code=code).first()
    if trust is None:
        raise Http404("Not found")
    return policy.require_plan(request.user, PlanRight.VIEW, trust)


def _audit(request, trust, job) -> None:
    log_action(request, "plan.pdf.downloaded", trust=trust, object_repr=trust.name,
               bytes=job.result["bytes"])


PLAN_PDF = Report(
    kind=KIND, title="strategic plan PDF", task=run_plan_pdf, authorise=authorise,
    audit=_audit, page_route="planning:plan_pdf_job", download_route="planning:plan_pdf_download",
    back_route="planning:plan_print", back_label="Printable plan")
