"""Every change to a pupil's record goes through here: one transaction, one audit entry."""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from sendtrust.access.audit import log_action
from sendtrust.pupils.models import (
    Enrolment,
    EpisodeCorrection,
    Identification,
    NeedType,
    Provision,
    Pupil,
    SenEpisode,
)


def check_status(provision: str, primary: NeedType | None, secondary: NeedType | None) -> None:
    """Raise ValidationError when the census rules forbid this combination."""
    if provision not in Provision.values:
        raise ValidationError({"provision": f"{provision!r} is not N, K or E"})
    if provision == Provision.NONE and (primary or secondary):
        raise ValidationError({"primary_need": "a pupil with no SEN has no need recorded"})
    if provision != Provision.NONE and primary is None:
        raise ValidationError({"primary_need": "SEN support and EHC plans need a primary need"})
    if secondary is not None and primary is None:
        raise ValidationError({"secondary_need": "a secondary need needs a primary need"})
    if secondary is not None and secondary == primary:
        raise ValidationError({"secondary_need": "the secondary need repeats the primary need"})
    for name, need in (("primary_need", primary), ("secondary_need", secondary)):
        if need is not None and need.support_only and provision != Provision.SUPPORT:
            raise ValidationError({name: f"{need.code} is only used with SEN support (K)"})


@transaction.atomic
def record_status(pupil: Pupil, *, provision: str, primary: NeedType | None = None,
                  secondary: NeedType | None = None, on: dt.date | None = None, by=None,
                  source: str = "manual", request=None) -> SenEpisode | None:
    """Close the open episode and open a new one if anything changed; return the new one."""
    on = on or timezone.localdate()
    check_status(provision, primary, secondary)
    if pupil.left_on is not None:
        raise ValidationError(
            {"provision": f"{pupil.full_name} left on {pupil.left_on:%d/%m/%Y}: a leaver's "
                          f"status is not changed"}
        )
    current = (
        SenEpisode.objects.select_for_update().filter(pupil=pupil, ends_on__isnull=True).first()
    )
    if current is not None:
        same = (
            current.provision == provision
            and current.primary_need_id == getattr(primary, "pk", None)
            and current.secondary_need_id == getattr(secondary, "pk", None)
        )
        if same:
            return None
        if on < current.starts_on:
            raise ValidationError(
                {"starts_on": f"the change date is before the current status began "
                              f"({current.starts_on:%d/%m/%Y})"}
            )
        # The old episode ends the day before the new one starts, so days never overlap.
        current.ends_on = max(current.starts_on, on - dt.timedelta(days=1))
        current.save(update_fields=["ends_on"])
    episode = SenEpisode.objects.create(
        pupil=pupil, provision=provision, primary_need=primary, secondary_need=secondary,
        starts_on=on, recorded_by=by, source=source,
    )
    Pupil.objects.filter(pk=pupil.pk).update(sen_provision=provision, primary_need=primary)
    pupil.sen_provision, pupil.primary_need = provision, primary
    log_action(
        request, "pupil.status.changed", user=by, pupil=pupil,
        provision=provision, primary=getattr(primary, "code", None),
        secondary=getattr(secondary, "code", None), starts_on=on.isoformat(), source=source,
    )
    return episode


@transaction.atomic
def add_identification(pupil: Pupil, *, identified_on: dt.date, identified_by: str,
                       evidence: str, by=None, request=None) -> Identification:
    """Record who identified the pupil's need, when and on what evidence."""
    episode = pupil.episodes.filter(ends_on__isnull=True).first()
    ident = Identification.objects.create(
        pupil=pupil, episode=episode, identified_on=identified_on,
        identified_by=identified_by, evidence=evidence, recorded_by=by,
    )
    log_action(request, "pupil.identification.added", user=by, pupil=pupil)
    return ident


