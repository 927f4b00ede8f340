"""School census January 2019, performance tables (england_census.csv): by URN, plus NAT rows."""

from __future__ import annotations

from collections import defaultdict

from sendtrust.benchmarks.loaders.base import (
    Cell,
    CellParser,
    Context,
    CsvTable,
    FigureWriter,
    Place,
    When,
    check_total,
    read_csv,
)
from sendtrust.benchmarks.loaders.geography import ENGLAND
from sendtrust.benchmarks.loaders.runner import Loader
from sendtrust.benchmarks.models import Level, Phase

FOLDER = "school-census-2019-perf-tables"
# The file has no period column; its national rows match DfE's January 2019 census figures.
WHEN = When("2019", 2019)

# Stored per school: the SEN figures, and EAL and FSM rates as context. Other columns are
# left out because each costs 24,000 rows (the national check still reads them).
COLUMNS = {
    "NOR": "pupils",
    "TSENELSE": "ehcp_count",
    "PSENELSE": "ehcp_rate",
    "TSENELK": "sen_support_count",
    "PSENELK": "sen_support_rate",
    "PNUMEAL": "eal_rate",
    "PNUMFSMEVER": "fsm_ever_rate",
}
# Counts that the national rows publish and the school rows can be summed to.
SUMMED = ["NOR", "NORG", "NORB", "TSENELSE", "TSENELK", "NUMEAL", "NUMFSM", "NUMFSMEVER"]
LA_SUMMED = ["NOR", "TSENELSE", "TSENELK"]
PARSED = list(dict.fromkeys([*COLUMNS, *SUMMED]))
AT = {col: i for i, col in enumerate(PARSED)}

SCHOOL_TYPES = {
    "State-funded primary": Phase.PRIMARY,
    "State-funded secondary": Phase.SECONDARY,
    "State-funded special school": Phase.SPECIAL,
    "Non-maintained special school": Phase.NON_MAINTAINED_SPECIAL,
    "State-funded nursery": Phase.NURSERY,
    "Pupil referral unit": Phase.AP,
    "Independent school": Phase.INDEPENDENT,
}
NATIONAL_PHASES = {"PRI": Phase.PRIMARY, "SEC": Phase.SECONDARY, "SPE": Phase.SPECIAL}


def load_census(ctx: Context) -> None:
    """Figures per school (by URN), per LA and phase, and the file's own national rows."""
    known_las = _la_lookup(ctx)
    writer = FigureWriter(ctx)
    append, parse, dataset_id = writer.append, CellParser(ctx), writer.dataset_id
    memo = parse.memo  # the parser's memo, read inline: most cells are repeats
    written = [(AT[col], writer.use(measure)) for col, measure in COLUMNS.items()]
    # A row's cells are a tuple in PARSED order; AT gives a column's place in it.
    national: dict[str, tuple[str, tuple[Cell, ...]]] = {}
    by_type: dict[str, list[tuple[Cell, ...]]] = defaultdict(list)
    unknown_types: set[str] = set()
    unknown_las: set[str] = set()
    la_sums: dict[tuple[str, str], list[tuple[Cell, ...]]] = defaultdict(list)
    with CsvTable(ctx) as table:
        parsed = list(zip(PARSED, table.columns(*PARSED), strict=True))
        urn_at, la_at, estab_at, type_at = table.columns("URN", "LA", "ESTAB", "SCHOOLTYPE")
        for line, row in table.rows():
            cells = tuple([memo.get(row[i]) or parse(row[i], line, col) for col, i in parsed])
            urn, school_type = row[urn_at], row[type_at]
            if urn == "NAT":
                estab = row[estab_at]
                phase = NATIONAL_PHASES.get(estab)
                if phase is None:
                    raise ctx.error(f"national row with unknown ESTAB {estab!r}", line)
                national[estab] = (school_type, cells)
                _write(writer, ENGLAND, phase, cells)
                continue
            if not urn.isdigit():
                raise ctx.error(f"URN {urn!r} is neither a number nor NAT", line)
            phase = SCHOOL_TYPES.get(school_type, Phase.ALL)
            if phase == Phase.ALL:
                unknown_types.add(school_type)
            la = row[la_at]
            if known_las and la not in known_las:
                unknown_las.add(la)
            by_type[school_type].append(cells)
            for at, measure in written:
                append((dataset_id, measure, WHEN.period, WHEN.year, Level.SCHOOL, urn, "", la,
                        phase, "", "", "", *cells[at]))
            writer.flush_if_full()
            if phase:
                la_sums[(la, phase)].append(cells)
    _write_la_sums(ctx, writer, la_sums, known_las)
    writer.flush()
    _check_national(ctx, national, by_type)
    if unknown_types:
        ctx.warn(f"{ctx.name}: school types not mapped to a phase: {sorted(unknown_types)}")
    if unknown_las:
        ctx.warn(f"{ctx.name}: LA codes not in la_and_region_codes_meta.csv: {sorted(unknown_las)}")


