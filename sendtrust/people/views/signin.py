"""Sign-in in two steps (password, then the authenticator's code) and re-authentication.

Nobody is signed in until both steps pass: between them the session holds only who is
trying, for a few minutes and a few attempts.
"""

import time

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth import login as auth_login
from django.contrib.auth.decorators import login_required
from django.contrib.auth.forms import AuthenticationForm
from django.shortcuts import redirect, render, resolve_url
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_protect
from django.views.decorators.debug import sensitive_post_parameters

from sendtrust.access.audit import log_action
from sendtrust.people.forms import CodeForm
from sendtrust.people.twofactor import (
    has_two_factor,
    inline_reauth,
    mark_recent_auth,
    verify_code,
)

PENDING_KEY = "people_pending_sign_in"
PENDING_SECONDS = 300
PENDING_TRIES = 5


def safe_next(request, default=None) -> str:
    """The `next` address if it is on this site, else the default (home)."""
    candidate = request.POST.get("next") or request.GET.get("next") or ""
    if candidate and url_has_allowed_host_and_scheme(
            candidate, allowed_hosts={request.get_host()}, require_https=request.is_secure()):
        return candidate
    return resolve_url(default or settings.LOGIN_REDIRECT_URL)


@sensitive_post_parameters("password")
@csrf_protect
@never_cache
def sign_in(request):
    """Step one: username and password. With an authenticator, go on to step two."""
    if request.user.is_authenticated:
        return redirect(safe_next(request))
    form = AuthenticationForm(request, data=request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        user = form.get_user()
        if has_two_factor(user):
            request.session.cycle_key()
            request.session[PENDING_KEY] = {
                "id": user.pk, "backend": user.backend, "at": int(time.time()), "tries": 0,
                "next": safe_next(request),
            }
            return redirect("people:sign_in_code")
        auth_login(request, user)
        mark_recent_auth(request)
        return redirect(safe_next(request))
    return render(request, "registration/login.html", {
        "form": form, "next": request.POST.get("next") or request.GET.get("next", ""),
    })


def _pending_user(request):
    pending = request.session.get(PENDING_KEY)
    if not pending or time.time() - pending["at"] > PENDING_SECONDS:
        return pending, None
    return pending, get_user_model().objects.filter(pk=pending["id"], is_active=True).first()


@sensitive_post_parameters("code")
@csrf_protect
@never_cache
def sign_in_code(request):
    """Step two: a code from the authenticator app, or a recovery code (each works once)."""
    pending, user = _pending_user(request)
    if user is None:
        request.session.pop(PENDING_KEY, None)
        messages.info(request, "Sign in again: the time to enter your code ran out.")
        return redirect("login")
    form = CodeForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        device = verify_code(user, form.cleaned_data["code"])
        if device is not None:
            del request.session[PENDING_KEY]
            user.backend = pending["backend"]
            auth_login(request, user)
            mark_recent_auth(request, device)
            log_action(request, "auth.second_factor.passed", user=user,
                       method="recovery code" if device.name == "recovery" else "app")
            return redirect(pending["next"])
        pending["tries"] += 1
        log_action(request, "auth.second_factor.failed", user=user, attempt=pending["tries"])
        if pending["tries"] >= PENDING_TRIES:
            del request.session[PENDING_KEY]
            messages.error(request, "Too many wrong codes. Sign in again.")
            return redirect("login")
        request.session[PENDING_KEY] = pending
        form.add_error("code", "The code is not right. Check your app shows the code for "
                               "sendtrust and enter the newest one.")
    return render(request, "people/sign_in_code.html", {"form": form, "forms": [form]})


@sensitive_post_parameters("reauth-password", "reauth-code")
@login_required
@never_cache
def reauth(request):
    """Confirm it is still you (password, and code when you have an authenticator)."""
    form = inline_reauth(request)
    if form is None:
        return redirect(safe_next(request))
    return render(request, "people/reauth.html", {
        "reauth": form, "forms": [form],
        "next": request.POST.get("next") or request.GET.get("next", ""),
    })
