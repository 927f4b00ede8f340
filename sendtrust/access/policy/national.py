"""Policy rules of the national picture (/national/): part of the one policy module.

The national picture shows published DfE figures only (no pupil, no school of a trust), so
everyone signed in may read it. Beside England it shows the local authorities of the trusts
the viewer belongs to now (any current membership), never those of another trust.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied

from sendtrust.access.policy import actor_for
from sendtrust.organisations.models import School


def may_view_national(user) -> bool:
    """Any active, signed-in user may read the national picture."""
    return bool(user.is_authenticated and user.is_active)


def require_national(user) -> None:
    """Raise PermissionDenied unless user may read the national picture."""
    if not may_view_national(user):
        raise PermissionDenied("Sign in to see the national picture")


def national_local_authorities(user) -> list[tuple[str, str]]:
    """(old LA code, LA name) of the schools of every trust user is a current member of."""
    if not may_view_national(user):
        return []
    trusts = actor_for(user).member_of
    if not trusts:
        return []
    pairs = (
        School.objects.filter(trust_id__in=trusts)
        .exclude(la_code="")
        .values_list("la_code", "la_name")
        .distinct()
    )
    return sorted(set(pairs), key=lambda pair: (pair[1], pair[0]))
