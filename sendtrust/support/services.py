"""Every change to support records: checked first, written in one transaction, audited.

Services take plain values (from a form or the API) and raise ValidationError naming the field
(or "outcomes" with the row) when a rule refuses them; nothing is half-saved.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from sendtrust.access.audit import log_action
from sendtrust.support import documents
from sendtrust.support.models import (
    AgreedAction,
    ChronologyEntry,
    Conversation,
    Document,
    ExternalReport,
    OnePageProfile,
    Outcome,
    OutcomeProgress,
    ParentViews,
    Progress,
    Review,
    SupportPlan,
    VoiceResponse,
)

MAX_OUTCOMES = 6
PLAN_FIELDS = ("assessment", "strengths", "needs_communication", "needs_cognition",
               "needs_semh", "needs_sensory", "who_does_what")
OUTCOME_FIELDS = ("description", "target_on", "strategies", "provision", "who")
PROFILE_FIELDS = ("admire", "important", "support")
CONVERSATION_FIELDS = ("on", "attendees", "language", "interpreter_needed", "explore", "focus",
                       "plan_notes", "review_notes", "staff_notes", "shared_with_family")


class Conflict(Exception):
    """Someone else saved the record after this person opened it."""

    MESSAGE = ("Someone else saved this {what} while you were editing it, so your changes "
               "have not been saved. Your changes are still in the form below: open the "
               "{what} in a new tab to see the other changes, then save again.")

    def __init__(self, what: str = "support plan"):
        super().__init__(self.MESSAGE.format(what=what))


@dataclass
class OutcomeInput:
    description: str
    target_on: dt.date | None
    strategies: str = ""
    provision: str = ""
    who: str = ""
    carried_from: Outcome | None = None

    @property
    def empty(self) -> bool:
        return not (self.description.strip() or self.target_on or self.strategies.strip()
                    or self.provision.strip() or self.who.strip())


def today() -> dt.date:
    return timezone.localdate()


def _not_future(value: dt.date | None, field: str, what: str) -> None:
    if value is not None and value > today():
        raise ValidationError({field: f"The {what} cannot be in the future."})


def check_outcomes(outcomes: list[OutcomeInput], starts_on: dt.date | None) -> list[OutcomeInput]:
    """Return the outcomes that are filled in, or refuse: 1 to 6, none half-empty."""
    filled = [o for o in outcomes if not o.empty]
    errors = []
    for n, o in enumerate(outcomes, 1):
        if o.empty:
            continue
        if not o.description.strip():
            errors.append(f"Outcome {n}: write what the pupil will achieve, or clear the row.")
        if o.target_on is None:
            errors.append(f"Outcome {n}: give a target date.")
        elif starts_on and o.target_on < starts_on:
            errors.append(f"Outcome {n}: the target date is before the plan starts.")
    if not filled:
        errors.append("Write at least one outcome.")
    if len(filled) > MAX_OUTCOMES:
        errors.append(f"A plan has at most {MAX_OUTCOMES} outcomes; this one has {len(filled)}.")
    if errors:
        raise ValidationError({"outcomes": errors})
    return filled


def check_dates(starts_on: dt.date, review_on: dt.date) -> None:
    if review_on < starts_on:
        raise ValidationError({"review_on": "The review date must be on or after the date the "
                                            "plan starts."})
    if starts_on > today() + dt.timedelta(days=366):
        raise ValidationError({"starts_on": "The plan must start within the next year."})


def _write_outcomes(plan, outcomes: list[OutcomeInput]) -> None:
    Outcome.objects.bulk_create([
        Outcome(plan=plan, order=i, description=o.description.strip(), target_on=o.target_on,
                strategies=o.strategies, provision=o.provision, who=o.who,
                carried_from=o.carried_from)
        for i, o in enumerate(outcomes)
    ])


# Plans ---------------------------------------------------------------------------------------


def create_plan(pupil, *, starts_on, review_on, outcomes: list[OutcomeInput], by, request=None,
                **fields) -> SupportPlan:
    """Open the pupil's first support plan (cycle 1)."""
    check_dates(starts_on, review_on)
    filled = check_outcomes(outcomes, starts_on)
    if SupportPlan.objects.filter(pupil=pupil, status=SupportPlan.Status.OPEN).exists():
        raise ValidationError("This pupil already has a current support plan: change that one "
                              "or review it to start the next cycle.")
    values = {k: fields.get(k, "") for k in PLAN_FIELDS}
    with transaction.atomic():
        last = SupportPlan.objects.filter(pupil=pupil).order_by("-cycle").first()
        plan = SupportPlan.objects.create(
            pupil=pupil, cycle=(last.cycle + 1) if last else 1, starts_on=starts_on,
            review_on=review_on, created_by=by, **values)
        _write_outcomes(plan, filled)
        log_action(request, "support.plan.created", user=by, pupil=pupil,
                   object_repr=str(plan), plan=str(plan.code), outcomes=len(filled))
    return plan


