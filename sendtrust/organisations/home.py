"""Home: each person lands on the page their role starts from."""

from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, reverse
from django.views.decorators.http import require_safe

from sendtrust.access.context_processors import parent_only
from sendtrust.access.policy import Action, actor_for, schools_for, trusts_for


@login_required
@require_safe
def home(request):
    """Send each person to the page their role starts from."""
    if parent_only(request.user):
        # The family pages belong to the support app; until they exist, the parent's own
        # list of their children.
        try:
            return redirect(reverse("support:family_home"))
        except NoReverseMatch:
            return redirect("my_pupils")
    trusts = list(trusts_for(request.user))
    if len(trusts) == 1:
        return redirect("trust_overview", trusts[0].code)
    schools = list(schools_for(request.user, Action.SCHOOL_REGISTER))
    if not trusts and len(schools) == 1:
        return redirect("school_register", schools[0].code)
    if not trusts and not schools and actor_for(request.user).all_roles():
        return redirect("my_pupils")
    return render(request, "organisations/home.html", {"trusts": trusts, "schools": schools})
