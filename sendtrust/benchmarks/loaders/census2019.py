"""School census January 2019, performance tables (england_census.csv): by URN, plus NAT rows."""

from __future__ import annotations

from collections import defaultdict

from sendtrust.benchmarks.loaders.base import (
    Cell,
    Context,
    FigureWriter,
    Place,
    When,
    check_total,
    parse_cell,
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
    national: dict[str, tuple[str, dict[str, Cell]]] = {}
    sums: dict[str, dict[str, list[Cell]]] = defaultdict(lambda: defaultdict(list))
    unknown_types: set[str] = set()
    unknown_las: set[str] = set()
    la_sums: dict[tuple[str, str], list[dict[str, Cell]]] = defaultdict(list)
    for line, row in read_csv(ctx):
        cells = {col: parse_cell(ctx, row[col], line, col) for col in PARSED}
        if row["URN"] == "NAT":
            phase = NATIONAL_PHASES.get(row["ESTAB"])
            if phase is None:
                raise ctx.error(f"national row with unknown ESTAB {row['ESTAB']!r}", line)
            national[row["ESTAB"]] = (row["SCHOOLTYPE"], cells)
            _write(writer, ENGLAND, phase, cells)
            continue
        if not row["URN"].isdigit():
            raise ctx.error(f"URN {row['URN']!r} is neither a number nor NAT", line)
        phase = SCHOOL_TYPES.get(row["SCHOOLTYPE"], Phase.ALL)
        if phase == Phase.ALL:
            unknown_types.add(row["SCHOOLTYPE"])
        if known_las and row["LA"] not in known_las:
            unknown_las.add(row["LA"])
        for col in SUMMED:
            sums[row["SCHOOLTYPE"]][col].append(cells[col])
        _write(writer, Place(Level.SCHOOL, row["URN"], "", row["LA"]), phase, cells)
        if phase:
            la_sums[(row["LA"], phase)].append(cells)
    _write_la_sums(ctx, writer, la_sums, known_las)
    writer.flush()
    _check_national(ctx, national, sums)
    if unknown_types:
        ctx.warn(f"{ctx.name}: school types not mapped to a phase: {sorted(unknown_types)}")
    if unknown_las:
        ctx.warn(f"{ctx.name}: LA codes not in la_and_region_codes_meta.csv: {sorted(unknown_las)}")


def _write(writer: FigureWriter, place: Place, phase: str, cells: dict[str, Cell]) -> None:
    for col, measure in COLUMNS.items():
        writer.add(measure, WHEN, place, cells[col], phase=phase)


def _write_la_sums(ctx: Context, writer: FigureWriter, la_sums, la_names) -> None:
    """LA figures per phase, summed from the school rows (the file publishes none)."""
    left_out = 0
    for (la, phase), schools in sorted(la_sums.items()):
        complete = [c for c in schools if all(c[col][0] is not None for col in LA_SUMMED)]
        left_out += len(schools) - len(complete)
        pupils, ehcp, support = (sum(c[col][0] for c in complete) for col in LA_SUMMED)
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


def _check_national(ctx: Context, national, sums) -> None:
    """Compare each NAT row with the sum of the school rows of the same type; warn on gaps."""
    for estab, (school_type, cells) in sorted(national.items()):
        for col in SUMMED:
            published = cells[col][0]
            check_total(ctx, f"NAT {estab} row, {col}", published, sums[school_type][col])


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
