"""Two-factor sign-in (django-otp: TOTP with recovery codes) and recent authentication.

- Every person may add an authenticator app; trust-wide roles (SEND leader, executive,
  trustee) must, before they reach any other page (RequireTwoFactorMiddleware).
- Exports, imports, deletions and role changes ask for the password (and the code, when the
  person has an authenticator) again if the last full sign-in is older than
  RECENT_AUTH_MINUTES: call `ensure_recent_auth(request)` right after the view's access
  check, inside a view wrapped with `@require_recent_auth`. SENDTRUST_REQUIRE_RECENT_AUTH =
  False (tests of other areas) treats every sign-in as recent.
"""

from __future__ import annotations

import functools
import time
from urllib.parse import urlencode

from django.conf import settings
from django.shortcuts import redirect
from django.urls import reverse
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp import login as otp_login
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from sendtrust.access.policy import actor_for
from sendtrust.organisations.models import TRUST_ROLES

RECENT_AUTH_KEY = "people_recent_auth_at"
RECOVERY_CODES = 10


def recent_auth_seconds() -> int:
    return 60 * getattr(settings, "SENDTRUST_RECENT_AUTH_MINUTES", 10)


def two_factor_required(user) -> bool:
    """True when user holds a trust-wide role today, which must sign in with a second factor."""
    if not (user.is_authenticated and user.is_active):
        return False
    return bool(actor_for(user).all_roles() & {r.value for r in TRUST_ROLES})


def totp_device(user, confirmed=True) -> TOTPDevice | None:
    return TOTPDevice.objects.filter(user=user, confirmed=confirmed).first()


def has_two_factor(user) -> bool:
    return TOTPDevice.objects.filter(user=user, confirmed=True).exists()


def verify_code(user, code: str):
    """Return the device that accepts code (an app code or an unused recovery code), or None.

    Each device throttles its own failures (django-otp), and a recovery code is used once.
    """
    code = "".join(code.split()).lower()
    if not code:
        return None
    for device in [*TOTPDevice.objects.filter(user=user, confirmed=True),
                   *StaticDevice.objects.filter(user=user, confirmed=True)]:
        if device.verify_token(code):
            return device
    return None


def new_recovery_codes(user) -> list[str]:
    """Replace the user's recovery codes with new ones; return them (shown once)."""
    device, _ = StaticDevice.objects.get_or_create(
        user=user, name="recovery", defaults={"confirmed": True}
    )
    device.token_set.all().delete()
    codes = [StaticToken.random_token() for _ in range(RECOVERY_CODES)]
    StaticToken.objects.bulk_create(StaticToken(device=device, token=c) for c in codes)
    return codes


def remove_two_factor(user) -> None:
    TOTPDevice.objects.filter(user=user).delete()
    StaticDevice.objects.filter(user=user).delete()


def mark_recent_auth(request, device=None) -> None:
    """Record a full sign-in or re-authentication in this session (and its second factor)."""
    if device is not None:
        otp_login(request, device)
    request.session[RECENT_AUTH_KEY] = int(time.time())


def recent_auth_required() -> bool:
    """SENDTRUST_REQUIRE_RECENT_AUTH (default True); other apps' tests switch it off."""
    return getattr(settings, "SENDTRUST_REQUIRE_RECENT_AUTH", True)


def is_recent(request) -> bool:
    if not recent_auth_required():
        return True
    at = request.session.get(RECENT_AUTH_KEY, 0)
    if time.time() - at > recent_auth_seconds():
        return False
    # Someone who has an authenticator must have used it in this session too.
    return not has_two_factor(request.user) or bool(request.session.get(DEVICE_ID_SESSION_KEY))


class RecentAuthRequired(Exception):
    """Raised by ensure_recent_auth; require_recent_auth turns it into a redirect."""

    def __init__(self, back: str | None = None):
        super().__init__(back)
        self.back = back


def ensure_recent_auth(request, back: str | None = None) -> None:
    """Raise RecentAuthRequired unless the last full sign-in is recent.

    back: the page (a GET) to return to afterwards when the request is a POST, for example
    the edit page a delete button sits on. Without it a POST returns to the same address
    (the import form).
    """
    if not is_recent(request):
        raise RecentAuthRequired(back)


def reauth_url(next_url: str) -> str:
    return reverse("people:reauth") + "?" + urlencode({"next": next_url})


def return_address(request, back: str | None = None) -> str:
    """Where to come back to after re-authenticating: always a page that answers a GET.

    After a GET, the same address. After a POST (which is never replayed), the view's `back`
    page (the edit page a delete button sits on), else the same address without its query,
    which for an import is the import form.
    """
    if request.method in ("GET", "HEAD"):
        return request.get_full_path()
    return back or request.path


def require_recent_auth(view):
    """Send the person to confirm their password (and code) when ensure_recent_auth says so.

    The view calls ensure_recent_auth(request) after its access check, so that outsiders still
    get 404 and members without the right 403; then the person comes back to a page they can
    GET (see return_address). A POST-only view passes `back` to ensure_recent_auth.
    """

    @functools.wraps(view)
    def wrapped(request, *args, **kwargs):
        try:
            return view(request, *args, **kwargs)
        except RecentAuthRequired as needed:
            return redirect(reauth_url(return_address(request, needed.back)))

    return wrapped


class RequireTwoFactorMiddleware:
    """Trust-wide roles reach no page until they have signed in with a second factor.

    Someone without an authenticator is sent to set one up; someone with one whose session
    was not verified (signed in before it was required) is asked to confirm who they are.
    Setting SENDTRUST_REQUIRE_2FA = False turns this off (for example in other apps' tests).
    """

    EXEMPT_NAMES = {
        "login", "logout", "people:sign_in_code", "people:two_factor", "people:setup_totp",
        "people:reauth", "people:recovery_codes", "people:password_reset",
        "people:password_reset_done", "people:set_password", "people:set_password_done",
    }

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if (
            getattr(settings, "SENDTRUST_REQUIRE_2FA", True)
            and user is not None
            and user.is_authenticated
            and not user.is_verified()
            and not request.path.startswith("/" + settings.STATIC_URL.lstrip("/"))
            and self._name(request) not in self.EXEMPT_NAMES
            and two_factor_required(user)
        ):
            if has_two_factor(user):
                return redirect(reauth_url(request.get_full_path()))
            return redirect(reverse("people:setup_totp") + "?" + urlencode(
                {"next": request.get_full_path()}))
        return self.get_response(request)

    @staticmethod
    def _name(request) -> str:
        from django.urls import Resolver404, resolve

        try:
            match = resolve(request.path_info)
        except Resolver404:
            return ""
        return match.view_name


def inline_reauth(request):
    """For a form that changes roles or data in bulk: None when the sign-in is recent (or the
    POST carried a right password and code in the "reauth" fields); otherwise the form of
    those fields to show beside the others, with its errors, so nothing typed is lost."""
    from sendtrust.access.audit import log_action
    from sendtrust.people.forms import ReauthForm

    if is_recent(request):
        return None
    needs_code = has_two_factor(request.user)
    if request.method != "POST":
        return ReauthForm(prefix="reauth", request=request, needs_code=needs_code)
    form = ReauthForm(request.POST, prefix="reauth", request=request, needs_code=needs_code)
    if form.is_valid():
        device = verify_code(request.user, form.cleaned_data["code"]) if needs_code else None
        if not needs_code or device is not None:
            mark_recent_auth(request, device)
            log_action(request, "auth.reauthenticated")
            return None
        form.add_error("code", "The code is not right. Enter the newest one from your app.")
    log_action(request, "auth.reauthentication.failed")
    return form
