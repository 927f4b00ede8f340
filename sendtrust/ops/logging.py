"""One structured log line per request: request id, user id, status, time. Never a name.

The request id comes from the proxy's X-Request-ID when a trusted proxy sends one (see
TrustedProxyMiddleware), or is made here; it is returned in the response's X-Request-ID so a
person reporting a problem can quote it. Paths are logged as the URL pattern
(`/pupils/<uuid:code>/`), not the concrete URL, so no pupil's code reaches the log either.
"""

import json
import logging
import re
import time
import uuid

logger = logging.getLogger("sendtrust.request")
REQUEST_ID = re.compile(r"^[A-Za-z0-9._-]{8,64}$")


class RequestLogMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        given = request.META.get("HTTP_X_REQUEST_ID", "")
        request.request_id = given if REQUEST_ID.match(given) else uuid.uuid4().hex
        started, cpu = time.perf_counter(), time.process_time()
        response = self.get_response(request)
        match = getattr(request, "resolver_match", None)
        user = getattr(request, "user", None)
        logger.info(json.dumps({
            "request_id": request.request_id,
            "method": request.method,
            "route": match.route if match else None,
            "view": match.view_name if match else None,
            "status": response.status_code,
            "ms": round(1000 * (time.perf_counter() - started), 1),
            # CPU this process spent on the request: with sync workers (one request a process
            # at a time), its own cost, whatever else the machine was doing meanwhile.
            "cpu_ms": round(1000 * (time.process_time() - cpu), 1),
            "user_id": user.pk if user is not None and user.is_authenticated else None,
        }, separators=(",", ":")))
        response["X-Request-ID"] = request.request_id
        return response
