"""Every write of the provision app: checked, in one transaction, written to the audit log.

A refused write raises ValidationError naming the field and saying why in plain words; nothing
is half-saved. Scores are checked against their outcome measure (range, and a fall larger than
the measure allows).
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q

from sendtrust.access.audit import log_action
from sendtrust.organisations.models import Membership, Role
from sendtrust.provision.models import (
    EhcHours,
    GroupEnrolment,
    GroupSession,
    HourlyRate,
    IndividualKind,
    IndividualProvision,
    Intervention,
    OutcomeMeasure,
    ProvisionGroup,
    SenBudget,
    StaffQualification,
)

# Staff who may run a group or hold SEND expertise: the school's and trust's staff.
STAFF_ROLES = [Role.SEND_LEADER, Role.HEADTEACHER, Role.SENCO, Role.TEACHER, Role.TA]


def staff_of(school, on=None):
    """Users who currently work at school (or trust-wide SEND leaders)."""
    from django.contrib.auth import get_user_model

    ids = Membership.objects.current(on).filter(trust_id=school.trust_id,
                                                role__in=STAFF_ROLES).filter(
        Q(school=school) | Q(school__isnull=True)).values("user_id")
    return get_user_model().objects.filter(pk__in=ids, is_active=True).order_by("username")


def staff_of_trust(trust, on=None):
    """Users who currently work in any school of the trust, or across it."""
    from django.contrib.auth import get_user_model

    ids = Membership.objects.current(on).filter(trust=trust, role__in=STAFF_ROLES).values(
        "user_id")
    return get_user_model().objects.filter(pk__in=ids, is_active=True).order_by("username")


def check_scores(measure: OutcomeMeasure, entry, exit_) -> None:
    """Raise ValidationError on the field whose score this measure refuses."""
    errors = {}
    for field, value in (("entry_score", entry), ("exit_score", exit_)):
        message = measure.score_error(value)
        if message:
            errors[field] = message
    if not errors:
        message = measure.change_error(entry, exit_)
        if message:
            errors["exit_score"] = message[0].upper() + message[1:]
    if errors:
        raise ValidationError({k: v[0].upper() + v[1:] + "." for k, v in errors.items()})


def _save(obj, request, action: str, **where):
    obj.full_clean()
    obj.save()
    log_action(request, action, object_repr=str(obj), **where)
    return obj


@transaction.atomic
def create_measure(trust, *, request, **fields) -> OutcomeMeasure:
    return _save(OutcomeMeasure(trust=trust, **fields), request, "provision.measure.created",
                 trust=trust)


@transaction.atomic
def create_intervention(trust, *, request, school=None, **fields) -> Intervention:
    measure = fields.get("measure")
    if measure is not None and measure.trust_id != trust.pk:
        raise ValidationError({"measure": "Choose one of the trust's outcome measures."})
    return _save(Intervention(trust=trust, school=school, **fields), request,
                 "provision.intervention.created", trust=trust, school=school)


@transaction.atomic
def create_group(school, *, request, intervention, staff=(), **fields) -> ProvisionGroup:
    if intervention.trust_id != school.trust_id or intervention.school_id not in (None,
                                                                                  school.pk):
        raise ValidationError({"intervention": "Choose an intervention this school offers."})
    fields.setdefault("sessions_per_week", intervention.sessions_per_week)
    fields.setdefault("minutes_per_session", intervention.minutes_per_session)
    fields.setdefault("staff_role", intervention.staff_role)
    group = ProvisionGroup(school=school, intervention=intervention, **fields)
    if group.starts_on and not group.ends_on:
        group.ends_on = group.starts_on + dt.timedelta(weeks=intervention.weeks)
    _save(group, request, "provision.group.created", school=school)
    group.staff.set(staff)
    return group


@transaction.atomic
def enrol_pupil(group, pupil, *, request, entry_score=None, entry_on=None) -> GroupEnrolment:
    if pupil.school_id != group.school_id:
        raise ValidationError({"pupil": "Choose a pupil of this school."})
    if GroupEnrolment.objects.filter(group=group, pupil=pupil).exists():
        raise ValidationError({"pupil": f"{pupil.forename} {pupil.surname} is already in "
                                        "this group."})
    check_scores(group.intervention.measure, entry_score, None)
    enrolment = GroupEnrolment.objects.create(
        group=group, pupil=pupil, school=group.school, entry_score=entry_score,
        entry_on=entry_on or (group.starts_on if entry_score is not None else None))
    log_action(request, "provision.enrolment.created", pupil=pupil, group=str(group.code),
               entry_score=None if entry_score is None else str(entry_score))
    return enrolment


@transaction.atomic
def record_scores(enrolment, *, request, entry_score, exit_score, entry_on=None,
                  exit_on=None) -> GroupEnrolment:
    check_scores(enrolment.group.intervention.measure, entry_score, exit_score)
    if exit_score is not None and entry_score is None:
        raise ValidationError({"entry_score": "Enter the entry score before the exit score."})
    if entry_on and exit_on and exit_on < entry_on:
        raise ValidationError({"exit_on": "The exit date must be on or after the entry date."})
    enrolment.entry_score, enrolment.exit_score = entry_score, exit_score
    enrolment.entry_on = entry_on or enrolment.entry_on
    enrolment.exit_on = exit_on or (enrolment.exit_on if exit_score is not None else None)
    enrolment.save()
    log_action(request, "provision.scores.recorded", pupil=enrolment.pupil,
               group=str(enrolment.group.code),
               entry_score=None if entry_score is None else str(entry_score),
               exit_score=None if exit_score is None else str(exit_score))
    return enrolment


@transaction.atomic
def record_session(group, *, request, held_on, present) -> GroupSession:
    """Record a session of group on held_on with the enrolments present (replaces that day's)."""
    if not (group.starts_on <= held_on <= group.ends_on):
        raise ValidationError({"held_on": f"The group runs from {group.starts_on:%-d %B %Y} to "
                                          f"{group.ends_on:%-d %B %Y}."})
    session, _ = GroupSession.objects.update_or_create(
        group=group, held_on=held_on, defaults={"minutes": group.minutes_per_session})
    session.attended.set([e for e in present if e.group_id == group.pk])
    log_action(request, "provision.session.recorded", school=group.school,
               group=str(group.code), held_on=held_on.isoformat(), present=len(present))
    return session


@transaction.atomic
def add_individual(pupil, *, request, **fields) -> IndividualProvision:
    item = IndividualProvision(pupil=pupil, school=pupil.school, **fields)
    if item.kind == IndividualKind.ONE_TO_ONE and not item.hours_per_week:
        raise ValidationError({"hours_per_week": "Enter the hours a week of one-to-one support."})
    if item.kind == IndividualKind.ONE_TO_ONE and not item.staff_role:
        raise ValidationError({"staff_role": "Choose who gives the one-to-one support."})
    if item.kind != IndividualKind.ONE_TO_ONE and not item.annual_cost:
        raise ValidationError({"annual_cost": "Enter what it costs a year."})
    if item.ends_on and item.ends_on < item.starts_on:
        raise ValidationError({"ends_on": "The end must be on or after the start."})
    item.full_clean()
    item.save()
    log_action(request, "provision.individual.created", pupil=pupil, kind=item.kind)
    return item


@transaction.atomic
def set_budget(school, *, request, year: int, amount: Decimal,
               ta_in_class_hours: Decimal = Decimal(0)) -> SenBudget:
    budget, _ = SenBudget.objects.update_or_create(
        school=school, year=year,
        defaults={"amount": amount, "ta_in_class_hours": ta_in_class_hours})
    log_action(request, "provision.budget.set", school=school, year=year, amount=str(amount))
    return budget


@transaction.atomic
def set_rate(trust, *, request, role: str, rate: Decimal) -> HourlyRate:
    obj, _ = HourlyRate.objects.update_or_create(trust=trust, role=role,
                                                 defaults={"rate": rate})
    log_action(request, "provision.rate.set", trust=trust, role=role, rate=str(rate))
    return obj


@transaction.atomic
def set_ehc_hours(pupil, *, request, hours_per_week, starts_on, description="") -> EhcHours:
    """Record the weekly hours the pupil's EHC plan specifies from starts_on (ends the last)."""
    if pupil.sen_provision != "E":
        raise ValidationError({"hours_per_week": "Only a pupil with an EHC plan has hours that "
                                                 "a plan specifies."})
    EhcHours.objects.filter(pupil=pupil, ends_on__isnull=True,
                            starts_on__lt=starts_on).update(
        ends_on=starts_on - dt.timedelta(days=1))
    spec = EhcHours.objects.create(pupil=pupil, hours_per_week=hours_per_week,
                                   starts_on=starts_on, description=description)
    log_action(request, "provision.ehc_hours.set", pupil=pupil,
               hours_per_week=str(hours_per_week))
    return spec


@transaction.atomic
def add_qualification(trust, *, request, person, **fields) -> StaffQualification:
    if not Membership.objects.current().filter(trust=trust, user=person,
                                               role__in=STAFF_ROLES).exists():
        raise ValidationError({"person": "Choose a current member of the trust's staff."})
    return _save(StaffQualification(trust=trust, person=person, **fields), request,
                 "provision.qualification.added", trust=trust)
