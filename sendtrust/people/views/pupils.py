"""A pupil's family and data rights: invite a parent or carer; the subject access export."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.cache import add_never_cache_headers
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_safe

from sendtrust.access.audit import log_action
from sendtrust.access.policy.people import (
    PeopleRight,
    get_pupil_for_people,
    get_trust_for_people,
)
from sendtrust.people import retention, services
from sendtrust.people.forms import ParentInviteForm
from sendtrust.people.models import Erasure
from sendtrust.people.registry import parts_for
from sendtrust.people.subject_access import build_export
from sendtrust.people.twofactor import inline_reauth


@login_required
def invite_parent(request, code):
    """Link a parent or carer to the pupil and email them an invitation."""
    pupil = get_pupil_for_people(request, code, PeopleRight.INVITE_PARENT)
    form = ParentInviteForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        services.invite_parent(request, pupil, **form.cleaned_data)
        messages.success(request, f"{form.cleaned_data['first_name']} "
                                  f"{form.cleaned_data['last_name']} can see {pupil}'s record "
                                  "once they have set a password from the email.")
        return redirect("pupil_record", pupil.code)
    return render(request, "people/invite_parent.html", {
        "pupil": pupil, "form": form, "forms": [form],
    })


@sensitive_post_parameters("reauth-password", "reauth-code")
@login_required
def subject_access(request, code):
    """What a subject access export holds; download it (after confirming it is you)."""
    pupil = get_pupil_for_people(request, code, PeopleRight.SUBJECT_ACCESS)
    reauth = inline_reauth(request)
    if request.method == "POST" and reauth is None:
        name, data = build_export(pupil, by=request.user)
        log_action(request, "pupil.subject_access.exported", pupil=pupil, bytes=len(data))
        response = HttpResponse(data, content_type="application/zip")
        response["Content-Disposition"] = f'attachment; filename="{name}"'
        add_never_cache_headers(response)
        return response
    parts = parts_for(pupil)
    response = render(request, "people/subject_access.html", {
        "pupil": pupil, "parts": parts, "reauth": reauth, "forms": [reauth],
    })
    add_never_cache_headers(response)
    return response


@login_required
@require_safe
def retention_policy(request, code):
    """How long the trust keeps each kind of record, and the pupils anonymised so far."""
    trust = get_trust_for_people(request, code, PeopleRight.RETENTION_VIEW)
    return render(request, "people/retention.html", {
        "trust": trust, "rules": retention.rules(),
        "erasures": Erasure.objects.filter(trust_id_at_time=trust.pk).count(),
    })
