"""API routes of the national picture, mounted in sendtrust/api/urls.py at /api/v1/national/.

Everyone signed in may read them (sendtrust.access.policy.national); each returns the same
table as the page and its CSV, with the England and local authority rows the viewer sees.
"""

from __future__ import annotations

from django.http import Http404
from ninja import Router, Schema

from sendtrust.access.policy.national import national_local_authorities, require_national
from sendtrust.analytics import national
from sendtrust.analytics.national.base import NationalFigure
from sendtrust.api.analytics import TableOut, table_out
from sendtrust.api.schemas import ErrorOut

router = Router(tags=["national"])


class FigureOut(Schema):
    key: str
    group: str
    title: str
    reading: str
    table: TableOut


class FigureSummaryOut(Schema):
    key: str
    group: str
    title: str
    reading: str
    sources: list[str]


def _areas(request):
    require_national(request.user)
    return national.areas_for(national_local_authorities(request.user))


def _out(f: NationalFigure) -> FigureOut:
    return FigureOut(key=f.key, group=f.group, title=f.title, reading=f.reading,
                     table=table_out(f.table, False))


@router.get("/", response=list[FigureSummaryOut])
def list_national_figures(request):
    """Every figure of the national picture: its key, reading and source lines."""
    return [
        FigureSummaryOut(key=f.key, group=f.group, title=f.title, reading=f.reading,
                         sources=[n for n in f.table.notes if n.startswith("Source:")])
        for _, _, figures in national.picture(_areas(request)) for f in figures
    ]


@router.get("/{key}", response={200: FigureOut, 404: ErrorOut})
def get_national_figure(request, key: str):
    """One figure's table (England and the viewer's trust LAs), notes and reading."""
    f = national.figure(key, _areas(request))
    if f is None:
        raise Http404("No such figure")
    return _out(f)
