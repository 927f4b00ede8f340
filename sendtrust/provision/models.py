"""Models of the provision app (see ../shared/DESIGN.md, the practice layer).

The trust's catalogue of interventions and outcome measures (both data), provision groups with
staff, timetable and dates, enrolments with entry and exit scores, sessions and attendance,
individual provision, hourly rates by role, each school's notional SEN budget, the hours an EHC
plan specifies, and staff expertise. Provision belongs to the pupil, not to the school, so it
moves with a pupil between schools of the trust.
"""

import uuid
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models

from sendtrust.organisations.models import Role, School, Trust
from sendtrust.pupils.models import Pupil

# The four broad areas of need of the SEND Code of Practice (the census taxonomy's broad_area).
AREAS = [
    ("Communication and interaction", "Communication and interaction"),
    ("Cognition and learning", "Cognition and learning"),
    ("Social, emotional and mental health", "Social, emotional and mental health"),
    ("Sensory and/or physical", "Sensory and/or physical"),
]
AREA_NAMES = [a for a, _ in AREAS]

# Element 2: a mainstream school meets additional support costs up to this a pupil a year.
ELEMENT_2_THRESHOLD = Decimal("6000")
# "Approaching" the threshold: from this share of it.
APPROACHING_SHARE = Decimal("0.8")
# Teaching weeks in an English school year, for costs a week turned into a year.
SCHOOL_WEEKS = 39


class MeasureKind(models.TextChoices):
    STANDARDISED = "standardised", "Standardised score"
    AGE_MONTHS = "age_months", "Reading or spelling age in months"
    RATING = "rating", "Rating scale"
    CUSTOM = "custom", "Trust-defined measure"


class OutcomeMeasure(models.Model):
    """An outcome measure as data: its scale, direction and valid range."""

    code = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    trust = models.ForeignKey(Trust, models.CASCADE, related_name="outcome_measures")
    name = models.CharField(max_length=120)
    kind = models.CharField(max_length=20, choices=MeasureKind.choices)
    unit = models.CharField(max_length=40, blank=True, help_text="For example: months, points")
    minimum = models.DecimalField(max_digits=8, decimal_places=2)
    maximum = models.DecimalField(max_digits=8, decimal_places=2)
    higher_is_better = models.BooleanField(default=True)
    # A fall larger than this between entry and exit is refused as a likely swapped or
    # mistyped score (for example a reading age that drops by a year); blank allows any fall.
    max_decline = models.DecimalField(max_digits=8, decimal_places=2, null=True, blank=True)
    # The change in the better direction that counts as the expected progress.
    expected_gain = models.DecimalField(max_digits=8, decimal_places=2, default=0)

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(fields=["trust", "name"], name="unique_measure_name"),
            models.CheckConstraint(condition=models.Q(minimum__lt=models.F("maximum")),
                                   name="measure_range_ordered"),
        ]

    def __str__(self) -> str:
        return self.name

    def gain(self, entry, exit_):
        """The change from entry to exit in the better direction (positive is progress)."""
        change = Decimal(exit_) - Decimal(entry)
        return change if self.higher_is_better else -change

    def score_error(self, value) -> str | None:
        """Return why value is not a valid score on this measure, or None."""
        if value is None:
            return None
        if not (self.minimum <= Decimal(value) <= self.maximum):
            return (f"{value} is outside {self.name}'s valid range of {self.minimum:g} to "
                    f"{self.maximum:g}")
        return None

    def change_error(self, entry, exit_) -> str | None:
        """Return why an exit score cannot follow this entry score, or None."""
        if entry is None or exit_ is None or self.max_decline is None:
            return None
        if self.gain(entry, exit_) < -self.max_decline:
            way = "below" if self.higher_is_better else "above"
            return (f"the exit score {exit_} is more than {self.max_decline:g} {way} the entry "
                    f"score {entry}: {self.name} should not go that way; check that the scores "
                    "were not swapped")
        return None


class EvidenceStrength(models.TextChoices):
    STRONG = "strong", "Strong (several robust trials)"
    MODERATE = "moderate", "Moderate (at least one robust trial)"
    EMERGING = "emerging", "Emerging (promising, small studies)"
    NONE = "none", "Not yet evaluated"


class CostModel(models.TextChoices):
    STAFF_TIME = "staff_time", "Staff time only"
    STAFF_AND_MATERIALS = "staff_materials", "Staff time and materials per pupil"
    BOUGHT_IN = "bought_in", "Bought in at a price per pupil"


