"""Anonymising a pupil after the retention period: the record stays for the trust's figures
(year group, sex, SEN history by code and date), everything that identifies the child goes,
and the audit log keeps its entries with the child's names removed."""

from __future__ import annotations

import datetime as dt

from django.db import transaction

from sendtrust.access.audit import log_action
from sendtrust.organisations.models import ExternalAssignment, ParentLink
from sendtrust.people import redaction
from sendtrust.people.models import Erasure
from sendtrust.people.registry import ERASERS, register_eraser
from sendtrust.pupils.models import Identification, Pupil

ANONYMOUS_FORENAME = "Anonymised"
ANONYMOUS_SURNAME = "pupil"


def anonymous_upn(pupil) -> str:
    # Unique (from the pupil's own opaque code) and impossible as a real UPN, which starts
    # with a letter and then twelve digits.
    return "ANON" + pupil.code.hex[:9].upper()


def is_anonymised(pupil) -> bool:
    return pupil.upn.startswith("ANON")


@register_eraser
def erase_register(pupil) -> None:
    """The register's part: free text about the need, and everyone linked to the child."""
    Identification.objects.filter(pupil=pupil).update(
        identified_by="[removed]", evidence="[removed]")
    ParentLink.objects.filter(pupil=pupil).delete()
    ExternalAssignment.objects.filter(pupil=pupil).delete()
    pupil.teaching_groups.clear()


def anonymise_pupil(pupil: Pupil, *, by=None, reason: str, request=None) -> Erasure:
    """Remove what identifies pupil, here and in every registered area; redact the audit log."""
    names = [pupil.forename, pupil.surname, pupil.full_name, pupil.upn]
    label = f"Anonymised pupil {str(pupil.code)[:8]}"
    with transaction.atomic():
        for eraser in ERASERS:
            eraser(pupil)
        pupil.forename, pupil.surname = ANONYMOUS_FORENAME, ANONYMOUS_SURNAME
        pupil.upn = anonymous_upn(pupil)
        # The year of birth is kept for age-band figures; the day and month identify.
        pupil.date_of_birth = dt.date(pupil.date_of_birth.year, 1, 1)
        pupil.save(update_fields=["forename", "surname", "upn", "date_of_birth"])
        count = redaction.redact_pupil(pupil.code, label, names)
        erasure = Erasure.objects.create(
            pupil_code=pupil.code, trust_id_at_time=pupil.school.trust_id,
            by_username=getattr(by, "username", "") or "system", reason=reason,
            audit_entries_redacted=count,
        )
        # Written after the redaction, and holding no name.
        log_action(request, "pupil.anonymised", user=by, pupil=pupil, object_repr=label,
                   reason=reason, audit_entries_redacted=count)
    return erasure
