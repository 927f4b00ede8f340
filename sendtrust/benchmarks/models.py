"""Published benchmark figures (DfE statistics), the files they came from, and reference lists.

One `Figure` is one published number: a measure, for a period, a place and a breakdown.
Missing numbers are NULL, never zero; the DfE symbol that stood in the cell is kept.
"""

from django.db import models


class Level(models.TextChoices):
    NATIONAL = "national", "National"
    REGIONAL = "regional", "Regional"
    LA = "la", "Local authority"
    SCHOOL = "school", "School"


class Phase(models.TextChoices):
    # "" (ALL) means the whole scope the file covers, e.g. all schools or all state-funded schools.
    ALL = "", "All schools"
    NURSERY = "nursery", "Nursery"
    PRIMARY = "primary", "Primary"
    SECONDARY = "secondary", "Secondary"
    SPECIAL = "special", "Special (state-funded)"
    NON_MAINTAINED_SPECIAL = "nm_special", "Non-maintained special"
    MAINSTREAM = "mainstream", "State-funded mainstream"
    AP = "ap", "Alternative provision / PRU"
    INDEPENDENT = "independent", "Independent"


class SenGroup(models.TextChoices):
    ALL = "", "All pupils"
    EHCP = "ehcp", "EHC plan (or statement)"
    SEN_SUPPORT = "sen_support", "SEN support"
    ANY_SEN = "any_sen", "Any SEN"
    NO_SEN = "no_sen", "No identified SEN"
    UNCLASSIFIED = "unclassified", "SEN unclassified"


# What a DfE symbol in place of a number means; pages say this instead of showing a number.
SYMBOL_MEANINGS = {
    "x": "suppressed",
    "c": "suppressed",
    "z": "not applicable",
    ".": "not applicable",
    "n/a": "not applicable",
    ":": "not available",
    "..": "not available",
    "NA": "not available",
    "-": "not available",
    "u": "low reliability",
    "k": "less than 0.5",
    "low": "less than 0.5",
    "": "not published",
}


class Dataset(models.Model):
    """One DfE file as currently loaded: its provenance and what loading it found."""

    key = models.CharField(max_length=200, unique=True, help_text="Path inside the data folder.")
    family = models.CharField(max_length=60)
    title = models.CharField(max_length=300, help_text="Human-readable source, shown on pages.")
    file_name = models.CharField(max_length=200)
    sha256 = models.CharField(max_length=64)
    size = models.BigIntegerField(default=0)
    rows_read = models.BigIntegerField(default=0)
    rows_loaded = models.BigIntegerField(default=0)
    loaded_at = models.DateTimeField()
    seconds = models.FloatField(default=0)
    # Data problems found while loading (e.g. a national row that its parts do not sum to).
    warnings = models.JSONField(default=list, blank=True)
    # What was deliberately left out, and why.
    notes = models.JSONField(default=list, blank=True)

    class Meta:
        ordering = ["key"]

    def __str__(self) -> str:
        return self.key


class LoadRun(models.Model):
    """One attempt to load one file, kept as history whether it worked or not."""

    class Status(models.TextChoices):
        LOADED = "loaded", "Loaded"
        FAILED = "failed", "Failed"

    key = models.CharField(max_length=200, db_index=True)
    dataset = models.ForeignKey(
        Dataset, models.SET_NULL, null=True, blank=True, related_name="runs"
    )
    file_name = models.CharField(max_length=200)
    sha256 = models.CharField(max_length=64)
    status = models.CharField(max_length=10, choices=Status.choices)
    message = models.TextField(blank=True)
    rows_read = models.BigIntegerField(default=0)
    rows_loaded = models.BigIntegerField(default=0)
    warnings = models.JSONField(default=list, blank=True)
    started_at = models.DateTimeField()
    seconds = models.FloatField(default=0)

    class Meta:
        ordering = ["-started_at"]

    def __str__(self) -> str:
        return f"{self.key} {self.status} {self.started_at:%Y-%m-%d %H:%M}"


class Measure(models.Model):
    """What a figure counts or rates; codes are stable, labels are for people."""

    class Unit(models.TextChoices):
        COUNT = "count", "Number"
        PERCENT = "percent", "Per cent"
        SCORE = "score", "Score"
        VALUE = "value", "Value"

    code = models.CharField(max_length=64, primary_key=True)
    label = models.CharField(max_length=300)
    unit = models.CharField(max_length=10, choices=Unit.choices, default=Unit.VALUE)

    class Meta:
        ordering = ["code"]

    def __str__(self) -> str:
        return self.code