class Intervention(models.Model):
    """An intervention of the trust's core offer (school=None) or of one school."""

    code = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    trust = models.ForeignKey(Trust, models.CASCADE, related_name="interventions")
    school = models.ForeignKey(School, models.CASCADE, null=True, blank=True,
                               related_name="own_interventions")
    name = models.CharField(max_length=120)
    area = models.CharField("area of need", max_length=60, choices=AREAS)
    description = models.TextField("what it is", blank=True)
    group_size = models.PositiveSmallIntegerField(default=6)
    sessions_per_week = models.PositiveSmallIntegerField(default=3)
    minutes_per_session = models.PositiveSmallIntegerField(default=30)
    weeks = models.PositiveSmallIntegerField(default=10)
    staff_role = models.CharField(max_length=20, choices=Role.choices, default=Role.TA)
    evidence_strength = models.CharField(max_length=20, choices=EvidenceStrength.choices,
                                         default=EvidenceStrength.NONE)
    evidence_url = models.URLField("link to the evidence", blank=True)
    cost_model = models.CharField(max_length=20, choices=CostModel.choices,
                                  default=CostModel.STAFF_TIME)
    cost_per_pupil = models.DecimalField("materials or price per pupil (£)", max_digits=9,
                                         decimal_places=2, default=0)
    measure = models.ForeignKey(OutcomeMeasure, models.PROTECT, related_name="interventions")

    class Meta:
        ordering = ["name"]
        constraints = [models.UniqueConstraint(fields=["trust", "school", "name"],
                                               name="unique_intervention_name")]

    def __str__(self) -> str:
        return self.name

    @property
    def hours_per_week(self) -> Decimal:
        return Decimal(self.sessions_per_week * self.minutes_per_session) / 60


class HourlyRate(models.Model):
    """What an hour of one role's time costs the trust (salary and on-costs), from a date."""

    trust = models.ForeignKey(Trust, models.CASCADE, related_name="hourly_rates")
    role = models.CharField(max_length=20, choices=Role.choices)
    rate = models.DecimalField("£ an hour", max_digits=7, decimal_places=2)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["trust", "role"], name="one_rate_a_role")]

    def __str__(self) -> str:
        return f"{self.get_role_display()}: £{self.rate} an hour"


class ProvisionGroup(models.Model):
    """An intervention run at a school: staff, timetable, start and end, enrolled pupils."""

    code = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    school = models.ForeignKey(School, models.CASCADE, related_name="provision_groups")
    intervention = models.ForeignKey(Intervention, models.PROTECT, related_name="groups")
    name = models.CharField(max_length=120)
    staff = models.ManyToManyField(settings.AUTH_USER_MODEL, blank=True,
                                   related_name="provision_groups")
    staff_role = models.CharField(max_length=20, choices=Role.choices, default=Role.TA)
    timetable = models.CharField(max_length=200, blank=True,
                                 help_text="For example: Mon, Wed, Fri 9:10 to 9:40")
    sessions_per_week = models.PositiveSmallIntegerField()
    minutes_per_session = models.PositiveSmallIntegerField()
    starts_on = models.DateField()
    ends_on = models.DateField()

    class Meta:
        ordering = ["-starts_on", "name"]

    def __str__(self) -> str:
        return self.name

    def clean(self):
        if self.starts_on and self.ends_on and self.ends_on < self.starts_on:
            raise ValidationError({"ends_on": "The end must be on or after the start."})

    @property
    def weeks(self) -> int:
        return max(1, ((self.ends_on - self.starts_on).days + 1 + 6) // 7)

    @property
    def hours_per_week(self) -> Decimal:
        return Decimal(self.sessions_per_week * self.minutes_per_session) / 60


class GroupEnrolment(models.Model):
    """A pupil in a provision group, with the entry and (later) exit score."""

    code = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    group = models.ForeignKey(ProvisionGroup, models.CASCADE, related_name="enrolments")
    pupil = models.ForeignKey(Pupil, models.CASCADE, related_name="provision_enrolments")
    # The school the pupil was at when enrolled: impact is credited to the school that ran it.
    school = models.ForeignKey(School, models.PROTECT, related_name="+")
    entry_score = models.DecimalField(max_digits=8, decimal_places=2, null=True, blank=True)
    entry_on = models.DateField(null=True, blank=True)
    exit_score = models.DecimalField(max_digits=8, decimal_places=2, null=True, blank=True)
    exit_on = models.DateField(null=True, blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["group", "pupil"],
                                               name="enrolled_once_a_group")]
        indexes = [models.Index(fields=["school", "group"])]

    def __str__(self) -> str:
        return f"{self.pupil_id} in {self.group_id}"


