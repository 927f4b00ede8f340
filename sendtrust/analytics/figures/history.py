"""Which version of a trust's records a stored figure was made from (issue 15).

Figures that read many rows and change only when records do (the trend's census counts, the
pupils on roll per school today) are stored with a digest of the history versions of the
schools in scope: pupils.HistoryVersion, moved on by the database's own triggers after every
write of an enrolment, an SEN status or a pupil's register entry at the school, whatever
wrote it. A stored figure is used only while the digest stands.

The digest is read before the figure is made: a write that commits while it is made moves a
version past the digest it is stored with, so it is not used again.
"""

from __future__ import annotations

import hashlib

from django.db.models import OuterRef, Subquery
from django.db.models.functions import Coalesce
from django.utils import timezone

from sendtrust.organisations.models import School, Trust
from sendtrust.pupils.models import HistoryVersion


def history_versions(trust: Trust, school: School | None = None) -> str:
    """A digest of the schools in scope and their history versions. One query."""
    schools = School.objects.filter(trust=trust)
    if school is not None:
        schools = schools.filter(pk=school.pk)
    version = HistoryVersion.objects.filter(school=OuterRef("pk")).values("version")
    rows = list(schools.annotate(v=Coalesce(Subquery(version), 0)).order_by("pk")
                .values_list("pk", "v"))
    return hashlib.sha256(repr(rows).encode()).hexdigest()


def stored_for_today(model, trust: Trust, make):
    """Today's counts of `model` (analytics.RollCount or IdentifiedCount: one row a trust)
    for the trust, read back while the trust's history versions stand, else made by
    `make(day)` and stored (one upsert) with the versions read before them."""
    today = timezone.localdate()
    versions = history_versions(trust)
    stored = (model.objects.filter(trust=trust, day=today, versions=versions)
              .values_list("counts", flat=True).first())
    if stored is not None:
        return stored
    counts = make(today)
    model.objects.bulk_create(  # one upsert, whether or not the trust has a row
        [model(trust=trust, day=today, versions=versions, counts=counts)],
        update_conflicts=True, unique_fields=["trust"], update_fields=["day", "versions", "counts"])
    return counts
