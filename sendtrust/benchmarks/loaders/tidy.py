"""Tidy DfE files (the EES layout): one row per period, place and breakdown, measures in columns.

A Spec says which columns become which measures and how a row's breakdown columns map to
sendtrust's phase / SEN group / need / other breakdowns; load_tidy does the rest, including
the checks that published totals equal the sum of their parts.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import partial

from sendtrust.benchmarks.loaders.base import (
    Cell,
    CellParser,
    Context,
    CsvTable,
    FigureWriter,
    Place,
    When,
    academic_or_calendar,
    canonical_breakdown,
    check_total,
)
from sendtrust.benchmarks.loaders.geography import ENGLAND, Places
from sendtrust.benchmarks.loaders.runner import Loader
from sendtrust.benchmarks.models import Level, SenGroup

# column -> measure code, or (measure code, extra breakdown such as {"need": "ASD"}).
Target = str | tuple[str, dict[str, str]]
# row -> breakdown dims ({} for the headline row), or a str saying why the row is not loaded.
Classifier = Callable[[dict[str, str]], dict[str, str] | str]
# SEN groups that partition all pupils, so their counts sum to the all-pupils count.
EXCLUSIVE_SEN = {SenGroup.EHCP, SenGroup.SEN_SUPPORT, SenGroup.NO_SEN, SenGroup.UNCLASSIFIED}


def headline_only(row: dict[str, str]) -> dict[str, str] | str:
    """Load only rows whose breakdown is the whole (breakdown_topic == breakdown)."""
    topic = row["breakdown_topic"]
    return {} if topic == row["breakdown"] else f"breakdown_topic {topic!r}"


def ees_when(row: dict[str, str]) -> When:
    return academic_or_calendar(row["time_period"])


def ees_place(row: dict[str, str], places: Places) -> Place | None:
    """England, a region or an LA from the EES geography columns; None for other levels."""
    level = row["geographic_level"]
    if level == "National":
        return ENGLAND
    if level == "Regional":
        return places.region(row.get("region_code", ""), row.get("region_name", ""))
    if level == "Local authority":
        return places.la(row.get("old_la_code", ""), row.get("new_la_code", ""), row["la_name"])
    return None


@dataclass(frozen=True)
class Spec:
    measures: dict[str, Target]
    classify: Classifier = headline_only
    # Columns loaded for breakdown rows; None means the same as headline rows.
    breakdown_measures: dict[str, Target] | None = None
    # Columns chosen row by row (e.g. by a data_type column); overrides the two above.
    row_measures: Callable[[dict[str, str]], dict[str, Target]] | None = None
    place: Callable[[dict[str, str], Places], Place | None] = ees_place
    when: Callable[[dict[str, str]], When] = ees_when
    # A count column whose national (and regional) headline should equal the sum over LAs.
    national_check: str | None = None
    # A count column whose all-pupils figure should equal the sum over exclusive SEN groups.
    parts_check: str | None = None
    # How far a total may be from its parts before it is reported (rounded counts).
    tolerance: float = 0.5
    # A consistency test per row, returning what is wrong (reported as a warning) or None.
    row_check: Callable[[dict[str, str]], str | None] | None = None
    encoding: str = "utf-8-sig"


@dataclass
class _Checks:
    national: dict = field(default_factory=dict)
    las: dict = field(default_factory=lambda: defaultdict(list))
    totals: dict = field(default_factory=dict)
    parts: dict = field(default_factory=lambda: defaultdict(list))


def load_tidy(ctx: Context, spec: Spec) -> None:
    """Load a tidy file by its Spec; rows not loaded are counted in the notes, never hidden."""
    places = Places()
    writer = FigureWriter(ctx)
    append, parse, dataset_id = writer.append, CellParser(ctx), writer.dataset_id
    memo = parse.memo  # the parser's memo, read inline: most cells are repeats
    skipped: Counter[str] = Counter()
    failed: Counter[str] = Counter()
    checks = _Checks()
    # (columns, breakdown) -> what each loaded column becomes, worked out once per file.
    plans: dict[tuple, list[tuple]] = {}
    # The Spec's own mappings (alive as long as it is) are known by identity.
    static = {id(spec.measures), id(spec.breakdown_measures)}
    with CsvTable(ctx, encoding=spec.encoding) as table:
        header, index = table.header, table.index
        for line, fields in table.rows():
            # The Spec's functions read rows by column name; cells are read by position.
            row = dict(zip(header, fields, strict=True))
            if spec.row_check and (problem := spec.row_check(row)):
                failed[problem] += 1
            dims = spec.classify(row)
            place = spec.place(row, places) if not isinstance(dims, str) else None
            if isinstance(dims, str) or place is None:
                skipped[
                    dims if isinstance(dims, str) else f"geography {row.get('geographic_level')}"
                ] += 1
                continue
            when = _when(ctx, spec, row, line)
            columns = _columns(spec, row, dims)
            key = (id(columns) if id(columns) in static else _frozen(columns), *dims.items())
            plan = plans.get(key)
            if plan is None:
                plan = plans[key] = _plan(writer, index, columns, dims)
            head = (when.period, when.year, place.level, place.code, place.name, place.la_code)
            for at, column, measure, tail in plan:
                text = fields[at]
                cell = memo.get(text) or parse(text, line, column)
                append((dataset_id, measure, *head, *tail, *cell))
            writer.flush_if_full()
            _remember(spec, checks, parse, row, line, when, place, dims)
    writer.flush()
    places.report_unmatched(ctx)
    _report_checks(ctx, spec, checks)
    for problem, count in sorted(failed.items()):
        ctx.warn(f"{ctx.name}: {count:,} row(s) where {problem}; reported, not corrected")
    for reason, count in sorted(skipped.items()):
        ctx.note(f"not loaded: {count:,} rows with {reason}")


def _columns(spec: Spec, row: dict[str, str], dims: dict[str, str]) -> dict[str, Target]:
    if spec.row_measures:
        return spec.row_measures(row)
    if dims and spec.breakdown_measures is not None:
        return spec.breakdown_measures
    return spec.measures


def _frozen(columns: dict[str, Target]) -> tuple:
    """A hashable form of a column -> target mapping built row by row (Spec.row_measures)."""
    return tuple(
        (column, target if isinstance(target, str) else (target[0], *target[1].items()))
        for column, target in columns.items()
    )


def _plan(writer: FigureWriter, index: dict[str, int], columns: dict[str, Target],
          dims: dict[str, str]) -> list[tuple]:
    """[(position, column, measure, (phase, sen, need, breakdown))] for a row's columns."""
    plan = []
    for column, target in columns.items():
        measure, extra = (target, {}) if isinstance(target, str) else target
        if clash := extra.keys() & dims.keys():
            raise TypeError(f"{column}: breakdown {sorted(clash)} given twice")
        parts = {**dims, **extra}
        phase, sen, need = (parts.pop(name, "") for name in ("phase", "sen", "need"))
        tail = (phase, sen, need, canonical_breakdown(**parts) if parts else "")
        plan.append((index[column], column, writer.use(measure), tail))
    return plan


