"""API routes for the provision app, mounted in sendtrust/api/urls.py; same policy as the pages.

Reads: a school's groups, one group with the enrolments the caller may see, the impact of an
intervention across the trust, the trust's provision map (suppressed for trustees). Writes:
enrol a pupil with an entry score, record entry and exit scores. Writes take JSON or form
fields; a refused value answers 400 with the field and the reason.
"""

import datetime as dt
import json
from decimal import Decimal
from uuid import UUID

from django.core.exceptions import ValidationError
from django.db import transaction
from ninja import Router, Schema
from pydantic import ValidationError as SchemaError

from sendtrust.access.audit import log_action
from sendtrust.access.policy import provision as rules
from sendtrust.access.policy import visible_pupils
from sendtrust.access.policy.provision import Right
from sendtrust.analytics.figures import provision as figures
from sendtrust.analytics.tables import Withheld
from sendtrust.api.schemas import ErrorOut
from sendtrust.organisations.models import School, Trust
from sendtrust.provision import services
from sendtrust.provision.models import GroupEnrolment, Intervention, ProvisionGroup

router = Router(tags=["provision"])
ERRORS = {400: ErrorOut, 403: ErrorOut, 404: ErrorOut}


class GroupOut(Schema):
    code: UUID
    name: str
    school: UUID
    intervention: str
    area: str
    staff_role: str
    timetable: str
    sessions_per_week: int
    minutes_per_session: int
    starts_on: dt.date
    ends_on: dt.date


class EnrolmentOut(Schema):
    code: UUID
    pupil: UUID
    pupil_name: str
    entry_score: Decimal | None
    entry_on: dt.date | None
    exit_score: Decimal | None
    exit_on: dt.date | None


class GroupDetailOut(GroupOut):
    measure: str
    enrolments: list[EnrolmentOut]


class EnrolIn(Schema):
    pupil: UUID
    entry_score: Decimal | None = None
    entry_on: dt.date | None = None


class ScoresIn(Schema):
    entry_score: Decimal | None = None
    exit_score: Decimal | None = None
    entry_on: dt.date | None = None
    exit_on: dt.date | None = None


class TableOut(Schema):
    caption: str
    columns: list[str]
    rows: list[dict]
    notes: list[str]


def _group_out(g: ProvisionGroup) -> dict:
    return {"code": g.code, "name": g.name, "school": g.school.code,
            "intervention": g.intervention.name, "area": g.intervention.area,
            "staff_role": g.staff_role, "timetable": g.timetable,
            "sessions_per_week": g.sessions_per_week,
            "minutes_per_session": g.minutes_per_session, "starts_on": g.starts_on,
            "ends_on": g.ends_on}


def _enrolment_out(e: GroupEnrolment) -> dict:
    return {"code": e.code, "pupil": e.pupil.code,
            "pupil_name": f"{e.pupil.forename} {e.pupil.surname}",
            "entry_score": e.entry_score, "entry_on": e.entry_on, "exit_score": e.exit_score,
            "exit_on": e.exit_on}


def _table_out(table) -> dict:
    def cell(v):
        return str(v) if isinstance(v, Withheld) else v

    return {"caption": table.caption, "columns": [c.label for c in table.columns],
            "rows": [{c.key: cell(r.get(c.key)) for c in table.columns}
                     for r in table.all_rows()],
            "notes": table.notes}


def _payload(request, schema):
    """The body as schema, from JSON or form fields; (None, error) when it does not fit."""
    try:
        raw = (json.loads(request.body or b"{}")
               if request.content_type == "application/json" else request.POST.dict())
        return schema.model_validate(raw), None
    except (ValueError, SchemaError) as e:
        return None, {"detail": f"The request body is not valid: {e}"}


def _refused(e: ValidationError) -> dict:
    if hasattr(e, "message_dict"):
        return {"detail": "; ".join(f"{k}: {' '.join(v)}" for k, v in e.message_dict.items())}
    return {"detail": " ".join(e.messages)}


