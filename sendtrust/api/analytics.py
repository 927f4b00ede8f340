"""API routes for analytics, mounted in sendtrust/api/urls.py; same policy as the pages.

Every route returns the tables the pages show, built by sendtrust.analytics.figures for the
requesting user: a value withheld from an aggregate-only viewer (a trustee) is null here, with
the reason in the row's `withheld`, exactly as the page and the downloads withhold it.
"""

from __future__ import annotations

from typing import Literal
from uuid import UUID

from ninja import Router, Schema

from sendtrust.access.policy import Action, get_school_for_user, get_trust_for_user
from sendtrust.analytics import figures
from sendtrust.analytics.tables import Table, Withheld
from sendtrust.api.schemas import ErrorOut

router = Router(tags=["analytics"])

Limits = Literal["additive", "binomial"]
ERRORS = {403: ErrorOut, 404: ErrorOut}


class ColumnOut(Schema):
    key: str
    label: str
    kind: str


class RowOut(Schema):
    values: dict[str, str | int | float | None]
    # column key -> why the value is null: "primary" (a count from 1 to 4), "secondary"
    # (withheld to protect one), "rate" (computed from a withheld count), "missing".
    withheld: dict[str, str]


class TableOut(Schema):
    key: str
    caption: str
    columns: list[ColumnOut]
    rows: list[RowOut]
    footer: list[RowOut]
    notes: list[str]
    aggregate_only: bool


class FunnelOut(Schema):
    phase: str
    measure: str
    label: str
    dataset: str
    period: str
    year: int
    limits_requested: str
    limits_drawn: str
    note: str
    p0: float
    phi: float | None
    tau2: float | None
    schools_in_england: int
    outside_95: int
    outside_998: int
    meaning: str
    reading: str
    table: TableOut


def _row(row: dict, table: Table) -> RowOut:
    values, withheld = {}, {}
    for c in table.columns:
        v = row.get(c.key)
        if isinstance(v, Withheld):
            withheld[c.key] = v.reason
            v = None
        values[c.key] = v
    return RowOut(values=values, withheld=withheld)


def table_out(table: Table, hide: bool) -> TableOut:
    return TableOut(
        key=table.key, caption=table.caption,
        columns=[ColumnOut(key=c.key, label=c.label, kind=c.kind) for c in table.columns],
        rows=[_row(r, table) for r in table.rows],
        footer=[_row(r, table) for r in table.footer],
        notes=table.notes, aggregate_only=hide,
    )


def _funnels(data: figures.Analytics) -> list[FunnelOut]:
    return [
        FunnelOut(
            phase=f.phase, measure=f.measure, label=f.national.label,
            dataset=f.national.dataset, period=f.national.period, year=f.national.year,
            limits_requested=f.national.requested, limits_drawn=f.national.method,
            note=f.national.note, p0=f.national.p0, phi=f.national.phi, tau2=f.national.tau2,
            schools_in_england=f.national.n_units, outside_95=f.national.outside[0.95],
            outside_998=f.national.outside[0.998], meaning=figures.FUNNEL_MEANING,
            reading=f.reading, table=table_out(f.table, data.hide),
        )
        for f in data.funnels
    ]


def _trust(request, code, sections, limits="additive") -> figures.Analytics:
    trust = get_trust_for_user(request, code, Action.TRUST_ANALYTICS)
    return figures.analytics(trust, request.user, method=limits, sections=sections)


def _school(request, code, sections, limits="additive") -> figures.Analytics:
    school = get_school_for_user(request, code, Action.SCHOOL_ANALYTICS)
    return figures.analytics(school.trust, request.user, school=school, method=limits,
                             sections=sections)


# ----------------------------------------------------------------------------- trusts


@router.get("/trusts/{code}/schools", response={200: TableOut, **ERRORS})
def get_trust_school_rates(request, code: UUID):
    """Each school's pupils, SEN support and EHC plan counts and rates, with national and LA."""
    data = _trust(request, code, set())
    return table_out(data.rates_table, data.hide)


@router.get("/trusts/{code}/funnel", response={200: list[FunnelOut], **ERRORS})
def get_trust_funnel(request, code: UUID, limits: Limits = "additive"):
    """Funnel limits per phase and measure, and each school placed and flagged."""
    return _funnels(_trust(request, code, {"funnel"}, limits))


@router.get("/trusts/{code}/need-mix", response={200: TableOut, **ERRORS})
def get_trust_need_mix(request, code: UUID):
    """The trust's pupils with SEN by primary need against England's shares."""
    data = _trust(request, code, {"need"})
    return table_out(data.need.table, data.hide)


@router.get("/trusts/{code}/trend", response={200: TableOut, **ERRORS})
def get_trust_trend(request, code: UUID):
    """The trust's rates at each January census day beside England's series."""
    data = _trust(request, code, {"trend"})
    return table_out(data.trend.table, data.hide)


@router.get("/trusts/{code}/gaps", response={200: TableOut, **ERRORS})
def get_trust_gaps(request, code: UUID):
    """SEN and no-SEN outcome gaps for England and the trust's partner LAs."""
    data = _trust(request, code, {"gaps"})
    return table_out(data.gaps, data.hide)


@router.get("/trusts/{code}/timeliness", response={200: TableOut, **ERRORS})
def get_trust_timeliness(request, code: UUID):
    """EHC plans issued within 20 weeks by each partner LA and England."""
    data = _trust(request, code, {"timeliness"})
    return table_out(data.timeliness, data.hide)


# ----------------------------------------------------------------------------- schools


@router.get("/schools/{code}/rates", response={200: TableOut, **ERRORS})
def get_school_rates(request, code: UUID):
    """The school's pupils, SEN support and EHC plan counts and rates."""
    data = _school(request, code, set())
    return table_out(data.rates_table, data.hide)


@router.get("/schools/{code}/funnel", response={200: list[FunnelOut], **ERRORS})
def get_school_funnel(request, code: UUID, limits: Limits = "additive"):
    """The school on the national funnel for its phase."""
    return _funnels(_school(request, code, {"funnel"}, limits))


@router.get("/schools/{code}/need-mix", response={200: TableOut, **ERRORS})
def get_school_need_mix(request, code: UUID):
    """The school's need mix against the trust, its LA and England."""
    data = _school(request, code, {"need"})
    return table_out(data.need.table, data.hide)


@router.get("/schools/{code}/trend", response={200: TableOut, **ERRORS})
def get_school_trend(request, code: UUID):
    """The school's rates at each January census day beside England's series."""
    data = _school(request, code, {"trend"})
    return table_out(data.trend.table, data.hide)


@router.get("/schools/{code}/gaps", response={200: TableOut, **ERRORS})
def get_school_gaps(request, code: UUID):
    """Outcome gaps for England and the school's LA."""
    data = _school(request, code, {"gaps"})
    return table_out(data.gaps, data.hide)


@router.get("/schools/{code}/timeliness", response={200: TableOut, **ERRORS})
def get_school_timeliness(request, code: UUID):
    """EHC plan 20-week timeliness of the school's LA and England."""
    data = _school(request, code, {"timeliness"})
    return table_out(data.timeliness, data.hide)
