"""Pupils, their SEN status over time, needs and identification."""

import uuid

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import F, Q

from sendtrust.lib.upn import upn_error


class NeedType(models.Model):
    """A type of need from a taxonomy (England's census codes by default), held as data."""

    taxonomy = models.CharField(max_length=30, default="england-census")
    code = models.CharField(max_length=10)
    label = models.CharField(max_length=120)
    broad_area = models.CharField(max_length=60)
    # NSA is only valid with SEN support (K): the census says so.
    support_only = models.BooleanField(default=False)
    valid_from = models.DateField(null=True, blank=True)
    sort_order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["taxonomy", "sort_order", "code"]
        constraints = [
            models.UniqueConstraint(fields=["taxonomy", "code"], name="unique_need_code")
        ]

    def __str__(self) -> str:
        return f"{self.code} — {self.label}"


class Provision(models.TextChoices):
    NONE = "N", "No SEN"
    SUPPORT = "K", "SEN support"
    EHCP = "E", "EHC plan"


class Sex(models.TextChoices):
    FEMALE = "F", "Female"
    MALE = "M", "Male"


def validate_upn(value: str) -> None:
    message = upn_error(value)
    if message:
        raise ValidationError(message)


# The conditions of partial indexes that quality.checks also filters by: the same Q, so that
# the query names the index's condition word for word (SQLite uses a partial index only then).
SEN_CODES = [Provision.SUPPORT, Provision.EHCP]
SUSPECT_ENROLMENT = Q(left_on__isnull=True) & (
    Q(open_enrolment_school__isnull=True)
    | Q(open_enrolment_school__lt=F("school")) | Q(open_enrolment_school__gt=F("school")))
CLOSED_WITH_SECONDARY = Q(ends_on__isnull=False, secondary_need__isnull=False)
# An open status a data-quality check lists whatever its needs are: SEN with no primary need,
# a secondary need repeating the primary or standing alone, a need with no SEN.
OPEN_SUSPECT = Q(ends_on__isnull=True) & (
    Q(provision__in=SEN_CODES, primary_need__isnull=True)
    | Q(secondary_need=F("primary_need"))
    | Q(secondary_need__isnull=False, primary_need__isnull=True)
    | (Q(provision=Provision.NONE)
       & (Q(primary_need__isnull=False) | Q(secondary_need__isnull=False))))
# The register (SEN status, primary need) disagrees with the one open status in the history,
# by the open-status summary (Pupil.open_provision): the register claims SEN with no single
# open status, or a status or need differs. Written without IS DISTINCT FROM, which Django's
# Q cannot say: a < b or a > b for two values, and each side's NULL apart.
STATUS_DISAGREES = (
    Q(open_provision__isnull=True, sen_provision__in=SEN_CODES)
    | Q(sen_provision__lt=F("open_provision")) | Q(sen_provision__gt=F("open_provision"))
    | Q(primary_need__isnull=True, open_primary_need__isnull=False)
    | Q(primary_need__isnull=False, open_primary_need__isnull=True)
    | Q(primary_need__lt=F("open_primary_need")) | Q(primary_need__gt=F("open_primary_need")))


