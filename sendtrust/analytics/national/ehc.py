"""EHC plan figures from the DfE SEN2 release (reporting year 2025): England and the trust's LAs.

Plans in force and their growth, new plans, initial requests, 20-week timeliness with and
without exceptions, primary need and placement. Each reads one file of the release.
"""

from __future__ import annotations

from dataclasses import dataclass

from sendtrust.analytics import charts
from sendtrust.analytics.national.base import (
    Area,
    NationalFigure,
    Source,
    change,
    fmt_count,
    fmt_signed,
    read,
    revisions,
    share,
    splice,
)
from sendtrust.analytics.tables import Column, Table
from sendtrust.pupils.models import NeedType

SEN2 = "England and each local authority (the authority that maintains the plan)"
AGES = "all EHC plans for children and young people aged 0 to 25, wherever they are educated"
CASELOAD = Source("ehcp-2025/data/caseload.csv", SEN2, AGES)
NEW_PLANS = Source("ehcp-2025/data/newplans.csv", SEN2, "new EHC plans made in the calendar "
                   "year, ages 0 to 25, wherever the child or young person is educated")
REQUESTS = Source("ehcp-2025/data/requests.csv", SEN2,
                  "initial requests for an EHC needs assessment in the calendar year, ages 0 to 25")
TIMELINESS = Source("ehcp-2025/data/timeliness_20_week.csv", SEN2,
                    "new EHC plans issued in the calendar year, ages 0 to 25")
NEEDS = Source("ehcp-2025/data/sen_needs_all_plans.csv", SEN2,
               AGES + ", by the primary need recorded on the plan")


SEN2_2022 = "England and each local authority (aggregate SEN2 return, reporting year 2022)"
CASELOAD_2022 = Source("ehcp-2022/sen2_age_caseload.csv", SEN2_2022,
                       "statements of SEN and EHC plans at January, all ages, 2010 to 2022")
MI_2022 = Source("ehcp-2022/sen2_mi.csv", SEN2_2022,
                 "new plans, requests and plans issued in each calendar year, 2010 to 2021")
HEADLINE = {"phase": "", "sen": "", "need": "", "breakdown": ""}


@dataclass(frozen=True)
class CountSeries:
    """A yearly count with its change on the year before, e.g. EHC plans in force."""

    key: str
    title: str
    source: Source
    measure: str
    noun: str  # "EHC plans in force"
    column: str  # the count column's label
    january: bool  # True: a January snapshot ("January 2025"); False: a calendar year
    earlier: tuple[Source, str] | None = None  # an earlier release carrying the series back
    # The first year held is part of a year (EHC plans began in September 2014): no change
    # is worked out from it.
    first_partial: bool = False
    notes: tuple[str, ...] = ()


def _when(series: CountSeries, year: int) -> str:
    return f"January {year}" if series.january else str(year)


def count_series(series: CountSeries, areas: list[Area]) -> NationalFigure:
    """The count for every year the files hold, for England and each LA, with the change.

    Years before the release's first come from the earlier release. A change is always the
    difference of two counts from one file: for the release's first year, the earlier
    release's own change to that year (it holds both years).
    """
    found = read(series.source, [series.measure], areas, **HEADLINE)
    old, old_measure = None, ""
    if series.earlier:
        source, old_measure = series.earlier
        old = read(source, [old_measure], areas, **HEADLINE)
    rows, chart, bridged = [], [], set()
    latest = {}
    for area in areas:
        spliced = splice(found, old, series.measure, old_measure, area.code)
        first = spliced[0][0] if spliced else None
        for year, src, measure in spliced:
            now = src.value(measure, area.code, year)
            before = src.value(measure, area.code, year - 1)
            if before is None and old is not None and src is found:
                # The release's first year: the earlier release's own change to it.
                now_old = old.value(old_measure, area.code, year)
                diff, pct = change(now_old, old.value(old_measure, area.code, year - 1))
                if pct is not None:
                    bridged.add(year)
            elif series.first_partial and year - 1 == first:
                diff, pct = None, None
            else:
                diff, pct = change(now, before)
            rows.append({"place": area.name, "when": _when(series, year),
                         "count": src.count(measure, area.code, year),
                         "change": None if diff is None else round(diff),
                         "growth": pct, "file": src.file_name})
            if pct is not None:
                chart.append({"place": area.name, "year": _when(series, year), "growth": pct})
                latest[area.name] = (year, now, pct)
    reading = _count_reading(series, latest)
    notes = [found.source_note()]
    if old is not None:
        notes.append(old.source_note())
        notes += [f"The change to {_when(series, y)} is the earlier release's own (both years "
                  f"from {old.file_name}): the later release starts that year."
                  for y in sorted(bridged)]
        if line := revisions(found, old, {series.measure: old_measure}, areas,
                             lambda y: _when(series, y)):
            notes.append(line)
    table = Table(
        key=series.key, caption=f"{series.title}: England and the trust's local authorities",
        columns=[Column("place", "Place"), Column("when", "January" if series.january
                                                  else "Calendar year"),
                 Column("count", series.column, "count"),
                 Column("change", "Change on the year before", "count"),
                 Column("growth", "Change on the year before (%)", "pct"),
                 Column("file", "File")],
        rows=rows, notes=[*notes, *series.notes],
    )
    spec = charts.line_spec(
        chart, x="year", y="growth", series="place",
        title=f"{series.title}: change on the year before (%)", description=reading,
        y_title="% change on the year before",
        x_title="January" if series.january else "Calendar year",
    ) if chart else None
    return NationalFigure(series.key, series.title, table, reading, spec)


