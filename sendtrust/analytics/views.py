"""Trust and school analytics pages, their funnel partials and the table downloads."""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.http import require_POST, require_safe

from sendtrust.access.audit import log_action
from sendtrust.access.policy import (
    Action,
    allows,
    get_school_for_user,
    get_trust_for_user,
)
from sendtrust.analytics import charts, export, figures, report
from sendtrust.analytics.tables import Table
from sendtrust.lib import links
from sendtrust.ops import reports as ops_reports
from sendtrust.people.twofactor import ensure_recent_auth, require_recent_auth

NON_FUNNEL = {"need", "trend", "gaps", "timeliness"}
EXPORT_ROUTE = {"trust": "trust_export", "school": "one_school_export"}


@dataclass
class Chart:
    id: str
    title: str
    spec: dict | None
    table: Table
    reading: str
    exports: dict  # format -> url


def _method(request) -> str:
    limits = request.GET.get("limits", "")
    return "binomial" if limits == "binomial" else figures.DEFAULT_METHOD


def _link_schools(tables, user, schools) -> None:
    """Turn each row's school code into a link to its analytics, where the user may open it."""
    url = links.by_code("analytics:one_school")
    urls = {s.code: url(s.code)
            for s in schools if allows(user, Action.SCHOOL_ANALYTICS, s)}
    for table in tables:
        for row in table.all_rows():
            if "_link" in row:
                row["_url"] = urls.get(row["_link"])


def _exports(kind: str, obj, key: str, method: str) -> dict:
    query = "?limits=binomial" if method == "binomial" and key.startswith("funnel-") else ""
    return {fmt: reverse(f"analytics:{EXPORT_ROUTE[kind]}", args=[obj.code, key, fmt]) + query
            for fmt in export.FORMATS}


def _first(rows, **match):
    return next((r for r in rows if all(r.get(k) == v for k, v in match.items())), None)


def need_reading(table: Table, who: str) -> str:
    key = "school_share" if table.columns[1].key == "school" else "trust_share"
    shares = [r for r in table.rows if isinstance(r.get(key), float)]
    if not shares:
        return f"There are no published need figures for {who} to compare."
    top = max(shares, key=lambda r: r[key])
    nat = top.get("national_share")
    against = f", against {nat:.1f}% in England" if isinstance(nat, float) else ""
    return (f"The most common primary need among {who}'s pupils with SEN is "
            f"{top['need'].lower()} ({top[key]:.1f}%){against}.")


def trend_reading(table: Table, who: str) -> str:
    mine = [r for r in table.rows if isinstance(r.get("sen_support_rate"), float)]
    nat = [r for r in table.rows if isinstance(r.get("national_sen_support_rate"), float)]
    if mine:
        r = mine[-1]
        text = (f"At the January {r['year']} census {who} had {r['sen_support_rate']:.1f}% of "
                f"pupils on SEN support and {r['ehcp_rate']:.1f}% with an EHC plan"
                if isinstance(r.get("ehcp_rate"), float) else
                f"At the January {r['year']} census {who} had {r['sen_support_rate']:.1f}% "
                f"of pupils on SEN support")
        n = _first(nat, year=r["year"]) or (nat[-1] if nat else None)
        if n:
            text += (f"; England's rates were {n['national_sen_support_rate']:.1f}% and "
                     f"{n['national_ehcp_rate']:.1f}% in {n['year']}")
        return text + "."
    if nat:
        first, last = nat[0], nat[-1]
        return (f"{who} has no census-day figures to show; in England the EHC plan rate went "
                f"from {first['national_ehcp_rate']:.1f}% in {first['year']} to "
                f"{last['national_ehcp_rate']:.1f}% in {last['year']}.")
    return "No trend figures are available."


