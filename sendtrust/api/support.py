"""API routes for the support app, mounted in sendtrust/api/urls.py; same policy as the pages.

Reads are audited like the pages; writes go through the same services (checked, one
transaction, audited). A plan update names the version it was read at: a stale one gets 409.
"""

from __future__ import annotations

import datetime as dt
from uuid import UUID

from django.core.exceptions import ValidationError
from ninja import Router, Schema, Status

from sendtrust.access.audit import log_action
from sendtrust.access.policy.support import SupportRight
from sendtrust.api.schemas import ErrorOut, Line, Text, Version
from sendtrust.support import access, services
from sendtrust.support.models import OnePageProfile, SupportPlan

router = Router(tags=["support"])


class OutcomeIn(Schema):
    description: Text
    target_on: dt.date | None = None
    strategies: Text = ""
    provision: Text = ""
    who: Line(200) = ""


class OutcomeOut(OutcomeIn):
    code: UUID
    progress: str | None = None
    evidence: str = ""
    carried_forward: bool = False


class ReviewOut(Schema):
    held_on: dt.date
    summary: str
    pupil_views: str
    parent_views: str


class PlanSummaryOut(Schema):
    code: UUID
    cycle: int
    status: str
    starts_on: dt.date
    review_on: dt.date
    version: int


class PlanOut(PlanSummaryOut):
    pupil_code: UUID
    assessment: str
    strengths: str
    needs_communication: str
    needs_cognition: str
    needs_semh: str
    needs_sensory: str
    who_does_what: str
    outcomes: list[OutcomeOut]
    review: ReviewOut | None = None
    pupil_views_gathered: int
    parent_views_gathered: int


class ProfileOut(Schema):
    admire: str
    important: str
    support: str
    version: int


class PupilSupportOut(Schema):
    pupil_code: UUID
    current_plan: PlanSummaryOut | None
    cycles: list[PlanSummaryOut]
    profile: ProfileOut | None


class PlanIn(Schema):
    starts_on: dt.date
    review_on: dt.date
    assessment: Text = ""
    strengths: Text = ""
    needs_communication: Text = ""
    needs_cognition: Text = ""
    needs_semh: Text = ""
    needs_sensory: Text = ""
    who_does_what: Text = ""
    outcomes: list[OutcomeIn]


class PlanUpdateIn(PlanIn):
    version: Version


class ProgressIn(Schema):
    outcome_code: UUID
    progress: Line(10)
    evidence: Text = ""
    carry_forward: bool = False


class ReviewIn(Schema):
    version: Version
    held_on: dt.date
    next_review_on: dt.date
    summary: Text = ""
    pupil_views: Text = ""
    parent_views: Text = ""
    progress: list[ProgressIn]


class ActionIO(Schema):
    text: Line(300)
    owner: Line(120)
    due_on: dt.date | None = None


class ConversationIn(Schema):
    status: Line(10) = "held"
    on: dt.date | None = None
    attendees: Text = ""
    language: Line(60) = "English"
    interpreter_needed: bool = False
    explore: Text = ""
    focus: Text = ""
    plan_notes: Text = ""
    review_notes: Text = ""
    staff_notes: Text = ""
    shared_with_family: bool = True
    actions: list[ActionIO] = []


class ConversationOut(ConversationIn):
    code: UUID


class EntryIn(Schema):
    on: dt.date
    kind: Line(10)
    title: Line(200)
    notes: Text = ""


class EntryOut(EntryIn):
    code: UUID
    documents: list[str]


class ValidationOut(Schema):
    detail: str
    errors: dict[str, list[str]]


WRITE = {200: PlanOut, 201: PlanOut, 400: ValidationOut, 403: ErrorOut, 404: ErrorOut,
         409: ErrorOut}


def _summary(p) -> dict:
    return {"code": p.code, "cycle": p.cycle, "status": p.status, "starts_on": p.starts_on,
            "review_on": p.review_on, "version": p.version}


def _plan_out(plan) -> dict:
    review = getattr(plan, "review", None) if plan.status == SupportPlan.Status.REVIEWED else None
    progress = {p.outcome_id: p for p in review.progress.all()} if review else {}
    outcomes = []
    for o in plan.outcomes.all():
        p = progress.get(o.pk)
        outcomes.append({"code": o.code, "description": o.description, "target_on": o.target_on,
                         "strategies": o.strategies, "provision": o.provision, "who": o.who,
                         "progress": p.progress if p else None,
                         "evidence": p.evidence if p else "",
                         "carried_forward": p.carried_forward if p else False})
    return {**_summary(plan), "pupil_code": plan.pupil.code,
            **{k: getattr(plan, k) for k in services.PLAN_FIELDS},
            "outcomes": outcomes,
            "review": ({"held_on": review.held_on, "summary": review.summary,
                        "pupil_views": review.pupil_views, "parent_views": review.parent_views}
                       if review else None),
            "pupil_views_gathered": plan.voice_responses.count(),
            "parent_views_gathered": plan.parent_views.count()}


