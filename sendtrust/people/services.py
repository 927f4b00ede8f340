"""Every change the people app makes: staff and their roles, parents, invitations, tokens.

Each service owns its transaction and its audit entry; e-mails go out after the commit, so a
rolled-back change never sends one.
"""

from __future__ import annotations

import csv
import functools
import io
from dataclasses import dataclass

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.tokens import default_token_generator
from django.core.mail import send_mail
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from sendtrust.access.audit import log_action
from sendtrust.access.models import ApiToken
from sendtrust.organisations.models import Membership, ParentLink, Role
from sendtrust.people.forms import StaffForm

User = get_user_model()
IMPORT_COLUMNS = ["first_name", "last_name", "email", "role", "school_urn", "starts_on"]
MAX_IMPORT_ROWS = 5000


def _user_for_email(email: str, first_name: str, last_name: str):
    """Return (user, created): the person with this email, or a new account with no password.

    A new account cannot sign in until its owner sets a password through the invitation.
    """
    user = User.objects.filter(email__iexact=email).order_by("pk").first()
    if user is not None:
        return user, False
    user = User(username=email.lower()[:150], email=email, first_name=first_name,
                last_name=last_name)
    user.set_unusable_password()
    user.save()
    return user, True


def set_password_link(request, user) -> str:
    """A single-use link to set a password: Django's token changes once the password does,
    and it expires after PASSWORD_RESET_TIMEOUT."""
    uid = urlsafe_base64_encode(force_bytes(user.pk))
    token = default_token_generator.make_token(user)
    return request.build_absolute_uri(
        reverse("people:set_password", kwargs={"uidb64": uid, "token": token}))


def send_invitation(request, user, *, where: str, role_label: str) -> None:
    context = {
        "user": user, "where": where, "role": role_label,
        "link": set_password_link(request, user), "invited_by": request.user,
        "days": max(1, settings.PASSWORD_RESET_TIMEOUT // 86400),
    }
    send_mail(
        subject=f"You have been invited to sendtrust ({where})",
        message=render_to_string("people/email/invitation.txt", context),
        from_email=None, recipient_list=[user.email],
    )


@dataclass
class StaffRow:
    first_name: str
    last_name: str
    email: str
    role: str
    school: object  # School or None
    starts_on: object


def staff_row(form: StaffForm) -> StaffRow:
    d = form.cleaned_data
    return StaffRow(d["first_name"], d["last_name"], d["email"], d["role"], d["school_obj"],
                    d["starts_on"])


def add_staff(request, trust, rows: list[StaffRow], *, source: str) -> list[Membership]:
    """Give each row's person their role (making an account when needed) in one transaction;
    invite every new account once the transaction has committed."""
    invites = []
    added = []
    with transaction.atomic():
        for row in rows:
            user, created = _user_for_email(row.email, row.first_name, row.last_name)
            membership = Membership.objects.create(
                user=user, role=row.role, trust=trust, school=row.school,
                starts_on=row.starts_on)
            added.append(membership)
            log_action(request, "membership.added", trust=trust, school=row.school,
                       object_repr=str(membership)[:200], role=row.role,
                       person=user.username, new_account=created, source=source)
            if created or not user.has_usable_password():
                invites.append((user, membership))
    for user, membership in invites:
        transaction.on_commit(functools.partial(
            send_invitation, request, user, where=str(membership.school or trust),
            role_label=membership.get_role_display()))
    return added


def end_membership(request, membership: Membership, ends_on) -> None:
    """End a role on a day; what it gave (groups, links) ends with it (the policy's rule)."""
    membership.ends_on = ends_on
    membership.save(update_fields=["ends_on"])
    log_action(request, "membership.ended", trust=membership.trust, school=membership.school,
               object_repr=str(membership)[:200], role=membership.role,
               person=membership.user.username, ends_on=ends_on.isoformat())


def invite_parent(request, pupil, *, first_name, last_name, email, relationship) -> ParentLink:
    """Link a parent or carer to pupil (an account and a parent role at the pupil's school)."""
    with transaction.atomic():
        user, created = _user_for_email(email, first_name, last_name)
        if not Membership.objects.current().filter(
                user=user, role=Role.PARENT, trust=pupil.school.trust,
                school=pupil.school).exists():
            Membership.objects.create(user=user, role=Role.PARENT, trust=pupil.school.trust,
                                      school=pupil.school)
        link, _ = ParentLink.objects.update_or_create(
            parent=user, pupil=pupil, defaults={"relationship": relationship})
        log_action(request, "parent.invited", pupil=pupil, person=user.username,
                   relationship=relationship, new_account=created)
        if created or not user.has_usable_password():
            transaction.on_commit(lambda: send_invitation(
                request, user, where=str(pupil.school), role_label=f"{relationship} of a pupil"))
    return link


@dataclass
class StaffImportError:
    row: int
    field: str
    value: str
    message: str

    def __str__(self) -> str:
        return f"Row {self.row}, {self.field} “{self.value}”: {self.message}"


def read_staff_csv(data: bytes, trust) -> tuple[list[StaffRow], list[StaffImportError]]:
    """Check every row of a staff CSV; return the rows, or every error (row, field, value)."""
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return [], [StaffImportError(1, "file", "", "Save the file as CSV (UTF-8) and try again")]
    reader = csv.DictReader(io.StringIO(text))
    header = [h.strip().lower() for h in (reader.fieldnames or [])]
    missing = [c for c in IMPORT_COLUMNS if c not in header]
    if missing:
        return [], [StaffImportError(1, "header", ",".join(header),
                                 "The file needs the columns " + ", ".join(missing))]
    reader.fieldnames = header
    rows, errors, seen = [], [], {}
    for number, raw in enumerate(reader, start=2):
        if number - 1 > MAX_IMPORT_ROWS:
            errors.append(StaffImportError(number, "file", "", f"At most {MAX_IMPORT_ROWS} rows"))
            break
        values = {k: (v or "").strip() for k, v in raw.items() if k}
        form = StaffForm({**values, "school": values.get("school_urn", "")}, trust=trust)
        if not form.is_valid():
            for field, messages in form.errors.items():
                name = "school_urn" if field == "school" else field
                for message in messages:
                    errors.append(StaffImportError(number, name, values.get(name, ""), message))
            continue
        row = staff_row(form)
        key = (row.email.lower(), row.role, getattr(row.school, "pk", None))
        if key in seen:
            errors.append(StaffImportError(number, "email", row.email,
                                       f"Repeats row {seen[key]} (same person, role and school)"))
            continue
        seen[key] = number
        rows.append(row)
    if not rows and not errors:
        errors.append(StaffImportError(2, "file", "", "The file has no rows under its header"))
    return rows, errors


def issue_token(request, *, name: str, days: int):
    token, key = ApiToken.issue(request.user, name, days=days)
    log_action(request, "api_token.issued", object_repr=f"{name} ({token.prefix}…)",
               expires=token.expires.isoformat())
    return token, key


def revoke_token(request, token: ApiToken) -> None:
    log_action(request, "api_token.revoked", object_repr=str(token))
    token.delete()
