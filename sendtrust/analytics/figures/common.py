"""Shared constants and helpers of the analytics figures."""


from __future__ import annotations

import hashlib

from django.db.models import Count, Exists, Max, OuterRef, Q
from django.db.models.lookups import GreaterThan
from django.utils import timezone

from sendtrust.analytics.suppression import is_small
from sendtrust.analytics.tables import (
    RATE_WITHHELD,
    SMALL,
    Withheld,
)
from sendtrust.benchmarks import queries as benchmarks
from sendtrust.benchmarks.models import Dataset, Phase
from sendtrust.organisations.models import School
from sendtrust.pupils.models import Enrolment

ENGLAND = benchmarks.ENGLAND
LEVELS = (0.95, 0.998)
METHODS = ("additive", "multiplicative", "binomial")
DEFAULT_METHOD = "additive"
FUNNEL_MEASURES = {
    "sen_support": ("sen_support_count", "SEN support"),
    "ehcp": ("ehcp_count", "EHC plan"),
}
SAMPLE_POINTS = 1000  # national schools drawn as dots; the limits use every school
CACHE_SECONDS = 24 * 3600


# --------------------------------------------------------------------------- helpers


def rate(part, whole) -> float | Withheld | None:
    """A percentage to one decimal; withheld when either count is; None without pupils."""
    if isinstance(part, Withheld) or isinstance(whole, Withheld):
        return RATE_WITHHELD
    if part is None or not whole:
        return None
    return round(100 * part / whole, 1)


def shown(n: int | None, hide: bool) -> int | Withheld | None:
    """A count as an aggregate-only viewer may see it."""
    return SMALL if hide and is_small(n) else n


def benchmark_phase(school: School) -> str | None:
    """The DfE phase a school is compared within, or None when no school-level file has it."""
    if school.type == School.Type.SPECIAL:
        return Phase.SPECIAL
    if school.type == School.Type.ALTERNATIVE:
        return Phase.AP
    return {
        School.Phase.PRIMARY: Phase.PRIMARY,
        School.Phase.SECONDARY: Phase.SECONDARY,
        School.Phase.NURSERY: Phase.NURSERY,
    }.get(school.phase)


PHASE_LABELS = dict(Phase.choices)


def data_version() -> str:
    """A token that changes whenever benchmark files are loaded again (one small query)."""
    agg = Dataset.objects.aggregate(n=Count("id"), last=Max("loaded_at"), top=Max("id"))
    raw = f"{agg['n']}:{agg['top']}:{agg['last'] and agg['last'].isoformat()}"
    return hashlib.sha1(raw.encode()).hexdigest()[:16]




def on_roll(on=None) -> Q:
    """A filter for pupils on roll at one of the trust's schools on a day (default today):
    pupils with an enrolment that covers the day.

    A leaver keeps their record and history, but their enrolment has ended: they are not
    counted among today's pupils, as they are not in the census.

    Read from each pupil's enrolment summary (Pupil.enrolment_count, enrolled_from,
    enrolled_until, kept by the database's triggers): a pupil with one enrolment is on roll
    when that enrolment's dates cover the day, which the pupil_school_status index answers
    alone; only a pupil with several enrolments is looked up in them. The lookup names
    the pupil's own count as well, so that neither database reads it for any other pupil
    (PostgreSQL would otherwise hash every enrolment covering the day). Before (one probe of
    the enrolments per pupil): ~52 ms on SQLite, ~75 ms on PostgreSQL at 50,000 pupils;
    issue 15.
    """
    on = on or timezone.localdate()
    one = (Q(enrolment_count=1, enrolled_from__lte=on)
           & (Q(enrolled_until__isnull=True) | Q(enrolled_until__gte=on)))
    covering = (Enrolment.objects.filter(pupil=OuterRef("pk"), starts_on__lte=on)
                .filter(Q(ends_on__isnull=True) | Q(ends_on__gte=on))
                .filter(GreaterThan(OuterRef("enrolment_count"), 1)))
    return one | (Q(enrolment_count__gt=1) & Exists(covering))
