"""API routes for the ehc app, mounted in sendtrust/api/urls.py; same policy as the pages."""

import datetime as dt
from uuid import UUID

from django.utils import timezone
from ninja import Router, Schema

from sendtrust.access import policy
from sendtrust.access.audit import log_action
from sendtrust.access.policy.ehc import EhcRight, get_school_for_user, get_trust_for_user
from sendtrust.analytics.figures import ehc as figures
from sendtrust.api.analytics import TableOut, table_out
from sendtrust.api.schemas import ErrorOut
from sendtrust.ehc import facts
from sendtrust.ehc.models import Event, Journey

router = Router(tags=["ehc"])
ERRORS = {403: ErrorOut, 404: ErrorOut}


class DeadlineOut(Schema):
    key: str
    clock: str
    label: str
    runs_from: dt.date
    due: dt.date
    state: str
    done_on: dt.date | None
    la_code: str
    next_action: str
    preparing_for_adulthood: bool
    exception: str | None = None
    delay_reason: str | None = None


class EventOut(Schema):
    kind: str
    label: str
    on: dt.date
    la_code: str
    la_name: str
    outcome: str


class JourneyOut(Schema):
    pupil_code: UUID
    stage: str
    la_code: str
    la_name: str
    plan_since: dt.date | None
    ceased_on: dt.date | None
    events: list[EventOut]
    deadlines: list[DeadlineOut]


class ItemOut(Schema):
    pupil_code: UUID
    pupil: str
    school_code: UUID
    school: str
    la_code: str
    deadline: DeadlineOut


class CompliancesOut(Schema):
    period_start: dt.date
    period_end: dt.date
    by_school: TableOut
    by_authority: TableOut


def _deadline(d, today, notes: bool) -> dict:
    return {"key": d.key, "clock": d.clock, "label": d.label, "runs_from": d.started_on,
            "due": d.due, "state": d.state(today), "done_on": d.done_on,
            "la_code": d.la_code, "next_action": d.next_action(),
            "preparing_for_adulthood": d.preparing_for_adulthood,
            "exception": d.exception.get_reason_display() if notes and d.exception else None,
            "delay_reason": d.delay.get_reason_display() if notes and d.delay else None}


@router.get("/pupils/{code}", response={200: JourneyOut, **ERRORS})
def ehc_journey(request, code: UUID):
    """A pupil's EHC steps and every deadline computed from them (parents: dates only)."""
    pupil = policy.get_pupil_for_user(request, code)
    log_action(request, "ehc.journey.viewed", pupil=pupil, via="api")
    today = timezone.localdate()
    rows = facts.journeys(Journey.objects.filter(pupil=pupil), today=today)
    notes = policy.ehc.sees_notes(request.user, pupil)
    if not rows:
        return {"pupil_code": pupil.code, "stage": "No events yet", "la_code": "",
                "la_name": "", "plan_since": None, "ceased_on": None, "events": [],
                "deadlines": []}
    row = rows[0]
    events = Event.objects.filter(journey=row.journey).order_by("on", "id")
    return {"pupil_code": pupil.code, "stage": row.clocks.stage,
            "la_code": row.journey.la_code, "la_name": row.journey.la_name,
            "plan_since": row.clocks.plan_since, "ceased_on": row.clocks.ceased_on,
            "events": [{"kind": e.kind, "label": e.get_kind_display(), "on": e.on,
                        "la_code": e.la_code, "la_name": e.la_name, "outcome": e.outcome}
                       for e in events],
            "deadlines": [_deadline(d, today, notes) for d in row.clocks.deadlines]}


def _items(scope, today, la=""):
    items = facts.open_worklist(facts.on_roll(scope), today=today).items
    return [{"pupil_code": i.pupil.code, "pupil": i.pupil.full_name,
             "school_code": i.pupil.school.code, "school": i.pupil.school.name,
             "la_code": i.la_code, "deadline": _deadline(i.deadline, today, True)}
            for i in items if not la or i.la_code == la]


@router.get("/schools/{code}/worklist", response={200: list[ItemOut], **ERRORS})
def ehc_school_worklist(request, code: UUID):
    """A school's deadlines overdue or due in the next 4 weeks, soonest first."""
    school = get_school_for_user(request, code, EhcRight.WORKLIST)
    log_action(request, "ehc.worklist.viewed", school=school, via="api")
    return _items(Journey.objects.filter(pupil__school=school), timezone.localdate())


@router.get("/trusts/{code}/worklist", response={200: list[ItemOut], **ERRORS})
def ehc_trust_worklist(request, code: UUID, la: str = ""):
    """The trust's deadlines overdue or due in the next 4 weeks; `la` filters by authority."""
    trust = get_trust_for_user(request, code, EhcRight.WORKLIST)
    log_action(request, "ehc.worklist.viewed", trust=trust, la_code=la, via="api")
    return _items(Journey.objects.filter(pupil__school__trust=trust), timezone.localdate(), la)


@router.get("/trusts/{code}/compliance", response={200: CompliancesOut, **ERRORS})
def ehc_trust_compliance(request, code: UUID):
    """Deadlines met on time per school and authority (trustees: suppressed), with DfE's
    20-week figures."""
    trust = get_trust_for_user(request, code, EhcRight.COMPLIANCE)
    hide = policy.is_aggregate_only(request.user, trust)
    data = figures.compliance(trust, hide=hide, today=timezone.localdate())
    log_action(request, "ehc.compliance.viewed", trust=trust, via="api")
    return {"period_start": data.start, "period_end": data.end,
            "by_school": table_out(data.by_school, hide),
            "by_authority": table_out(data.by_authority, hide)}