def update_plan(plan, *, version: int, starts_on, review_on, outcomes: list[OutcomeInput], by,
                request=None, **fields) -> SupportPlan:
    """Change a current cycle; refused if someone saved it since `version` was read."""
    if not plan.is_open:
        raise ValidationError("This cycle has been reviewed and is kept as it was. Change the "
                              "current cycle instead.")
    check_dates(starts_on, review_on)
    filled = check_outcomes(outcomes, starts_on)
    values = {k: fields.get(k, "") for k in PLAN_FIELDS}
    now = timezone.now()
    with transaction.atomic():
        updated = SupportPlan.objects.filter(pk=plan.pk, version=version).update(
            version=version + 1, starts_on=starts_on, review_on=review_on, updated_at=now,
            **values)
        if not updated:
            raise Conflict()
        plan.outcomes.all().delete()
        _write_outcomes(plan, filled)
        log_action(request, "support.plan.changed", user=by, pupil=plan.pupil,
                   object_repr=str(plan), plan=str(plan.code), version=version + 1,
                   outcomes=len(filled))
    plan.refresh_from_db()
    return plan


@dataclass
class ProgressInput:
    outcome: Outcome
    progress: str
    evidence: str = ""
    carry_forward: bool = False


def record_review(plan, *, version: int, held_on, progress: list[ProgressInput],
                  next_review_on, summary="", pupil_views="", parent_views="", by,
                  request=None) -> SupportPlan:
    """Close the cycle with its review and open the next one, carrying forward the outcomes
    ticked to continue. Returns the new cycle."""
    if not plan.is_open:
        raise ValidationError("This cycle has already been reviewed.")
    errors: dict[str, list[str]] = {}
    if held_on > today():
        errors.setdefault("held_on", []).append("The review cannot be in the future.")
    if held_on < plan.starts_on:
        errors.setdefault("held_on", []).append(
            f"The review cannot be before the plan starts ({plan.starts_on:%-d %B %Y}).")
    if next_review_on <= held_on:
        errors.setdefault("next_review_on", []).append(
            "The next review date must be after this review.")
    ids = {o.pk for o in plan.outcomes.all()}
    given = {p.outcome.pk for p in progress}
    if given != ids:
        errors.setdefault("progress", []).append("Record progress on every outcome.")
    for p in progress:
        if p.progress not in Progress.values:
            errors.setdefault("progress", []).append(f"Unknown progress “{p.progress}”.")
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        if not SupportPlan.objects.filter(pk=plan.pk, version=version,
                                          status=SupportPlan.Status.OPEN).update(
                status=SupportPlan.Status.REVIEWED, version=version + 1,
                updated_at=timezone.now()):
            raise Conflict()
        review = Review.objects.create(plan=plan, held_on=held_on, summary=summary,
                                       pupil_views=pupil_views, parent_views=parent_views,
                                       recorded_by=by)
        OutcomeProgress.objects.bulk_create([
            OutcomeProgress(review=review, outcome=p.outcome, progress=p.progress,
                            evidence=p.evidence, carried_forward=p.carry_forward)
            for p in progress
        ])
        values = {k: getattr(plan, k) for k in PLAN_FIELDS}
        nxt = SupportPlan.objects.create(
            pupil=plan.pupil, cycle=plan.cycle + 1, previous=plan, starts_on=held_on,
            review_on=next_review_on, created_by=by, **values)
        carried = [
            OutcomeInput(p.outcome.description, max(p.outcome.target_on, next_review_on),
                         p.outcome.strategies, p.outcome.provision, p.outcome.who,
                         carried_from=p.outcome)
            for p in sorted(progress, key=lambda p: p.outcome.order) if p.carry_forward
        ]
        _write_outcomes(nxt, carried)
        ChronologyEntry.objects.create(
            pupil=plan.pupil, on=held_on, kind=ChronologyEntry.Kind.REVIEW,
            title=f"Support plan review (cycle {plan.cycle})", recorded_by=by)
        log_action(request, "support.plan.reviewed", user=by, pupil=plan.pupil,
                   object_repr=str(plan), plan=str(plan.code), next_plan=str(nxt.code),
                   carried=len(carried))
    return nxt


