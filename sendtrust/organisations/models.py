"""Trusts, schools, and who holds which role where."""

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone


class Trust(models.Model):
    code = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    name = models.CharField(max_length=200)
    # GIAS group identifier (e.g. "TR01234") when the trust mirrors a real one.
    group_uid = models.CharField(max_length=20, blank=True)
    read_only = models.BooleanField(
        default=False, help_text="Built from public data alone; holds no pupil records."
    )
    created = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class School(models.Model):
    class Phase(models.TextChoices):
        NURSERY = "nursery", "Nursery"
        PRIMARY = "primary", "Primary"
        SECONDARY = "secondary", "Secondary"
        ALL_THROUGH = "all-through", "All-through"
        SIXTEEN_PLUS = "16-plus", "16 plus"

    class Type(models.TextChoices):
        MAINSTREAM = "mainstream", "Mainstream"
        SPECIAL = "special", "Special"
        ALTERNATIVE = "ap", "Alternative provision"

    code = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    trust = models.ForeignKey(Trust, models.PROTECT, related_name="schools")
    urn = models.CharField("URN", max_length=8, unique=True)
    name = models.CharField(max_length=200)
    phase = models.CharField(max_length=20, choices=Phase.choices)
    type = models.CharField(max_length=20, choices=Type.choices, default=Type.MAINSTREAM)
    la_code = models.CharField("local authority code", max_length=3)
    la_name = models.CharField("local authority", max_length=100)
    # Published number on roll (GIAS/census); the live count comes from pupil records.
    number_on_roll = models.PositiveIntegerField(null=True, blank=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Role(models.TextChoices):
    SEND_LEADER = "send_leader", "Trust SEND leader"
    EXECUTIVE = "executive", "Executive"
    TRUSTEE = "trustee", "Trustee"
    HEADTEACHER = "headteacher", "Headteacher"
    SENCO = "senco", "SENCO"
    TEACHER = "teacher", "Teacher"
    TA = "ta", "Teaching assistant"
    PARENT = "parent", "Parent or carer"
    EXTERNAL = "external", "External professional"


TRUST_ROLES = {Role.SEND_LEADER, Role.EXECUTIVE, Role.TRUSTEE}
SCHOOL_ROLES = {Role.HEADTEACHER, Role.SENCO, Role.TEACHER, Role.TA}


class MembershipQuerySet(models.QuerySet):
    def current(self, on=None):
        on = on or timezone.localdate()
        return self.filter(Q(starts_on__lte=on), Q(ends_on__isnull=True) | Q(ends_on__gte=on))


class Membership(models.Model):
    """A role held by a person in a trust, or in one school of it."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, models.CASCADE, related_name="memberships")
    role = models.CharField(max_length=20, choices=Role.choices)
    trust = models.ForeignKey(Trust, models.CASCADE, related_name="memberships")
    school = models.ForeignKey(
        School, models.CASCADE, null=True, blank=True, related_name="memberships"
    )
    starts_on = models.DateField(default=timezone.localdate)
    ends_on = models.DateField(null=True, blank=True)

    objects = MembershipQuerySet.as_manager()

    class Meta:
        constraints = [
            # Trust-wide roles have no school; school roles need one.
            models.CheckConstraint(
                condition=(
                    Q(role__in=sorted(r.value for r in TRUST_ROLES), school__isnull=True)
                    | Q(role__in=sorted(r.value for r in SCHOOL_ROLES), school__isnull=False)
                    | Q(role__in=[Role.PARENT, Role.EXTERNAL])
                ),
                name="membership_role_level",
            ),
            models.CheckConstraint(
                condition=~Q(role=Role.EXTERNAL) | Q(ends_on__isnull=False),
                name="external_membership_has_end",
            ),
        ]
        indexes = [models.Index(fields=["user", "role"])]

    def __str__(self) -> str:
        where = self.school or self.trust
        return f"{self.user} — {self.get_role_display()} at {where}"


class TeachingGroup(models.Model):
    """A class or set: the staff who teach it and the pupils in it."""

    code = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    school = models.ForeignKey(School, models.CASCADE, related_name="teaching_groups")
    name = models.CharField(max_length=100)
    staff = models.ManyToManyField(settings.AUTH_USER_MODEL, related_name="teaching_groups")
    pupils = models.ManyToManyField("pupils.Pupil", related_name="teaching_groups")

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return f"{self.name} ({self.school})"


class ParentLink(models.Model):
    """Ties a parent or carer to their child."""

    parent = models.ForeignKey(settings.AUTH_USER_MODEL, models.CASCADE, related_name="children")
    pupil = models.ForeignKey("pupils.Pupil", models.CASCADE, related_name="parent_links")
    relationship = models.CharField(max_length=50, default="Parent")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["parent", "pupil"], name="unique_parent_link")
        ]

    def __str__(self) -> str:
        return f"{self.parent} — {self.relationship} of {self.pupil}"


class ExternalAssignment(models.Model):
    """An external professional asked to see one pupil, for a limited time."""

    professional = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.CASCADE, related_name="external_assignments"
    )
    pupil = models.ForeignKey(
        "pupils.Pupil", models.CASCADE, related_name="external_assignments"
    )
    reason = models.CharField(max_length=200)
    starts_on = models.DateField(default=timezone.localdate)
    ends_on = models.DateField()

    objects = MembershipQuerySet.as_manager()

    def __str__(self) -> str:
        return f"{self.professional} sees {self.pupil} until {self.ends_on}"