class Pupil(models.Model):
    code = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    upn = models.CharField("UPN", max_length=13, unique=True, validators=[validate_upn])
    forename = models.CharField(max_length=100)
    surname = models.CharField(max_length=100)
    date_of_birth = models.DateField()
    year_group = models.SmallIntegerField(help_text="National curriculum year; 0 is reception.")
    sex = models.CharField(max_length=1, choices=Sex.choices)
    fsm = models.BooleanField("free school meals", default=False)
    pupil_premium = models.BooleanField(default=False)
    eal = models.BooleanField("English as an additional language", default=False)
    looked_after = models.BooleanField(default=False)
    # The current school and current SEN status are copies of the open enrolment and the
    # open episode, kept by services in the same transaction. They exist so that the
    # register and the trust overview are single indexed aggregates, not a join per pupil.
    # No single-column index on school: the composite indexes below start with it. Every
    # index is paid for on each imported row, so keys that no query looks up have none.
    school = models.ForeignKey(
        "organisations.School", models.PROTECT, related_name="pupils", db_index=False
    )
    sen_provision = models.CharField(
        max_length=1, choices=Provision.choices, default=Provision.NONE
    )
    primary_need = models.ForeignKey(
        NeedType, models.PROTECT, null=True, blank=True, related_name="+", db_index=False
    )
    # The last day on roll when the pupil has left the trust's schools (a copy of the closed
    # enrolment's end, kept by services.record_leaver); None while on roll. The register
    # lists leavers apart, and their history stays.
    left_on = models.DateField(null=True, blank=True)
    # The pupil's enrolments in brief, kept by the database itself: triggers on
    # pupils_enrolment (migration 0008) set them after every insert, update and delete of an
    # enrolment, whatever wrote it (a service, an import's raw INSERT, a shell). How many
    # enrolments; the first day of the earliest; the last day of the latest, None while one
    # is open. A pupil with one enrolment is on roll on a day exactly when
    # enrolled_from <= day <= enrolled_until (or it is open), so whether each pupil is on roll
    # is read from the pupil_school_status index alone; only pupils with several enrolments
    # (a few hundred in 50,000) are looked up in the enrolments (analytics.figures.common.
    # on_roll; issue 15). Never written by Django after the row is inserted: see save().
    enrolment_count = models.PositiveSmallIntegerField(default=0, db_default=0, editable=False)
    enrolled_from = models.DateField(null=True, blank=True, editable=False)
    enrolled_until = models.DateField(null=True, blank=True, editable=False)
    # The school of the pupil's open enrolment when exactly one is open (None when none or
    # several are), kept by the same triggers (migration 0011). A pupil on roll whose open
    # school is not its school is in the partial index pupil_enrolment_suspect: the
    # data-quality check for a missing enrolment reads that index, nearly empty when the
    # records are in order, not the enrolments of every pupil (issue 15).
    open_enrolment_school = models.ForeignKey(
        "organisations.School", models.DO_NOTHING, null=True, blank=True, editable=False,
        related_name="+", db_index=False, db_constraint=False,
    )

    # The status and primary need of the pupil's open SEN status when exactly one is open
    # (None when none or several are), kept by triggers on pupils_senepisode (migration
    # 0014). A pupil whose register disagrees with it is in the partial index
    # pupil_status_disagrees: the data-quality check "register status differs from the SEN
    # history" reads that index, nearly empty when the records are in order, instead of
    # every pupil on the SEN register and their open statuses (issue 15).
    open_provision = models.CharField(max_length=1, null=True, blank=True, editable=False)
    open_primary_need = models.ForeignKey(
        "NeedType", models.DO_NOTHING, null=True, blank=True, editable=False,
        related_name="+", db_index=False, db_constraint=False,
    )

    KEPT_BY_DATABASE = ("enrolment_count", "enrolled_from", "enrolled_until",
                        "open_enrolment_school", "open_provision", "open_primary_need")

    class Meta:
        ordering = ["surname", "forename"]
        # school_status holds what the per-school counts and the data-quality checks read
        # of every pupil (status, need, leaving date, whether on roll), so neither reads the
        # table (issue 15).
        indexes = [
            models.Index(fields=["school", "sen_provision", "primary_need", "left_on",
                                 "enrolment_count", "enrolled_from", "enrolled_until"],
                         name="pupil_school_status"),
            models.Index(fields=["school", "surname", "forename"]),
            # The few pupils with several enrolments (the analytics trend's `multi`).
            models.Index(fields=["id"], condition=Q(enrolment_count__gt=1),
                         name="pupil_several_enrolments"),
            # Pupils a data-quality check can list, each set nearly empty when the records
            # are in order (quality.checks; issue 15): on roll with no open enrolment at
            # their school by the enrolment summary; a register that disagrees with the
            # open status by the open-status summary.
            models.Index(fields=["id"], condition=SUSPECT_ENROLMENT,
                         name="pupil_enrolment_suspect"),
            models.Index(fields=["id"], condition=STATUS_DISAGREES,
                         name="pupil_status_disagrees"),
        ]

    def __str__(self) -> str:
        return f"{self.forename} {self.surname}"

    def save(self, *args, update_fields=None, **kwargs):
        """Save, never writing the enrolment summary back over the database's own.

        An instance read before an enrolment changed holds the old summary; saving it
        whole would undo the trigger's work. An UPDATE writes every other field (or those
        asked for) instead.
        """
        if not self._state.adding and self.pk is not None:
            names = (update_fields if update_fields is not None else
                     [f.name for f in self._meta.concrete_fields if not f.primary_key])
            update_fields = [n for n in names if n not in self.KEPT_BY_DATABASE]
        super().save(*args, update_fields=update_fields, **kwargs)

    @property
    def full_name(self) -> str:
        return f"{self.forename} {self.surname}"


