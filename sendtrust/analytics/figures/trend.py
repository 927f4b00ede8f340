"""The trend: SEN support and EHC plan rates at each January census day, rebuilt from SEN
episode history, beside the national series."""


from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass

from django.db import connection
from django.db.models import Exists, OuterRef, Subquery
from django.utils import timezone

from sendtrust.analytics.figures.common import (
    ENGLAND,
    rate,
    shown,
)
from sendtrust.analytics.figures.history import history_versions
from sendtrust.analytics.figures.schools import (
    SchoolRates,
)
from sendtrust.analytics.models import CensusCount
from sendtrust.analytics.tables import (
    Column,
    Table,
)
from sendtrust.benchmarks.models import Figure, Level
from sendtrust.organisations.models import School, Trust
from sendtrust.pupils.models import Enrolment, Provision, Pupil, SenEpisode

# --------------------------------------------------------------------------- trend


def census_day(year: int) -> dt.date:
    """The spring census day: the third Thursday of January."""
    first = dt.date(year, 1, 1)
    return first + dt.timedelta(days=(3 - first.weekday()) % 7 + 14)


@dataclass(frozen=True)
class Coverage:
    """From when the trust's (or school's) enrolment records hold every pupil on roll.

    A pupil who left before records began is missing from them, so a past census rebuilt
    from enrolments would count too few. Departures are recorded from each school's earliest
    recorded leaving date on; the history is complete from the latest of those dates over
    the schools in scope. None when a school has no recorded leaver yet.
    """

    complete_from: dt.date | None
    without_leavers: list[str]


def coverage(trust: Trust, school: School | None = None) -> Coverage:
    """Each school's earliest recorded departure, in one query: per school with enrolments,
    one probe of enrolment_school_ends (school, ends_on) for its first leaving date. (Grouping
    the enrolments by school read all of them: ~26 ms on SQLite at 50,000 pupils; issue 15.)"""
    schools = School.objects.filter(trust=trust)
    if school is not None:
        schools = schools.filter(pk=school.pk)
    first_left = (Enrolment.objects.filter(school=OuterRef("pk"), ends_on__isnull=False)
                  .order_by("ends_on").values("ends_on")[:1])
    rows = list(schools.filter(Exists(Enrolment.objects.filter(school=OuterRef("pk"))))
                .annotate(first=Subquery(first_left)).order_by().values_list("name", "first"))
    if not rows:
        return Coverage(None, [])
    missing = sorted(name for name, first in rows if first is None)
    if missing:
        return Coverage(None, missing)
    return Coverage(max(first for _, first in rows), [])


def census_days(trust: Trust, school: School | None = None, today=None,
                cover: Coverage | None = None) -> list[dt.date]:
    """January census days the enrolment records cover in full, up to today."""
    today = today or timezone.localdate()
    cover = cover or coverage(trust, school)
    if cover.complete_from is None:
        return []
    years = range(max(cover.complete_from.year, today.year - 11), today.year + 1)
    return [d for d in map(census_day, years) if cover.complete_from <= d <= today]


