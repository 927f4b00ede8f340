"""SEN support and EHC plan rates of all pupils: every year LAIT holds, and by phase.

All-schools rates come from DfE's LAIT series (January census, 2016 to 2025). By phase, the
shipped files have two years: 2016 (LAIT, primary and secondary) and 2019 (the performance
tables census file, primary, secondary and special).
"""

from __future__ import annotations

from django.db.models import Sum

from sendtrust.analytics import charts
from sendtrust.analytics.national.base import (
    ENGLAND,
    Area,
    Found,
    NationalFigure,
    Source,
    fmt_count,
    read,
    share,
)
from sendtrust.analytics.tables import Column, Table
from sendtrust.benchmarks.models import Figure, Level, Phase

LAIT = Source("lait-2026/bds_long_sen_subset.csv",
              "England and each local authority (pupils counted where they go to school)",
              "all schools: state-funded, independent and non-maintained special, January "
              "census")
LAIT_PHASES = Source("lait-2026/bds_long_sen_subset.csv",
                     "England and each local authority", "state-funded primary and secondary "
                     "schools, January 2016 (indicators PrimStatements, PrimNoStatements, "
                     "SecStatements, SecNoStatements)")
CENSUS = Source("school-census-2019-perf-tables/england_census.csv",
                "England (the file's national rows) and each local authority (the sum of its "
                "school rows)", "state-funded primary, secondary and special schools, January "
                "2019")
MAINSTREAM = Source("send-ap-dashboard-2024/prepared/mainstream_with_sen.csv",
                    "England and each local authority", "state-funded mainstream schools "
                    "(primary and secondary together), January census, as DfE's Local Area SEND "
                    "and AP dashboard prepared them from SEN in England")
RATES = ("sen_support_rate", "ehcp_rate")
COUNTS = ("pupils", "sen_support_count", "ehcp_count")
PHASES = (Phase.PRIMARY, Phase.SECONDARY, Phase.SPECIAL)


def rates_all_years(areas: list[Area]) -> NationalFigure:
    """SEN support and EHC plan rates of all pupils in every January LAIT holds."""
    found = read(LAIT, RATES, areas, phase="", sen="", need="", breakdown="")
    rows, chart = [], []
    for area in areas:
        for year in found.years("ehcp_rate", area.code):
            row = {"place": area.name, "when": f"January {year}",
                   "sen_support": found.shown("sen_support_rate", area.code, year),
                   "ehcp": found.shown("ehcp_rate", area.code, year)}
            rows.append(row)
            for key, label in (("sen_support", "SEN support"), ("ehcp", "EHC plan")):
                if isinstance(row[key], float):
                    chart.append({"series": f"{area.name}: {label}", "year": str(year),
                                  "rate": row[key]})
    reading = _rates_reading(rows)
    table = Table(
        key="sen-rates", caption="Pupils on SEN support and with an EHC plan, % of all pupils",
        columns=[Column("place", "Place"), Column("when", "Census"),
                 Column("sen_support", "SEN support (%)", "pct"),
                 Column("ehcp", "EHC plan or statement (%)", "pct")],
        rows=rows,
        notes=[found.source_note(),
               "LAIT indicators SEN_TotSENSuP and SEN_TotStat, as DfE rounds them (one "
               "decimal place). Before 2018 some pupils still had a statement of SEN rather "
               "than an EHC plan; LAIT counts both.",
               "Pupil counts behind these rates are not in the LAIT file."],
    )
    spec = charts.line_spec(chart, x="year", y="rate", series="series",
                            title="SEN support and EHC plan rates, all schools (%)",
                            description=reading, y_title="% of pupils",
                            x_title="January census") if chart else None
    return NationalFigure("sen-rates", "SEN support and EHC plan rates, every year", table,
                          reading, spec)


def _rates_reading(rows: list[dict]) -> str:
    eng = [r for r in rows if r["place"] == "England" and isinstance(r["ehcp"], float)]
    if not eng:
        return "No SEN support or EHC plan rates are loaded."
    first, last = eng[0], eng[-1]
    return (f"In England the share of pupils with an EHC plan went from {first['ehcp']:.1f}% "
            f"in {first['when']} to {last['ehcp']:.1f}% in {last['when']}, and on SEN support "
            f"from {first['sen_support']:.1f}% to {last['sen_support']:.1f}%.")


