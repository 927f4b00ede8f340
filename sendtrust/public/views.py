"""The trusts of the GIAS extract, and building a read-only profile of one."""

from __future__ import annotations

from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_POST

from sendtrust.access.audit import log_action
from sendtrust.access.policy import decide_public_build, enforce
from sendtrust.public import services

PER_PAGE = 50


def _require_may_build(request) -> None:
    enforce(decide_public_build(request.user), None)


@login_required
@require_GET
def trust_list(request):
    """Every trust in the loaded GIAS extract, searchable, each with a button to its profile."""
    _require_may_build(request)
    search = request.GET.get("q", "").strip()[:100]
    loaded = services.gias_loaded()
    trusts = services.gias_trusts(search) if loaded else []
    page = Paginator(trusts, PER_PAGE).get_page(request.GET.get("page"))
    return render(request, "public/trust_list.html", {
        "page": page, "search": search, "loaded": loaded, "total": len(trusts),
        "query": urlencode({"q": search}) if search else "",
        "source": services.gias_source() if loaded else "", "load_hint": services.LOAD_HINT,
    })


@login_required
@require_POST
def build_trust(request):
    """Create or refresh the read-only profile of one GIAS trust, then open its overview."""
    _require_may_build(request)
    code = request.POST.get("code", "")
    try:
        result = services.build_public_trust(code)
    except services.PublicTrustError as exc:
        messages.error(request, f"The profile could not be built: {exc}.")
        return redirect("public:trust_list")
    log_action(
        request, "public_trust.built", trust=result.trust, object_repr=result.trust.name,
        group_uid=result.trust.group_uid, created=result.created, added=len(result.added),
        removed=len(result.removed), skipped=len(result.skipped),
    )
    for line in result.summary():
        messages.info(request, line)
    return redirect("trust_overview", result.trust.code)
