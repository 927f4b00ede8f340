"""A school's support worklist and the trust's support figures per school."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_safe

from sendtrust.access.audit import log_action
from sendtrust.access.policy import Decision
from sendtrust.access.policy import support as rules
from sendtrust.analytics import charts
from sendtrust.analytics.export import csv_response, filename, xlsx_response
from sendtrust.analytics.figures.support import MEASURES, support_figures, support_table
from sendtrust.people.twofactor import ensure_recent_auth, require_recent_auth
from sendtrust.support import access, facts

LIST_LIMIT = 50  # rows shown per list; the count above each list is always the full number


def worklists(schools, on):
    """Each worklist: (key, title, what to do, count, first rows). Two queries a list."""
    lists = [
        ("overdue", "Reviews overdue", "Hold the review and record it.",
         facts.reviews_overdue(schools, on)),
        ("due", f"Reviews due in the next {facts.REVIEW_SOON_DAYS} days",
         "Ask the pupil and the family for their views before the review.",
         facts.reviews_due(schools, on)),
        ("no_outcomes", "Current plans without outcomes", "Add outcomes to the plan.",
         facts.plans_without_outcomes(schools)),
        ("no_plan", "Pupils on SEN support without a support plan", "Start a support plan.",
         facts.support_without_plan(schools)),
        ("no_conversation", "Families on SEN support without a conversation this term",
         "Offer the family a structured conversation.",
         facts.families_without_conversation(schools, on)),
        ("behind", "Families behind three conversations a year",
         "Fewer conversations this school year than terms begun.",
         facts.conversations_overdue(schools, on)),
    ]
    return [{"key": k, "title": t, "todo": todo, "count": qs.count(),
             "rows": list(qs[:LIST_LIMIT])} for k, t, todo, qs in lists]


@login_required
@require_safe
def school_worklist(request, code):
    """Reviews due and overdue, plans without outcomes, pupils without a plan, families
    without a conversation: one school's support to-do list."""
    school = access.get_worklist_school(request.user, code)
    on = timezone.localdate()
    log_action(request, "support.worklist.viewed", school=school, object_repr=school.name)
    return render(request, "support/worklist.html", {
        "school": school, "lists": worklists([school], on), "today": on,
        "term_start": facts.term_start(on), "limit": LIST_LIMIT})


def _chart(f, trust):
    rows = []
    for s, shares in f.rows:
        for key, label, *_ in MEASURES:
            pct = shares[key].percent
            if isinstance(pct, float):
                rows.append({"school": s.name, "measure": label, "percent": pct})
    if not rows:
        reading = "No figures yet: no school has support plans or conversations recorded."
    else:
        low = min((r for r in rows if r["measure"] == MEASURES[0][1]),
                  key=lambda r: r["percent"], default=None)
        reading = (f"{low['school']} has the lowest share of SEN pupils with a current support "
                   f"plan ({low['percent']:.1f}%)." if low else
                   "Each dot is one school's share for one measure.")
    spec = charts.dot_spec(rows, category="school", value="percent", group="measure",
                           title="Support plans, reviews and conversations by school",
                           description=reading, x_title="Per cent") if rows else None
    exports = {fmt: reverse("support:trust_support_export", args=[trust.code, fmt])
               for fmt in ("csv", "xlsx")}
    return {"id": "support-by-school", "title": "Support plans, reviews and conversations by "
                                               "school", "spec": spec,
            "table": support_table(f), "reading": reading, "exports": exports}


@login_required
@require_safe
def trust_support(request, code):
    """Per school: the share with a current plan, reviews on time, plans with the pupil's and
    parents' views, conversations this term (suppressed for trustees)."""
    trust = access.get_trust(request.user, code)
    f = support_figures(trust, request.user)
    chart = _chart(f, trust)
    # Those who may open a school's worklist follow its name there (never a trustee).
    for (school, _), row in zip(f.rows, chart["table"].rows, strict=True):
        if rules.decide_worklist(request.user, school) is Decision.ALLOW:
            row["_url"] = reverse("support:school_worklist", args=[school.code])
    return render(request, "support/trust_support.html", {
        "trust": trust, "figures": f, "chart": chart})


@login_required
@require_recent_auth
@require_safe
def trust_support_export(request, code, fmt):
    trust = access.get_trust(request.user, code)
    ensure_recent_auth(request)
    if fmt not in ("csv", "xlsx"):
        raise Http404("Not found")
    table = support_table(support_figures(trust, request.user))
    log_action(request, "support.figures.exported", trust=trust, object_repr=trust.name,
               format=fmt)
    name = filename(trust.name, table, fmt)
    return csv_response(table, name) if fmt == "csv" else xlsx_response(table, name)