class Enrolment(models.Model):
    """A pupil's time at one school of the trust."""

    # Indexed by enrolment_pupil_dates below, which starts with the pupil.
    pupil = models.ForeignKey(Pupil, models.CASCADE, related_name="enrolments", db_index=False)
    school = models.ForeignKey(
        "organisations.School", models.PROTECT, related_name="+", db_index=False
    )
    starts_on = models.DateField()
    ends_on = models.DateField(null=True, blank=True)
    # Where a leaver went (another school, elective home education, moved away, ...).
    # db_default: the import and the demo write enrolments with raw multi-row INSERTs.
    destination = models.CharField(max_length=200, blank=True, default="", db_default="")

    class Meta:
        ordering = ["starts_on"]
        constraints = [
            models.UniqueConstraint(
                fields=["pupil"], condition=Q(ends_on__isnull=True), name="one_open_enrolment"
            )
        ]
        # The pupils on roll at a trust's schools on a census day are counted by a range of
        # this index, without reading the table (analytics trend; issue 15).
        # Whether a pupil is on roll on a day (and at which school) is read from
        # enrolment_pupil_dates alone: one index probe per pupil (issue 15).
        # From when each school's records hold every pupil (its first recorded leaving
        # date) is one probe of enrolment_school_ends per school (analytics trend; issue 15).
        indexes = [models.Index(fields=["school", "starts_on", "ends_on"],
                                name="enrolment_school_dates"),
                   models.Index(fields=["pupil", "starts_on", "ends_on", "school"],
                                name="enrolment_pupil_dates"),
                   models.Index(fields=["school", "ends_on"], name="enrolment_school_ends")]

    def __str__(self) -> str:
        return f"{self.pupil} at {self.school} from {self.starts_on}"


class SenEpisode(models.Model):
    """A span of time with one SEN provision and need; never overwritten, only closed."""

    code = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    # Indexed by episode_pupil_start below, which starts with the pupil.
    pupil = models.ForeignKey(Pupil, models.CASCADE, related_name="episodes", db_index=False)
    provision = models.CharField(max_length=1, choices=Provision.choices)
    # Episodes are read through their pupil; the need and recorder keys carry no index
    # (see Pupil.school).
    primary_need = models.ForeignKey(
        NeedType, models.PROTECT, null=True, blank=True, related_name="+", db_index=False
    )
    secondary_need = models.ForeignKey(
        NeedType, models.PROTECT, null=True, blank=True, related_name="+", db_index=False
    )
    starts_on = models.DateField()
    ends_on = models.DateField(null=True, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.SET_NULL, null=True, blank=True, related_name="+",
        db_index=False,
    )
    source = models.CharField(max_length=40, default="manual")

    class Meta:
        ordering = ["starts_on", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["pupil"], condition=Q(ends_on__isnull=True), name="one_open_episode"
            ),
            models.CheckConstraint(
                condition=Q(ends_on__isnull=True) | Q(ends_on__gte=models.F("starts_on")),
                name="episode_ends_after_start",
            ),
        ]
        # A pupil's statuses in date order (the history, and the status before another, as
        # the data-quality checks read it) without sorting (issue 15).
        # The SEN support and EHC plan statuses alone (about one in seven), with their dates:
        # the analytics trend reads them without reading every pupil's "no SEN" statuses
        # (PostgreSQL: the trust trend ~105-120 -> ~72-82 ms at 50,000 pupils; issue 15).
        indexes = [models.Index(fields=["pupil", "starts_on"], name="episode_pupil_start"),
                   models.Index(fields=["pupil", "starts_on", "ends_on", "provision"],
                                condition=Q(provision__in=[Provision.SUPPORT, Provision.EHCP]),
                                name="episode_sen_dates"),
                   # Every open status by start (the data-quality checks list one that
                   # begins in the future).
                   models.Index(fields=["starts_on"], condition=Q(ends_on__isnull=True),
                                name="episode_open_start"),
                   # The pupils with a closed status that had a secondary need: only they
                   # can have had it dropped at a change of status (quality.checks).
                   models.Index(fields=["pupil"], condition=CLOSED_WITH_SECONDARY,
                                name="episode_closed_secondary"),
                   # Open statuses a check lists whatever the needs, and open statuses by
                   # need: a check lists a few needs only (NSA beside an EHC plan or no
                   # SEN, a code of another taxonomy, a code used before it existed).
                   models.Index(fields=["pupil"], condition=OPEN_SUSPECT,
                                name="episode_open_suspect"),
                   models.Index(fields=["primary_need"],
                                condition=Q(ends_on__isnull=True, primary_need__isnull=False),
                                name="episode_open_primary"),
                   models.Index(fields=["secondary_need"],
                                condition=Q(ends_on__isnull=True, secondary_need__isnull=False),
                                name="episode_open_secondary")]

    def __str__(self) -> str:
        return f"{self.get_provision_display()} from {self.starts_on}"


