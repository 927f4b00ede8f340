"""Navigation items and the pupil-record panel of the support app, shown only to those who
may follow them."""

from django import template
from django.utils import timezone

from sendtrust.access.policy import support as rules
from sendtrust.access.policy.support import SupportRight, allows_support

register = template.Library()


@register.inclusion_tag("support/_nav_items.html")
def support_nav(user):
    if not user.is_authenticated:
        return {"show": False}
    return {
        "show": True,
        # A school's own head and SENCO get its worklist here; trust-wide roles reach every
        # school's worklist from the trust's support figures instead of 50 links.
        "schools": list(rules.worklist_schools(user, school_roles_only=True).order_by("name")),
        "trusts": list(rules.trusts_for_view(user)),
        "family": rules.family_children(user).exists(),
    }


@register.inclusion_tag("support/_panel.html")
def support_panel(pupil, user):
    """The one-page profile first (what a teacher sees first), then the current plan."""
    from sendtrust.support.models import OnePageProfile, SupportPlan

    if not allows_support(user, SupportRight.PLAN_VIEW, pupil):
        return {"show": False}
    return {
        "show": True,
        "pupil": pupil,
        "profile": OnePageProfile.objects.filter(pupil=pupil).first(),
        "current": SupportPlan.objects.filter(pupil=pupil,
                                              status=SupportPlan.Status.OPEN).first(),
        "today": timezone.localdate(),
    }
