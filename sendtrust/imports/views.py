"""Import pupils from a census file; download the register as one."""

import tempfile

from django.contrib.auth.decorators import login_required
from django.http import FileResponse, HttpResponse, StreamingHttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods

from sendtrust.access.policy import Action, get_school_for_user
from sendtrust.imports import export, services, tasks
from sendtrust.imports.census import HEADERS
from sendtrust.imports.forms import ImportForm
from sendtrust.ops.health import worker_seen
from sendtrust.ops.models import Job
from sendtrust.people.twofactor import ensure_recent_auth, require_recent_auth


@login_required
@require_http_methods(["GET", "POST"])
@require_recent_auth
def import_pupils(request, code):
    """Upload a census file into a school: every row is checked, then all saved or none."""
    school = get_school_for_user(request, code, Action.SCHOOL_IMPORT)
    ensure_recent_auth(request)  # asked when the form opens, so no chosen file is lost
    form = ImportForm(request.POST, request.FILES) if request.method == "POST" else ImportForm()
    result = None
    if form.is_bound and form.is_valid() and tasks.runs_in_background(form.cleaned_data["file"]):
        # A large file is checked and saved by the worker; its page shows the progress.
        job = tasks.queue_import(form.cleaned_data["file"], school=school, user=request.user,
                                 effective=form.cleaned_data["effective"])
        if not request.htmx:
            response = redirect(job_url(school, job))
            response.status_code = 303  # see the job's page, by GET
            return response
        response = _job_panel(request, school, job)
        response["HX-Push-Url"] = job_url(school, job)
        return response
    if form.is_bound and form.is_valid():
        result = services.import_file(
            form.cleaned_data["file"], school=school, by=request.user, request=request,
            effective=form.cleaned_data["effective"],
        )
        if result.ok:
            form = ImportForm()  # a fresh form for the next file
    ctx = {"school": school, "form": form, "result": result, "headers": HEADERS,
           "max_errors": services.MAX_ERRORS}
    template = "imports/import_pupils.html"
    if request.htmx:
        template += "#import-panel"
    return render(request, template, ctx)


def job_url(school, job) -> str:
    return reverse("import_job", args=[school.code, job.code])


@login_required
@require_GET
def import_job(request, code, job):
    """A large import's progress (polled by htmx), then its result: for whoever started it."""
    school = get_school_for_user(request, code, Action.SCHOOL_IMPORT)
    job = get_object_or_404(Job, code=job, kind=tasks.KIND, school=school,
                            created_by=request.user)
    return _job_panel(request, school, job)


def _job_panel(request, school, job):
    result = None
    if job.status == Job.Status.FAILED:
        result = services.ImportResult()
        result.add_error(None, "", "", (job.result or {}).get("failure", "the import failed"))
    elif job.status == Job.Status.DONE:
        result = tasks.result_from_json(job.result)
    ctx = {"school": school, "form": ImportForm(), "result": result, "job": job,
           "headers": HEADERS, "max_errors": services.MAX_ERRORS,
           "no_worker": job.status == Job.Status.QUEUED and not worker_seen()}
    template = "imports/import_pupils.html"
    if request.htmx:
        template += "#import-panel"
    return render(request, template, ctx)


@login_required
@require_GET
def import_template(request, code):
    """An empty census file with the header row the import reads."""
    get_school_for_user(request, code, Action.SCHOOL_IMPORT)
    response = HttpResponse(
        "\ufeff" + ",".join(HEADERS) + "\r\n", content_type="text/csv; charset=utf-8"
    )
    response["Content-Disposition"] = 'attachment; filename="sendtrust-import-template.csv"'
    return response


@login_required
@require_GET
@require_recent_auth
def export_register(request, code, fmt):
    """The school's register of the pupils the user may see, as CSV or .xlsx; audited."""
    school = get_school_for_user(request, code, Action.SCHOOL_EXPORT)
    ensure_recent_auth(request)
    rows = export.start_export(request, school, fmt)
    filename = f"register-{school.urn}-{timezone.localdate():%Y-%m-%d}.{fmt}"
    if fmt == "csv":
        # Streamed: a trust-sized register never sits whole in memory.
        response = StreamingHttpResponse(
            export.csv_chunks(rows), content_type="text/csv; charset=utf-8"
        )
        response["Content-Disposition"] = f'attachment; filename="{filename}"'
    else:
        # An .xlsx is a zip archive, written whole before it is sent; write-only mode keeps
        # one row at a time in memory and the archive goes to a temporary file.
        spool = tempfile.TemporaryFile()
        export.write_xlsx(rows, spool)
        spool.seek(0)
        response = FileResponse(spool, as_attachment=True, filename=filename,
                                content_type=export.XLSX_TYPE)
    # Special category data: never kept by a browser or proxy cache.
    response["Cache-Control"] = "no-store"
    return response
