from sendtrust.access.policy import (
    Action,
    EvalAction,
    actor_for,
    allows_evaluation,
    trusts_for,
)
from sendtrust.organisations.models import Trust


def roles(request):
    """Give the layout what it needs for navigation: the user's trusts and role names."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    actor = actor_for(user)
    member_trusts = Trust.objects.filter(pk__in=actor.member_of) if actor.member_of else []
    return {
        "nav_trusts": list(trusts_for(user)),
        "nav_audit_trusts": list(trusts_for(user, Action.TRUST_AUDIT)),
        "nav_eval_trusts": [
            t for t in member_trusts if allows_evaluation(user, EvalAction.ROUND_LIST, t)
        ],
        "nav_roles": sorted(actor.all_roles()),
    }
