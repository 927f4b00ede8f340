"""The trust overview."""

from django.contrib.auth.decorators import login_required
from django.shortcuts import render

from sendtrust.access.policy import Action, get_trust_for_user
from sendtrust.organisations import overview


@login_required
def trust_overview(request, code):
    """Every school of a trust with its SEN rates beside the national rates."""
    trust = get_trust_for_user(request, code, Action.TRUST_OVERVIEW)
    if trust.read_only:
        # Built from public data alone: published school figures, no pupil records.
        data = overview.public_trust_overview(trust)
        return render(request, "organisations/public_trust_overview.html",
                      {"trust": trust, **data})
    data = overview.trust_overview(trust, user=request.user)
    return render(request, "organisations/trust_overview.html", {"trust": trust, **data})