class EpisodeCorrection(models.Model):
    """A mistaken SEN status entry put right: what it said before, why, who and when.

    The episode itself then holds the corrected status (so every count and check reads the
    truth), and this row keeps the mistaken one: the history says both.
    """

    episode = models.ForeignKey(SenEpisode, models.CASCADE, related_name="corrections")
    corrected_at = models.DateTimeField(auto_now_add=True)
    corrected_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.SET_NULL, null=True, blank=True, related_name="+",
        db_index=False,
    )
    reason = models.TextField()
    old_provision = models.CharField(max_length=1, choices=Provision.choices)
    old_primary_need = models.ForeignKey(
        NeedType, models.PROTECT, null=True, blank=True, related_name="+", db_index=False
    )
    old_secondary_need = models.ForeignKey(
        NeedType, models.PROTECT, null=True, blank=True, related_name="+", db_index=False
    )

    class Meta:
        ordering = ["corrected_at", "id"]

    def __str__(self) -> str:
        return f"Correction of {self.episode} on {self.corrected_at:%Y-%m-%d}"


class Identification(models.Model):
    """Who identified a pupil's need, when, and on what evidence."""

    pupil = models.ForeignKey(Pupil, models.CASCADE, related_name="identifications")
    episode = models.ForeignKey(
        SenEpisode, models.SET_NULL, null=True, blank=True, related_name="identifications"
    )
    identified_on = models.DateField()
    identified_by = models.CharField(max_length=200, help_text="Name and role")
    evidence = models.TextField()
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["-identified_on"]

    def __str__(self) -> str:
        return f"Identified {self.identified_on} by {self.identified_by}"


class HistoryVersion(models.Model):
    """How many times a school's enrolment and SEN status history has been written, counted
    by the database's own triggers (migration 0012) after every insert, update and delete of
    an enrolment at the school, or of a status of a pupil enrolled there, whatever wrote it.

    Figures rebuilt from the history (the analytics trend's past census days) are stored
    with the versions of the schools they read (analytics.CensusCount) and used only while
    those versions stand. A school with no row has version 0.
    """

    # No foreign key constraint: the triggers write a row for the school of whatever they
    # see written, and a flush (tests) or a school's deletion may empty organisations_school
    # before the enrolments whose deletion moves its version. A row left for a deleted school
    # counts nothing.
    school = models.OneToOneField("organisations.School", models.CASCADE, primary_key=True,
                                  related_name="+", db_constraint=False)
    version = models.BigIntegerField(default=0)

    def __str__(self) -> str:
        return f"school {self.school_id}: history version {self.version}"
