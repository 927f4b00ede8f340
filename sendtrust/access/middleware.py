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
