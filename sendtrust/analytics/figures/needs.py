"""Need mix: the SEN register by primary need against England (and the local authority)."""


from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

from django.core.cache import cache
from django.db.models import Min, Subquery, Sum

from sendtrust.analytics.figures.common import (
    CACHE_SECONDS,
    PHASE_LABELS,
    benchmark_phase,
    data_version,
    rate,
)
from sendtrust.analytics.figures.schools import (
    SchoolRates,
    record_need_counts,
)
from sendtrust.analytics.suppression import suppress_table
from sendtrust.analytics.tables import (
    PROTECTING,
    SMALL,
    Column,
    Table,
)
from sendtrust.benchmarks.models import Figure, Level, Phase
from sendtrust.organisations.models import School, Trust
from sendtrust.pupils.models import NeedType

# --------------------------------------------------------------------------- need mix


def _need_labels() -> dict[str, str]:
    return dict(
        NeedType.objects.filter(taxonomy="england-census")
        .order_by("sort_order").values_list("code", "label")
    )


def _national_need(phases: set[str], la_code: str | None = None) -> tuple[dict, dict, str]:
    """`_read_national_need`, kept in the shared cache per version of the loaded DfE files:
    they change only when the files are loaded again, and summing every local authority's
    rows was ~11 ms on SQLite and ~30 ms on PostgreSQL of each analytics page (issue 15)."""
    key = (f"analytics:national-need:v1:{data_version()}:{','.join(sorted(phases))}:"
           f"{la_code or ''}")
    hit = cache.get(key)
    if hit is None:
        hit = _read_national_need(phases, la_code)
        cache.set(key, hit, CACHE_SECONDS)
    return hit


def _read_national_need(phases: set[str], la_code: str | None = None
                        ) -> tuple[dict, dict, str]:
    """Latest census SEN pupils by primary need: national (sum of LA rows) and one LA.

    One grouped query for the national sums and their source (a second for one LA's).
    """
    rows = (
        Figure.objects.filter(level=Level.LA, measure_id="sen_need_count", phase__in=phases,
                              sen="", breakdown="", value__isnull=False)
        .exclude(need="")
    )
    latest = rows.order_by("-year").values("year")[:1]
    rows = rows.filter(year=Subquery(latest))
    national: dict[str, float] = defaultdict(float)
    first = None  # (lowest id, title, period): the file named as the source
    for need, title, period, total, low in (
        rows.values("need", "dataset__title", "period")
        .annotate(t=Sum("value"), low=Min("id")).order_by()
        .values_list("need", "dataset__title", "period", "t", "low")
    ):
        national[need] += total
        if first is None or low < first[0]:
            first = (low, title, period)
    if first is None:
        return {}, {}, ""
    local = {}
    if la_code:
        local = dict(rows.filter(geo_code=la_code).values("need").annotate(t=Sum("value"))
                     .values_list("need", "t"))
    source = (f"England = the sum of every local authority's rows of {first[1]}, "
              f"{first[2]} (the file has no England row by need)")
    return dict(national), local, source


def _shares(counts: dict) -> dict:
    total = sum(v for v in counts.values() if v)
    return {k: (round(100 * v / total, 1) if total and v is not None else None)
            for k, v in counts.items()}


@dataclass
class NeedMix:
    table: Table
    chart: list[dict]  # long rows: need, group, share
    by_school: Table | None = None
    available: bool = True


