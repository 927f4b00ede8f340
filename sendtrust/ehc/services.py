"""Every change to an EHC journey: events, notes on clocks, calendar feeds, imports.

Each service checks its rules (raising ValidationError that names the field), writes in one
transaction and appends the audit entry.
"""

from __future__ import annotations

import datetime as dt
import re

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from sendtrust.access.audit import log_action
from sendtrust.ehc.clocks import (
    AMEND,
    ASSESS,
    CEASE,
    MAINTAIN,
    NOT_ASSESS,
    Kind,
)
from sendtrust.ehc.models import CalendarFeed, ClockNote, Event, Journey

LA_CODE = re.compile(r"\d{3}\Z")
# Which outcomes an event of each kind takes (none for the others).
OUTCOMES = {
    Kind.DECISION_TO_ASSESS: (ASSESS, NOT_ASSESS),
    Kind.REVIEW_DECISION: (MAINTAIN, AMEND, CEASE),
}


def journey_for(pupil, *, la_code: str = "", la_name: str = "") -> Journey:
    """Return the pupil's journey, starting one with the school's authority if there is none."""
    journey = Journey.objects.filter(pupil=pupil).first()
    if journey is None:
        journey = Journey.objects.create(
            pupil=pupil, la_code=la_code or pupil.school.la_code,
            la_name=la_name or pupil.school.la_name)
    return journey


def check_event(*, kind: str, on: dt.date, la_code: str, outcome: str,
                today: dt.date | None = None, current_la: str = "") -> dict[str, str]:
    """Return {field: message} for an event that cannot be recorded; {} when it can."""
    today = today or timezone.localdate()
    errors = {}
    if kind not in dict(Event.KIND_CHOICES):
        errors["kind"] = "choose what happened from the list"
    if on > today:
        errors["on"] = "record a step on or after the day it happens, not before"
    if not LA_CODE.match(la_code or ""):
        errors["la_code"] = "enter the local authority's three-digit code, like 801"
    allowed = OUTCOMES.get(kind, ())
    if allowed and outcome not in allowed:
        errors["outcome"] = "choose the decision: " + " or ".join(
            dict(Event.OUTCOME_CHOICES)[o].lower() for o in allowed)
    elif not allowed and outcome:
        errors["outcome"] = "only a decision has an outcome: leave it blank for this step"
    if kind == Kind.MOVED_AUTHORITY and la_code and la_code == current_la:
        errors["la_code"] = "enter the new authority's code: the plan is already with " + la_code
    return errors


def record_event(pupil, *, kind: str, on: dt.date, la_code: str = "", la_name: str = "",
                 outcome: str = "", note: str = "", by=None, request=None,
                 source: str = "manual") -> Event:
    """Record one step of the pupil's EHC journey; the authority defaults to the journey's."""
    with transaction.atomic():
        journey = journey_for(pupil)
        la_code = la_code or journey.la_code
        la_name = la_name or (journey.la_name if la_code == journey.la_code else "")
        errors = check_event(kind=kind, on=on, la_code=la_code, outcome=outcome,
                             current_la=journey.la_code)
        if errors:
            raise ValidationError(errors)
        event = Event.objects.create(
            journey=journey, kind=kind, on=on, la_code=la_code, la_name=la_name or la_code,
            outcome=outcome, note=note, school_id=pupil.school_id, recorded_by=by,
            source=source)
        _follow_authority(journey, event)
        log_action(request, "ehc.event.recorded", user=by, pupil=pupil,
                   kind=kind, on=on.isoformat(), la_code=la_code)
    return event


def _follow_authority(journey: Journey, event: Event) -> None:
    """Keep the journey's authority that of its latest event."""
    latest = journey.events.order_by("-on", "-id").values_list("la_code", "la_name").first()
    if latest and (journey.la_code, journey.la_name) != latest:
        journey.la_code, journey.la_name = latest
        journey.save(update_fields=["la_code", "la_name"])


def record_note(pupil, *, deadline: str, type: str, reason: str, note: str = "", by=None,
                request=None) -> ClockNote:
    """Record an exception or a delay reason on one of the pupil's deadlines."""
    allowed = (ClockNote.EXCEPTION_REASONS if type == ClockNote.Type.EXCEPTION
               else ClockNote.DELAY_REASONS if type == ClockNote.Type.DELAY else [])
    errors = {}
    if not allowed:
        errors["type"] = "choose an exception or a delay reason"
    elif reason not in allowed:
        errors["reason"] = "choose a reason from the list"
    if reason == ClockNote.Reason.OTHER and not note.strip():
        errors["note"] = "say what the other reason is"
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        journey = journey_for(pupil)
        saved = ClockNote.objects.create(journey=journey, deadline=deadline, type=type,
                                         reason=reason, note=note, recorded_by=by)
        log_action(request, "ehc.note.recorded", user=by, pupil=pupil, deadline=deadline,
                   type=type, reason=reason)
    return saved


def current_feed(user) -> CalendarFeed | None:
    return CalendarFeed.objects.filter(user=user, revoked_at__isnull=True).first()


def start_feed(user, *, include_names: bool, request=None) -> CalendarFeed:
    """Give the user a new secret calendar address, revoking any earlier one."""
    with transaction.atomic():
        revoke_feed(user, request=request, audit=False)
        feed = CalendarFeed.objects.create(user=user, include_names=include_names)
        log_action(request, "ehc.calendar.created", user=user, include_names=include_names)
    return feed


def revoke_feed(user, *, request=None, audit: bool = True) -> int:
    """Stop every calendar address of the user; return how many were live."""
    n = CalendarFeed.objects.filter(user=user, revoked_at__isnull=True).update(
        revoked_at=timezone.now())
    if audit and n:
        log_action(request, "ehc.calendar.revoked", user=user)
    return n


def feed_by_token(token: str) -> CalendarFeed | None:
    """Return the live feed behind a secret address, or None (revoked, unknown, inactive)."""
    return (CalendarFeed.objects.select_related("user")
            .filter(token=token, revoked_at__isnull=True, user__is_active=True).first())
