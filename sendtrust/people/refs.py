"""Opaque references for rows that have no UUID of their own (memberships, API tokens).

A URL never carries a sequential key (STYLE: no enumeration): the key is signed with the
site's secret and a salt per kind, so a reference cannot be guessed or moved to another kind.
"""

from django.core import signing
from django.http import Http404


def ref_for(kind: str, pk: int) -> str:
    return signing.dumps(pk, salt=f"sendtrust.people.ref.{kind}", compress=False)


def pk_from_ref(kind: str, ref: str) -> int:
    """Return the key behind a reference, or raise Http404 for anything forged or foreign."""
    try:
        pk = signing.loads(ref, salt=f"sendtrust.people.ref.{kind}")
    except signing.BadSignature:
        raise Http404("Not found") from None
    if not isinstance(pk, int):
        raise Http404("Not found")
    return pk
