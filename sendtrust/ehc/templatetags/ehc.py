"""Template tags of the ehc app: the navigation items and the pupil-record panel."""

from django import template
from django.utils import timezone

from sendtrust.access.policy.ehc import EhcRight, schools_for, trusts_for
from sendtrust.ehc import facts
from sendtrust.ehc.models import Journey

register = template.Library()


@register.inclusion_tag("ehc/_nav_items.html")
def ehc_nav(user):
    """Links to the worklists and compliance figures the user may open, and nothing else."""
    if not user.is_authenticated:
        return {"show": False}
    worklist_trusts = list(trusts_for(user, EhcRight.WORKLIST))
    compliance_trusts = [t for t in trusts_for(user, EhcRight.COMPLIANCE)
                         if t not in worklist_trusts]
    schools = [] if worklist_trusts else list(schools_for(user, EhcRight.WORKLIST))
    return {"show": True, "worklist_trusts": worklist_trusts,
            "compliance_trusts": compliance_trusts, "schools": schools}


@register.inclusion_tag("ehc/_panel.html")
def ehc_panel(pupil):
    """The journey's stage and its next open deadlines, for whoever may read the record."""
    today = timezone.localdate()
    rows = facts.journeys(Journey.objects.filter(pupil=pupil), today=today, open_only=True)
    if not rows:
        return {"pupil": pupil, "row": None}
    open_ = rows[0].clocks.open_deadlines()[:3]
    return {"pupil": pupil, "row": rows[0], "next": [(d, d.state(today)) for d in open_],
            "today": today}
