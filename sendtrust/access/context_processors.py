from sendtrust.access.policy import (
    LINKED_VIEWERS,
    TRUST_GRANTS,
    Action,
    EvalAction,
    PlanRight,
    actor_for,
    allows_evaluation,
    allows_plan,
    may_build_public_trusts,
    member_trusts,
    schools_for,
)
from sendtrust.organisations.models import Role


def parent_only(user) -> bool:
    """True when every role the user holds today is parent or carer."""
    roles = actor_for(user).all_roles()
    return bool(roles) and roles <= {Role.PARENT}


def roles(request):
    """Give the layout the links this person may follow, from one query for their trusts.

    A link is shown only when the policy allows its page, so nobody meets a 403 from the
    navigation. A parent's navigation holds their own child and nothing of the staff's.
    """
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    actor = actor_for(user)
    if parent_only(user):
        return {"nav_parent": True, "nav_roles": sorted(actor.all_roles())}
    trusts = member_trusts(user)

    def granted(action):
        return [t for t in trusts if actor.roles_in_trust(t.pk) & TRUST_GRANTS[action]]

    def own_schools(action):
        # School staff without the trust-wide right reach their own school's page.
        if granted(action) or not actor.school_roles:
            return []
        return list(schools_for(user, action).order_by("name"))

    register_schools = own_schools(Action.SCHOOL_REGISTER)
    return {
        "nav_parent": False,
        "nav_trusts": granted(Action.TRUST_OVERVIEW),
        "nav_audit_trusts": granted(Action.TRUST_AUDIT),
        "nav_eval_trusts": [
            t for t in trusts if allows_evaluation(user, EvalAction.ROUND_LIST, t)
        ],
        "nav_analytics_trusts": granted(Action.TRUST_ANALYTICS),
        "nav_analytics_schools": own_schools(Action.SCHOOL_ANALYTICS),
        "nav_register_schools": register_schools,
        # Staff who reach pupils only one by one (external professionals) have no register.
        "nav_my_pupils": not register_schools and bool(actor.all_roles() & LINKED_VIEWERS),
        "nav_plan_trusts": [
            t for t in trusts if not t.read_only and allows_plan(user, PlanRight.VIEW, t)
        ],
        "nav_public_trusts": may_build_public_trusts(user),
        "nav_quality_trusts": granted(Action.DATA_QUALITY),
        "nav_quality_schools": own_schools(Action.DATA_QUALITY),
        "nav_roles": sorted(actor.all_roles()),
    }
