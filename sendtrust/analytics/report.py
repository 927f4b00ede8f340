"""The trust analytics as one PDF for board papers: the page's charts drawn offline.

The charts are the same Vega-Lite specs the page draws in the browser, rendered to SVG on the
server by vl-convert (no browser, no network), beside the same tables, withheld cells and all.

It covers every school of the trust and takes seconds, so it is made in the worker (see
sendtrust.ops.reports): the button (trust_report) queues it, its page shows the progress and
then the download, which is audited. The figures are read as the person who asked, so an
aggregate-only role gets the suppressed figures it sees on the page.
"""

from __future__ import annotations

from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.safestring import mark_safe

from sendtrust.access.audit import log_action
from sendtrust.access.policy import Action, allows, get_trust_for_user, is_aggregate_only
from sendtrust.lib.pdf import html_to_pdf
from sendtrust.ops.jobs import FileResult, JobRefused, run_job
from sendtrust.ops.reports import Report

try:  # Django 6 has the task framework built in; on 5.2 it is the django-tasks backport
    from django.tasks import task
except ImportError:
    from django_tasks import task

KIND = "trust_report"

# The vendored vega-lite's minor version (charts.SCHEMA names its major version).
VEGA_LITE = "6.4"


def chart_svg(spec: dict | None) -> str:
    """A chart spec as SVG markup, drawn offline; "" without a spec."""
    if not spec:
        return ""
    import vl_convert  # imported here: it loads a JavaScript engine that pages do not need

    svg = vl_convert.vegalite_to_svg(spec, vl_version=VEGA_LITE)
    return mark_safe(svg[svg.index("<svg"):])  # noqa: S308  (our own spec, drawn by vl-convert)


def report_html(context: dict, drew=None) -> str:
    """The report as HTML: every chart of the page as SVG, with its table.

    drew(n, of) is called after each chart is drawn (the job's progress)."""
    charts = [*context["funnels"], *context["charts"].values()]
    drawn = []
    for chart in charts:
        drawn.append((chart, chart_svg(chart.spec)))
        if drew:
            drew(len(drawn), len(charts))
    return render_to_string("analytics/report.html", {
        **context, "drawn": drawn, "printed_at": timezone.localtime(),
    })


def report_pdf(context: dict, drew=None) -> bytes:
    return html_to_pdf(report_html(context, drew))


# The report as a job ---------------------------------------------------------------------


@task()
def run_trust_report(job_code: str) -> str:
    return run_job(job_code, _make_report)


def _make_report(job, progress) -> FileResult:
    from sendtrust.analytics import figures
    from sendtrust.analytics.views import _charts, _funnel_charts

    user, trust = job.created_by, job.trust
    if not allows(user, Action.TRUST_ANALYTICS, trust):
        raise JobRefused(f"you no longer have access to {trust.name}'s analytics")
    progress(0, None, "Reading the figures")
    data = figures.analytics(trust, user, method=job.options.get("method") or
                             figures.DEFAULT_METHOD)
    context = {"trust": trust, "data": data, "charts": _charts(data, "trust", trust),
               "funnels": _funnel_charts(data, "trust", trust)}

    def drew(n, of):  # steps: each chart, then writing the PDF
        progress(n, of + 1, f"Drawing the charts: {n} of {of} drawn" if n < of
                 else "Writing the PDF")

    pdf = report_pdf(context, drew)
    return FileResult(
        pdf, f"send-analytics-{timezone.localdate().isoformat()}.pdf", "application/pdf",
        {"bytes": len(pdf), "aggregate_only": data.hide, "method": data.method,
         "withheld": sum(t.withheld_count() for t in data.tables().values())})


def _authorise(request, code):
    return get_trust_for_user(request, code, Action.TRUST_ANALYTICS)


def _audit(request, trust, job) -> None:
    r = job.result
    log_action(request, "analytics.exported", table="report", format="pdf", bytes=r["bytes"],
               withheld=r["withheld"], aggregate_only=r["aggregate_only"], trust=trust)


def _still_valid(user, trust, job) -> bool:
    """A report made with every figure is not for someone who now sees only aggregates."""
    return job.result["aggregate_only"] or not is_aggregate_only(user, trust)


TRUST_REPORT = Report(
    kind=KIND, title="SEND analytics report", task=run_trust_report, authorise=_authorise,
    audit=_audit, page_route="analytics:trust_report_job",
    download_route="analytics:trust_report_download", back_route="analytics:trust_analytics",
    back_label="Analytics", recent_auth=True, still_valid=_still_valid)