# Profile, views and voice -------------------------------------------------------------------


def save_profile(pupil, *, version: int | None, by, request=None, **fields) -> OnePageProfile:
    """Create or change the one-page profile; refused if changed since `version` was read."""
    values = {k: fields.get(k, "") for k in PROFILE_FIELDS}
    with transaction.atomic():
        profile = OnePageProfile.objects.filter(pupil=pupil).first()
        if profile is None:
            profile = OnePageProfile.objects.create(pupil=pupil, updated_by=by, **values)
        elif not OnePageProfile.objects.filter(pk=profile.pk, version=version).update(
                version=(version or 0) + 1, updated_by=by, updated_at=timezone.now(),
                **values):
            raise Conflict("one-page profile")
        log_action(request, "support.profile.changed", user=by, pupil=pupil,
                   object_repr=f"One-page profile of {pupil}")
    profile.refresh_from_db()
    return profile


def add_parent_views(plan, *, going_well="", worries="", wishes="", by,
                     request=None) -> ParentViews:
    if not plan.is_open:
        raise ValidationError("This plan has already been reviewed.")
    if not (going_well.strip() or worries.strip() or wishes.strip()):
        raise ValidationError({"going_well": "Write something in at least one box."})
    with transaction.atomic():
        views = ParentViews.objects.create(plan=plan, author=by, going_well=going_well,
                                           worries=worries, wishes=wishes)
        log_action(request, "support.parent_views.added", user=by, pupil=plan.pupil,
                   object_repr=f"Family's views for {plan}")
    return views


def record_voice(plan, *, answers: dict[str, str], own_words="", with_adult="", by,
                 request=None) -> VoiceResponse:
    from sendtrust.support.voice import check_answers

    if not plan.is_open:
        raise ValidationError("This plan has already been reviewed.")
    answers = check_answers(answers)
    if not answers and not own_words.strip():
        raise ValidationError({"__all__": "Choose at least one answer."})
    with transaction.atomic():
        response = VoiceResponse.objects.create(plan=plan, answers=answers, own_words=own_words,
                                                with_adult=with_adult, recorded_by=by)
        log_action(request, "support.voice.recorded", user=by, pupil=plan.pupil,
                   object_repr=f"Pupil's views for {plan}", answers=len(answers))
    return response


# Conversations -------------------------------------------------------------------------------


@dataclass
class ActionInput:
    text: str
    owner: str
    due_on: dt.date | None

    @property
    def empty(self) -> bool:
        return not (self.text.strip() or self.owner.strip() or self.due_on)


def _check_conversation(status, on, actions: list[ActionInput]) -> list[ActionInput]:
    if status == Conversation.Status.HELD:
        if on is None:
            raise ValidationError({"on": "Give the date the conversation was held."})
        _not_future(on, "on", "date of a conversation already held")
    if status == Conversation.Status.SCHEDULED and on is None:
        raise ValidationError({"on": "Give the date the conversation is planned for."})
    errors = []
    filled = [a for a in actions if not a.empty]
    for n, a in enumerate(actions, 1):
        if a.empty:
            continue
        if not a.text.strip():
            errors.append(f"Action {n}: say what was agreed.")
        if not a.owner.strip():
            errors.append(f"Action {n}: say who will do it.")
        if a.due_on is None:
            errors.append(f"Action {n}: give a date.")
    if errors:
        raise ValidationError({"actions": errors})
    return filled


