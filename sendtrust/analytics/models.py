"""Figures stored because rebuilding them is slow and their inputs rarely change."""

from django.db import models


class CensusCount(models.Model):
    """The pupils on roll, on SEN support and with an EHC plan on one census day, rebuilt
    from the enrolment and SEN status history of a trust (school_key 0) or of one of its
    schools (school_key: the school's id), by analytics.figures.trend.

    Raw counts: the trend suppresses them for aggregate-only viewers when it reads them.
    `versions` is the digest of the history versions (pupils.HistoryVersion) of the schools
    in scope, read before the counts were; a row is used only while the schools' versions
    still give the same digest, so any write to the history since makes it rebuilt (issue 15:
    rebuilding a 50,000-pupil trust's census days took ~90 ms of every analytics page).
    """

    trust = models.ForeignKey("organisations.Trust", models.CASCADE, related_name="+")
    school_key = models.BigIntegerField(help_text="The school's id; 0 for the whole trust.")
    day = models.DateField()
    versions = models.CharField(max_length=64)
    pupils = models.IntegerField()
    sen_support = models.IntegerField()
    ehcp = models.IntegerField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["trust", "school_key", "day"],
                                               name="census_count_scope_day")]

    def __str__(self) -> str:
        return f"{self.day}: {self.pupils} pupils"


class RollCount(models.Model):
    """A trust's pupils on roll on one day per (school, SEN status, primary need id), as
    analytics.figures.schools reads them for every school's counts and the need mix.

    Stored like CensusCount: with the digest of the trust's schools' history versions, read
    before the counts; used only on that day and while the digest stands (a write to any
    enrolment, SEN status or pupil register entry of the trust moves it). One row a trust:
    a new day's or a new digest's replaces it. Raw counts, suppressed when read.
    """

    trust = models.OneToOneField("organisations.Trust", models.CASCADE, related_name="+")
    day = models.DateField()
    versions = models.CharField(max_length=64)
    counts = models.JSONField(help_text="[[school id, status, need id or null, pupils], ...]")

    def __str__(self) -> str:
        return f"pupils on roll on {self.day}"


class IdentifiedCount(models.Model):
    """A trust's pupils on roll on one day on the SEN register whose open status has its
    identification recorded, per school: [[school id, pupils], ...] (the self-evaluation
    evidence and the plan's identification indicator). Stored like RollCount; a write to
    an identification moves the pupil's schools' history versions too (pupils migration 0012)."""

    trust = models.OneToOneField("organisations.Trust", models.CASCADE, related_name="+")
    day = models.DateField()
    versions = models.CharField(max_length=64)
    counts = models.JSONField()

    def __str__(self) -> str:
        return f"identified on {self.day}"
