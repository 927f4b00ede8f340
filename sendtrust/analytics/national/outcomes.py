"""Exclusions, key stage 2 and 4 outcomes and key stage 4 destinations by SEN status.

England from DfE's national characteristics files; local authorities from the KS4 LA file
(2018/19) and LAIT (KS2 and Attainment 8) where the shipped files have them.
"""

from __future__ import annotations

from dataclasses import dataclass

from sendtrust.analytics import charts
from sendtrust.analytics.national.base import Area, Found, NationalFigure, Source, read
from sendtrust.analytics.tables import Column, Table
from sendtrust.benchmarks.models import SenGroup

E, K, N = SenGroup.EHCP, SenGroup.SEN_SUPPORT, SenGroup.NO_SEN
GROUPS = ((E, "EHC plan or statement"), (K, "SEN support"), (N, "No identified SEN"))
BEFORE_2015 = ("Before 2014/15 the groups were 'statement of SEN' and 'School Action or School "
               "Action Plus'; the files count them as EHC plan and SEN support.")

EXCLUSIONS = Source("exclusions-sen-2012-2017/nat_char_201112_to_201617.csv", "England only",
                    "state-funded primary, secondary and special schools")
KS2 = Source("ks2-characteristics-2016-2022/"
             "ks2_national_pupil_characteristics_2016_to_2022_revised.csv",
             "England only", "state-funded schools, pupils at the end of key stage 2")
KS4 = Source("ks4-la-characteristics-2019/"
             "201819_LA_characteristics_data_including_sen_description.csv",
             "England and each local authority, pupils counted by the location of their school",
             "state-funded schools, pupils at the end of key stage 4, 2018/19 (revised)")
LAIT = Source("lait-2026/bds_long_sen_subset.csv", "England and each local authority",
              "state-funded schools (LAIT indicators NEW_KS2_RWM_* and *_AVG_Attain8_Score)")
DESTINATIONS = Source("ks4-destinations-sen/ks4_dm_ud_202122_nat_prov.csv", "England only",
                      "state-funded mainstream and special schools, pupils who finished key "
                      "stage 4 the year before the destination year")


def _label(group: str) -> str:
    return dict(GROUPS)[group]


# --------------------------------------------------------------------------- exclusions


@dataclass(frozen=True)
class Exclusion:
    key: str
    title: str
    count: str
    rate: str
    noun: str


PERMANENT = Exclusion("permanent-exclusions", "Permanent exclusions by SEN status",
                      "excl_permanent", "excl_permanent_rate", "permanent exclusions")
SUSPENSIONS = Exclusion("suspensions", "Suspensions (fixed-period exclusions) by SEN status",
                        "excl_fixed", "excl_fixed_rate", "suspensions")


def exclusion_rates(kind: Exclusion, areas: list[Area]) -> NationalFigure:
    """Exclusions per 100 pupils of each SEN group in England, every year the file holds."""
    found = read(EXCLUSIONS, [kind.count, kind.rate, "excl_headcount"], areas[:1], phase="",
                 need="", breakdown="", sen__in=[E, K, N])
    rows, chart = [], []
    for year in found.years(kind.rate, areas[0].code, sen=E):
        for group, label in GROUPS:
            code = areas[0].code
            row = {"when": found.periods[year], "sen": label,
                   "pupils": found.count("excl_headcount", code, year, sen=group),
                   "count": found.count(kind.count, code, year, sen=group),
                   "rate": found.shown(kind.rate, code, year, sen=group)}
            rows.append(row)
            if isinstance(row["rate"], float):
                chart.append({"series": label, "year": row["when"], "rate": row["rate"]})
    reading = _exclusion_reading(kind, rows)
    table = Table(
        key=kind.key, caption=f"{kind.title}, England",
        columns=[Column("when", "Academic year"), Column("sen", "SEN status"),
                 Column("pupils", "Pupils (headcount)", "count"),
                 Column("count", kind.noun.capitalize(), "count"),
                 Column("rate", f"{kind.noun.capitalize()} per 100 pupils", "num")],
        rows=rows,
        notes=[found.source_note(),
               f"The rate is {kind.noun} over the headcount of the same group and year, as "
               "the file publishes it (two decimal places); a pupil may be counted more than "
               "once. DfE calls fixed-period exclusions suspensions since 2021.",
               BEFORE_2015,
               "The shipped files end in 2016/17 and hold no local authority figures by SEN "
               "status: later years and the trust's authorities are not in them."],
    )
    spec = charts.line_spec(chart, x="year", y="rate", series="series",
                            title=f"{kind.noun.capitalize()} per 100 pupils, England",
                            description=reading, y_title="per 100 pupils",
                            x_title="Academic year") if chart else None
    return NationalFigure(kind.key, kind.title, table, reading, spec)


