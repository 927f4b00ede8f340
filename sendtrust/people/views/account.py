"""A person's own account: password, two-factor sign-in, API tokens; password reset by email."""

from base64 import b32encode

import qrcode
import qrcode.image.svg
from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.urls import reverse_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST, require_safe
from django_otp.plugins.otp_totp.models import TOTPDevice

from sendtrust.access.audit import log_action
from sendtrust.access.models import ApiToken
from sendtrust.access.policy import actor_for
from sendtrust.access.policy.people import get_own_token
from sendtrust.organisations.models import Trust
from sendtrust.people import services
from sendtrust.people.forms import CodeForm, TokenForm
from sendtrust.people.refs import pk_from_ref, ref_for
from sendtrust.people.twofactor import (
    ensure_recent_auth,
    has_two_factor,
    inline_reauth,
    mark_recent_auth,
    new_recovery_codes,
    remove_two_factor,
    require_recent_auth,
    totp_device,
    two_factor_required,
)
from sendtrust.people.views.signin import safe_next


@login_required
@require_safe
def account(request):
    """Your account: password, two-factor sign-in and API tokens."""
    trusts = Trust.objects.filter(pk__in=actor_for(request.user).member_of, read_only=False)
    return render(request, "people/account.html", {
        "trusts": trusts,
        "has_two_factor": has_two_factor(request.user),
        "required": two_factor_required(request.user),
        "token_count": ApiToken.objects.filter(user=request.user).count(),
    })


class ChangePasswordView(auth_views.PasswordChangeView):
    template_name = "people/change_password.html"
    success_url = reverse_lazy("people:account")

    def form_valid(self, form):
        response = super().form_valid(form)
        log_action(self.request, "account.password_changed")
        messages.success(self.request, "Your password has been changed.")
        return response


change_password = ChangePasswordView.as_view()


class PasswordResetView(auth_views.PasswordResetView):
    template_name = "people/password_reset.html"
    email_template_name = "people/email/password_reset.txt"
    subject_template_name = "people/email/password_reset_subject.txt"
    success_url = reverse_lazy("people:password_reset_done")

    def form_valid(self, form):
        # Logged without the address typed: the entry must not say whether an account exists.
        log_action(self.request, "account.password_reset.requested")
        return super().form_valid(form)


class SetPasswordView(auth_views.PasswordResetConfirmView):
    """The single-use, expiring link from an invitation or a password reset."""

    template_name = "people/set_password.html"
    success_url = reverse_lazy("people:set_password_done")

    def form_valid(self, form):
        response = super().form_valid(form)
        log_action(self.request, "account.password_set", user=form.user)
        return response


password_reset = PasswordResetView.as_view()
password_reset_done = auth_views.PasswordResetDoneView.as_view(
    template_name="people/password_reset_done.html")
set_password = SetPasswordView.as_view()
set_password_done = auth_views.PasswordResetCompleteView.as_view(
    template_name="people/set_password_done.html")


def _qr_svg(url: str) -> str:
    image = qrcode.make(url, image_factory=qrcode.image.svg.SvgPathImage, box_size=8)
    svg = image.to_string(encoding="unicode")
    return svg[svg.index("<svg"):]


@login_required
@require_safe
def two_factor(request):
    """Whether you sign in with an authenticator app, and what you can do about it."""
    return render(request, "people/two_factor.html", {
        "has_two_factor": has_two_factor(request.user),
        "required": two_factor_required(request.user),
        "recovery_left": sum(d.token_set.count() for d in request.user.staticdevice_set.all()),
    })


@never_cache
@login_required
def setup_totp(request):
    """Add an authenticator app: scan the code, type what it shows; recovery codes follow."""
    if has_two_factor(request.user):
        return redirect("people:two_factor")
    device = totp_device(request.user, confirmed=False) or TOTPDevice.objects.create(
        user=request.user, name="authenticator", confirmed=False)
    form = CodeForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        code = "".join(form.cleaned_data["code"].split())
        if device.verify_token(code):
            device.confirmed = True
            device.save(update_fields=["confirmed"])
            codes = new_recovery_codes(request.user)
            mark_recent_auth(request, device)
            log_action(request, "auth.second_factor.added")
            return render(request, "people/recovery_codes.html", {
                "codes": codes, "next": safe_next(request, "people:two_factor")})
        form.add_error("code", "The code is not right. Check the app added “sendtrust” and "
                               "enter the code it shows now.")
    secret = b32encode(device.bin_key).decode()
    return render(request, "people/setup_totp.html", {
        "form": form, "forms": [form], "qr": _qr_svg(device.config_url),
        "secret": " ".join(secret[i:i + 4] for i in range(0, len(secret), 4)),
        "next": request.GET.get("next", ""),
    })


@require_POST
@never_cache
@login_required
@require_recent_auth
def recovery_codes(request):
    """Replace your recovery codes (the old ones stop working)."""
    if not has_two_factor(request.user):
        return redirect("people:two_factor")
    ensure_recent_auth(request)
    codes = new_recovery_codes(request.user)
    log_action(request, "auth.recovery_codes.replaced")
    return render(request, "people/recovery_codes.html", {
        "codes": codes, "next": reverse_lazy("people:two_factor")})


@require_POST
@login_required
@require_recent_auth
def remove_authenticator(request):
    """Remove your authenticator and recovery codes (a trust-wide role must add one again)."""
    ensure_recent_auth(request)
    remove_two_factor(request.user)
    log_action(request, "auth.second_factor.removed")
    messages.success(request, "Your authenticator app and recovery codes have been removed.")
    return redirect("people:two_factor")


@never_cache
@login_required
@require_safe
def tokens(request):
    """Your API tokens: when each expires and was last used; make or revoke one."""
    return _tokens_page(request)


def _tokens_page(request, form=None, key=None, reauth=None):
    """The tokens page, also shown by create_token (a POST) with its form or the new key."""
    own = ApiToken.objects.filter(user=request.user).order_by("-created")
    form = form or TokenForm()
    reauth = reauth if form.is_bound else inline_reauth(request)
    return render(request, "people/tokens.html", {
        "tokens": [(t, ref_for("token", t.pk)) for t in own],
        "form": form, "reauth": reauth, "forms": [form, reauth], "key": key,
    })


@require_POST
@login_required
def create_token(request):
    """Make a token (asks for the password again): its key is shown once, here."""
    form = TokenForm(request.POST)
    reauth = inline_reauth(request)
    if not form.is_valid() or reauth is not None:
        return _tokens_page(request, form=form, reauth=reauth)
    _, key = services.issue_token(request, name=form.cleaned_data["name"],
                                  days=form.cleaned_data["days"])
    return _tokens_page(request, key=key)


@require_POST
@login_required
def revoke_token(request, ref):
    token = get_own_token(request, pk_from_ref("token", ref))
    services.revoke_token(request, token)
    messages.success(request, f"The token “{token.name}” has been revoked.")
    return redirect("people:tokens")