def _write(writer: FigureWriter, place: Place, phase: str, cells: tuple[Cell, ...]) -> None:
    for col, measure in COLUMNS.items():
        writer.add(measure, WHEN, place, cells[AT[col]], phase=phase)


def _write_la_sums(ctx: Context, writer: FigureWriter, la_sums, la_names) -> None:
    """LA figures per phase, summed from the school rows (the file publishes none)."""
    left_out = 0
    summed = [AT[col] for col in LA_SUMMED]
    for (la, phase), schools in sorted(la_sums.items()):
        complete = [c for c in schools if all(c[at][0] is not None for at in summed)]
        left_out += len(schools) - len(complete)
        pupils, ehcp, support = (sum(c[at][0] for c in complete) for at in summed)
        figures = {
            "pupils": pupils,
            "ehcp_count": ehcp,
            "sen_support_count": support,
            "ehcp_rate": _percent(ehcp, pupils),
            "sen_support_rate": _percent(support, pupils),
        }
        place = Place(Level.LA, la, la_names.get(la, ""), la)
        for measure, value in figures.items():
            writer.add(measure, WHEN, place, (value, "" if value is not None else "z"), phase=phase)
    ctx.note(
        "LA figures by phase are sums of the school rows (rates to 1 d.p.); "
        f"{left_out} school(s) with NA in NOR, TSENELSE or TSENELK left out of them"
    )


def _percent(part: float, whole: float) -> float | None:
    return round(100 * part / whole, 1) if whole else None


def _la_lookup(ctx: Context) -> dict[str, str]:
    """LA number -> name from la_and_region_codes_meta.csv, the lookup shipped with the file."""
    meta = ctx.path.with_name("la_and_region_codes_meta.csv")
    if not meta.exists():
        ctx.note("la_and_region_codes_meta.csv absent: school LA codes not checked")
        return {}
    rows_read = ctx.rows_read
    lookup = {row["LEA"]: row["LA Name"] for _, row in read_csv(ctx, path=meta)}
    ctx.rows_read = rows_read  # rows_read counts the census file's own rows
    return lookup


def _check_national(ctx: Context, national, by_type) -> None:
    """Compare each NAT row with the sum of the school rows of the same type; warn on gaps."""
    for estab, (school_type, cells) in sorted(national.items()):
        schools = by_type.get(school_type, [])
        for col in SUMMED:
            published = cells[AT[col]][0]
            parts = [school[AT[col]] for school in schools]
            check_total(ctx, f"NAT {estab} row, {col}", published, parts)


LOADERS = [
    Loader(
        f"{FOLDER}/england_census.csv",
        "school-census-2019",
        (
            "DfE school census, January 2019 (performance tables england_census.csv; "
            "LA figures by phase summed from its school rows)"
        ),
        load_census,
    ),
]

SKIPS = {
    f"{FOLDER}/la_and_region_codes_meta.csv": (
        "read with england_census.csv as its LA lookup; no figures of its own"
    ),
}
