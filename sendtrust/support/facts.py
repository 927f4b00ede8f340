"""Facts about support plans, reviews and conversations, as plain functions over schools and
dates. analytics/figures/support.py turns them into the figures a person sees (suppressed for
aggregate-only viewers); worklists read the row lists. Each function runs a fixed number of
queries whatever the number of pupils.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field

from dateutil.easter import easter
from django.db.models import Count, Exists, F, OuterRef, Q, QuerySet

from sendtrust.pupils.models import Provision, Pupil
from sendtrust.support.models import (
    Conversation,
    Outcome,
    ParentViews,
    Review,
    SupportPlan,
    VoiceResponse,
)

REVIEW_SOON_DAYS = 14
CONVERSATIONS_A_YEAR = 3  # Achievement for All: three structured conversations a year


def term_start(on: dt.date) -> dt.date:
    """First day of the term `on` falls in: 1 September, 1 January, or a week after Easter
    Monday (the same rule as the self-evaluation evidence)."""
    summer = easter(on.year) + dt.timedelta(days=8)
    if on.month >= 9:
        return dt.date(on.year, 9, 1)
    if on >= summer:
        return summer
    return dt.date(on.year, 1, 1)


def year_start(on: dt.date) -> dt.date:
    """1 September of the school year `on` falls in."""
    return dt.date(on.year if on.month >= 9 else on.year - 1, 9, 1)


def open_plans(schools) -> QuerySet[SupportPlan]:
    return SupportPlan.objects.filter(pupil__school__in=schools, status=SupportPlan.Status.OPEN)


def _held(since: dt.date, on: dt.date):
    return Conversation.objects.filter(pupil=OuterRef("pk"), status=Conversation.Status.HELD,
                                       on__gte=since, on__lte=on)


# Worklists -----------------------------------------------------------------------------------


def reviews_due(schools, on: dt.date, days: int = REVIEW_SOON_DAYS) -> QuerySet[SupportPlan]:
    """Current plans whose review falls in the next `days` days (today included)."""
    return (open_plans(schools).filter(review_on__gte=on, review_on__lte=on + dt.timedelta(days))
            .select_related("pupil", "pupil__school").order_by("review_on", "pupil__surname"))


def reviews_overdue(schools, on: dt.date) -> QuerySet[SupportPlan]:
    return (open_plans(schools).filter(review_on__lt=on)
            .select_related("pupil", "pupil__school").order_by("review_on", "pupil__surname"))


def plans_without_outcomes(schools) -> QuerySet[SupportPlan]:
    return (open_plans(schools).filter(~Exists(Outcome.objects.filter(plan=OuterRef("pk"))))
            .select_related("pupil", "pupil__school").order_by("pupil__surname"))


def support_without_plan(schools) -> QuerySet[Pupil]:
    """Pupils on SEN support with no current support plan."""
    has_plan = SupportPlan.objects.filter(pupil=OuterRef("pk"), status=SupportPlan.Status.OPEN)
    return (Pupil.objects.filter(school__in=schools, sen_provision=Provision.SUPPORT)
            .filter(~Exists(has_plan)).select_related("school")
            .order_by("surname", "forename"))


def families_without_conversation(schools, on: dt.date) -> QuerySet[Pupil]:
    """Pupils on SEN support whose family has had no structured conversation this term."""
    return (Pupil.objects.filter(school__in=schools, sen_provision=Provision.SUPPORT)
            .filter(~Exists(_held(term_start(on), on))).select_related("school")
            .order_by("surname", "forename"))


def terms_begun(on: dt.date) -> int:
    """Terms begun so far in the school year of `on` (1 to 3)."""
    start = year_start(on)
    return (1 + (on >= dt.date(start.year + 1, 1, 1))
            + (on >= term_start(dt.date(start.year + 1, 7, 1))))


def _held_this_year(schools, on: dt.date):
    """(pupil id, conversations held this school year), for pupils with at least one."""
    return (Conversation.objects.filter(pupil__school__in=schools,
                                        status=Conversation.Status.HELD,
                                        on__gte=year_start(on), on__lte=on)
            .values("pupil_id").annotate(n=Count("id")).order_by())


def conversations_overdue(schools, on: dt.date) -> QuerySet[Pupil]:
    """Pupils on SEN support behind the three-a-year pace: fewer held conversations this
    school year than the terms begun so far (one per term)."""
    on_pace = _held_this_year(schools, on).filter(n__gte=terms_begun(on)).values("pupil_id")
    return (Pupil.objects.filter(school__in=schools, sen_provision=Provision.SUPPORT)
            .exclude(pk__in=on_pace).select_related("school")
            .order_by("surname", "forename"))


# Per-school counts ---------------------------------------------------------------------------


@dataclass
class SchoolSupportCounts:
    """One school's counts behind the trust view (a numerator and its denominator each)."""

    sen: int = 0  # pupils on the register (SEN support or EHC plan)
    with_plan: int = 0  # of those, with a current support plan
    support: int = 0  # pupils on SEN support
    conversation_term: int = 0  # of those, with a conversation held this term
    conversation_year: int = 0  # of those, with three or more held this school year
    reviews_due: int = 0  # reviews held in the last 12 months plus current overdue plans
    reviews_on_time: int = 0  # reviews held on or before their review date
    reviews: int = 0  # reviews held in the last 12 months
    pupil_views: int = 0  # of those, with the pupil's own views
    parent_views: int = 0  # of those, with the parents' views
    extra: dict = field(default_factory=dict)

    def add(self, other: SchoolSupportCounts) -> None:
        for f in ("sen", "with_plan", "support", "conversation_term", "conversation_year",
                  "reviews_due", "reviews_on_time", "reviews", "pupil_views", "parent_views"):
            setattr(self, f, getattr(self, f) + getattr(other, f))


