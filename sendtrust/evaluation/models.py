"""Self-evaluation: frameworks held as data, context profiles, rounds, ratings, moderation."""

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone


class Framework(models.Model):
    """One version of a framework: shipped (trust is None) or a trust's own copy.

    A version never changes meaning once a round uses it: shipped versions are immutable,
    and a trust edits its copy only until a round is opened with it.
    """

    code = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    slug = models.SlugField(max_length=80)
    version = models.PositiveIntegerField()
    name = models.CharField(max_length=200)
    description = models.TextField(blank=True)
    trust = models.ForeignKey(
        "organisations.Trust", models.CASCADE, null=True, blank=True, related_name="frameworks"
    )
    # The fixture file for a shipped framework; "copy of <slug> v<n>" for a trust's copy.
    source = models.CharField(max_length=200)
    copied_from = models.ForeignKey(
        "self", models.PROTECT, null=True, blank=True, related_name="copies"
    )
    # sha256 of the file's parsed content: loading changed content under the same version fails.
    checksum = models.CharField(max_length=64, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["slug", "version"]
        constraints = [
            models.UniqueConstraint(
                fields=["slug", "version"], condition=Q(trust__isnull=True),
                name="unique_shipped_framework_version",
            ),
            models.UniqueConstraint(
                fields=["trust", "slug", "version"], condition=Q(trust__isnull=False),
                name="unique_trust_framework_version",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} (v{self.version})"

    @property
    def is_shipped(self) -> bool:
        return self.trust_id is None

    @property
    def is_editable(self) -> bool:
        """A trust's copy may be edited until a round uses it."""
        return not self.is_shipped and not self.rounds.exists()


class Area(models.Model):
    framework = models.ForeignKey(Framework, models.CASCADE, related_name="areas")
    slug = models.SlugField(max_length=80)
    title = models.CharField(max_length=200)
    summary = models.TextField(blank=True)
    # The leadership domains an area sits in (strategic, interpersonal, operational).
    domains = models.JSONField(default=list, blank=True)
    order = models.PositiveSmallIntegerField()

    class Meta:
        ordering = ["framework", "order"]
        constraints = [
            models.UniqueConstraint(fields=["framework", "slug"], name="unique_area_slug")
        ]

    def __str__(self) -> str:
        return self.title


class Theme(models.Model):
    framework = models.ForeignKey(Framework, models.CASCADE, related_name="themes")
    area = models.ForeignKey(Area, models.CASCADE, related_name="themes")
    slug = models.SlugField(max_length=80)
    title = models.CharField(max_length=200)
    summary = models.TextField(blank=True)
    order = models.PositiveSmallIntegerField()

    class Meta:
        ordering = ["area__order", "order"]
        constraints = [
            models.UniqueConstraint(fields=["framework", "slug"], name="unique_theme_slug")
        ]

    def __str__(self) -> str:
        return self.title


class KeyQuestion(models.Model):
    """A question for reflection, asked once per area."""

    area = models.ForeignKey(Area, models.CASCADE, related_name="questions")
    number = models.PositiveSmallIntegerField()
    text = models.TextField()

    class Meta:
        ordering = ["area", "number"]
        constraints = [
            models.UniqueConstraint(fields=["area", "number"], name="unique_question_number")
        ]

    def __str__(self) -> str:
        return self.text


class ScaleLevel(models.Model):
    framework = models.ForeignKey(Framework, models.CASCADE, related_name="levels")
    value = models.PositiveSmallIntegerField()
    label = models.CharField(max_length=100)
    descriptor = models.TextField()

    class Meta:
        ordering = ["framework", "value"]
        constraints = [
            models.UniqueConstraint(fields=["framework", "value"], name="unique_scale_value")
        ]

    def __str__(self) -> str:
        return f"{self.value} {self.label}"


class ContextProfile(models.Model):
    """What about a trust, or one school of it, changes which answers fit."""

    trust = models.ForeignKey(
        "organisations.Trust", models.CASCADE, related_name="context_profiles"
    )
    school = models.OneToOneField(
        "organisations.School", models.CASCADE, null=True, blank=True,
        related_name="context_profile",
    )
    size_and_phase = models.TextField("size and phase mix", blank=True)
    deprivation = models.TextField(blank=True)
    geography = models.TextField("geography and partner local authorities", blank=True)
    maturity_and_growth = models.TextField("maturity and growth plans", blank=True)
    mission_and_vision = models.TextField("mission and vision", blank=True)
    governance = models.TextField("executive team and governance model", blank=True)
    school_improvement = models.TextField("school-improvement model and stage", blank=True)
    autonomy_and_alignment = models.TextField("autonomy versus alignment", blank=True)
    send_capacity = models.TextField("SEND leadership capacity", blank=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.SET_NULL, null=True, blank=True, related_name="+"
    )
    updated_at = models.DateTimeField(null=True, blank=True)

    FACTORS = [
        "size_and_phase", "deprivation", "geography", "maturity_and_growth",
        "mission_and_vision", "governance", "school_improvement", "autonomy_and_alignment",
        "send_capacity",
    ]

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["trust"], condition=Q(school__isnull=True),
                name="one_trust_context_profile",
            ),
        ]

    def __str__(self) -> str:
        return f"Context of {self.school or self.trust}"

    @property
    def is_empty(self) -> bool:
        return not any(getattr(self, f) for f in self.FACTORS)