def _count_reading(series: CountSeries, latest: dict) -> str:
    if "England" not in latest:
        return f"No figures for {series.noun} are loaded."
    year, now, pct = latest["England"]
    text = (f"In {_when(series, year)} England had {fmt_count(now)} {series.noun}, "
            f"{fmt_signed(pct)} on the year before")
    others = [f"{name} {fmt_count(n)} ({fmt_signed(p)})" for name, (y, n, p) in latest.items()
              if name != "England" and y == year]
    return text + (f"; {', '.join(others)}." if others else ".")


PLANS_IN_FORCE = CountSeries(
    "ehc-plans", "EHC plans in force", CASELOAD, "ehcp_caseload", "EHC plans in force",
    "EHC plans (and statements)", january=True,
    earlier=(CASELOAD_2022, "sen2agg_caseload"),
    notes=("The January 2024 figures in caseload.csv are revised: they differ slightly from "
           "the numbers first published in the 2024 release.",
           "Before January 2019 the counts are the aggregate SEN2 return's statements of SEN "
           "and EHC plans together (statements were all converted to plans by April 2018); "
           "DfE moved to person-level data in 2023, so the two releases are separate series."),
)
NEW = CountSeries(
    "new-plans", "New EHC plans", NEW_PLANS, "ehcp_new_plans", "new EHC plans",
    "New EHC plans", january=False, earlier=(MI_2022, "sen2agg_new_plans"),
    first_partial=True,
    notes=("EHC plans began in September 2014, so the 2014 count covers four months and no "
           "change is given from it.",),
)
INITIAL_REQUESTS = CountSeries(
    "requests", "Initial requests for an EHC needs assessment", REQUESTS, "ehcp_requests",
    "initial requests for an EHC needs assessment", "Requests", january=False,
    earlier=(MI_2022, "sen2agg_requests"),
    notes=("How many requests were refused is suppressed (x) nationally for 2019 to 2022 in "
           "requests.csv, so the page does not give a refusal rate.",),
)


def ehc_plans(areas: list[Area]) -> NationalFigure:
    return count_series(PLANS_IN_FORCE, areas)


def new_plans(areas: list[Area]) -> NationalFigure:
    return count_series(NEW, areas)


def requests(areas: list[Area]) -> NationalFigure:
    return count_series(INITIAL_REQUESTS, areas)


# --------------------------------------------------------------------------- timeliness

WITH = ("ehcp_20wk_count", "ehcp_20wk_den", "ehcp_20wk_rate")
WITHOUT = ("ehcp_20wk_count_ex", "ehcp_20wk_den_ex", "ehcp_20wk_rate_ex")
# The same measures in the reporting year 2022 release (aggregate SEN2).
OLD_NAMES = {m: m.replace("ehcp_", "sen2agg_") for m in (*WITH, *WITHOUT)}


