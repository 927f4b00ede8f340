from sendtrust.access.policy import (
    TRUST_GRANTS,
    Action,
    EvalAction,
    PlanRight,
    actor_for,
    allows_evaluation,
    allows_plan,
    schools_for,
)
from sendtrust.organisations.models import Trust


def roles(request):
    """Give the layout what it needs for navigation, from one query for the user's trusts."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    actor = actor_for(user)
    trusts = list(Trust.objects.filter(pk__in=actor.member_of)) if actor.member_of else []

    def granted(action):
        return [t for t in trusts if actor.roles_in_trust(t.pk) & TRUST_GRANTS[action]]

    return {
        "nav_trusts": granted(Action.TRUST_OVERVIEW),
        "nav_audit_trusts": granted(Action.TRUST_AUDIT),
        "nav_eval_trusts": [
            t for t in trusts if allows_evaluation(user, EvalAction.ROUND_LIST, t)
        ],
        "nav_analytics_trusts": granted(Action.TRUST_ANALYTICS),
        # School leaders without a trust-wide role reach their own school's analytics.
        "nav_analytics_schools": (
            list(schools_for(user, Action.SCHOOL_ANALYTICS).order_by("name"))
            if not granted(Action.TRUST_ANALYTICS) and actor.school_roles else []
        ),
        "nav_plan_trusts": [
            t for t in trusts if not t.read_only and allows_plan(user, PlanRight.VIEW, t)
        ],
        "nav_quality_trusts": granted(Action.DATA_QUALITY),
        "nav_quality_schools": (
            list(schools_for(user, Action.DATA_QUALITY).order_by("name"))
            if not granted(Action.DATA_QUALITY) and actor.school_roles else []
        ),
        "nav_roles": sorted(actor.all_roles()),
    }