class GroupSession(models.Model):
    """One session of a group held on a day; attendance per enrolment."""

    group = models.ForeignKey(ProvisionGroup, models.CASCADE, related_name="sessions")
    held_on = models.DateField()
    minutes = models.PositiveSmallIntegerField()
    attended = models.ManyToManyField(GroupEnrolment, blank=True, related_name="sessions")

    class Meta:
        ordering = ["-held_on"]
        constraints = [models.UniqueConstraint(fields=["group", "held_on"],
                                               name="one_session_a_day")]

    def __str__(self) -> str:
        return f"Session on {self.held_on}"


class IndividualKind(models.TextChoices):
    ONE_TO_ONE = "one_to_one", "One-to-one support"
    EQUIPMENT = "equipment", "Equipment"
    SERVICE = "service", "External service bought in"


class IndividualProvision(models.Model):
    """Provision for one pupil: one-to-one hours, equipment or a bought-in service."""

    code = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    pupil = models.ForeignKey(Pupil, models.CASCADE, related_name="individual_provision")
    school = models.ForeignKey(School, models.PROTECT, related_name="+")
    kind = models.CharField(max_length=20, choices=IndividualKind.choices)
    area = models.CharField("area of need", max_length=60, choices=AREAS)
    description = models.CharField(max_length=200)
    hours_per_week = models.DecimalField(max_digits=5, decimal_places=2, default=0)
    staff_role = models.CharField(max_length=20, choices=Role.choices, blank=True)
    annual_cost = models.DecimalField("cost a year (£), for equipment and services",
                                      max_digits=9, decimal_places=2, default=0)
    starts_on = models.DateField()
    ends_on = models.DateField(null=True, blank=True)

    class Meta:
        ordering = ["-starts_on"]

    def __str__(self) -> str:
        return self.description


class SenBudget(models.Model):
    """A school's notional SEN budget (element 2) for one school year (starting September)."""

    school = models.ForeignKey(School, models.CASCADE, related_name="sen_budgets")
    year = models.PositiveSmallIntegerField(help_text="The year the school year starts: 2025")
    amount = models.DecimalField(max_digits=11, decimal_places=2)
    # Hours a week teaching assistants spend supporting in class (not in interventions).
    ta_in_class_hours = models.DecimalField(max_digits=7, decimal_places=1, default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["school", "year"],
                                               name="one_budget_a_year")]

    def __str__(self) -> str:
        return f"£{self.amount} for {self.year}/{(self.year + 1) % 100:02d}"


class EhcHours(models.Model):
    """Hours a week of provision an EHC plan specifies for a pupil, from a date."""

    code = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    pupil = models.ForeignKey(Pupil, models.CASCADE, related_name="ehc_hours")
    hours_per_week = models.DecimalField(max_digits=5, decimal_places=2)
    description = models.CharField(max_length=200, blank=True)
    starts_on = models.DateField()
    ends_on = models.DateField(null=True, blank=True)

    def __str__(self) -> str:
        return f"{self.hours_per_week} hours a week"


class QualificationKind(models.TextChoices):
    NASENCO = "nasenco", "National award for SEN co-ordination"
    SPECIALIST = "specialist", "Specialist teacher qualification"
    INTERVENTION = "intervention", "Trained in a named intervention"
    OTHER = "other", "Other SEND training"


class StaffQualification(models.Model):
    """A SEND qualification or training one member of staff holds, with dates."""

    code = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    trust = models.ForeignKey(Trust, models.CASCADE, related_name="staff_qualifications")
    school = models.ForeignKey(School, models.CASCADE, null=True, blank=True, related_name="+")
    person = models.ForeignKey(settings.AUTH_USER_MODEL, models.CASCADE,
                               related_name="send_qualifications")
    kind = models.CharField(max_length=20, choices=QualificationKind.choices)
    title = models.CharField(max_length=200)
    area = models.CharField("area of need", max_length=60, choices=AREAS, blank=True)
    intervention = models.ForeignKey(Intervention, models.SET_NULL, null=True, blank=True,
                                     related_name="+")
    awarded_on = models.DateField()
    expires_on = models.DateField(null=True, blank=True)

    class Meta:
        ordering = ["-awarded_on"]

    def __str__(self) -> str:
        return self.title
