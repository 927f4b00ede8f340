"""The trust's strategic plan for SEND: goals by horizon, success criteria, actions, notes.

Goals hang straight off the trust (one plan per trust). Every object answers `.trust`, which
is what sendtrust.access.policy.decide_plan asks for; an action also has `owner_id`.
"""

import uuid

from django.conf import settings
from django.db import models
from django.utils import timezone


class Horizon(models.IntegerChoices):
    """Planning horizons, in months, so that they sort in time order."""

    THREE_MONTHS = 3, "Three months"
    ONE_YEAR = 12, "One year"
    THREE_YEARS = 36, "Three years"


class Goal(models.Model):
    """What will be happening at the horizon that is not happening now."""

    code = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    trust = models.ForeignKey("organisations.Trust", models.CASCADE, related_name="plan_goals")
    horizon = models.PositiveSmallIntegerField(choices=Horizon.choices)
    title = models.CharField(max_length=200)
    description = models.TextField(blank=True)
    # Slugs of evaluation themes (stable across framework versions).
    themes = models.JSONField(default=list, blank=True)
    source_round = models.ForeignKey(
        "evaluation.Round", models.SET_NULL, null=True, blank=True, related_name="plan_goals"
    )
    order = models.PositiveSmallIntegerField(default=0)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["horizon", "order", "id"]

    def __str__(self) -> str:
        return self.title


class SuccessCriterion(models.Model):
    """How we will know: a description, optionally measured by a live indicator."""

    class Direction(models.TextChoices):
        UP = "up", "Higher is better"
        DOWN = "down", "Lower is better"

    code = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    goal = models.ForeignKey(Goal, models.CASCADE, related_name="criteria")
    description = models.TextField(blank=True)
    indicator_key = models.CharField(max_length=80, blank=True)
    school = models.ForeignKey(
        "organisations.School", models.PROTECT, null=True, blank=True, related_name="+"
    )
    # The indicator's value when the criterion was written (None: no data yet then).
    baseline = models.FloatField(null=True, blank=True)
    baseline_on = models.DateField(null=True, blank=True)
    target = models.FloatField(null=True, blank=True)
    direction = models.CharField(max_length=4, choices=Direction.choices, default=Direction.UP)
    order = models.PositiveSmallIntegerField(default=0)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["order", "id"]
        verbose_name_plural = "success criteria"

    def __str__(self) -> str:
        return self.description or self.indicator_key

    @property
    def trust(self):
        return self.goal.trust


class PlanAction(models.Model):
    class Status(models.TextChoices):
        NOT_STARTED = "not_started", "Not started"
        IN_PROGRESS = "in_progress", "In progress"
        DONE = "done", "Done"
        BLOCKED = "blocked", "Blocked"
        DROPPED = "dropped", "Dropped"

    CLOSED = {Status.DONE, Status.DROPPED}

    code = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    goal = models.ForeignKey(Goal, models.CASCADE, related_name="actions")
    title = models.CharField(max_length=200)
    description = models.TextField(blank=True)
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, related_name="plan_actions")
    due_on = models.DateField("due date")
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.NOT_STARTED)
    themes = models.JSONField(default=list, blank=True)
    schools = models.ManyToManyField("organisations.School", blank=True, related_name="+")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["due_on", "id"]
        indexes = [models.Index(fields=["owner", "status", "due_on"])]

    def __str__(self) -> str:
        return self.title

    @property
    def trust(self):
        return self.goal.trust

    @property
    def is_open(self) -> bool:
        return self.status not in self.CLOSED

    def is_overdue(self, today=None) -> bool:
        return self.is_open and self.due_on < (today or timezone.localdate())

    def days_overdue(self, today=None) -> int:
        return max(0, ((today or timezone.localdate()) - self.due_on).days)


class ProgressNote(models.Model):
    """What the owner (or the SEND leader) recorded, and any change of status with it."""

    action = models.ForeignKey(PlanAction, models.CASCADE, related_name="notes")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.SET_NULL, null=True, related_name="+"
    )
    text = models.TextField(blank=True)
    status_from = models.CharField(max_length=12, choices=PlanAction.Status.choices, blank=True)
    status_to = models.CharField(max_length=12, choices=PlanAction.Status.choices, blank=True)
    at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-at", "-id"]

    def __str__(self) -> str:
        return f"{self.action}: {self.at:%Y-%m-%d}"

    @property
    def trust(self):
        return self.action.goal.trust

    @property
    def changed_status(self) -> bool:
        return bool(self.status_to) and self.status_to != self.status_from
