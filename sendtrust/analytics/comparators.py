"""Like-for-like comparators: England and the local authority, for schools of the same kind,
from the same DfE file and census year, each labelled "England, state-funded primary,
January 2019".

One rule for every page: a school is compared with the sum of the school rows of the newest
school-level census file that holds schools of its kind (the same rows the funnel plot and the
centiles are drawn from), over England and over its local authority. Where the files hold no
school of its kind (all-through, 16 to 19) the comparator says so instead of borrowing another
kind's rate. Where the DfE's own national row for that kind disagrees with the sum of its
school rows, `basis_notes` says which is used and why, in one line.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

from django.core.cache import cache

from sendtrust.analytics.figures.common import CACHE_SECONDS, benchmark_phase, data_version
from sendtrust.benchmarks import queries as benchmarks
from sendtrust.benchmarks.models import Dataset, Figure, Level, Phase
from sendtrust.organisations.models import School

# The kinds of school a school-level census file can hold, as a person reads them.
KIND_LABELS = {
    Phase.PRIMARY: "state-funded primary",
    Phase.SECONDARY: "state-funded secondary",
    Phase.SPECIAL: "state-funded special",
    Phase.AP: "pupil referral unit and alternative provision",
    Phase.NURSERY: "state-funded nursery",
}
# Why there is no like-for-like figure for a school the files do not classify.
NO_KIND = {
    School.Phase.ALL_THROUGH: "the DfE files hold no figures for all-through schools as a kind",
    School.Phase.SIXTEEN_PLUS: "the DfE files hold no figures for 16 to 19 schools",
}
MEASURES = {"sen_support": "sen_support_count", "ehcp": "ehcp_count"}
NO_FIGURE = "No like-for-like figure"


@dataclass(frozen=True)
class Comparator:
    """A rate to set beside a school's: where, what kind of school, when, and from which file."""

    geography: str  # "England" or the local authority's name
    kind: str  # "state-funded primary"; "" when there is no like-for-like figure
    period: str  # "January 2019"
    sen_support_rate: float | None = None
    ehcp_rate: float | None = None
    source: str = ""
    schools: int = 0  # school rows summed
    reason: str = ""  # why there is no figure

    @property
    def available(self) -> bool:
        return not self.reason

    @property
    def label(self) -> str:
        if self.reason:
            return f"{NO_FIGURE} ({self.reason})"
        return f"{self.geography}, {self.kind}, {self.period}"

    def __str__(self) -> str:
        return self.label


def no_figure(geography: str, reason: str) -> Comparator:
    return Comparator(geography, "", "", reason=reason)


def _rate(sums: dict, measure: str) -> float | None:
    count, pupils = sums.get(measure, (0, 0))
    return round(100 * count / pupils, 1) if pupils else None


def _census_sums() -> dict:
    """Per kind: the file, and the sums of its school rows for England and for each LA.

    {phase: {"source", "year", "period", "england": {measure: (count, pupils)}, "la": {code:
    {...}}, "schools": n, "la_schools": {code: n}}}. A row counts for a measure only when
    both its pupils and the count are published and the count does not exceed the pupils:
    the same rule as the funnel, so the comparator is the funnel's centre line.
    """
    counts = ["pupils", *MEASURES.values()]
    newest: dict[str, tuple] = {}
    for phase, year, ds in (
        Figure.objects.filter(level=Level.SCHOOL, phase__in=KIND_LABELS, measure_id="pupils",
                              sen="", need="", breakdown="")
        .values_list("phase", "year", "dataset_id").distinct()
    ):
        if phase not in newest or (year, ds) > newest[phase]:
            newest[phase] = (year, ds)
    if not newest:
        return {}
    chosen = {(ds, phase) for phase, (_, ds) in newest.items()}
    datasets = {ds for ds, _ in chosen}
    per_school: dict = defaultdict(dict)
    for ds, phase, code, la, measure, value in Figure.objects.filter(
        level=Level.SCHOOL, dataset_id__in=datasets, phase__in=newest, measure_id__in=counts,
        sen="", need="", breakdown="",
    ).values_list("dataset_id", "phase", "geo_code", "la_code", "measure_id", "value"):
        if (ds, phase) in chosen:
            per_school[(phase, code, la)][measure] = value
    out: dict = {}
    titles = dict(Dataset.objects.filter(id__in=datasets).values_list("id", "title"))
    for phase, (year, ds) in newest.items():
        out[phase] = {"source": titles.get(ds, ""), "year": year, "period": f"January {year}",
                      "england": {}, "la": defaultdict(dict), "schools": 0,
                      "la_schools": defaultdict(int)}
    for (phase, _, la), v in per_school.items():
        entry = out[phase]
        p = v.get("pupils")
        if p is None or p <= 0:
            continue
        entry["schools"] += 1
        entry["la_schools"][la] += 1
        for measure, stored in MEASURES.items():
            c = v.get(stored)
            if c is None or c > p:
                continue
            for sums in (entry["england"], entry["la"][la]):
                k, n = sums.get(measure, (0, 0))
                sums[measure] = (k + round(c), n + round(p))
    notes = _national_row_notes(out, chosen)
    for phase in out:
        out[phase]["la"] = dict(out[phase]["la"])
        out[phase]["la_schools"] = dict(out[phase]["la_schools"])
        out[phase]["note"] = notes.get(phase, "")
    return out