def timeliness(areas: list[Area]) -> NationalFigure:
    """% of new plans issued within 20 weeks, with and without exceptions, each on its own base.

    The file gives each measure its own numerator and denominator (plans_issued_den,
    plans_issued_den_ex); the rate shown is the file's, beside the two counts it divides.
    """
    found = read(TIMELINESS, [*WITH, *WITHOUT], areas, phase="", sen="", need="",
                 breakdown="")
    old = read(MI_2022, OLD_NAMES.values(), areas, **HEADLINE)
    rows, chart = [], []
    for area in areas:
        for year, src, _ in splice(found, old, "ehcp_20wk_rate", OLD_NAMES["ehcp_20wk_rate"],
                                   area.code):
            names = {m: m for m in OLD_NAMES} if src is found else OLD_NAMES
            row = {"place": area.name, "year": str(year)}
            for prefix, (num, den, rate) in (("inc", WITH), ("exc", WITHOUT)):
                row[f"{prefix}_within"] = src.count(names[num], area.code, year)
                row[f"{prefix}_issued"] = src.count(names[den], area.code, year)
                row[f"{prefix}_rate"] = src.shown(names[rate], area.code, year)
            row["file"] = src.file_name
            rows.append(row)
            for prefix, label in (("inc", "including exceptions"),
                                  ("exc", "excluding exceptions")):
                if isinstance(row[f"{prefix}_rate"], float):
                    chart.append({"series": f"{area.name}, {label}", "year": str(year),
                                  "rate": row[f"{prefix}_rate"]})
    reading = _timeliness_reading(rows)
    table = Table(
        key="timeliness", caption="New EHC plans issued within 20 weeks, with and without "
        "exceptions",
        columns=[Column("place", "Place"), Column("year", "Calendar year"),
                 Column("inc_within", "Within 20 weeks (including exceptions)", "count"),
                 Column("inc_issued", "Plans issued (including exceptions)", "count"),
                 Column("inc_rate", "% within 20 weeks (including exceptions)", "pct"),
                 Column("exc_within", "Within 20 weeks (excluding exceptions)", "count"),
                 Column("exc_issued", "Plans issued (excluding exceptions)", "count"),
                 Column("exc_rate", "% within 20 weeks (excluding exceptions)", "pct"),
                 Column("file", "File")],
        rows=rows,
        notes=[found.source_note(), old.source_note(),
               *filter(None, [revisions(found, old, OLD_NAMES, areas, str)]),
               "Each rate is the file's own: plans within 20 weeks over plans issued, both "
               "including exceptions, or both excluding the plans where a permitted exception "
               "to the 20-week limit applied. The two are never mixed.",
               "DfE footnote: for 2024, Dorset and City of London classed all new plans as "
               "having permitted exceptions.",
               "EHC plans began in September 2014, so 2014 counts only the plans of its last "
               "four months."],
    )
    spec = charts.line_spec(
        chart, x="year", y="rate", series="series",
        title="New EHC plans issued within 20 weeks (%)", description=reading,
        y_title="% within 20 weeks", x_title="Calendar year") if chart else None
    return NationalFigure("timeliness", "EHC plans issued within 20 weeks", table, reading,
                          spec)


def _timeliness_reading(rows: list[dict]) -> str:
    eng = [r for r in rows if r["place"] == "England" and isinstance(r["inc_rate"], float)]
    if not eng:
        return "No EHC plan timeliness figures are loaded."
    r = eng[-1]
    text = (f"In {r['year']}, {r['inc_rate']:.1f}% of new EHC plans in England were issued "
            f"within 20 weeks including exceptions ({fmt_count(r['inc_within'])} of "
            f"{fmt_count(r['inc_issued'])})")
    if isinstance(r["exc_rate"], float):
        text += (f" and {r['exc_rate']:.1f}% excluding exceptions "
                 f"({fmt_count(r['exc_within'])} of {fmt_count(r['exc_issued'])})")
    return text + "."


# --------------------------------------------------------------------------- primary need

NEED_ORDER = ["ASD", "SLCN", "SEMH", "MLD", "SLD", "SPLD", "PD", "PMLD", "HI", "OTH", "VI",
              "MSI", "UNK"]


def need_labels() -> dict[str, str]:
    labels = dict(NeedType.objects.filter(taxonomy="england-census")
                  .values_list("code", "label"))
    return labels | {"UNK": "Not recorded"}


def primary_need(areas: list[Area]) -> NationalFigure:
    """EHC plans by primary need in January of the one year the file holds, as % of plans."""
    found = read(NEEDS, ["ehcp_caseload"], areas, phase="", sen="", breakdown="")
    years = found.years("ehcp_caseload", areas[0].code)
    labels = need_labels()
    columns = [Column("need", "Primary need")]
    rows = [{"need": labels.get(code, code)} for code in NEED_ORDER]
    chart = []
    year = years[-1] if years else None
    for area in areas:
        columns += [Column(f"{area.code}_n", f"{area.name}: plans", "count"),
                    Column(f"{area.code}_pct", f"{area.name}: % of plans", "pct")]
        if year is None:
            continue
        total = found.value("ehcp_caseload", area.code, year)
        for row, code in zip(rows, NEED_ORDER, strict=True):
            n = found.value("ehcp_caseload", area.code, year, need=code)
            row[f"{area.code}_n"] = found.count("ehcp_caseload", area.code, year, need=code)
            row[f"{area.code}_pct"] = share(n, total)
            if row[f"{area.code}_pct"] is not None:
                chart.append({"need": row["need"], "place": area.name,
                              "share": row[f"{area.code}_pct"]})
    when = f"January {year}" if year else "no year loaded"
    reading = _need_reading(rows, areas, when)
    table = Table(
        key="primary-need", caption=f"EHC plans by primary need, {when}",
        columns=columns, rows=rows if year else [],
        notes=[found.source_note(),
               "Shares are each need's plans over all plans of the same place in the same "
               "file (ehc_plans).",
               "This file holds January 2025 only: primary need of EHC plans in earlier years "
               "is not in the shipped files."],
    )
    spec = charts.dot_spec(chart, category="need", value="share", group="place",
                           title=f"EHC plans by primary need, {when} (% of plans)",
                           description=reading, x_title="% of EHC plans") if chart else None
    return NationalFigure("primary-need", "Primary need of EHC plans", table, reading, spec)