class Figure(models.Model):
    """One published number for a measure, period, geography and breakdown."""

    # Figures are written only by the loaders, which create the dataset and the measures first
    # in the same transaction. The database does not re-check these two keys: with 500,000+
    # rows that check slows every load and every test (SQLite checks all rows on rollback).
    dataset = models.ForeignKey(
        Dataset, models.CASCADE, related_name="figures", db_constraint=False
    )
    # No index of its own: bench_fig_measure_level starts with the measure.
    measure = models.ForeignKey(
        Measure, models.PROTECT, related_name="figures", db_index=False, db_constraint=False
    )
    period = models.CharField(max_length=20, help_text="DfE label, e.g. 2024/25 or 2019.")
    # Calendar year in which the period ends (2024/25 -> 2025), so periods sort across files.
    year = models.SmallIntegerField()
    level = models.CharField(max_length=10, choices=Level.choices)
    # E92000001 (England), E12/E13 region codes, old 3-digit LA codes ("801"), URNs.
    geo_code = models.CharField(max_length=12)
    # Blank where the file names no place (the 2019 census file has URNs but no school names).
    geo_name = models.CharField(max_length=200, blank=True)
    # The local authority a school (or LA) row belongs to, for "schools in this LA" lists.
    la_code = models.CharField(max_length=3, blank=True)
    phase = models.CharField(max_length=12, choices=Phase.choices, blank=True)
    sen = models.CharField(max_length=12, choices=SenGroup.choices, blank=True)
    need = models.CharField(max_length=10, blank=True, help_text="Census need code; '' = all.")
    # Any other breakdown, canonical "key=value;key=value" ('' = none), e.g. "sex=Girls".
    breakdown = models.CharField(max_length=200, blank=True)
    value = models.FloatField(null=True, blank=True)
    symbol = models.CharField(max_length=8, blank=True, help_text="DfE symbol when no value.")

    class Meta:
        indexes = [
            models.Index(
                fields=["level", "geo_code", "measure", "year"], name="bench_fig_geo_measure"
            ),
            models.Index(fields=["measure", "level", "year"], name="bench_fig_measure_level"),
        ]

    def __str__(self) -> str:
        return f"{self.measure_id} {self.period} {self.geo_name}: {self.value}"

    @property
    def status(self) -> str:
        """'value' when there is a number, else what the DfE symbol means."""
        if self.value is not None:
            return "value"
        return SYMBOL_MEANINGS.get(self.symbol, "not available")

    @property
    def breakdown_items(self) -> dict[str, str]:
        """The extra breakdown as a dict."""
        if not self.breakdown:
            return {}
        return dict(part.split("=", 1) for part in self.breakdown.split(";"))


class LocalAuthority(models.Model):
    """A local authority with its old 3-digit DfE number and its ONS E-code (dfe-vocab)."""

    new_code = models.CharField(max_length=9, unique=True)
    old_code = models.CharField(max_length=3, db_index=True)
    name = models.CharField(max_length=100)
    region_code = models.CharField(max_length=9, blank=True)
    region_name = models.CharField(max_length=100, blank=True)
    live = models.BooleanField(default=True)
    valid_from = models.DateField(null=True, blank=True)
    valid_to = models.DateField(null=True, blank=True)
    dataset = models.ForeignKey(Dataset, models.CASCADE, related_name="local_authorities")

    class Meta:
        ordering = ["name"]
        verbose_name_plural = "local authorities"

    def __str__(self) -> str:
        return f"{self.old_code} {self.name}"


class Establishment(models.Model):
    """A school or other establishment from a GIAS extract, with its trust."""

    urn = models.CharField("URN", max_length=8, unique=True)
    name = models.CharField(max_length=200)
    la_code = models.CharField(max_length=3, blank=True, db_index=True)
    la_name = models.CharField(max_length=100, blank=True)
    type_name = models.CharField(max_length=100, blank=True)
    phase = models.CharField(max_length=60, blank=True)
    # The GIAS extract in hand lists open establishments only and has no status column.
    status = models.CharField(max_length=40, blank=True)
    trust_code = models.CharField(max_length=20, blank=True, db_index=True)
    trust_name = models.CharField(max_length=200, blank=True)
    town = models.CharField(max_length=100, blank=True)
    postcode = models.CharField(max_length=10, blank=True)
    pupils = models.IntegerField(null=True, blank=True)
    dataset = models.ForeignKey(Dataset, models.CASCADE, related_name="establishments")

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return f"{self.urn} {self.name}"


class EstablishmentLink(models.Model):
    """A GIAS link between two URNs (e.g. an academy and the school it replaced)."""

    urn = models.CharField("URN", max_length=8, db_index=True)
    linked_urn = models.CharField(max_length=8, db_index=True)
    linked_name = models.CharField(max_length=200, blank=True)
    link_type = models.CharField(max_length=100)
    established = models.DateField(null=True, blank=True)
    dataset = models.ForeignKey(Dataset, models.CASCADE, related_name="establishment_links")

    def __str__(self) -> str:
        return f"{self.urn} {self.link_type} {self.linked_urn}"
