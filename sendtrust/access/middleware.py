import ipaddress
import time

from django.conf import settings

TOUCHED = "_sendtrust_touched"


class IdleTimeoutMiddleware:
    """End sessions after SESSION_IDLE_MINUTES without a request.

    Django's SESSION_SAVE_EVERY_REQUEST would write the session row on every page view; we
    renew the expiry at most once a minute instead, so an idle session ends within a minute of
    the limit and a busy server does one session write a minute per user, not one per request.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        session = getattr(request, "session", None)
        if session is not None and not session.is_empty():
            now = int(time.time())
            if now - session.get(TOUCHED, 0) >= settings.SESSION_RENEW_SECONDS:
                session[TOUCHED] = now  # marks the session modified: it is saved, expiry renewed
        return response


def _trusted(address: str, networks) -> bool:
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return False
    return any(ip in net for net in networks)


class TrustedProxyMiddleware:
    """Take the client's address from X-Forwarded-For, but only from a trusted proxy.

    With TRUSTED_PROXIES unset (one app server, no proxy), forwarded headers are ignored and
    REMOTE_ADDR stands. Behind proxies, the client is the right-most address in
    X-Forwarded-For that is not itself a trusted proxy: an address a client writes at the
    left of the header is never believed. A request that does not come from a trusted proxy
    has its X-Forwarded-* headers removed, so nothing later can be misled by them.
    """

    def __init__(self, get_response):
        self.get_response = get_response
        self.networks = [ipaddress.ip_network(p, strict=False) for p in settings.TRUSTED_PROXIES]

    def __call__(self, request):
        meta = request.META
        remote = meta.get("REMOTE_ADDR", "")
        if self.networks and _trusted(remote, self.networks):
            hops = [h.strip() for h in meta.get("HTTP_X_FORWARDED_FOR", "").split(",") if h.strip()]
            for hop in reversed(hops):
                if not _trusted(hop, self.networks):
                    try:
                        ipaddress.ip_address(hop)
                    except ValueError:
                        break
                    meta["REMOTE_ADDR"] = hop
                    break
        else:
            for header in ("HTTP_X_FORWARDED_FOR", "HTTP_X_FORWARDED_PROTO",
                           "HTTP_X_FORWARDED_HOST", "HTTP_X_REAL_IP"):
                meta.pop(header, None)
        return self.get_response(request)


def client_ip(request) -> str | None:
    """The client's address as TrustedProxyMiddleware left it (used by lock-outs and audit)."""
    return request.META.get("REMOTE_ADDR") or None


PERMISSIONS_POLICY = (
    "accelerometer=(), camera=(), geolocation=(), gyroscope=(), magnetometer=(), "
    "microphone=(), payment=(), usb=(), interest-cohort=()"
)


class PrivacyHeadersMiddleware:
    """Permissions-Policy on every response; no caching of anything shown to a signed-in user.

    Pages and downloads for a signed-in person can hold a child's data: `no-store` keeps them
    out of the browser's and any proxy's cache (and out of the back-forward cache after sign
    out). Static files keep their own caching.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        response.headers.setdefault("Permissions-Policy", PERMISSIONS_POLICY)
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            response.headers["Cache-Control"] = "no-store, private"
        return response


class AuditRefusalsMiddleware:
    """Write every refused request (403 or 404) of a signed-in person to the audit log.

    A run of refusals is how someone probing for records they may not read shows up. Anonymous
    404s (robots asking for /wp-admin) are not logged: they name no one and would bury the log.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if response.status_code in (403, 404):
            user = getattr(request, "user", None)
            if user is not None and user.is_authenticated:
                from sendtrust.access.audit import log_action

                log_action(request, "access.refused", status=response.status_code,
                           method=request.method, path=request.path[:300])
        return response


class PageMethodsMiddleware:
    """Pages answer GET, HEAD and POST only; anything else is 405 before any view runs.

    An HTML form sends only GET or POST, so a page view is written for those two, and one that
    handles POST and renders its form otherwise would answer PUT, PATCH, DELETE or OPTIONS with
    the page, unchecked by the method rows of the permission matrix. The API (django-ninja)
    declares each operation's methods itself and refuses the others, so it is left to do so.
    """

    ALLOWED = frozenset({"GET", "HEAD", "POST"})

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.method not in self.ALLOWED and not request.path.startswith("/api/"):
            from django.http import HttpResponseNotAllowed

            return HttpResponseNotAllowed(sorted(self.ALLOWED))
        return self.get_response(request)
