"""Outcome gaps between pupils with and without SEN, and partner LAs' EHC plan timeliness."""


from __future__ import annotations

from collections import defaultdict

from sendtrust.analytics.figures.common import (
    ENGLAND,
)
from sendtrust.analytics.tables import (
    Column,
    Table,
)
from sendtrust.benchmarks.models import Figure, Level

# --------------------------------------------------------------------------- outcome gaps

# measure, label, kind, (count measure, denominator measure) for a confidence interval
OUTCOMES = [
    ("absence_overall_pct", "Overall absence, % of sessions", "pct", None),
    ("excl_one_plus_fixed_rate", "Pupils with one or more suspensions, %", "pct",
     ("excl_one_plus_fixed", "excl_headcount")),
    ("excl_permanent_rate", "Permanent exclusions, % of pupils", "pct",
     ("excl_permanent", "excl_headcount")),
    ("ks2_rwm_expected_pct", "KS2 reading, writing and maths at the expected standard, %",
     "pct", ("ks2_rwm_expected_count", "ks2_rwm_pupils")),
    ("ks4_attainment8_avg", "KS4 average Attainment 8 score", "num", None),
]
SEN_GROUPS = ("any_sen", "ehcp", "sen_support", "no_sen")


def outcome_gaps(la_codes: list[tuple[str, str]]) -> Table:
    """SEN minus no-SEN gaps for England and partner LAs, latest year each, with 95% CIs."""
    from sendtrust.analytics import stats  # numpy: imported on use, not at worker start

    geos = [ENGLAND, *(code for code, _ in la_codes)]
    names = {ENGLAND: "England", **dict(la_codes)}
    measures = [m for m, *_ in OUTCOMES] + [c for *_, cn in OUTCOMES if cn for c in cn]
    data: dict[tuple, dict] = defaultdict(dict)  # (geo, measure, year) -> group -> value
    titles: dict[tuple, str] = {}
    years: dict[tuple, set] = defaultdict(set)  # (geo, measure) -> years with figures
    for geo, m, year, period, sen, value, title in (
        Figure.objects.filter(level__in=[Level.NATIONAL, Level.LA], geo_code__in=geos,
                              measure_id__in=measures, phase="", need="", breakdown="",
                              sen__in=SEN_GROUPS, value__isnull=False)
        .values_list("geo_code", "measure_id", "year", "period", "sen", "value",
                     "dataset__title")
    ):
        data[(geo, m, year)].setdefault(sen, value)
        titles[(geo, m, year)] = (title, period)
        years[(geo, m)].add(year)
    rows = []
    for measure, label, kind, counts in OUTCOMES:
        for geo in geos:
            best = None
            for year in sorted(years.get((geo, measure), ()), reverse=True):
                groups = _with_any_sen(data, geo, measure, year, counts)
                if groups.get("any_sen") is not None and groups.get("no_sen") is not None:
                    best = (year, groups)
                    break
            if best is None:
                continue
            year, groups = best
            title, period = titles[(geo, measure, year)]
            sen_v, no_v = groups["any_sen"], groups["no_sen"]
            lo = hi = None
            if counts:
                x1, n1 = _count_pair(data, geo, year, counts, "any_sen")
                x0, n0 = _count_pair(data, geo, year, counts, "no_sen")
                if n1 and n0 and x1 is not None and x0 is not None:
                    # The counts give the exact rates; the published ones are rounded.
                    gap = stats.proportion_gap(round(x1), round(n1), round(x0), round(n0))
                    sen_v, no_v = 100 * x1 / n1, 100 * x0 / n0
                    lo, hi = round(100 * gap.lower, 2), round(100 * gap.upper, 2)
            rows.append({
                "outcome": label, "place": names.get(geo, geo),
                "period": f"{title}, {period}".rsplit(", ", 1)[-1],
                "sen": round(sen_v, 2), "no_sen": round(no_v, 2),
                "gap": round(sen_v - no_v, 2), "ci_low": lo, "ci_high": hi,
                "trust": "no trust data yet",
                "source": f"{title}, {period}".rsplit(", ", 1)[0],
                "_pct": kind == "pct",
            })
    return Table(
        "gaps", "Gaps between pupils with and without SEN: England and partner local authorities",
        [Column("outcome", "Outcome"), Column("place", "Place"), Column("period", "Year"),
         Column("sen", "Pupils with SEN", "num"), Column("no_sen", "Pupils without SEN", "num"),
         Column("gap", "Gap (SEN minus no SEN)", "num"),
         Column("ci_low", "95% CI lower", "num"), Column("ci_high", "95% CI upper", "num"),
         Column("trust", "Trust"), Column("source", "Source")],
        rows=rows,
        notes=["Gaps are in percentage points (Attainment 8: points). Confidence intervals "
               "(Newcombe hybrid score) are given where the file publishes the counts.",
               "sendtrust holds no attendance, exclusion or attainment records for the trust "
               "yet, so the trust column says so rather than showing a figure."],
    )