# Two statements, one row each.
# The pupils on roll on each census day, in one pass over the enrolments in scope: one read
# of the index enrolment_school_dates (school, starts_on, ends_on), each entry tested against
# every day. (It was a range of that index for each day: ~16 ms a day on SQLite at 50,000
# pupils, and twelve census days at most.) A pupil counted twice (enrolments overlapping
# that day, e.g. dual registration) is taken off exactly, from the pupils with more than one
# enrolment (`multi`, a few hundred).
# The pupils on SEN support and with an EHC plan on each day: one pass over the SEN episodes
# that overlap the years shown, each joined once to the pupil's enrolments at the schools in
# scope; each pupil counted once per day and status. (The first form joined every day to
# every enrolment and each enrolment to its pupil's episodes: ~500 ms at 50,000 pupils.)
SCOPE_SQL = """
WITH scope(id) AS (SELECT id FROM {school} WHERE trust_id = %s{only_school}),
multi(pupil_id) AS ({multi})
"""
ROLL_SQL = SCOPE_SQL + """SELECT {roll}
FROM {enrolment} e
WHERE e.school_id IN (SELECT id FROM scope)
 AND e.starts_on <= {last} AND (e.ends_on IS NULL OR e.ends_on >= {first})
"""
SEN_SQL = SCOPE_SQL + """SELECT {sen}
FROM {driving}
WHERE e.pupil_id = ep.pupil_id AND e.school_id IN (SELECT id FROM scope)
 AND e.starts_on <= {last} AND (e.ends_on IS NULL OR e.ends_on >= {first})
 AND ep.provision IN (%s, %s) AND ep.starts_on <= {last}
 AND (ep.ends_on IS NULL OR ep.ends_on >= {first})
"""
# CROSS JOIN (the same as a join with the condition in WHERE) fixes SQLite's order. For the
# trust, the few SEN episodes first and each pupil's enrolments by pupil, instead of reading
# every enrolment of the scope; `multi` (below) is every pupil with two enrolments (a
# superset of those with two in scope, which gives the same counts). For one school, its own
# enrolments first (enrolment_school_dates) and each pupil's episodes by pupil, and `multi` from the
# school's enrolments only: the trust's order and `multi` read every episode and enrolment
# of the database for a school's few (issue 15: ~55-70 -> ~12 ms CPU at 50,000 pupils on
# SQLite). PostgreSQL plans them alike.
DRIVING = {"trust": "{episode} ep CROSS JOIN {enrolment} e",
           "school": "{enrolment} e CROSS JOIN {episode} ep"}
# `multi` for the trust: every pupil with two enrolments or more, now read from the pupils'
# enrolment summary (Pupil.enrolment_count, kept by the database) through the partial index
# pupil_several_enrolments, which holds only those pupils: a few hundred rows instead of
# grouping every enrolment of the database (~32 ms on PostgreSQL at 50,000 pupils; issue 15).
# For one school, the pupils with two enrolments at that school, from its own enrolments.
MULTI = {"trust": "SELECT id FROM {pupil} WHERE enrolment_count > 1 ORDER BY id",
         "school": ("SELECT pupil_id FROM {enrolment} WHERE school_id IN (SELECT id FROM scope)"
                    " GROUP BY pupil_id HAVING COUNT(*) > 1 ORDER BY pupil_id")}
COVERS = "({t}.starts_on <= {d} AND ({t}.ends_on IS NULL OR {t}.ends_on >= {d}))"
# A pupil with k enrolments in scope covering the day is counted k times, so k - 1 is taken
# off: k is counted for each pupil of `multi` by its own enrolments (enrolment_pupil_dates),
# so both databases read a few hundred pupils' enrolments by pupil. (Joining `multi` to the
# enrolments made PostgreSQL, which expects a third of all pupils in `multi`, hash every
# enrolment covering the day, once per day.)
ROLL_DAY = (
    "COUNT(CASE WHEN {e} THEN 1 END)"
    " - (SELECT CAST(COALESCE(SUM(k - 1), 0) AS INTEGER) FROM (SELECT (SELECT COUNT(*)"
    " FROM {enrolment} m WHERE m.pupil_id = multi.pupil_id"
    " AND m.school_id IN (SELECT id FROM scope) AND {m}) AS k FROM multi) AS twice WHERE k > 1)"
)
SEN_DAY = "COUNT(DISTINCT CASE WHEN ep.provision = %s AND {ep} AND {e} THEN e.pupil_id END)"