def gaps_reading(table: Table) -> str:
    r = _first(table.rows, place="England")
    if r is None:
        return "No national outcome figures by SEN status are loaded."
    return (f"In England ({r['period']}), {r['outcome'][0].lower()}{r['outcome'][1:]} was "
            f"{r['sen']:.1f} for pupils with SEN and {r['no_sen']:.1f} for those without, a "
            f"gap of {r['gap']:+.1f}; sendtrust has no trust outcome data yet.")


def timeliness_reading(table: Table) -> str:
    if not table.rows:
        return "No EHC plan timeliness figures are loaded."
    latest = max(r["year"] for r in table.rows)
    rows = [r for r in table.rows if r["year"] == latest]
    eng = _first(rows, place="England")
    others = [r for r in rows if r["place"] != "England"]
    parts = [f"{r['place']} {r['rate']:.1f}%" for r in others]
    text = f"In {latest}, new EHC plans issued within 20 weeks: " + (
        ", ".join(parts) if parts else "no partner authority figures")
    if eng:
        text += f", against {eng['rate']:.1f}% in England"
    return text + "."


def _charts(data: figures.Analytics, kind: str, obj) -> dict[str, Chart]:
    who = data.school.name if data.school else data.trust.name
    out = {}
    need = data.need.table
    out["need"] = Chart(
        "chart-need", "Need mix",
        charts.dot_spec(data.need.chart, category="need", value="share", group="group",
                        title="Pupils with SEN by primary need (%)",
                        description=need_reading(need, who), x_title="% of pupils with SEN")
        if data.need.chart else None,
        need, need_reading(need, who), _exports(kind, obj, "need-mix", data.method))
    tr = data.trend.table
    out["trend"] = Chart(
        "chart-trend", "Trend",
        charts.line_spec(data.trend.chart, x="year", y="rate", series="series",
                         title="SEN support and EHC plan rates by January census (%)",
                         description=trend_reading(tr, who), y_title="% of pupils")
        if data.trend.chart else None,
        tr, trend_reading(tr, who), _exports(kind, obj, "trend", data.method))
    out["gaps"] = Chart(
        "chart-gaps", "Outcome gaps",
        charts.gap_spec(data.gaps.rows, "Gaps between pupils with and without SEN "
                        "(percentage points)", gaps_reading(data.gaps))
        if any(r.get("_pct") for r in data.gaps.rows) else None,
        data.gaps, gaps_reading(data.gaps), _exports(kind, obj, "gaps", data.method))
    tl = data.timeliness
    out["timeliness"] = Chart(
        "chart-timeliness", "EHC plan timeliness",
        charts.line_spec(tl.rows, x="year", y="rate", series="place",
                         title="New EHC plans issued within 20 weeks (%)",
                         description=timeliness_reading(tl), y_title="% within 20 weeks",
                         x_title="Calendar year")
        if tl.rows else None,
        tl, timeliness_reading(tl), _exports(kind, obj, "timeliness", data.method))
    return out


def _funnel_charts(data: figures.Analytics, kind: str, obj) -> list[Chart]:
    return [
        Chart(f"chart-{f.slug}", f.title, charts.funnel_spec(f), f.table, f.reading,
              _exports(kind, obj, f.slug, data.method))
        for f in data.funnels
    ]


@login_required
@require_safe
def trust_analytics(request, code):
    trust = get_trust_for_user(request, code, Action.TRUST_ANALYTICS)
    data = figures.analytics(trust, request.user, method=_method(request), sections=NON_FUNNEL)
    schools = [f.school for f in data.rates.rows]
    _link_schools(data.tables().values(), request.user, schools)
    return render(request, "analytics/trust_analytics.html", {
        "trust": trust, "data": data, "charts": _charts(data, "trust", trust),
        "schools_exports": _exports("trust", trust, "schools", data.method),
        "by_school_exports": _exports("trust", trust, "need-mix-schools", data.method),
        "funnels_url": reverse("analytics:trust_funnels", args=[trust.code]),
        "binomial": data.method == "binomial",
    })


