"""Import pupils from a census file; download the register as one."""

import tempfile

from django.contrib.auth.decorators import login_required
from django.http import FileResponse, HttpResponse, StreamingHttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods

from sendtrust.access.policy import Action, get_school_for_user
from sendtrust.imports import export, services
from sendtrust.imports.census import HEADERS
from sendtrust.imports.forms import ImportForm


@login_required
@require_http_methods(["GET", "POST"])
def import_pupils(request, code):
    """Upload a census file into a school: every row is checked, then all saved or none."""
    school = get_school_for_user(request, code, Action.SCHOOL_IMPORT)
    form = ImportForm(request.POST, request.FILES) if request.method == "POST" else ImportForm()
    result = None
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
def export_register(request, code, fmt):
    """The school's register of the pupils the user may see, as CSV or .xlsx; audited."""
    school = get_school_for_user(request, code, Action.SCHOOL_EXPORT)
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