def _exclusion_reading(kind: Exclusion, rows: list[dict]) -> str:
    rated = [r for r in rows if isinstance(r["rate"], float)]
    if not rated:
        return f"No figures for {kind.noun} by SEN status are loaded."
    last = rated[-1]["when"]
    by = {r["sen"]: r["rate"] for r in rated if r["when"] == last}
    return (f"In {last} England had {by.get(_label(E), 0):.2f} {kind.noun} per 100 pupils with "
            f"an EHC plan or statement, {by.get(_label(K), 0):.2f} per 100 on SEN support and "
            f"{by.get(_label(N), 0):.2f} per 100 with no identified SEN.")


def permanent_exclusions(areas: list[Area]) -> NationalFigure:
    return exclusion_rates(PERMANENT, areas)


def suspensions(areas: list[Area]) -> NationalFigure:
    return exclusion_rates(SUSPENSIONS, areas)


# --------------------------------------------------------------------------- key stage 2 and 4


def _outcome_rows(found: Found, area: Area, measure: str, count: str | None,
                  years: list[int] | None = None) -> list[dict]:
    rows = []
    file = found.file_name
    for year in years or found.years(measure, area.code, sen=E):
        for group, label in GROUPS:
            value = found.shown(measure, area.code, year, sen=group)
            if value is None:
                continue
            rows.append({"place": area.name, "when": found.periods[year], "year": year,
                         "sen": label, "value": value,
                         "pupils": found.count(count, area.code, year, sen=group)
                         if count else None, "file": file})
    return rows


def _outcome_chart(rows: list[dict]) -> list[dict]:
    return [{"series": f"{r['place']}: {r['sen']}", "year": str(r["year"]), "value": r["value"]}
            for r in rows if isinstance(r["value"], float)]


def _outcome_table(key: str, caption: str, value_label: str, kind: str, rows: list[dict],
                   notes: list[str]) -> Table:
    return Table(
        key=key, caption=caption,
        columns=[Column("place", "Place"), Column("when", "Year"), Column("sen", "SEN status"),
                 Column("pupils", "Pupils", "count"), Column("value", value_label, kind),
                 Column("file", "File")],
        rows=[{k: v for k, v in r.items() if k != "year"} for r in rows], notes=notes,
    )


def _outcome_reading(rows: list[dict], what: str, unit: str) -> str:
    eng = [r for r in rows if r["place"] == "England" and isinstance(r["value"], float)]
    if not eng:
        return f"No figures for {what} by SEN status are loaded."
    last = max(r["year"] for r in eng)
    by = {r["sen"]: r for r in eng if r["year"] == last}
    parts = [f"{by[_label(g)]['value']:.1f}{unit} {phrase}"
             for g, phrase in ((E, "with an EHC plan"), (K, "on SEN support"),
                               (N, "with no identified SEN")) if _label(g) in by]
    return f"In England in {by[next(iter(by))]['when']}, {what}: " + ", ".join(parts) + "."