def _funnel_template(request) -> str:
    """The section alone for htmx; a whole page for a browser without JavaScript."""
    return "analytics/_funnels.html" if request.htmx else "analytics/funnels_page.html"


@login_required
@require_safe
def trust_funnels(request, code):
    trust = get_trust_for_user(request, code, Action.TRUST_ANALYTICS)
    data = figures.analytics(trust, request.user, method=_method(request), sections={"funnel"})
    _link_schools([f.table for f in data.funnels], request.user,
                  [f.school for f in data.rates.rows])
    return render(request, _funnel_template(request), {
        "data": data, "funnels": _funnel_charts(data, "trust", trust),
        "meaning": figures.FUNNEL_MEANING,
    })


@login_required
@require_safe
def school_analytics(request, code):
    school = get_school_for_user(request, code, Action.SCHOOL_ANALYTICS)
    data = figures.analytics(school.trust, request.user, school=school,
                             method=_method(request), sections=NON_FUNNEL)
    return render(request, "analytics/school_analytics.html", {
        "school": school, "trust": school.trust, "data": data,
        "charts": _charts(data, "school", school),
        "schools_exports": _exports("school", school, "schools", data.method),
        "funnels_url": reverse("analytics:one_school_funnels", args=[school.code]),
        "binomial": data.method == "binomial",
        "trust_link": allows(request.user, Action.TRUST_ANALYTICS, school.trust),
    })


@login_required
@require_safe
def school_funnels(request, code):
    school = get_school_for_user(request, code, Action.SCHOOL_ANALYTICS)
    data = figures.analytics(school.trust, request.user, school=school,
                             method=_method(request), sections={"funnel"})
    return render(request, _funnel_template(request), {
        "data": data, "funnels": _funnel_charts(data, "school", school),
        "meaning": figures.FUNNEL_MEANING,
    })


def _download(request, data: figures.Analytics, table_key: str, fmt: str, name: str, **where):
    table = data.tables().get(table_key)
    if table is None or not table.columns:
        raise Http404("No such table")
    log_action(request, "analytics.exported", table=table_key, format=fmt,
               rows=len(table.all_rows()), withheld=table.withheld_count(),
               aggregate_only=data.hide, **where)
    filename = export.filename(name, table, fmt)
    if fmt == "xlsx":
        return export.xlsx_response(table, filename)
    return export.csv_response(table, filename)


def _sections_for(table_key: str) -> set[str]:
    if table_key.startswith("funnel-"):
        return {"funnel"}
    return {"need-mix": {"need"}, "need-mix-schools": {"need"}, "trend": {"trend"},
            "gaps": {"gaps"}, "timeliness": {"timeliness"}}.get(table_key, set())


@login_required
@require_recent_auth
@require_safe
def trust_export(request, code, table, fmt):
    trust = get_trust_for_user(request, code, Action.TRUST_ANALYTICS)
    ensure_recent_auth(request)
    data = figures.analytics(trust, request.user, method=_method(request),
                             sections=_sections_for(table))
    return _download(request, data, table, fmt, trust.name, trust=trust)


@login_required
@require_recent_auth
@require_safe
def school_export(request, code, table, fmt):
    school = get_school_for_user(request, code, Action.SCHOOL_ANALYTICS)
    ensure_recent_auth(request)
    data = figures.analytics(school.trust, request.user, school=school,
                             method=_method(request), sections=_sections_for(table))
    return _download(request, data, table, fmt, school.name, school=school)


@login_required
@require_recent_auth
@require_POST
def trust_report(request, code):
    """Start the trust analytics PDF (charts drawn offline, withheld cells as on the page) in
    the worker: it covers every school. Its page shows progress, then the download."""
    trust = get_trust_for_user(request, code, Action.TRUST_ANALYTICS)
    ensure_recent_auth(request, back=reverse("analytics:trust_analytics", args=[trust.code]))
    return ops_reports.start(request, trust, report.TRUST_REPORT,
                             {"method": _method(request)})
