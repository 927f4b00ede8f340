"""EHC journeys as dated events; notes on clocks (exceptions, delay reasons); calendar feeds.

No deadline is stored: every one is computed from the events (sendtrust.ehc.clocks).
"""

import secrets
import uuid

from django.conf import settings
from django.db import models
from django.utils import timezone

from sendtrust.ehc.clocks import KIND_LABELS, OUTCOME_LABELS


class Journey(models.Model):
    """A pupil's EHC journey, from the request for an assessment to the plan and its reviews."""

    code = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    pupil = models.OneToOneField("pupils.Pupil", models.CASCADE, related_name="ehc_journey")
    # The authority responsible now (a copy of the latest event's, kept by services): the
    # trust worklist filters on it without reading every event.
    la_code = models.CharField("local authority code", max_length=3)
    la_name = models.CharField("local authority", max_length=100)
    created = models.DateTimeField(default=timezone.now)

    class Meta:
        indexes = [models.Index(fields=["la_code"])]

    def __str__(self) -> str:
        return f"EHC journey of {self.pupil}"


class Event(models.Model):
    """One dated step of a journey, with the authority it concerns."""

    KIND_CHOICES = list(KIND_LABELS.items())
    OUTCOME_CHOICES = list(OUTCOME_LABELS.items())

    code = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    journey = models.ForeignKey(Journey, models.CASCADE, related_name="events")
    kind = models.CharField(max_length=30, choices=KIND_CHOICES)
    on = models.DateField("date")
    la_code = models.CharField("local authority code", max_length=3)
    la_name = models.CharField("local authority", max_length=100)
    outcome = models.CharField(max_length=20, choices=OUTCOME_CHOICES, blank=True)
    note = models.CharField(max_length=300, blank=True)
    # The pupil's school on the day, so that a pupil who moves keeps each step where it was.
    school = models.ForeignKey("organisations.School", models.PROTECT, null=True,
                               related_name="+", db_index=False)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.SET_NULL, null=True,
                                    blank=True, related_name="+", db_index=False)
    recorded_at = models.DateTimeField(default=timezone.now)
    source = models.CharField(max_length=20, default="manual")

    class Meta:
        ordering = ["on", "id"]
        indexes = [models.Index(fields=["journey", "on"])]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} on {self.on:%d/%m/%Y}"


class ClockNote(models.Model):
    """An exception the law allows, or the reason a date was missed, on one deadline.

    An exception is shown beside its clock; it never moves the statutory date.
    """

    class Type(models.TextChoices):
        EXCEPTION = "exception", "Exception"
        DELAY = "delay", "Delay reason"

    class Reason(models.TextChoices):
        # Exceptions (SEND Regulations 2014: holiday periods, the family's circumstances)
        LA_HOLIDAY = "la_holiday", "Authority's or school's holiday period"
        FAMILY_REQUEST = "family_request", "The family asked for more time"
        FAMILY_AWAY = "family_away", "The child or family was away"
        # Delay reasons
        AUTHORITY_LATE = "authority_late", "Authority late"
        ADVICE_LATE = "advice_late", "Advice late"
        FAMILY_ASKED = "family_asked", "Family asked"
        SCHOOL_LATE = "school_late", "School late"
        OTHER = "other", "Other"

    EXCEPTION_REASONS = [Reason.LA_HOLIDAY, Reason.FAMILY_REQUEST, Reason.FAMILY_AWAY,
                         Reason.OTHER]
    DELAY_REASONS = [Reason.AUTHORITY_LATE, Reason.ADVICE_LATE, Reason.FAMILY_ASKED,
                     Reason.SCHOOL_LATE, Reason.OTHER]

    code = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    journey = models.ForeignKey(Journey, models.CASCADE, related_name="notes")
    deadline = models.CharField(max_length=60, help_text="The clock and the date it runs from.")
    type = models.CharField(max_length=10, choices=Type.choices)
    reason = models.CharField(max_length=20, choices=Reason.choices)
    note = models.CharField(max_length=300, blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.SET_NULL, null=True,
                                    blank=True, related_name="+", db_index=False)
    recorded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["recorded_at", "id"]

    def __str__(self) -> str:
        return f"{self.get_type_display()}: {self.get_reason_display()}"


def new_token() -> str:
    return secrets.token_urlsafe(32)


class CalendarFeed(models.Model):
    """A user's secret iCalendar address for their EHC deadlines; revoked, it stops working."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, models.CASCADE,
                             related_name="ehc_calendar_feeds")
    token = models.CharField(max_length=64, unique=True, default=new_token)
    include_names = models.BooleanField(
        "Show pupils' names in the calendar", default=False,
        help_text="Without names, each entry shows the pupil's initials and school.")
    created = models.DateTimeField(default=timezone.now)
    revoked_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"Calendar feed of {self.user}"