def ks2(areas: list[Area]) -> NationalFigure:
    """% meeting the expected standard in reading, writing and maths, by SEN status."""
    national = read(KS2, ["ks2_rwm_expected_pct", "ks2_rwm_pupils"], areas[:1], phase="",
                    need="", breakdown="", sen__in=[E, K, N])
    lait = read(LAIT, ["ks2_rwm_expected_pct"], areas, phase="", need="", breakdown="",
                sen__in=[E, K, N])
    rows = _outcome_rows(national, areas[0], "ks2_rwm_expected_pct", "ks2_rwm_pupils")
    last = max((r["year"] for r in rows), default=0)
    later = [y for y in lait.years("ks2_rwm_expected_pct", areas[0].code, sen=E) if y > last]
    rows += _outcome_rows(lait, areas[0], "ks2_rwm_expected_pct", None, later)
    for area in areas[1:]:
        rows += _outcome_rows(lait, area, "ks2_rwm_expected_pct", None)
    reading = _outcome_reading(rows, "pupils meeting the expected standard in reading, "
                               "writing and maths at key stage 2", "%")
    notes = [national.source_note(), lait.source_note(),
             "England to 2021/22 comes from the national characteristics file (with pupil "
             "counts); later years for England, and every local authority year, from LAIT. "
             "Both round to whole numbers. No assessments were made in 2019/20 and 2020/21.",
             "The 2021/22 figures are DfE's revised ones; LAIT's periods are the calendar year "
             "in which the academic year ends."]
    table = _outcome_table("ks2", "Key stage 2: % meeting the expected standard in reading, "
                           "writing and maths, by SEN status", "% meeting the expected standard",
                           "pct", rows, notes)
    chart = _outcome_chart(rows)
    spec = charts.line_spec(chart, x="year", y="value", series="series",
                            title="Key stage 2: % meeting the expected standard in RWM",
                            description=reading, y_title="% of pupils",
                            x_title="Year (academic year ending)") if chart else None
    return NationalFigure("ks2", "Key stage 2 outcomes by SEN status", table, reading, spec)


KS4_MEASURES = (("ks4_attainment8_avg", "Attainment 8 (average score)", "num"),
                ("ks4_progress8_avg", "Progress 8 (average score)", "num"),
                ("ks4_basics_94_pct", "% with grade 4 or above in English and maths", "pct"))


def ks4(areas: list[Area]) -> NationalFigure:
    """Key stage 4 in 2018/19 by SEN status, England and each LA; Attainment 8 from LAIT."""
    found = read(KS4, ["ks4_pupils", *(m for m, _, _ in KS4_MEASURES)], areas, phase="",
                 need="", breakdown="", sen__in=[E, K, N])
    lait = read(LAIT, ["ks4_attainment8_avg"], areas, phase="", need="", breakdown="",
                sen__in=[E, K, N])
    rows = []
    file = found.file_name
    for area in areas:
        for year in found.years("ks4_attainment8_avg", area.code, sen=E):
            for group, label in GROUPS:
                row = {"place": area.name, "when": found.periods[year], "sen": label,
                       "pupils": found.count("ks4_pupils", area.code, year, sen=group),
                       "file": file}
                for measure, _, _ in KS4_MEASURES:
                    row[measure] = found.shown(measure, area.code, year, sen=group)
                rows.append(row)
    a8 = [r for area in areas for r in _outcome_rows(lait, area, "ks4_attainment8_avg", None)]
    for r in a8:
        r["ks4_attainment8_avg"] = r.pop("value")
    reading = _ks4_reading(rows)
    table = Table(
        key="ks4", caption="Key stage 4: Attainment 8, Progress 8 and English and maths, by "
        "SEN status",
        columns=[Column("place", "Place"), Column("when", "Year"), Column("sen", "SEN status"),
                 Column("pupils", "Pupils", "count"),
                 *(Column(m, label, kind) for m, label, kind in KS4_MEASURES),
                 Column("file", "File")],
        rows=rows + [{k: v for k, v in r.items() if k != "year"} for r in a8],
        notes=[found.source_note(), lait.source_note(),
               "The 2018/19 file counts pupils by the location of their school ('State-funded "
               "schools (LA)'), so its pupil counts differ slightly from DfE's national "
               "characteristics table (not shipped); averages and percentages agree.",
               "Attainment 8 for other years comes from LAIT (no pupil counts, Progress 8 "
               "and English and maths not shown for those years). Progress 8 was not "
               "published for 2019/20 and 2020/21."],
    )
    chart = [{"series": f"{r['place']}: {r['sen']}", "year": str(r["year"]),
              "value": r["ks4_attainment8_avg"]}
             for r in a8 if isinstance(r["ks4_attainment8_avg"], float)]
    spec = charts.line_spec(chart, x="year", y="value", series="series",
                            title="Key stage 4: average Attainment 8 score by SEN status",
                            description=reading, y_title="Attainment 8",
                            x_title="Year (academic year ending)") if chart else None
    return NationalFigure("ks4", "Key stage 4 outcomes by SEN status", table, reading, spec)


