"""The audit log, for the trust's SEND leader."""

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.shortcuts import render
from django.views.decorators.http import require_safe

from sendtrust.access.models import AuditEntry
from sendtrust.access.policy import Action, get_trust_for_user
from sendtrust.pupils.models import Pupil


@login_required
@require_safe
def audit_log(request, code):
    """Every read, change and export in the trust, newest first; SEND leader only."""
    trust = get_trust_for_user(request, code, Action.TRUST_AUDIT)
    qs = AuditEntry.objects.filter(trust_id_at_time=trust.pk)
    action = request.GET.get("action", "")
    username = request.GET.get("user", "").strip()
    if action:
        qs = qs.filter(action=action)
    if username:
        qs = qs.filter(username=username)
    page = Paginator(qs, per_page=settings.REGISTER_PAGE_SIZE).get_page(request.GET.get("page"))
    codes = {e.pupil_code for e in page if e.pupil_code}
    # One query for the names on this page; a removed pupil keeps its entry with a code only.
    pupils = {p.code: p for p in Pupil.objects.filter(code__in=codes)} if codes else {}
    # The detail's pairs are listed here: in a template `detail.items` would read a detail
    # key named "items" (an EHC worklist logs one) instead of the dict's method.
    entries = [(e, pupils.get(e.pupil_code), list(e.detail.items())) for e in page]
    actions = (
        AuditEntry.objects.filter(trust_id_at_time=trust.pk)
        .order_by("action").values_list("action", flat=True).distinct()
    )
    query = request.GET.copy()
    query.pop("page", None)
    return render(request, "access/audit_log.html", {
        "trust": trust, "page": page, "entries": entries, "actions": list(actions),
        "action": action, "username": username, "query": query.urlencode(),
    })
