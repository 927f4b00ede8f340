"""Forms of the people app. A staff member typed in and a row of a staff CSV go through the
same StaffForm, so that both say the same thing about the same mistake."""

from __future__ import annotations

from django import forms
from django.contrib.auth import authenticate
from django.utils import timezone

from sendtrust.organisations.models import SCHOOL_ROLES, TRUST_ROLES, Membership, Role

STAFF_ROLES = [(r.value, r.label) for r in Role if r in TRUST_ROLES | SCHOOL_ROLES]
TRUST_WIDE = ""


class StaffForm(forms.Form):
    first_name = forms.CharField(max_length=150)
    last_name = forms.CharField(max_length=150)
    email = forms.EmailField(label="Email address", max_length=254)
    role = forms.ChoiceField(choices=[("", "Choose a role")] + STAFF_ROLES)
    school = forms.ChoiceField(
        required=False,
        help_text="Leave as “Trust-wide” for SEND leaders, executives and trustees.")
    starts_on = forms.DateField(
        label="Starts on", required=False, help_text="For example 2025-09-01. Today if empty.",
        widget=forms.DateInput(attrs={"type": "date"}))

    def __init__(self, *args, trust, **kwargs):
        super().__init__(*args, **kwargs)
        self.trust = trust
        self.schools = {s.urn: s for s in trust.schools.all()}
        self.fields["school"].choices = [(TRUST_WIDE, "Trust-wide")] + [
            (urn, s.name) for urn, s in sorted(self.schools.items(), key=lambda i: i[1].name)]
        self.fields["school"].error_messages["invalid_choice"] = (
            "Choose a school of this trust (its URN)")
        self.fields["role"].error_messages["required"] = "Choose the person's role"
        self.fields["role"].error_messages["invalid_choice"] = (
            "Choose a staff role: " + ", ".join(v for v, _ in STAFF_ROLES))
        self.fields["first_name"].error_messages["required"] = "Enter the person's first name"
        self.fields["last_name"].error_messages["required"] = "Enter the person's last name"
        self.fields["email"].error_messages["required"] = "Enter the person's email address"
        self.fields["email"].error_messages["invalid"] = (
            "Enter an email address like name@school.org")
        self.fields["starts_on"].error_messages["invalid"] = "Enter a date like 2025-09-01"

    def clean(self):
        data = super().clean()
        role, urn = data.get("role"), data.get("school")
        if role in TRUST_ROLES and urn:
            self.add_error("school", "A trust-wide role is held at no school: choose “Trust-wide”")
        if role in SCHOOL_ROLES and not urn:
            self.add_error("school", "Choose the school where this role is held")
        data["school_obj"] = self.schools.get(urn) if urn else None
        data["starts_on"] = data.get("starts_on") or timezone.localdate()
        email = data.get("email")
        if email and role and not self.errors:
            held = Membership.objects.current().filter(
                user__email__iexact=email, role=role, trust=self.trust, school=data["school_obj"])
            if held.exists():
                self.add_error("role", "This person already holds this role here")
        return data


class EndMembershipForm(forms.Form):
    ends_on = forms.DateField(
        label="Last day of the role", help_text="For example 2025-12-19. Access ends after it.",
        widget=forms.DateInput(attrs={"type": "date"}),
        error_messages={"required": "Enter the last day of the role",
                        "invalid": "Enter a date like 2025-12-19"})

    def __init__(self, *args, membership, **kwargs):
        super().__init__(*args, **kwargs)
        self.membership = membership

    def clean_ends_on(self):
        ends_on = self.cleaned_data["ends_on"]
        if ends_on < self.membership.starts_on:
            raise forms.ValidationError(
                f"The role started on {self.membership.starts_on:%Y-%m-%d}: the last day "
                "cannot be before it")
        return ends_on


class StaffImportForm(forms.Form):
    file = forms.FileField(
        label="CSV file", help_text="Columns: first_name, last_name, email, role, school_urn, "
        "starts_on. One row per role.",
        error_messages={"required": "Choose a CSV file"})


class ParentInviteForm(forms.Form):
    first_name = forms.CharField(
        max_length=150, error_messages={"required": "Enter the parent's or carer's first name"})
    last_name = forms.CharField(
        max_length=150, error_messages={"required": "Enter the parent's or carer's last name"})
    email = forms.EmailField(
        label="Email address", max_length=254,
        error_messages={"required": "Enter their email address",
                        "invalid": "Enter an email address like name@example.org"})
    relationship = forms.CharField(
        max_length=50, initial="Parent", help_text="For example mother, father, carer.",
        error_messages={"required": "Enter how they are related to the pupil"})


class TokenForm(forms.Form):
    name = forms.CharField(
        label="What the token is for", max_length=100,
        error_messages={"required": "Say what the token is for"})
    days = forms.IntegerField(
        label="Days until it expires", min_value=1, max_value=365, initial=30,
        error_messages={"required": "Enter a number of days from 1 to 365",
                        "invalid": "Enter a number of days from 1 to 365",
                        "min_value": "Enter a number of days from 1 to 365",
                        "max_value": "Enter a number of days from 1 to 365"})


class CodeForm(forms.Form):
    code = forms.CharField(
        label="Code", max_length=20, help_text="The 6-digit code from your authenticator app, "
        "or one of your recovery codes.",
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "text",
                                      "autocapitalize": "none", "spellcheck": "false"}),
        error_messages={"required": "Enter the code"})


class ReauthForm(forms.Form):
    password = forms.CharField(
        label="Password", strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
        error_messages={"required": "Enter your password"})
    code = CodeForm.base_fields["code"]

    def __init__(self, *args, request, needs_code: bool, **kwargs):
        super().__init__(*args, **kwargs)
        self.request = request
        if not needs_code:
            del self.fields["code"]

    def clean_password(self):
        password = self.cleaned_data["password"]
        # Through authenticate(), so that wrong passwords here count towards the lock-out.
        user = authenticate(self.request, username=self.request.user.get_username(),
                            password=password)
        if user is None or user.pk != self.request.user.pk:
            raise forms.ValidationError("The password is not right")
        return password

