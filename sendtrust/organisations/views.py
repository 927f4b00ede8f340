"""Home and the trust overview."""

from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render

from sendtrust.access.policy import Action, actor_for, get_trust_for_user, schools_for, trusts_for
from sendtrust.organisations import overview


@login_required
def home(request):
    """Send each person to the page their role starts from."""
    trusts = list(trusts_for(request.user))
    if len(trusts) == 1:
        return redirect("trust_overview", trusts[0].code)
    schools = list(schools_for(request.user, Action.SCHOOL_REGISTER))
    if not trusts and len(schools) == 1:
        return redirect("school_register", schools[0].code)
    if not trusts and not schools and actor_for(request.user).all_roles():
        return redirect("my_pupils")
    return render(request, "organisations/home.html", {"trusts": trusts, "schools": schools})


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