def rates_by_phase(areas: list[Area]) -> NationalFigure:
    """Rates by phase for the years the shipped files have them (2016, 2019; mainstream
    schools together 2018 to 2023)."""
    lait = read(LAIT_PHASES, RATES, areas, sen="", need="", breakdown="",
                phase__in=[Phase.PRIMARY, Phase.SECONDARY])
    census = read(CENSUS, (*RATES, *COUNTS), areas, sen="", need="", breakdown="",
                  phase__in=list(PHASES))
    mainstream = read(MAINSTREAM, (*RATES, "pupils"), areas, sen="", need="", breakdown="",
                      phase=Phase.MAINSTREAM)
    sets = [(lait, year, PHASES[:2]) for year in lait.years("ehcp_rate", ENGLAND,
                                                             phase=Phase.PRIMARY)]
    sets += [(census, year, PHASES) for year in census.years("ehcp_rate", ENGLAND,
                                                              phase=Phase.PRIMARY)]
    sets += [(mainstream, year, [Phase.MAINSTREAM])
             for year in mainstream.years("ehcp_rate", ENGLAND, phase=Phase.MAINSTREAM)]
    rows, chart = [], []
    for found, year, phases in sets:
        for area in areas:
            for phase in phases:
                if found.get("ehcp_rate", area.code, year, phase=phase) is None:
                    continue
                row = _phase_row(found, area, year, phase)
                rows.append(row)
                for key, label in (("sen_support_rate", "SEN support"),
                                   ("ehcp_rate", "EHC plan")):
                    if isinstance(row[key], float) and found is not mainstream:
                        chart.append({"category": f"{row['phase']} {year}: {label}",
                                      "place": area.name, "rate": row[key]})
    notes = [lait.source_note(), census.source_note(), mainstream.source_note(),
             "LAIT labels its 2016 SEN support indicators '% of SEN pupils without statement'; "
             "the values are shares of all pupils of the phase.",
             "LA figures for 2019 are sums of the file's school rows (schools with NA left "
             "out); England's are the file's national rows."]
    if special := _special_note(census, areas[0]):
        notes.append(special)
    notes.append("Primary, secondary and special schools separately: the shipped files hold "
                 "only January 2016 (primary and secondary) and January 2019; other years are "
                 "given for state-funded mainstream schools together.")
    reading = _phase_reading(rows)
    table = Table(
        key="sen-rates-by-phase", caption="Pupils on SEN support and with an EHC plan, % of "
        "the pupils of each phase",
        columns=[Column("place", "Place"), Column("when", "Census"),
                 Column("phase", "Phase"), Column("pupils", "Pupils", "count"),
                 Column("sen_support_rate", "SEN support (%)", "pct"),
                 Column("ehcp_rate", "EHC plan (%)", "pct"), Column("file", "File")],
        rows=rows, notes=notes,
    )
    spec = charts.dot_spec(chart, category="category", value="rate", group="place",
                           title="SEN support and EHC plan rates by phase (%)",
                           description=reading, x_title="% of pupils") if chart else None
    return NationalFigure("sen-rates-by-phase", "SEN support and EHC plan rates by phase",
                          table, reading, spec)


def _phase_row(found: Found, area: Area, year: int, phase: str) -> dict:
    file = found.file_name
    return {"place": area.name, "when": f"January {year}", "phase": Phase(phase).label,
            "pupils": found.count("pupils", area.code, year, phase=phase),
            "sen_support_rate": found.shown("sen_support_rate", area.code, year, phase=phase),
            "ehcp_rate": found.shown("ehcp_rate", area.code, year, phase=phase),
            "file": file}


def _special_note(census: Found, england: Area) -> str | None:
    """Say when the national special-school row has more EHC plans than pupils."""
    pupils = census.value("pupils", england.code, 2019, phase=Phase.SPECIAL)
    plans = census.value("ehcp_count", england.code, 2019, phase=Phase.SPECIAL)
    if pupils is None or plans is None or plans <= pupils:
        return None
    sums = dict(
        Figure.objects.filter(dataset=census.dataset, level=Level.LA, phase=Phase.SPECIAL,
                              measure_id__in=["pupils", "ehcp_count"])
        .values_list("measure_id").annotate(total=Sum("value"))
    )
    summed = share(sums.get("ehcp_count"), sums.get("pupils"))
    also = (f"; the file's special-school rows sum to {fmt_count(sums['ehcp_count'])} plans "
            f"among {fmt_count(sums['pupils'])} pupils ({summed:.1f}%)" if summed else "")
    return (f"England's special-school row for 2019 is DfE's published national row, shown "
            f"as published, although it counts {fmt_count(plans)} EHC plans among "
            f"{fmt_count(pupils)} pupils{also}.")


def _phase_reading(rows: list[dict]) -> str:
    eng = {(r["when"], r["phase"]): r for r in rows if r["place"] == "England"}
    primary = eng.get(("January 2019", Phase.PRIMARY.label))
    secondary = eng.get(("January 2019", Phase.SECONDARY.label))
    if not primary or not secondary:
        return "No SEN rates by phase are loaded."
    return (f"In January 2019, {primary['sen_support_rate']:.1f}% of pupils in England's "
            f"state-funded primary schools were on SEN support and "
            f"{primary['ehcp_rate']:.1f}% had an EHC plan, against "
            f"{secondary['sen_support_rate']:.1f}% and {secondary['ehcp_rate']:.1f}% in "
            f"secondary schools.")