def _national_row_notes(sums: dict, chosen: set) -> dict[str, str]:
    """One line per kind whose published national row differs from the sum of its schools."""
    rows: dict = defaultdict(dict)
    for ds, phase, measure, value in Figure.objects.filter(
        level=Level.NATIONAL, geo_code=benchmarks.ENGLAND,
        dataset_id__in={ds for ds, _ in chosen},
        measure_id__in=["pupils", *MEASURES.values()], sen="", need="", breakdown="",
    ).values_list("dataset_id", "phase", "measure_id", "value"):
        if (ds, phase) in chosen and value is not None:
            rows[phase][measure] = value
    notes = {}
    for phase, row in rows.items():
        entry, pupils = sums[phase], row.get("pupils")
        if not pupils:
            continue
        published = {m: round(100 * row[s] / pupils, 1) for m, s in MEASURES.items() if s in row}
        summed = {m: _rate(entry["england"], m) for m in MEASURES}
        if all(published.get(m) == summed[m] for m in published):
            continue
        over = [m for m, s in MEASURES.items() if row.get(s, 0) > pupils]
        why = ("its EHC plan count is larger than its pupils" if "ehcp" in over
               else "the school rows are what each school is placed among")
        notes[phase] = (
            f"England, {KIND_LABELS[phase]}, {entry['period']}: the DfE national row gives SEN "
            f"support {published.get('sen_support')}% and EHC plans {published.get('ehcp')}%; "
            f"sendtrust uses the sum of the file's {entry['schools']:,} school rows "
            f"({summed['sen_support']}% and {summed['ehcp']}%) because {why}, and the funnel "
            "and centiles are drawn from the same rows."
        )
    return notes


def census_sums(version: str | None = None) -> dict:
    """`_census_sums`, cached per version of the loaded DfE files."""
    key = f"analytics:census-sums:v1:{version or data_version()}"
    hit = cache.get(key)
    if hit is None:
        hit = _census_sums()
        cache.set(key, hit, CACHE_SECONDS)
    return hit


@dataclass(frozen=True)
class Comparators:
    """A school's (or the trust's) national and local authority comparators."""

    national: Comparator
    la: Comparator


def for_school(school: School, sums: dict) -> Comparators:
    """England and the school's LA, for schools of its kind in the same file and year."""
    phase = benchmark_phase(school)
    la_name = school.la_name or school.la_code or "Local authority"
    if phase is None:
        reason = NO_KIND.get(school.phase, "the DfE files hold no figures for this kind of school")
        return Comparators(no_figure("England", reason), no_figure(la_name, reason))
    entry = sums.get(phase)
    if entry is None:
        reason = f"no school-level census file with {KIND_LABELS[phase]} schools is loaded"
        return Comparators(no_figure("England", reason), no_figure(la_name, reason))
    kind, period, source = KIND_LABELS[phase], entry["period"], entry["source"]
    national = Comparator("England", kind, period, _rate(entry["england"], "sen_support"),
                          _rate(entry["england"], "ehcp"), source, entry["schools"])
    local = entry["la"].get(school.la_code)
    if not local:
        la = no_figure(la_name, f"the file has no {kind} schools in {la_name}")
    else:
        la = Comparator(la_name, kind, period, _rate(local, "sen_support"), _rate(local, "ehcp"),
                        source, entry["la_schools"].get(school.la_code, 0))
    return Comparators(national, la)


def for_schools(schools) -> tuple[dict[int, Comparators], Comparators, list[str]]:
    """Each school's comparators, the whole trust's, and the lines that explain the basis.

    The whole trust has a like-for-like figure only when all its schools are of one kind (and,
    for the LA, in one authority); a trust of several kinds says so.
    """
    schools = list(schools)
    sums = census_sums()
    each = {s.pk: for_school(s, sums) for s in schools}
    kinds = {benchmark_phase(s) for s in schools}
    if len(kinds) == 1 and schools and each[schools[0].pk].national.available:
        first = each[schools[0].pk]
        las = {s.la_code for s in schools}
        total = Comparators(first.national, first.la if len(las) == 1 else no_figure(
            "Local authority", "the trust's schools are in several local authorities"))
    else:
        reason = ("the trust's schools are of several kinds" if schools
                  else "the trust has no schools")
        total = Comparators(no_figure("England", reason), no_figure("Local authority", reason))
    notes = []
    for phase in sorted({p for p in kinds if p in sums}):
        entry = sums[phase]
        notes.append(f"England and LA, {KIND_LABELS[phase]}: sum of the school rows of "
                     f"{entry['source']}, {entry['period']} ({entry['schools']:,} schools).")
        if entry.get("note"):
            notes.append(entry["note"])
    return each, total, notes