def log_conversation(pupil, *, status, actions: list[ActionInput], by, request=None,
                     conversation: Conversation | None = None, **fields) -> Conversation:
    """Record (or complete) a structured conversation with its agreed actions."""
    filled = _check_conversation(status, fields.get("on"), actions)
    values = {k: fields[k] for k in CONVERSATION_FIELDS if k in fields}
    with transaction.atomic():
        if conversation is None:
            conversation = Conversation.objects.create(pupil=pupil, status=status,
                                                       recorded_by=by, **values)
            what = "support.conversation.logged"
        else:
            for k, v in values.items():
                setattr(conversation, k, v)
            conversation.status = status
            conversation.save()
            conversation.actions.all().delete()
            what = "support.conversation.changed"
        AgreedAction.objects.bulk_create([
            AgreedAction(conversation=conversation, text=a.text.strip(), owner=a.owner.strip(),
                         due_on=a.due_on)
            for a in filled
        ])
        if status == Conversation.Status.HELD and not pupil.chronology.filter(
                kind=ChronologyEntry.Kind.MEETING, on=conversation.on,
                title="Structured conversation with parents").exists():
            ChronologyEntry.objects.create(
                pupil=pupil, on=conversation.on, kind=ChronologyEntry.Kind.MEETING,
                title="Structured conversation with parents", recorded_by=by)
        log_action(request, what, user=by, pupil=pupil, object_repr=str(conversation),
                   conversation=str(conversation.code), status=status, actions=len(filled))
    return conversation


def request_conversation(pupil, *, note="", by, request=None) -> Conversation:
    """A parent asks the school for a conversation."""
    with transaction.atomic():
        conversation = Conversation.objects.create(
            pupil=pupil, status=Conversation.Status.REQUESTED, request_note=note,
            recorded_by=by, shared_with_family=True)
        log_action(request, "support.conversation.requested", user=by, pupil=pupil,
                   object_repr=str(conversation))
    return conversation


# External reports ----------------------------------------------------------------------------


def add_report(pupil, *, visited_on, title, findings, recommendations, by,
               request=None) -> ExternalReport:
    _not_future(visited_on, "visited_on", "date of the visit")
    with transaction.atomic():
        report = ExternalReport.objects.create(
            pupil=pupil, author=by, author_name=by.get_full_name() or by.username,
            visited_on=visited_on, title=title, findings=findings,
            recommendations=recommendations)
        ChronologyEntry.objects.create(pupil=pupil, on=visited_on,
                                       kind=ChronologyEntry.Kind.REPORT,
                                       title=f"Visit and report: {title}", recorded_by=by)
        log_action(request, "support.report.added", user=by, pupil=pupil, object_repr=title,
                   report=str(report.code))
    return report


def accept_report(report, *, by, request=None) -> ExternalReport:
    """The SENCO accepts the report: its recommendations join the current plan's strategies."""
    if report.accepted_on:
        raise ValidationError("This report has already been accepted.")
    plan = SupportPlan.objects.filter(pupil=report.pupil, status=SupportPlan.Status.OPEN).first()
    if plan is None:
        raise ValidationError("Start a support plan for this pupil before accepting a report "
                              "into it.")
    with transaction.atomic():
        who = f"{report.author_name} ({report.visited_on:%-d %B %Y})"
        plan.assessment = (plan.assessment + "\n\n" if plan.assessment else "") + (
            f"Recommendations from {report.title}, {who}:\n{report.recommendations}")
        plan.version += 1
        plan.updated_at = timezone.now()
        plan.save(update_fields=["assessment", "version", "updated_at"])
        report.accepted_on = today()
        report.accepted_by = by
        report.accepted_into = plan
        report.save(update_fields=["accepted_on", "accepted_by", "accepted_into"])
        log_action(request, "support.report.accepted", user=by, pupil=report.pupil,
                   object_repr=report.title, report=str(report.code), plan=str(plan.code))
    return report


# Chronology ----------------------------------------------------------------------------------


def add_chronology_entry(pupil, *, on, kind, title, notes="", upload=None, by,
                         request=None) -> ChronologyEntry:
    """Add a dated entry, with a document if given; a refused file stores nothing."""
    _not_future(on, "on", "date")
    checked = documents.check_upload(upload) if upload is not None else None
    stored = None
    try:
        with transaction.atomic():
            entry = ChronologyEntry.objects.create(pupil=pupil, on=on, kind=kind, title=title,
                                                   notes=notes, recorded_by=by)
            if checked is not None:
                stored = documents.store(checked)
                Document.objects.create(
                    entry=entry, original_name=checked.name, content_type=checked.mime,
                    size=checked.size, sha256=checked.sha256, stored_name=stored,
                    uploaded_by=by)
            log_action(request, "support.chronology.added", user=by, pupil=pupil,
                       object_repr=title, entry=str(entry.code),
                       document=checked.name if checked else "")
    except Exception:
        if stored:
            documents.remove(stored)
        raise
    return entry