def _ks4_reading(rows: list[dict]) -> str:
    eng = {r["sen"]: r for r in rows if r["place"] == "England"}
    e, n = eng.get(_label(E)), eng.get(_label(N))
    if not e or not n or not isinstance(e["ks4_attainment8_avg"], float):
        return "No key stage 4 figures by SEN status are loaded."
    return (f"In England in {e['when']}, pupils with an EHC plan averaged "
            f"{e['ks4_attainment8_avg']:.1f} in Attainment 8 against "
            f"{n['ks4_attainment8_avg']:.1f} for pupils with no identified SEN, and "
            f"{e['ks4_basics_94_pct']:.1f}% against {n['ks4_basics_94_pct']:.1f}% had grade 4 "
            "or above in English and maths.")


# --------------------------------------------------------------------------- destinations

DESTINATION_MEASURES = (
    ("ks4_dest_sustained_pct", "Sustained education, apprenticeship or employment (%)"),
    ("ks4_dest_education_pct", "Education (%)"),
    ("ks4_dest_apprenticeship_pct", "Apprenticeship (%)"),
    ("ks4_dest_employment_pct", "Employment (%)"),
    ("ks4_dest_not_sustained_pct", "Not sustained (%)"),
    ("ks4_dest_unknown_pct", "Unknown (%)"),
)


def destinations(areas: list[Area]) -> NationalFigure:
    """Where pupils with an EHC plan went after key stage 4, beside pupils with no SEN."""
    measures = ["ks4_dest_cohort", *(m for m, _ in DESTINATION_MEASURES)]
    found = read(DESTINATIONS, measures, areas[:1], phase="", need="", breakdown="",
                 sen__in=[E, N])
    rows, chart = [], []
    code = areas[0].code
    for year in found.years("ks4_dest_sustained_pct", code, sen=E):
        for group in (E, N):
            row = {"when": found.periods[year], "sen": _label(group),
                   "cohort": found.count("ks4_dest_cohort", code, year, sen=group)}
            for measure, _ in DESTINATION_MEASURES:
                row[measure] = found.shown(measure, code, year, sen=group)
            rows.append(row)
            if isinstance(row["ks4_dest_sustained_pct"], float):
                chart.append({"series": _label(group), "year": row["when"],
                              "rate": row["ks4_dest_sustained_pct"]})
    reading = _destination_reading(rows)
    last = rows[-1]["when"] if rows else ""
    table = Table(
        key="destinations", caption="Key stage 4 destinations: pupils with an EHC plan and "
        "pupils with no identified SEN, England",
        columns=[Column("when", "Destination year"), Column("sen", "SEN status"),
                 Column("cohort", "Pupils", "count"),
                 *(Column(m, label, "pct") for m, label in DESTINATION_MEASURES)],
        rows=rows,
        notes=[found.source_note(),
               f"The latest year ({last}) is provisional; earlier years are DfE's revised "
               "figures and may differ from those first published.",
               BEFORE_2015,
               "Destinations by SEN status for the trust's local authorities are not in the "
               "shipped files."],
    )
    spec = charts.line_spec(chart, x="year", y="rate", series="series",
                            title="Key stage 4 pupils in a sustained destination (%), England",
                            description=reading, y_title="% sustained",
                            x_title="Destination year") if chart else None
    return NationalFigure("destinations", "Key stage 4 destinations of pupils with an EHC plan",
                          table, reading, spec)


def _destination_reading(rows: list[dict]) -> str:
    rated = [r for r in rows if isinstance(r["ks4_dest_sustained_pct"], float)]
    if not rated:
        return "No key stage 4 destination figures are loaded."
    last = rated[-1]["when"]
    by = {r["sen"]: r["ks4_dest_sustained_pct"] for r in rated if r["when"] == last}
    return (f"Of pupils who finished key stage 4 with an EHC plan, {by.get(_label(E), 0):.1f}% "
            f"were in a sustained education, apprenticeship or employment destination in "
            f"{last}, against {by.get(_label(N), 0):.1f}% of pupils with no identified SEN.")
