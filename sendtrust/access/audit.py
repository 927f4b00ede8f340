"""log_action(): the one way an audit entry is written."""

from sendtrust.access.models import AuditEntry

# Keys that must never reach the log, whatever a caller passes.
_SECRET_KEYS = {"password", "token", "key", "secret", "csrfmiddlewaretoken"}


def _client(request):
    if request is None:
        return None, ""
    ip = request.META.get("REMOTE_ADDR") or None
    return ip, request.META.get("HTTP_USER_AGENT", "")[:300]


def log_action(request, action: str, *, user=None, pupil=None, school=None, trust=None,
               object_repr: str = "", **detail) -> AuditEntry:
    """Append an audit entry: action is dotted (`pupil.record.viewed`)."""
    user = user or (request.user if request is not None else None)
    if pupil is not None:
        school = school or pupil.school
    if school is not None:
        trust = trust or school.trust
    ip, agent = _client(request)
    clean = {k: ("[redacted]" if k.lower() in _SECRET_KEYS else v) for k, v in detail.items()}
    return AuditEntry.objects.create(
        user_id_at_time=getattr(user, "pk", None),
        username=(getattr(user, "username", "")
                  or ("anonymous" if user is not None and not user.is_authenticated else "system")),
        action=action,
        trust_id_at_time=getattr(trust, "pk", None),
        school_code=getattr(school, "code", None),
        pupil_code=getattr(pupil, "code", None),
        object_repr=object_repr or (str(pupil) if pupil is not None else ""),
        ip_address=ip,
        user_agent=agent,
        detail=clean,
    )