def need_mix(trust: Trust, sr: SchoolRates, school: School | None = None) -> NeedMix:
    """SEN pupils by primary need: the trust's (or a school's) against national shares."""
    labels = _need_labels()
    schools = [f.school for f in sr.rows if school is None or f.school.pk == school.pk]
    phases = {benchmark_phase(s) for s in schools} - {None}
    national, local, source = _national_need(phases or {Phase.PRIMARY, Phase.SECONDARY},
                                             school.la_code if school else None)
    counts: dict[int, dict[str, int]] = defaultdict(dict)
    if sr.from_records:
        # The same read of the pupils as the schools' counts (shared within the request),
        # by need id; counts for one code are summed, as grouping by code did.
        by_need = record_need_counts(trust)
        ids = {i for by in by_need.values() for i in by if i is not None}
        code_of = dict(NeedType.objects.filter(pk__in=ids).values_list("pk", "code")) if ids \
            else {}
        for sid, by in by_need.items():
            for need_id, n in by.items():
                code = code_of[need_id] if need_id is not None else "none"
                counts[sid][code] = counts[sid].get(code, 0) + n
    trust_counts: dict[str, int] = defaultdict(int)
    for by in counts.values():
        for k, v in by.items():
            trust_counts[k] += v
    codes = [c for c in labels if c in trust_counts or c in national]
    codes += sorted(c for c in trust_counts if c not in labels and c != "none")
    if "none" in trust_counts:
        codes.append("none")
    label_of = {**labels, "none": "No primary need recorded"}

    def group(by: dict[str, int]):
        """Counts by need, 1-D suppressed for aggregate-only viewers."""
        values = [by.get(c, 0) for c in codes]
        total = sum(values)
        if not sr.hide or not values:
            return values, total
        t = suppress_table([[v] for v in values], values, [total], total)
        shown_vals = [v if r is None else (SMALL if r == "primary" else PROTECTING)
                      for v, r in zip((c[0] for c in t.cells),
                                      (r[0] for r in t.cell_reasons), strict=True)]
        shown_total = t.col_totals[0] if t.col_total_reasons[0] is None else SMALL
        return shown_vals, shown_total

    nat_share = _shares({c: national.get(c) for c in codes})
    la_share = _shares({c: local.get(c) for c in codes}) if local else {}
    trust_vals, trust_total = group(trust_counts)
    columns = [Column("need", "Primary need")]
    rows = [{"need": label_of.get(c, c)} for c in codes]
    chart = []
    if school is not None:
        s_vals, s_total = group(counts.get(school.pk, {}))
        columns += [Column("school", f"{school.name} pupils", "count"),
                    Column("school_share", f"{school.name} %", "pct")]
        for r, v in zip(rows, s_vals, strict=True):
            r.update(school=v, school_share=rate(v, s_total))
    columns += [Column("trust", "Trust pupils", "count"), Column("trust_share", "Trust %", "pct")]
    for r, v in zip(rows, trust_vals, strict=True):
        r.update(trust=v, trust_share=rate(v, trust_total))
    if school is not None:
        columns.append(Column("la_share", f"{school.la_name} %", "pct"))
    columns.append(Column("national_share", "England %", "pct"))
    for r, c in zip(rows, codes, strict=True):
        r["national_share"] = nat_share.get(c)
        if school is not None:
            r["la_share"] = la_share.get(c)
    series = [("school_share", school.name)] if school else []
    series += [("trust_share", "Trust"), ("la_share", school.la_name if school else ""),
               ("national_share", "England")]
    for r in rows:
        for key, name in series:
            if key in r and isinstance(r[key], float):
                chart.append({"need": r["need"], "group": name, "share": r[key]})
    notes = []
    if source:
        notes.append(f"England shares: {source}, "
                     f"{', '.join(sorted(PHASE_LABELS[p].lower() for p in phases))} schools.")
    if sr.from_records:
        notes.append("Trust: pupils on SEN support or with an EHC plan now, by primary need, "
                     "from sendtrust pupil records.")
    else:
        notes.append("This trust is built from public data: DfE publishes no primary need by "
                     "school, so there is no trust need mix.")
    table = Table("need-mix", "Pupils with SEN by primary need", columns, rows=rows,
                  footer=[{"need": "All pupils with SEN", "trust": trust_total,
                           **({"school": s_total} if school else {})}], notes=notes)
    by_school = None
    if not sr.hide and school is None and sr.from_records:
        cols = [Column("school", "School")] + [
            Column(c, c if c != "none" else "Not recorded", "count") for c in codes]
        cols.append(Column("total", "All with SEN", "count"))
        srows = []
        for f in sr.rows:
            by = counts.get(f.school.pk, {})
            srows.append({"school": f.name, **{c: by.get(c, 0) for c in codes},
                          "total": sum(by.values()), "_link": f.school.code})
        by_school = Table("need-mix-schools", "Pupils with SEN by primary need and school",
                          cols, rows=srows, notes=["Column headings are census need codes."])
    return NeedMix(table, chart, by_school, available=sr.from_records)