def _when(ctx: Context, spec: Spec, row: dict[str, str], line: int) -> When:
    try:
        return spec.when(row)
    except (ValueError, KeyError) as exc:
        raise ctx.error(f"unrecognised time period ({exc})", line) from None


def _remember(spec, checks: _Checks, parse, row, line, when: When, place: Place, dims) -> None:
    """Keep the cells the total-versus-parts checks need."""
    if spec.national_check and not dims:
        cell = parse(row[spec.national_check], line, spec.national_check)
        # Each LA counts towards England and towards its region.
        if place.level in (Level.NATIONAL, Level.REGIONAL):
            checks.national[(when.period, place.name)] = cell
        elif place.level == Level.LA:
            checks.las[(when.period, ENGLAND.name)].append(cell)
            if row.get("region_name"):
                checks.las[(when.period, row["region_name"])].append(cell)
    if spec.parts_check and set(dims) <= {"sen", "phase"}:
        key = (when.period, place.code, dims.get("phase", ""))
        cell = parse(row[spec.parts_check], line, spec.parts_check)
        if "sen" not in dims:
            checks.totals[key] = cell
        elif dims["sen"] in EXCLUSIVE_SEN:
            checks.parts[key].append(cell)


def _report_checks(ctx: Context, spec: Spec, checks: _Checks) -> None:
    for (period, area), (published, _) in sorted(checks.national.items()):
        parts = checks.las.get((period, area), [])
        if parts:
            what = f"{period} {area} {spec.national_check} vs the sum of its LA rows"
            check_total(ctx, what, published, parts, spec.tolerance)
    for key, (published, _) in sorted(checks.totals.items()):
        parts: list[Cell] = checks.parts.get(key, [])
        if parts:
            period, code, phase = key
            where = f"{code} {phase}".strip()
            what = f"{period} {where} {spec.parts_check} vs the sum of SEN groups"
            check_total(ctx, what, published, parts, spec.tolerance)


def release_loader(folder: str, family: str, title: str, name: str, what: str,
                   spec: Spec) -> Loader:
    """The Loader of one file of a release: '<title>: <what> (<name>)', loaded by its Spec."""
    return Loader(f"{folder}/{name}", family, f"{title}: {what} ({name})",
                  partial(load_tidy, spec=spec))

