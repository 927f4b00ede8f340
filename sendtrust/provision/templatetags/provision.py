"""Template tags for the provision nav items and the panel on the pupil record."""

from django import template
from django.utils import timezone

from sendtrust.access.policy import actor_for, member_trusts
from sendtrust.access.policy import provision as rules
from sendtrust.access.policy.provision import Right
from sendtrust.organisations.models import School
from sendtrust.provision.models import ELEMENT_2_THRESHOLD, EhcHours, GroupEnrolment

register = template.Library()


@register.simple_tag
def provision_nav(user):
    """Links the user may follow: each trust's provision, or each school's for school staff."""
    if not user.is_authenticated:
        return []
    actor = actor_for(user)
    links = []
    for trust in (t for t in member_trusts(user) if not t.read_only):
        if rules.allows(user, Right.CATALOGUE_VIEW, trust):
            links.append(("Provision", "provision:catalogue", trust.code))
        elif rules.allows(user, Right.TRUST_FIGURES, trust):
            links.append(("Provision map", "provision:trust_map", trust.code))
    if not links:
        for school in School.objects.filter(pk__in=list(actor.school_roles)).order_by("name"):
            if rules.allows(user, Right.SCHOOL_VIEW, school):
                links.append((f"Provision: {school.name}", "provision:school_provision",
                              school.code))
    return links


@register.simple_tag
def may_view_catalogue(user, trust):
    """Whether the trust's catalogue is open to user: a link to it is shown only then."""
    return rules.allows(user, Right.CATALOGUE_VIEW, trust)


@register.simple_tag
def provision_panel(pupil, user):
    """The pupil's provision this year and before, or None when user may not see it."""
    if not rules.allows(user, Right.SCHOOL_VIEW, pupil):
        return None
    from sendtrust.analytics.figures import provision as figures

    today = timezone.localdate()
    items = figures.pupil_items(user, pupil, on=today)
    total = sum((i.cost for i in items), 0)
    history = (GroupEnrolment.objects.filter(pupil=pupil)
               .select_related("group__intervention__measure", "school")
               .order_by("-group__starts_on"))
    return {
        "items": items, "total": total, "threshold": ELEMENT_2_THRESHOLD,
        "above": total > ELEMENT_2_THRESHOLD, "history": history,
        "ehc_hours": EhcHours.objects.filter(pupil=pupil).order_by("-starts_on").first(),
        "may_manage": rules.allows(user, Right.MANAGE, pupil),
        "year": figures.facts.year_label(figures.facts.school_year(today)[0]),
    }