def _need_reading(rows: list[dict], areas: list[Area], when: str) -> str:
    key = f"{areas[0].code}_pct"
    shares = [r for r in rows if isinstance(r.get(key), float)]
    if not shares:
        return "No figures for EHC plans by primary need are loaded."
    top = max(shares, key=lambda r: r[key])
    return (f"In {when} the most common primary need on EHC plans in England was "
            f"{top['need'].lower()}, on {top[key]:.1f}% of plans.")


# --------------------------------------------------------------------------- placement

GROUPS = (("mainstream", "Mainstream schools"), ("special", "Special schools"))
OTHER_PARTS = "alternative provision and PRUs, further education, educated elsewhere, " \
    "early years settings and placements not recorded"


def placement(areas: list[Area]) -> NationalFigure:
    """EHC plans at January by placement: mainstream, special and every other placement."""
    found = read(CASELOAD, ["ehcp_caseload"], areas, phase="", sen="", need="")
    rows, chart = [], []
    latest = max(found.years("ehcp_caseload", areas[0].code), default=None)
    for area in areas:
        for year in found.years("ehcp_caseload", area.code):
            total = found.value("ehcp_caseload", area.code, year)
            row = {"place": area.name, "when": f"January {year}",
                   "total": found.count("ehcp_caseload", area.code, year)}
            counts = {}
            for group, _ in GROUPS:
                counts[group] = found.value("ehcp_caseload", area.code, year,
                                            breakdown=f"placement={group}")
            # "Other" is what remains: the file's own other groups do not always add up (in
        # January 2023 its 'educated elsewhere' leaves out 'other placement settings').
            known = [counts[g] for g, _ in GROUPS]
            counts["other"] = (None if total is None or None in known
                               else total - sum(known))
            for group, n in counts.items():
                row[group] = None if n is None else round(n)
                row[f"{group}_pct"] = share(n, total)
            rows.append(row)
            if year == latest:
                for group, label in (*GROUPS, ("other", "Other placements")):
                    if row[f"{group}_pct"] is not None:
                        chart.append({"placement": label, "place": area.name,
                                      "share": row[f"{group}_pct"]})
    reading = _placement_reading(rows, latest)
    table = Table(
        key="placement", caption="EHC plans by placement at January",
        columns=[Column("place", "Place"), Column("when", "January"),
                 Column("total", "EHC plans", "count"),
                 Column("mainstream", "Mainstream", "count"),
                 Column("mainstream_pct", "Mainstream (%)", "pct"),
                 Column("special", "Special", "count"),
                 Column("special_pct", "Special (%)", "pct"),
                 Column("other", "Other", "count"), Column("other_pct", "Other (%)", "pct")],
        rows=rows,
        notes=[found.source_note(),
               "Mainstream and special are the file's mainstream_total and special_total "
               "(state-funded, independent and non-maintained); other is all plans less those "
               f"two: {OTHER_PARTS}. Shares are over all plans of the same place and year.",
               "Placement by primary need or age is in the file but not shown here."],
    )
    spec = charts.dot_spec(chart, category="placement", value="share", group="place",
                           title=f"EHC plans by placement, January {latest} (% of plans)",
                           description=reading, x_title="% of EHC plans") if chart else None
    return NationalFigure("placement", "Placement of EHC plans", table, reading, spec)


def _placement_reading(rows: list[dict], latest: int | None) -> str:
    eng = [r for r in rows if r["place"] == "England" and r["when"] == f"January {latest}"]
    if not eng or eng[0]["mainstream_pct"] is None:
        return "No figures for EHC plans by placement are loaded."
    r = eng[0]
    return (f"In January {latest}, {r['mainstream_pct']:.1f}% of EHC plans in England named a "
            f"mainstream school, {r['special_pct']:.1f}% a special school and "
            f"{r['other_pct']:.1f}% another placement.")