def _invalid(e: ValidationError):
    errors = e.message_dict if hasattr(e, "error_dict") else {"__all__": e.messages}
    return Status(400, {"detail": "Nothing was saved.", "errors": errors})


def _outcomes(items: list[OutcomeIn]) -> list[services.OutcomeInput]:
    return [services.OutcomeInput(o.description, o.target_on, o.strategies, o.provision, o.who)
            for o in items]


@router.get("/pupils/{code}", response={200: PupilSupportOut, 403: ErrorOut, 404: ErrorOut},
            url_name="support_pupil")
def support_pupil(request, code: UUID):
    """A pupil's support plan cycles, the current one first, and the one-page profile."""
    pupil = access.get_pupil(request.user, code, SupportRight.PLAN_VIEW)
    log_action(request, "support.record.viewed", pupil=pupil, via="api")
    plans = list(pupil.support_plans.order_by("-cycle"))
    profile = OnePageProfile.objects.filter(pupil=pupil).first()
    return {"pupil_code": pupil.code,
            "current_plan": next((_summary(p) for p in plans if p.is_open), None),
            "cycles": [_summary(p) for p in plans],
            "profile": ({"admire": profile.admire, "important": profile.important,
                         "support": profile.support, "version": profile.version}
                        if profile else None)}


@router.get("/pupils/{code}/plans",
            response={200: list[PlanSummaryOut], 403: ErrorOut, 404: ErrorOut},
            url_name="support_plans")
def support_plans(request, code: UUID):
    """Every cycle of the pupil's support plan, newest first."""
    pupil = access.get_pupil(request.user, code, SupportRight.PLAN_VIEW)
    log_action(request, "support.record.viewed", pupil=pupil, via="api")
    return [_summary(p) for p in pupil.support_plans.order_by("-cycle")]


@router.post("/pupils/{code}/plans", response=WRITE, url_name="support_plans")
def support_create_plan(request, code: UUID, payload: PlanIn):
    """Open the pupil's support plan (1 to 6 outcomes)."""
    pupil = access.get_pupil(request.user, code, SupportRight.PLAN_EDIT)
    values = payload.dict(exclude={"outcomes", "starts_on", "review_on"})
    try:
        plan = services.create_plan(pupil, starts_on=payload.starts_on,
                                    review_on=payload.review_on,
                                    outcomes=_outcomes(payload.outcomes), by=request.user,
                                    request=request, **values)
    except ValidationError as e:
        return _invalid(e)
    return Status(201, _plan_out(plan))


@router.get("/plans/{code}", response={200: PlanOut, 403: ErrorOut, 404: ErrorOut},
            url_name="support_plan")
def support_plan(request, code: UUID):
    plan = access.get_plan(request.user, code)
    log_action(request, "support.plan.viewed", pupil=plan.pupil, object_repr=str(plan),
               via="api")
    return _plan_out(plan)


@router.post("/plans/{code}", response=WRITE, url_name="support_plan")
def support_update_plan(request, code: UUID, payload: PlanUpdateIn):
    """Change a current cycle; 409 when someone saved it since `version`."""
    plan = access.get_plan(request.user, code, SupportRight.PLAN_EDIT)
    values = payload.dict(exclude={"outcomes", "starts_on", "review_on", "version"})
    try:
        plan = services.update_plan(plan, version=payload.version, starts_on=payload.starts_on,
                                    review_on=payload.review_on,
                                    outcomes=_outcomes(payload.outcomes), by=request.user,
                                    request=request, **values)
    except ValidationError as e:
        return _invalid(e)
    except services.Conflict as e:
        return Status(409, {"detail": str(e)})
    return Status(200, _plan_out(plan))


@router.get("/plans/{code}/review",
            response={200: ReviewOut | None, 403: ErrorOut, 404: ErrorOut},
            url_name="support_review")
def support_review(request, code: UUID):
    """The review that closed this cycle; null while the cycle is current."""
    plan = access.get_plan(request.user, code)
    log_action(request, "support.plan.viewed", pupil=plan.pupil, object_repr=str(plan),
               via="api")
    review = getattr(plan, "review", None) if not plan.is_open else None
    if review is None:
        return Status(200, None)
    return Status(200, {"held_on": review.held_on, "summary": review.summary,
                        "pupil_views": review.pupil_views, "parent_views": review.parent_views})