def counts_by_school(schools, on: dt.date) -> dict[int, SchoolSupportCounts]:
    """Every school's support counts: three grouped queries, whatever the number of pupils."""
    out: dict[int, SchoolSupportCounts] = defaultdict(SchoolSupportCounts)
    has_plan = SupportPlan.objects.filter(pupil=OuterRef("pk"), status=SupportPlan.Status.OPEN)
    term = term_start(on)
    # Conversations per pupil this school year: one grouped query, joined in Python.
    year_n = {r["pupil_id"]: r["n"] for r in _held_this_year(schools, on)}
    rows = (
        Pupil.objects.filter(school__in=schools,
                             sen_provision__in=[Provision.SUPPORT, Provision.EHCP])
        .annotate(planned=Exists(has_plan), talked=Exists(_held(term, on)))
        .values_list("pk", "school_id", "sen_provision", "planned", "talked")
    )
    for pk, school_id, provision, planned, talked in rows.iterator(chunk_size=5000):
        c = out[school_id]
        c.sen += 1
        c.with_plan += bool(planned)
        if provision == Provision.SUPPORT:
            c.support += 1
            c.conversation_term += bool(talked)
            c.conversation_year += year_n.get(pk, 0) >= CONVERSATIONS_A_YEAR
    since = on - dt.timedelta(days=365)
    pupil_said = Q(pupil_views__gt="") | Exists(
        VoiceResponse.objects.filter(plan=OuterRef("plan_id")))
    parent_said = Q(parent_views__gt="") | Exists(
        ParentViews.objects.filter(plan=OuterRef("plan_id")))
    reviews = (
        Review.objects.filter(plan__pupil__school__in=schools, held_on__gte=since,
                              held_on__lte=on)
        .values("plan__pupil__school_id")
        .annotate(n=Count("id"),
                  on_time=Count("id", filter=Q(held_on__lte=F("plan__review_on"))),
                  pupil_n=Count("id", filter=pupil_said),
                  parent_n=Count("id", filter=parent_said))
        .order_by()
    )
    for r in reviews:
        c = out[r["plan__pupil__school_id"]]
        c.reviews, c.reviews_on_time = r["n"], r["on_time"]
        c.pupil_views, c.parent_views = r["pupil_n"], r["parent_n"]
    overdue = (open_plans(schools).filter(review_on__lt=on).values("pupil__school_id")
               .annotate(n=Count("id")).order_by())
    for r in overdue:
        out[r["pupil__school_id"]].extra["overdue"] = r["n"]
    for c in out.values():
        c.reviews_due = c.reviews + c.extra.get("overdue", 0)
    return dict(out)
