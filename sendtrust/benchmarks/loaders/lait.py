"""DfE LAIT benchmarking series (SEN subset): England, regions and LAs, to 2025."""

from __future__ import annotations

import re

from sendtrust.benchmarks.loaders.base import (
    CellParser,
    Context,
    CsvTable,
    FigureWriter,
    Place,
    When,
    read_csv,
)
from sendtrust.benchmarks.loaders.geography import ENGLAND, REGIONS
from sendtrust.benchmarks.loaders.runner import Loader
from sendtrust.benchmarks.measures import PERCENT
from sendtrust.benchmarks.models import Level, Phase, SenGroup

FOLDER = "lait-2026"
# LAIT numbers England and the regions in the LA-number column.
LAIT_PLACES = {
    "970": "E92000001",
    "980": "E12000001",
    "981": "E12000002",
    "982": "E12000003",
    "983": "E12000004",
    "984": "E12000005",
    "985": "E12000006",
    "986": "E12000007",
    "987": "E13000001",
    "988": "E13000002",
    "989": "E12000008",
    "990": "E12000009",
}

E, K, N = SenGroup.EHCP, SenGroup.SEN_SUPPORT, SenGroup.NO_SEN
# LAIT indicator -> (measure, SEN group, phase). Others load as "lait:<indicator>".
CANONICAL = {
    "SEN_TotSENSuP": ("sen_support_rate", "", ""),
    "SEN_TotStat": ("ehcp_rate", "", ""),
    "PrimStatements": ("ehcp_rate", "", Phase.PRIMARY),
    "SecStatements": ("ehcp_rate", "", Phase.SECONDARY),
    "PrimNoStatements": ("sen_support_rate", "", Phase.PRIMARY),
    "SecNoStatements": ("sen_support_rate", "", Phase.SECONDARY),
    "SEN_CASES_JAN": ("ehcp_caseload", "", ""),
    "SEN_EHC_All_20wks": ("ehcp_20wk_rate", "", ""),
    "SEN_EHC_Excpt_20wks": ("ehcp_20wk_rate_ex", "", ""),
    "SEN_AppealableDec": ("sen_tribunal_appeal_rate", "", ""),
    "KS1P_all": ("ks1_phonics_expected_pct", "", ""),
    "KS1P_EHCP": ("ks1_phonics_expected_pct", E, ""),
    "KS1P_SEND": ("ks1_phonics_expected_pct", K, ""),
    "KS1P_NonSEND": ("ks1_phonics_expected_pct", N, ""),
    "NEW_KS2_RWM_Sen_Withsta": ("ks2_rwm_expected_pct", E, ""),
    "NEW_KS2_RWM_Sen_W/Osta": ("ks2_rwm_expected_pct", K, ""),
    "NoID_SEN_NEW_KS2_RWM": ("ks2_rwm_expected_pct", N, ""),
    "SEN_Stat_AVG_Attain8_Score": ("ks4_attainment8_avg", E, ""),
    "SEN_WoStat_AVG_Attain8_Score": ("ks4_attainment8_avg", K, ""),
    "SEN_NoID_AVG_Attain8_Score": ("ks4_attainment8_avg", N, ""),
    "SEN_Stat_AVG_Prog8_Score": ("ks4_progress8_avg", E, ""),
    "SEN_WoStat_AVG_Prog8_Score": ("ks4_progress8_avg", K, ""),
    "SEN_NoID_AVG_Prog8_Score": ("ks4_progress8_avg", N, ""),
}
YEARS = re.compile(r"^(\d{4})(?:-(\d{2}))?(?: \(\w+\))?$")


def lait_period(text: str) -> When:
    """'2025', '2025 (prov)', '2016-17 (OT)' kept as labels, with the year each ends in."""
    match = YEARS.match(text.strip())
    if not match:
        raise ValueError(text)
    start = int(match.group(1))
    return When(text.strip(), start + 1 if match.group(2) else start)


def lait_place(row: dict[str, str]) -> Place:
    """England, a region or an LA, from the LA-number column."""
    number = row["LA Number"].strip().removesuffix(".0")
    name = row["LA and Regions"].strip()
    code = LAIT_PLACES.get(number)
    if code == ENGLAND.code:
        return ENGLAND
    if code:
        return Place(Level.REGIONAL, code, REGIONS[code])
    return Place(Level.LA, number, name, number)


