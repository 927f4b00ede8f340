"""The national picture page (/national/) and its table downloads: for everyone signed in."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.http import require_safe

from sendtrust.access.audit import log_action
from sendtrust.access.policy.national import national_local_authorities, require_national
from sendtrust.analytics import export, national
from sendtrust.analytics.national.base import NationalFigure
from sendtrust.analytics.views import Chart


def _chart(f: NationalFigure) -> Chart:
    exports = {fmt: reverse("national:export", args=[f.key, fmt]) for fmt in export.FORMATS}
    return Chart(f"chart-{f.key}", f.title, f.spec, f.table, f.reading, exports)


def _areas(request):
    return national.areas_for(national_local_authorities(request.user))


@login_required
@require_safe
def national_picture(request):
    require_national(request.user)
    areas = _areas(request)
    groups = [(key, heading, [_chart(f) for f in figures])
              for key, heading, figures in national.picture(areas)]
    return render(request, "analytics/national/picture.html", {
        "groups": groups, "las": areas[1:],
    })


@login_required
@require_safe
def national_export(request, key, fmt):
    require_national(request.user)
    if fmt not in export.FORMATS:
        raise Http404("No such format")
    figure = national.figure(key, _areas(request))
    if figure is None:
        raise Http404("No such table")
    table = figure.table
    log_action(request, "national.exported", table=key, format=fmt,
               rows=len(table.all_rows()))
    name = export.filename("national", table, fmt)
    if fmt == "xlsx":
        return export.xlsx_response(table, name)
    return export.csv_response(table, name)