class Round(models.Model):
    """One self-evaluation of chosen schools and the trust, against one framework version."""

    class Status(models.TextChoices):
        OPEN = "open", "Open"
        CLOSED = "closed", "Closed"

    code = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    trust = models.ForeignKey("organisations.Trust", models.CASCADE, related_name="rounds")
    name = models.CharField(max_length=100, help_text='For example "Autumn 2026".')
    framework = models.ForeignKey(Framework, models.PROTECT, related_name="rounds")
    opened_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.SET_NULL, null=True, related_name="+"
    )
    opened_at = models.DateTimeField(default=timezone.now)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.OPEN)
    closed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-opened_at", "-id"]

    def __str__(self) -> str:
        return self.name

    @property
    def is_open(self) -> bool:
        return self.status == self.Status.OPEN


class RoundUnit(models.Model):
    """What one round evaluates: a school, or the trust itself (school is None)."""

    class Status(models.TextChoices):
        DRAFT = "draft", "Draft"
        SUBMITTED = "submitted", "Submitted"

    code = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    round = models.ForeignKey(Round, models.CASCADE, related_name="units")
    school = models.ForeignKey(
        "organisations.School", models.PROTECT, null=True, blank=True, related_name="+"
    )
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.DRAFT)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.SET_NULL, null=True, blank=True, related_name="+"
    )
    submitted_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        # The trust unit first, then schools by name.
        ordering = [models.F("school__name").asc(nulls_first=True)]
        constraints = [
            models.UniqueConstraint(fields=["round", "school"], name="unique_round_school"),
            models.UniqueConstraint(
                fields=["round"], condition=Q(school__isnull=True), name="one_trust_unit"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.round}: {self.name}"

    @property
    def name(self) -> str:
        return self.school.name if self.school_id else "Trust"

    @property
    def is_trust_unit(self) -> bool:
        return self.school_id is None

    @property
    def is_locked(self) -> bool:
        return self.status == self.Status.SUBMITTED or not self.round.is_open


class Rating(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", "Draft"
        SUBMITTED = "submitted", "Submitted"
        MODERATED = "moderated", "Moderated"

    code = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    unit = models.ForeignKey(RoundUnit, models.CASCADE, related_name="ratings")
    theme = models.ForeignKey(Theme, models.PROTECT, related_name="ratings")
    level = models.ForeignKey(
        ScaleLevel, models.PROTECT, null=True, blank=True, related_name="ratings"
    )
    evidence = models.TextField(blank=True)
    links = models.TextField(blank=True, help_text="One address a line.")
    strengths = models.TextField(blank=True)
    areas_to_develop = models.TextField(blank=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.DRAFT)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.SET_NULL, null=True, blank=True, related_name="+"
    )
    updated_at = models.DateTimeField(default=timezone.now)

    TEXT_FIELDS = ["evidence", "links", "strengths", "areas_to_develop"]

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["unit", "theme"], name="unique_unit_theme_rating")
        ]

    def __str__(self) -> str:
        return f"{self.unit}: {self.theme}"

    @property
    def link_list(self) -> list[str]:
        return [line.strip() for line in self.links.splitlines() if line.strip()]


class Answer(models.Model):
    """A unit's answer to one key question of an area."""

    unit = models.ForeignKey(RoundUnit, models.CASCADE, related_name="answers")
    question = models.ForeignKey(KeyQuestion, models.PROTECT, related_name="answers")
    text = models.TextField(blank=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.SET_NULL, null=True, blank=True, related_name="+"
    )
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["unit", "question"], name="unique_unit_answer")
        ]

    def __str__(self) -> str:
        return f"{self.unit}: {self.question}"


class Moderation(models.Model):
    """The SEND leader agreed a submitted rating or moved it, with a reason. Kept for good."""

    rating = models.ForeignKey(Rating, models.CASCADE, related_name="moderations")
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.SET_NULL, null=True, related_name="+"
    )
    at = models.DateTimeField(default=timezone.now)
    from_level = models.ForeignKey(ScaleLevel, models.PROTECT, related_name="+")
    to_level = models.ForeignKey(ScaleLevel, models.PROTECT, related_name="+")
    reason = models.TextField(blank=True)

    class Meta:
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.rating}: {self.from_level.value} to {self.to_level.value}"

    @property
    def agreed(self) -> bool:
        return self.from_level_id == self.to_level_id