def trend_query(trust: Trust, days: list[dt.date],
                school: School | None = None) -> list[tuple[str, list]]:
    """The two queries for every census day: [(SQL, params)], run by the page and the bench.

    The first's one row holds, per day in order, the pupils enrolled at the trust (or the
    school) that day; the second's, per day, the pupils of them on SEN support and with an
    EHC plan (an episode of that status covering the day), each pupil counted once.
    """
    day = "CAST(%s AS date)" if connection.vendor == "postgresql" else "%s"
    tables = {"enrolment": Enrolment._meta.db_table, "school": School._meta.db_table,
              "episode": SenEpisode._meta.db_table, "pupil": Pupil._meta.db_table}
    one = school is not None
    common = {"first": day, "last": day, "only_school": " AND id = %s" if one else "",
              "multi": MULTI["school" if one else "trust"].format(**tables), **tables}
    scope: list = [trust.pk] + ([school.pk] if school is not None else [])
    roll = ", ".join(ROLL_DAY.format(e=COVERS.format(t="e", d=day),
                                     m=COVERS.format(t="m", d=day), **tables) for _ in days)
    roll_params = list(scope)
    for d in days:  # each COVERS takes the day twice: the count's, then the correction's
        roll_params += [d, d, d, d]
    roll_params += [days[-1], days[0]]
    sen = ", ".join(SEN_DAY.format(ep=COVERS.format(t="ep", d=day),
                                   e=COVERS.format(t="e", d=day))
                    for _ in days for _ in (Provision.SUPPORT, Provision.EHCP))
    sen_params = list(scope)
    for d in days:
        for provision in (Provision.SUPPORT, Provision.EHCP):
            sen_params += [provision, d, d, d, d]
    sen_params += [days[-1], days[0], Provision.SUPPORT, Provision.EHCP, days[-1], days[0]]
    return [
        (ROLL_SQL.format(roll=roll, **common), roll_params),
        (SEN_SQL.format(sen=sen, driving=DRIVING["school" if one else "trust"]
                        .format(**tables), **common), sen_params),
    ]


def _status_by_day(trust: Trust, days: list[dt.date],
                   school: School | None) -> dict[dt.date, tuple[int, int, int]]:
    """Pupils enrolled on each day, and those on SEN support / with a plan then.

    Stored (analytics.CensusCount) with the history versions of the schools in scope, and
    rebuilt only for days with no count stored at the current versions (issue 15: ~90 ms
    of each trust analytics page at 50,000 pupils; reading them back is two small queries).
    See analytics.figures.history.
    """
    if not days:
        return {}
    days = sorted(days)
    key = school.pk if school is not None else 0
    versions = history_versions(trust, school)
    stored = {c.day: (c.pupils, c.sen_support, c.ehcp) for c in CensusCount.objects.filter(
        trust=trust, school_key=key, day__in=days, versions=versions)}
    missing = [d for d in days if d not in stored]
    if missing:
        counted = _count_days(trust, missing, school)
        CensusCount.objects.bulk_create(
            [CensusCount(trust=trust, school_key=key, day=d, versions=versions, pupils=p,
                         sen_support=k, ehcp=e) for d, (p, k, e) in counted.items()],
            update_conflicts=True, unique_fields=["trust", "school_key", "day"],
            update_fields=["versions", "pupils", "sen_support", "ehcp"])
        stored.update(counted)
    return {d: stored[d] for d in days}


def _count_days(trust: Trust, days: list[dt.date],
                school: School | None) -> dict[dt.date, tuple[int, int, int]]:
    """The counts rebuilt from the history (two queries, `trend_query`)."""
    rows = []
    with connection.cursor() as cursor:
        for sql, params in trend_query(trust, days, school):
            cursor.execute(sql, params)
            rows.append(cursor.fetchone())
    roll, sen = rows
    return {day: (roll[i], sen[2 * i] or 0, sen[2 * i + 1] or 0)
            for i, day in enumerate(days)}


def _as_date(value) -> dt.date:
    return value if isinstance(value, dt.date) else dt.date.fromisoformat(str(value)[:10])