@router.post("/plans/{code}/review", response=WRITE, url_name="support_review")
def support_review_plan(request, code: UUID, payload: ReviewIn):
    """Record the review; returns the next cycle."""
    plan = access.get_plan(request.user, code, SupportRight.PLAN_EDIT)
    outcomes = {o.code: o for o in plan.outcomes.all()}
    unknown = [str(p.outcome_code) for p in payload.progress if p.outcome_code not in outcomes]
    if unknown:
        return Status(400, {"detail": "Nothing was saved.",
                            "errors": {"progress": [f"Not an outcome of this plan: {u}"
                                                    for u in unknown]}})
    progress = [services.ProgressInput(outcomes[p.outcome_code], p.progress, p.evidence,
                                       p.carry_forward) for p in payload.progress]
    try:
        nxt = services.record_review(
            plan, version=payload.version, held_on=payload.held_on, progress=progress,
            next_review_on=payload.next_review_on, summary=payload.summary,
            pupil_views=payload.pupil_views, parent_views=payload.parent_views,
            by=request.user, request=request)
    except ValidationError as e:
        return _invalid(e)
    except services.Conflict as e:
        return Status(409, {"detail": str(e)})
    return Status(201, _plan_out(nxt))


def _conversation_out(c) -> dict:
    return {"code": c.code, "status": c.status, "on": c.on, "attendees": c.attendees,
            "language": c.language, "interpreter_needed": c.interpreter_needed,
            "explore": c.explore, "focus": c.focus, "plan_notes": c.plan_notes,
            "review_notes": c.review_notes, "staff_notes": c.staff_notes,
            "shared_with_family": c.shared_with_family,
            "actions": [{"text": a.text, "owner": a.owner, "due_on": a.due_on}
                        for a in c.actions.all()]}


@router.get("/pupils/{code}/conversations",
            response={200: list[ConversationOut], 403: ErrorOut, 404: ErrorOut},
            url_name="support_conversations")
def support_conversations(request, code: UUID):
    pupil = access.get_pupil(request.user, code, SupportRight.FAMILY_VIEW)
    log_action(request, "support.conversation.listed", pupil=pupil, via="api")
    return [_conversation_out(c) for c in pupil.conversations.prefetch_related("actions")]


@router.post("/pupils/{code}/conversations",
             response={201: ConversationOut, 400: ValidationOut, 403: ErrorOut, 404: ErrorOut},
             url_name="support_conversations")
def support_log_conversation(request, code: UUID, payload: ConversationIn):
    pupil = access.get_pupil(request.user, code, SupportRight.FAMILY_EDIT)
    if payload.status not in ("held", "scheduled"):
        return Status(400, {"detail": "Nothing was saved.",
                            "errors": {"status": ["Use “held” or “scheduled”."]}})
    values = payload.dict(exclude={"status", "actions"})
    actions = [services.ActionInput(a.text, a.owner, a.due_on) for a in payload.actions]
    try:
        c = services.log_conversation(pupil, status=payload.status, actions=actions,
                                      by=request.user, request=request, **values)
    except ValidationError as e:
        return _invalid(e)
    return Status(201, _conversation_out(c))


def _entry_out(e) -> dict:
    return {"code": e.code, "on": e.on, "kind": e.kind, "title": e.title, "notes": e.notes,
            "documents": [d.original_name for d in e.documents.all()]}


@router.get("/pupils/{code}/chronology",
            response={200: list[EntryOut], 403: ErrorOut, 404: ErrorOut},
            url_name="support_chronology")
def support_chronology(request, code: UUID):
    pupil = access.get_pupil(request.user, code, SupportRight.CHRONOLOGY_VIEW)
    log_action(request, "support.chronology.viewed", pupil=pupil, via="api")
    return [_entry_out(e) for e in pupil.chronology.prefetch_related("documents")]


@router.post("/pupils/{code}/chronology",
             response={201: EntryOut, 400: ValidationOut, 403: ErrorOut, 404: ErrorOut},
             url_name="support_chronology")
def support_add_chronology(request, code: UUID, payload: EntryIn):
    """Add a dated entry (documents are uploaded through the page)."""
    pupil = access.get_pupil(request.user, code, SupportRight.CHRONOLOGY_EDIT)
    from sendtrust.support.models import ChronologyEntry

    if payload.kind not in ChronologyEntry.Kind.values:
        kinds = ", ".join(ChronologyEntry.Kind.values)
        return Status(400, {"detail": "Nothing was saved.",
                            "errors": {"kind": [f"Use one of: {kinds}."]}})
    try:
        e = services.add_chronology_entry(pupil, on=payload.on, kind=payload.kind,
                                          title=payload.title, notes=payload.notes,
                                          by=request.user, request=request)
    except ValidationError as err:
        return _invalid(err)
    return Status(201, _entry_out(e))
