"""Support plans in assess–plan–do–review cycles, reviews, one-page profiles, structured
conversations with parents, pupil voice, external reports, and the chronology with documents.

A `SupportPlan` row is one cycle of a pupil's plan. A review closes the cycle and opens the
next one (a new row, outcomes carried forward): an earlier cycle is never overwritten.
"""

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone

USER = settings.AUTH_USER_MODEL


class SupportPlan(models.Model):
    """One assess–plan–do–review cycle of a pupil's support plan."""

    class Status(models.TextChoices):
        OPEN = "open", "Current"
        REVIEWED = "reviewed", "Reviewed"

    code = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    pupil = models.ForeignKey("pupils.Pupil", models.CASCADE, related_name="support_plans")
    cycle = models.PositiveSmallIntegerField(default=1)
    previous = models.OneToOneField("self", models.PROTECT, null=True, blank=True,
                                    related_name="next_cycle")
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.OPEN)
    starts_on = models.DateField()
    review_on = models.DateField("review date")
    # Assess: what we know.
    assessment = models.TextField("what we know", blank=True)
    strengths = models.TextField(blank=True)
    needs_communication = models.TextField("communication and interaction", blank=True)
    needs_cognition = models.TextField("cognition and learning", blank=True)
    needs_semh = models.TextField("social, emotional and mental health", blank=True)
    needs_sensory = models.TextField("sensory and/or physical", blank=True)
    who_does_what = models.TextField("who does what", blank=True)
    # Optimistic locking: every save must name the version it was read at.
    version = models.PositiveIntegerField(default=1)
    created_by = models.ForeignKey(USER, models.SET_NULL, null=True, blank=True, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["pupil_id", "cycle"]
        constraints = [
            models.UniqueConstraint(fields=["pupil", "cycle"], name="one_cycle_number"),
            models.UniqueConstraint(fields=["pupil"], condition=Q(status="open"),
                                    name="one_open_support_plan"),
            models.CheckConstraint(condition=Q(review_on__gte=models.F("starts_on")),
                                   name="support_review_after_start"),
        ]
        indexes = [models.Index(fields=["status", "review_on"])]

    def __str__(self) -> str:
        return f"Support plan cycle {self.cycle} for {self.pupil}"

    @property
    def is_open(self) -> bool:
        return self.status == self.Status.OPEN

    NEED_FIELDS = ("needs_communication", "needs_cognition", "needs_semh", "needs_sensory")

    def needs_by_area(self) -> list[tuple[str, str]]:
        return [(self._meta.get_field(f).verbose_name, getattr(self, f))
                for f in self.NEED_FIELDS if getattr(self, f)]


class Outcome(models.Model):
    """One outcome of a cycle: specific, measurable, with a target date and how we get there."""

    code = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    plan = models.ForeignKey(SupportPlan, models.CASCADE, related_name="outcomes")
    order = models.PositiveSmallIntegerField(default=0)
    description = models.TextField()
    target_on = models.DateField("target date")
    strategies = models.TextField(blank=True)
    provision = models.TextField(blank=True)
    who = models.CharField("who does what", max_length=200, blank=True)
    carried_from = models.ForeignKey("self", models.SET_NULL, null=True, blank=True,
                                     related_name="+")

    class Meta:
        ordering = ["plan_id", "order", "id"]

    def __str__(self) -> str:
        return self.description[:60]


class Review(models.Model):
    """The review that closes one cycle: progress per outcome, and what the pupil and parents
    said."""

    code = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    plan = models.OneToOneField(SupportPlan, models.PROTECT, related_name="review")
    held_on = models.DateField()
    summary = models.TextField(blank=True)
    pupil_views = models.TextField(blank=True)
    parent_views = models.TextField(blank=True)
    recorded_by = models.ForeignKey(USER, models.SET_NULL, null=True, blank=True,
                                    related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-held_on"]

    def __str__(self) -> str:
        return f"Review on {self.held_on}"


class Progress(models.TextChoices):
    ACHIEVED = "achieved", "Achieved"
    PARTLY = "partly", "Partly achieved"
    NOT_YET = "not_yet", "Not yet"


class OutcomeProgress(models.Model):
    review = models.ForeignKey(Review, models.CASCADE, related_name="progress")
    outcome = models.OneToOneField(Outcome, models.CASCADE, related_name="progress")
    progress = models.CharField(max_length=10, choices=Progress.choices)
    evidence = models.TextField(blank=True)
    carried_forward = models.BooleanField(default=False)

    class Meta:
        ordering = ["outcome__order", "id"]

    def __str__(self) -> str:
        return self.get_progress_display()


class OnePageProfile(models.Model):
    """What people like and admire about me, what is important to me, how best to support me."""

    code = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    pupil = models.OneToOneField("pupils.Pupil", models.CASCADE, related_name="profile")
    admire = models.TextField("what people like and admire about me", blank=True)
    important = models.TextField("what is important to me", blank=True)
    support = models.TextField("how best to support me", blank=True)
    version = models.PositiveIntegerField(default=1)
    updated_by = models.ForeignKey(USER, models.SET_NULL, null=True, blank=True,
                                   related_name="+")
    updated_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return f"One-page profile of {self.pupil}"


class ParentViews(models.Model):
    """What a parent or carer wrote before a review, in their own words."""

    code = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    plan = models.ForeignKey(SupportPlan, models.CASCADE, related_name="parent_views")
    author = models.ForeignKey(USER, models.SET_NULL, null=True, related_name="+")
    going_well = models.TextField(blank=True)
    worries = models.TextField(blank=True)
    wishes = models.TextField(blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["created_at"]

    def __str__(self) -> str:
        return f"Family's views, {self.created_at:%Y-%m-%d}"


class VoiceResponse(models.Model):
    """A pupil's answers to the voice questions before a review (symbols and short words)."""

    code = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    plan = models.ForeignKey(SupportPlan, models.CASCADE, related_name="voice_responses")
    answers = models.JSONField(default=dict)
    own_words = models.TextField(blank=True)
    with_adult = models.CharField("adult who helped", max_length=100, blank=True)
    recorded_by = models.ForeignKey(USER, models.SET_NULL, null=True, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["created_at"]

    def __str__(self) -> str:
        return f"Pupil's views, {self.created_at:%Y-%m-%d}"


class Conversation(models.Model):
    """A structured conversation with parents (Achievement for All): explore, focus, plan,
    review."""

    class Status(models.TextChoices):
        REQUESTED = "requested", "Asked for by the family"
        SCHEDULED = "scheduled", "Scheduled"
        HELD = "held", "Held"

    code = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    pupil = models.ForeignKey("pupils.Pupil", models.CASCADE, related_name="conversations")
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.SCHEDULED)
    on = models.DateField("date", null=True, blank=True)
    attendees = models.TextField("who attended", blank=True)
    language = models.CharField("language of the meeting", max_length=60, default="English")
    interpreter_needed = models.BooleanField(default=False)
    explore = models.TextField(blank=True)
    focus = models.TextField(blank=True)
    plan_notes = models.TextField("plan", blank=True)
    review_notes = models.TextField("review", blank=True)
    staff_notes = models.TextField("notes for staff only", blank=True)
    shared_with_family = models.BooleanField(default=True)
    request_note = models.TextField(blank=True)
    recorded_by = models.ForeignKey(USER, models.SET_NULL, null=True, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-on", "-created_at"]
        # "Has this pupil's family had a conversation since ...?" is asked per pupil.
        indexes = [models.Index(fields=["pupil", "status", "on"])]

    def __str__(self) -> str:
        return f"Conversation {self.on or 'not yet dated'} about {self.pupil}"


class AgreedAction(models.Model):
    conversation = models.ForeignKey(Conversation, models.CASCADE, related_name="actions")
    text = models.CharField(max_length=300)
    owner = models.CharField(max_length=120)
    due_on = models.DateField()
    done = models.BooleanField(default=False)

    class Meta:
        ordering = ["due_on", "id"]

    def __str__(self) -> str:
        return self.text


class ExternalReport(models.Model):
    """A visit and report by an external professional; the SENCO accepts it into the plan."""

    code = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    pupil = models.ForeignKey("pupils.Pupil", models.CASCADE, related_name="external_reports")
    author = models.ForeignKey(USER, models.SET_NULL, null=True, related_name="+")
    author_name = models.CharField(max_length=150)
    visited_on = models.DateField("date of the visit")
    title = models.CharField(max_length=200)
    findings = models.TextField()
    recommendations = models.TextField()
    accepted_on = models.DateField(null=True, blank=True)
    accepted_by = models.ForeignKey(USER, models.SET_NULL, null=True, blank=True,
                                    related_name="+")
    accepted_into = models.ForeignKey(SupportPlan, models.SET_NULL, null=True, blank=True,
                                      related_name="accepted_reports")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-visited_on"]

    def __str__(self) -> str:
        return self.title


class ChronologyEntry(models.Model):
    """A dated event in a pupil's record: meeting, report, letter, decision."""

    class Kind(models.TextChoices):
        MEETING = "meeting", "Meeting"
        REPORT = "report", "Report"
        LETTER = "letter", "Letter"
        DECISION = "decision", "Decision"
        REVIEW = "review", "Review"
        OTHER = "other", "Other"

    code = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    pupil = models.ForeignKey("pupils.Pupil", models.CASCADE, related_name="chronology")
    on = models.DateField("date")
    kind = models.CharField(max_length=10, choices=Kind.choices)
    title = models.CharField(max_length=200)
    notes = models.TextField(blank=True)
    recorded_by = models.ForeignKey(USER, models.SET_NULL, null=True, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-on", "-created_at"]

    def __str__(self) -> str:
        return f"{self.on}: {self.title}"


class Document(models.Model):
    """A file attached to a chronology entry, stored outside the web root under a random
    name."""

    code = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    entry = models.ForeignKey(ChronologyEntry, models.CASCADE, related_name="documents")
    original_name = models.CharField(max_length=200)
    content_type = models.CharField(max_length=100)
    size = models.PositiveIntegerField()
    sha256 = models.CharField(max_length=64)
    stored_name = models.CharField(max_length=80, unique=True)
    uploaded_by = models.ForeignKey(USER, models.SET_NULL, null=True, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return self.original_name
