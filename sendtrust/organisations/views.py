"""The trust overview: every school's figures from the one analytics source."""

from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.views.decorators.http import require_safe

from sendtrust.access.policy import Action, allows, get_trust_for_user, is_aggregate_only
from sendtrust.analytics import figures


@login_required
@require_safe
def trust_overview(request, code):
    """Every school of a trust with its SEN rates beside like-for-like comparators."""
    trust = get_trust_for_user(request, code, Action.TRUST_OVERVIEW)
    hide = is_aggregate_only(request.user, trust)
    rates = figures.school_rates(trust, hide=hide)
    context = {"trust": trust, "rates": rates, "rows": rates.rows, "total": rates.total,
               "hide_small": hide}
    if trust.read_only:
        # Built from public data alone: published school figures, no pupil records.
        return render(request, "organisations/public_trust_overview.html", context)
    context["openable"] = {f.school.pk for f in rates.rows
                           if allows(request.user, Action.SCHOOL_REGISTER, f.school)}
    return render(request, "organisations/trust_overview.html", context)