GROUPS = ProvisionGroup.objects.select_related("school__trust", "intervention__measure")
BODY_DOC = {"requestBody": {"content": {"application/json": {"schema": {"type": "object"}}}}}


@router.get("/schools/{code}/groups", response={200: list[GroupOut], **ERRORS})
def provision_school_groups(request, code: UUID):
    """A school's provision groups (staff who see only some pupils: the groups they are in)."""
    school = rules.fetch(request, School.objects.select_related("trust"), code,
                         Right.SCHOOL_VIEW)
    groups = GROUPS.filter(school=school)
    if not rules.allows(request.user, Right.MANAGE, school):
        groups = groups.filter(
            enrolments__pupil__in=visible_pupils(request.user, school)).distinct()
    return 200, [_group_out(g) for g in groups.order_by("-starts_on", "name")]


@router.get("/groups/{code}", response={200: GroupDetailOut, **ERRORS})
def provision_group(request, code: UUID):
    """One group with the enrolments (and scores) of the pupils the caller may see."""
    group = rules.fetch(request, GROUPS, code, Right.SCHOOL_VIEW)
    enrolments = (group.enrolments.filter(pupil__in=visible_pupils(request.user))
                  .select_related("pupil").order_by("pupil__surname"))
    log_action(request, "provision.group.viewed", school=group.school, group=str(group.code),
               via="api")
    return 200, {**_group_out(group), "measure": group.intervention.measure.name,
                 "enrolments": [_enrolment_out(e) for e in enrolments]}


@router.post("/groups/{code}/enrolments", response={200: EnrolmentOut, **ERRORS},
             openapi_extra=BODY_DOC)
def provision_enrol(request, code: UUID):
    """Enrol a pupil of the group's school with an optional entry score."""
    group = rules.fetch(request, GROUPS, code, Right.MANAGE)
    data, error = _payload(request, EnrolIn)
    if error:
        return 400, error
    pupil = visible_pupils(request.user, group.school).filter(code=data.pupil).first()
    if pupil is None:
        return 400, {"detail": "pupil: Choose a pupil of this school."}
    try:
        with transaction.atomic():
            e = services.enrol_pupil(group, pupil, request=request,
                                     entry_score=data.entry_score, entry_on=data.entry_on)
    except ValidationError as exc:
        return 400, _refused(exc)
    return 200, _enrolment_out(e)


@router.post("/enrolments/{code}/scores", response={200: EnrolmentOut, **ERRORS},
             openapi_extra=BODY_DOC)
def provision_scores(request, code: UUID):
    """Record an enrolment's entry and exit scores (checked against the measure)."""
    enrolment = rules.fetch(
        request, GroupEnrolment.objects.select_related("school__trust", "pupil",
                                                       "group__intervention__measure"),
        code, Right.MANAGE)
    data, error = _payload(request, ScoresIn)
    if error:
        return 400, error
    try:
        with transaction.atomic():
            services.record_scores(enrolment, request=request, **data.model_dump())
    except ValidationError as exc:
        return 400, _refused(exc)
    return 200, _enrolment_out(enrolment)


@router.get("/trusts/{code}/impact", response={200: TableOut, **ERRORS})
def provision_impact(request, code: UUID, intervention: UUID | None = None):
    """Impact of an intervention by school and pooled (the first in the catalogue if none)."""
    trust = rules.fetch(request, Trust.objects.all(), code, Right.IMPACT)
    choices = Intervention.objects.filter(trust=trust).select_related("measure").order_by(
        "name")
    if intervention is not None:
        choices = choices.filter(code=intervention)
    current = choices.first()
    if current is None:
        return 404, {"detail": "Not found"}
    figure = figures.impact(request.user, trust, current)
    return 200, _table_out(figure.table)


@router.get("/trusts/{code}/map", response={200: TableOut, **ERRORS})
def provision_trust_map(request, code: UUID):
    """Pupils receiving provision by school and area of need (suppressed for trustees)."""
    trust = rules.fetch(request, Trust.objects.all(), code, Right.TRUST_FIGURES)
    from django.utils import timezone

    return 200, _table_out(figures.trust_map(request.user, trust, on=timezone.localdate()))