def _with_any_sen(data, geo, measure, year, counts) -> dict:
    groups = dict(data.get((geo, measure, year), {}))
    if groups.get("any_sen") is None and counts:
        x1, n1 = _count_pair(data, geo, year, counts, "any_sen")
        if x1 is not None and n1:
            groups["any_sen"] = 100 * x1 / n1
    return groups


def _count_pair(data, geo, year, counts, group):
    num, den = counts
    x = data.get((geo, num, year), {})
    n = data.get((geo, den, year), {})
    if group == "any_sen" and x.get("any_sen") is None:
        parts = [(x.get(g), n.get(g)) for g in ("ehcp", "sen_support")]
        if all(a is not None and b is not None for a, b in parts):
            return sum(a for a, _ in parts), sum(b for _, b in parts)
        return None, None
    return x.get(group), n.get(group)


# --------------------------------------------------------------------------- LA timeliness


def la_timeliness(la_codes: list[tuple[str, str]]) -> Table:
    """EHC plans issued within 20 weeks (excluding exceptions not applied), per LA and England."""
    from sendtrust.analytics import stats  # numpy: imported on use, not at worker start

    geos = [ENGLAND, *(code for code, _ in la_codes)]
    names = {ENGLAND: "England", **dict(la_codes)}
    best: dict[tuple, dict] = {}
    for geo, m, year, value, ds, title in (
        Figure.objects.filter(level__in=[Level.NATIONAL, Level.LA], geo_code__in=geos,
                              measure_id__in=["ehcp_20wk_rate", "ehcp_20wk_den",
                                              "ehcp_20wk_count"],
                              phase="", sen="", need="", breakdown="", value__isnull=False)
        .values_list("geo_code", "measure_id", "year", "value", "dataset_id", "dataset__title")
    ):
        best.setdefault((geo, year), {}).setdefault(ds, {"title": title})[m] = value
    rows = []
    for (geo, year), by_ds in sorted(best.items(), key=lambda kv: (geos.index(kv[0][0]),
                                                                  kv[0][1])):
        # Prefer the file that also gives the counts behind the rate.
        pick = max(by_ds.values(), key=lambda v: ("ehcp_20wk_den" in v, "ehcp_20wk_rate" in v))
        value = pick.get("ehcp_20wk_rate")
        den, num = pick.get("ehcp_20wk_den"), pick.get("ehcp_20wk_count")
        lo = hi = None
        if den and num is not None and 0 <= num <= den:
            w = stats.wilson(round(num), round(den))
            lo, hi = round(100 * w.lower, 1), round(100 * w.upper, 1)
            value = value if value is not None else round(100 * num / den, 1)
        if value is None:
            continue
        rows.append({"place": names.get(geo, geo), "year": year,
                     "plans": int(den) if den else None, "within": int(num) if num else None,
                     "rate": value, "ci_low": lo, "ci_high": hi, "source": pick["title"]})
    return Table(
        "timeliness", "New EHC plans issued within 20 weeks: partner local authorities and "
        "England", [Column("place", "Place"), Column("year", "Calendar year", "year"),
                    Column("plans", "New plans", "count"),
                    Column("within", "Within 20 weeks", "count"),
                    Column("rate", "Within 20 weeks %", "pct"),
                    Column("ci_low", "95% CI lower", "pct"),
                    Column("ci_high", "95% CI upper", "pct"), Column("source", "Source")],
        rows=rows,
        notes=["Including exceptions. Years are calendar years of the plans issued. Where the "
               "file gives the counts, a Wilson 95% interval is shown."],
    )