@transaction.atomic
def move_pupil(pupil: Pupil, *, to_school, on: dt.date | None = None, by=None,
               request=None) -> Enrolment:
    """Move a pupil to another school of the same trust, keeping the whole SEN history.

    From the move date the new school's staff see the record and the old school's do not.
    """
    on = on or timezone.localdate()
    if to_school.trust_id != pupil.school.trust_id:
        raise ValidationError({"to_school": "a pupil can only move within the trust"})
    if to_school.pk == pupil.school_id:
        raise ValidationError({"to_school": "the pupil is already at this school"})
    if on > timezone.localdate():
        raise ValidationError({"on": "record a move on or after the day it happens"})
    if pupil.left_on is not None:
        raise ValidationError({"to_school": f"{pupil.full_name} left on "
                                            f"{pupil.left_on:%d/%m/%Y} and is on no school's roll"})
    from_school = pupil.school
    Enrolment.objects.filter(pupil=pupil, ends_on__isnull=True).update(
        ends_on=on - dt.timedelta(days=1)
    )
    enrolment = Enrolment.objects.create(pupil=pupil, school=to_school, starts_on=on)
    Pupil.objects.filter(pk=pupil.pk).update(school=to_school)
    pupil.school = to_school
    log_action(
        request, "pupil.moved", user=by, pupil=pupil, school=to_school,
        from_school=str(from_school.code), to_school=str(to_school.code), on=on.isoformat(),
    )
    return enrolment


@transaction.atomic
def record_leaver(pupil: Pupil, *, on: dt.date, destination: str, by=None,
                  request=None) -> Enrolment:
    """Take a pupil off roll: `on` is their last day. The enrolment and SEN history are kept.

    The open enrolment and the open SEN status both end on that day, so counts and the
    history rebuilt from episodes no longer include the pupil after it.
    """
    destination = destination.strip()
    if pupil.left_on is not None:
        raise ValidationError({"on": f"{pupil.full_name} already left on "
                                     f"{pupil.left_on:%d/%m/%Y}"})
    if on > timezone.localdate():
        raise ValidationError({"on": "Record a leaver on or after their last day"})
    if not destination:
        raise ValidationError({"destination": "Enter where the pupil went"})
    enrolment = Enrolment.objects.select_for_update().filter(
        pupil=pupil, ends_on__isnull=True).first()
    if enrolment is not None and on < enrolment.starts_on:
        raise ValidationError({"on": f"The last day cannot be before the pupil joined "
                                     f"({enrolment.starts_on:%d/%m/%Y})"})
    episode = SenEpisode.objects.select_for_update().filter(
        pupil=pupil, ends_on__isnull=True).first()
    if episode is not None and on < episode.starts_on:
        raise ValidationError({"on": f"The last day cannot be before the current SEN status "
                                     f"began ({episode.starts_on:%d/%m/%Y})"})
    if enrolment is None:
        enrolment = Enrolment(pupil=pupil, school=pupil.school, starts_on=on)
    enrolment.ends_on, enrolment.destination = on, destination
    enrolment.save()
    if episode is not None:
        episode.ends_on = on
        episode.save(update_fields=["ends_on"])
    Pupil.objects.filter(pk=pupil.pk).update(left_on=on)
    pupil.left_on = on
    log_action(request, "pupil.left", user=by, pupil=pupil, school=pupil.school,
               on=on.isoformat(), destination=destination)
    return enrolment


@transaction.atomic
def correct_episode(episode: SenEpisode, *, provision: str, primary: NeedType | None,
                    secondary: NeedType | None, reason: str, by=None,
                    request=None) -> EpisodeCorrection:
    """Put right a mistaken status entry, keeping what it said, who corrected it and why.

    Unlike record_status this changes no dates: the entry was wrong from its start.
    """
    reason = reason.strip()
    if not reason:
        raise ValidationError({"reason": "Enter why the entry was wrong"})
    check_status(provision, primary, secondary)
    episode = SenEpisode.objects.select_for_update().select_related("pupil").get(pk=episode.pk)
    old = (episode.provision, episode.primary_need, episode.secondary_need)
    if old == (provision, primary, secondary):
        raise ValidationError({"provision": "That is what the entry already says: change the "
                                            "status or a need to correct it"})
    correction = EpisodeCorrection.objects.create(
        episode=episode, corrected_by=by, reason=reason, old_provision=old[0],
        old_primary_need=old[1], old_secondary_need=old[2],
    )
    episode.provision, episode.primary_need, episode.secondary_need = provision, primary, secondary
    episode.save(update_fields=["provision", "primary_need", "secondary_need"])
    pupil = episode.pupil
    if episode.ends_on is None:
        Pupil.objects.filter(pk=pupil.pk).update(sen_provision=provision, primary_need=primary)
    log_action(
        request, "pupil.status.corrected", user=by, pupil=pupil, episode=str(episode.code),
        was=[old[0], getattr(old[1], "code", None), getattr(old[2], "code", None)],
        now=[provision, getattr(primary, "code", None), getattr(secondary, "code", None)],
        reason=reason,
    )
    return correction
