from sendtrust.access.policy import Action, actor_for, trusts_for


def roles(request):
    """Give the layout what it needs for navigation: the user's trusts and role names."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    actor = actor_for(user)
    return {
        "nav_trusts": list(trusts_for(user)),
        "nav_audit_trusts": list(trusts_for(user, Action.TRUST_AUDIT)),
        "nav_roles": sorted(actor.all_roles()),
    }
