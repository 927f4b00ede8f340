"""Staff of a trust and their roles, for the trust's SEND leader: list, add, import, end."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Q
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST, require_safe

from sendtrust.access.audit import log_action
from sendtrust.access.policy.people import (
    PeopleRight,
    get_membership_for_user,
    get_trust_for_people,
)
from sendtrust.organisations.models import Membership
from sendtrust.people import services
from sendtrust.people.forms import EndMembershipForm, StaffForm, StaffImportForm
from sendtrust.people.refs import pk_from_ref, ref_for
from sendtrust.people.twofactor import ensure_recent_auth, inline_reauth, require_recent_auth

MANAGE = PeopleRight.MANAGE_STAFF


@login_required
@require_safe
def staff(request, code):
    """Everyone holding a role in the trust, current roles first, then ended ones."""
    trust = get_trust_for_people(request, code, MANAGE)
    today = timezone.localdate()
    memberships = (
        Membership.objects.filter(trust=trust).select_related("user", "school")
        .order_by("user__last_name", "user__first_name", "user__username", "starts_on")
    )
    current, ended = [], []
    for m in memberships:
        row = (m, ref_for("membership", m.pk))
        is_current = m.starts_on <= today and (m.ends_on is None or m.ends_on >= today)
        (current if is_current or m.starts_on > today else ended).append(row)
    return render(request, "people/staff.html", {
        "trust": trust, "current": current, "ended": ended, "today": today,
    })


@login_required
def add_staff(request, code):
    """Give a person a role at a school or the trust; a new person is invited by email."""
    trust = get_trust_for_people(request, code, MANAGE)
    form = StaffForm(request.POST if request.method == "POST" else None, trust=trust)
    reauth = inline_reauth(request)
    if request.method == "POST":
        if form.is_valid() and reauth is None:
            (membership,) = services.add_staff(request, trust, [services.staff_row(form)],
                                               source="form")
            messages.success(request, f"{membership.user.get_full_name()} is now "
                                      f"{membership.get_role_display()} at "
                                      f"{membership.school or trust}.")
            return redirect("people:staff", trust.code)
    return render(request, "people/add_staff.html", {
        "trust": trust, "form": form, "reauth": reauth, "forms": [form, reauth],
    })


@login_required
@require_recent_auth
def import_staff(request, code):
    """Add staff from a CSV: every row is checked first; any error and nothing is saved."""
    trust = get_trust_for_people(request, code, MANAGE)
    # Asked when the form opens (not beside it), so that a chosen file is never lost.
    ensure_recent_auth(request)
    form = StaffImportForm(request.POST or None, request.FILES or None)
    reauth = None
    errors = []
    if request.method == "POST":
        if form.is_valid():
            rows, errors = services.read_staff_csv(form.cleaned_data["file"].read(), trust)
            if errors:
                # Where the first fault is, never its value: a staff file holds emails.
                log_action(request, "staff.import.failed", trust=trust, errors=len(errors),
                           first_row=errors[0].row, first_field=errors[0].field)
            else:
                added = services.add_staff(request, trust, rows, source="import")
                log_action(request, "staff.imported", trust=trust, rows=len(added))
                messages.success(request, f"{len(added)} role{'s' if len(added) != 1 else ''} "
                                          "added. New people have been invited by email.")
                return redirect("people:staff", trust.code)
    return render(request, "people/import_staff.html", {
        "trust": trust, "form": form, "errors": errors, "reauth": reauth,
        "forms": [form, reauth], "columns": services.IMPORT_COLUMNS,
    })


@login_required
@require_safe
def import_template(request, code):
    """An empty staff CSV with its header and one example row."""
    trust = get_trust_for_people(request, code, MANAGE)
    school = trust.schools.first()
    example = ["Sam", "Patel", "sam.patel@example.org", "senco", school.urn if school else "",
               timezone.localdate().isoformat()]
    body = ",".join(services.IMPORT_COLUMNS) + "\r\n" + ",".join(example) + "\r\n"
    response = HttpResponse(body, content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="staff-template.csv"'
    return response


@require_POST
@login_required
def resend_invitation(request, ref):
    """Email a new invitation link to someone who has not yet set a password."""
    membership = get_membership_for_user(request, pk_from_ref("membership", ref))
    user = membership.user
    if user.has_usable_password() or not user.email:
        messages.info(request, f"{user.get_full_name() or user} has already set a password.")
    else:
        services.send_invitation(request, user, where=str(membership.school or membership.trust),
                                 role_label=membership.get_role_display())
        log_action(request, "invitation.resent", trust=membership.trust,
                   school=membership.school, person=user.username)
        messages.success(request, f"A new invitation has been sent to {user.email}.")
    return redirect("people:staff", membership.trust.code)


@login_required
def end_membership(request, ref):
    """End a role on a day: from the next day it gives nothing (records, groups, links)."""
    membership = get_membership_for_user(request, pk_from_ref("membership", ref))
    form = EndMembershipForm(
        request.POST if request.method == "POST" else None, membership=membership,
        initial={"ends_on": membership.ends_on or timezone.localdate()})
    reauth = inline_reauth(request)
    if request.method == "POST":
        if form.is_valid() and reauth is None:
            services.end_membership(request, membership, form.cleaned_data["ends_on"])
            messages.success(request, f"{membership.user.get_full_name() or membership.user}"
                                      f" stops being {membership.get_role_display()} after "
                                      f"{form.cleaned_data['ends_on']:%-d %B %Y}.")
            return redirect("people:staff", membership.trust.code)
    others = (
        Membership.objects.current().filter(user=membership.user, trust=membership.trust)
        .exclude(pk=membership.pk).filter(~Q(role=membership.role) | ~Q(school=membership.school))
        .select_related("school")
    )
    return render(request, "people/end_membership.html", {
        "membership": membership, "trust": membership.trust, "form": form,
        "others": others, "reauth": reauth, "forms": [form, reauth],
    })