def load_lait(ctx: Context) -> None:
    """Every indicator in the SEN subset; SEN rates, timeliness and outcomes under our codes."""
    labels = _dictionary_labels(ctx)
    writer = FigureWriter(ctx)
    append, parse, dataset_id = writer.append, CellParser(ctx), writer.dataset_id
    memo = parse.memo  # the parser's memo, read inline: most cells are repeats
    # 118,000 rows share a few dozen periods, 170 places and a few hundred indicators: each
    # is parsed once, into the leading and middle parts of the figure tuple.
    periods: dict[str, When] = {}
    places: dict[tuple[str, str, str], tuple] = {}
    indicators: dict[str, tuple[str, str, str]] = {}
    with CsvTable(ctx) as table:
        short, item, years, name, values, number = table.columns(
            "Short Desc", "Data item", "Years", "LA and Regions", "Values", "LA Number"
        )
        for line, row in table.rows():
            place_key = (row[years], row[number], row[name])
            where = places.get(place_key)
            if where is None:
                where = places[place_key] = _where(ctx, periods, place_key, line)
            target = indicators.get(row[short])
            if target is None:
                target = indicators[row[short]] = _indicator(writer, labels, row[short], row[item])
            measure, sen, phase = target
            text = row[values]
            value, symbol = memo.get(text) or parse(text, line, "Values")
            append((dataset_id, measure, *where, phase, sen, "", "", value, symbol))
            writer.flush_if_full()
    writer.flush()
    ctx.note(
        f"{len(CANONICAL)} SEN indicators stored under sendtrust measure codes; the rest as lait:*"
    )


def _where(ctx: Context, periods: dict[str, When], key: tuple[str, str, str], line: int) -> tuple:
    """(period, year, level, code, name, LA) for a row's Years, LA Number and LA name."""
    years, number, name = key
    if years not in periods:
        try:
            periods[years] = lait_period(years)
        except ValueError:
            raise ctx.error(f"unrecognised Years {years!r}", line) from None
    if not number.strip().removesuffix(".0").isdigit():
        raise ctx.error(f"LA Number {number!r} is not a number", line)
    when = periods[years]
    place = lait_place({"LA Number": number, "LA and Regions": name})
    return when.period, when.year, place.level, place.code, place.name, place.la_code


def _indicator(writer: FigureWriter, labels, short_desc: str, data_item: str):
    """(measure, SEN group, phase) for an indicator, defining the lait:* measures it brings."""
    indicator = short_desc.strip()
    measure, sen, phase = CANONICAL.get(indicator, (f"lait:{indicator}"[:64], "", ""))
    if measure.startswith("lait:"):
        label, unit = labels.get(indicator) or (data_item or indicator, "value")
        writer.define(measure, " ".join(label.split()), unit)
    return writer.use(measure), sen, phase


def _dictionary_labels(ctx: Context) -> dict[str, tuple[str, str]]:
    """Indicator -> (label, unit) from lait_data_dictionary.csv when it is beside the data."""
    path = ctx.path.with_name("lait_data_dictionary.csv")
    if not path.exists():
        return {}
    rows_read = ctx.rows_read
    labels = {}
    for _, row in read_csv(ctx, path=path):
        unit = PERCENT if "%" in row["y_axis_name"] else "value"
        labels[row["Measure_short"].strip()] = (row["Measure"].strip(), unit)
    ctx.rows_read = rows_read
    return labels


LOADERS = [
    Loader(
        f"{FOLDER}/bds_long_sen_subset.csv",
        "lait",
        "DfE Local Authority Interactive Tool (LAIT), SEN indicators (bds_long_sen_subset.csv)",
        load_lait,
    ),
]

SKIPS = {
    f"{FOLDER}/bds_long_0.parquet": (
        "Parquet needs pyarrow, which sendtrust does not depend on; its SEN indicators are "
        "all in bds_long_sen_subset.csv, which is loaded"
    ),
    f"{FOLDER}/lait_data_dictionary.csv": "read with bds_long_sen_subset.csv for measure labels",
}