def _national_series() -> tuple[dict[int, dict], list[str]]:
    """England SEN support and EHC plan rates (all schools) per year, one file per year."""
    rows = list(
        Figure.objects.filter(level=Level.NATIONAL, geo_code=ENGLAND, phase="", sen="",
                              need="", breakdown="", value__isnull=False,
                              measure_id__in=["sen_support_rate", "ehcp_rate"])
        .values_list("dataset_id", "dataset__title", "year", "period", "measure_id", "value")
    )
    cover: dict[int, set] = defaultdict(set)
    for ds, _, year, *_ in rows:
        cover[ds].add(year)
    series: dict[int, dict] = {}
    # Rows of the files covering the most years come last, so they win a year they share.
    for ds, title, year, period, measure, value in sorted(
            rows, key=lambda r: (len(cover[r[0]]), r[0])):
        entry = series.get(year)
        if entry is None or entry["ds"] != ds:
            entry = series[year] = {"ds": ds, "source": title, "period": period}
        entry[measure] = value
    used = {e["source"] for e in series.values()}
    return series, sorted(used)


@dataclass
class Trend:
    table: Table
    chart: list[dict]
    has_trust: bool
    coverage: Coverage | None = None


def trend(trust: Trust, sr: SchoolRates, school: School | None = None) -> Trend:
    """The trust's (or school's) rates at each January census, beside England's series."""
    hide = sr.hide
    mine = {}
    cover = coverage(trust, school) if sr.from_records else Coverage(None, [])
    if sr.from_records:
        days = census_days(trust, school, cover=cover)
        for day, (p, k, e) in _status_by_day(trust, days, school).items():
            mine[day.year] = (day, shown(p, hide), shown(k, hide), shown(e, hide))
    national, sources = _national_series()
    who = school.name if school else "Trust"
    rows, chart = [], []
    for year in sorted(set(mine) | set(national)):
        day, p, k, e = mine.get(year, (None, None, None, None))
        nat = national.get(year, {})
        row = {
            "year": year,
            "census_day": day.isoformat() if day else "",
            "pupils": p, "sen_support": k, "sen_support_rate": rate(k, p) if day else None,
            "ehcp": e, "ehcp_rate": rate(e, p) if day else None,
            "national_sen_support_rate": nat.get("sen_support_rate"),
            "national_ehcp_rate": nat.get("ehcp_rate"),
        }
        rows.append(row)
        for key, measure, group in (
            ("sen_support_rate", "SEN support", who), ("ehcp_rate", "EHC plan", who),
            ("national_sen_support_rate", "SEN support", "England"),
            ("national_ehcp_rate", "EHC plan", "England"),
        ):
            if isinstance(row[key], float):
                chart.append({"year": year, "measure": measure, "group": group,
                              "series": f"{group}: {measure}", "rate": row[key]})
    notes = [f"England, all schools: the England row of {s}." for s in sources]
    if sr.from_records:
        notes.append("Each census is rebuilt from enrolment and SEN episode history: the "
                     "pupils on roll on that January census day, leavers included, and their "
                     "SEN status that day.")
        if cover.complete_from is not None:
            first = cover.complete_from.year + (census_day(cover.complete_from.year)
                                                < cover.complete_from)
            notes.append(f"The records hold every pupil on roll from "
                         f"{cover.complete_from:%d %B %Y} (the first recorded leaver), so the "
                         f"history is complete from the January {first} census; earlier "
                         "years are not shown.")
        elif cover.without_leavers:
            notes.append("No census before today can be rebuilt in full yet: the records hold "
                         "no pupil who has left " + ", ".join(cover.without_leavers) + ".")
    else:
        notes.append("This trust is built from public data and holds no pupil records, so "
                     "there is no trust trend.")
    table = Table(
        "trend", f"SEN support and EHC plan rates at each January census: {who} and England",
        [Column("year", "Year", "year"), Column("census_day", "Census day"),
         Column("pupils", "Pupils", "count"), Column("sen_support", "SEN support", "count"),
         Column("sen_support_rate", "SEN support %", "pct"),
         Column("ehcp", "EHC plans", "count"), Column("ehcp_rate", "EHC plan %", "pct"),
         Column("national_sen_support_rate", "England SEN support %", "pct"),
         Column("national_ehcp_rate", "England EHC plan %", "pct")],
        rows=rows, notes=notes,
    )
    return Trend(table, chart, bool(mine), cover)


