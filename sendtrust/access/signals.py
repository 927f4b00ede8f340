"""Sign-ins, sign-outs and failed sign-ins go to the audit log."""

from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.dispatch import receiver

from sendtrust.access.audit import log_action


@receiver(user_logged_in, dispatch_uid="sendtrust_audit_login")
def _signed_in(sender, request, user, **kwargs):
    log_action(request, "auth.signed_in", user=user)


@receiver(user_logged_out, dispatch_uid="sendtrust_audit_logout")
def _signed_out(sender, request, user, **kwargs):
    if user is not None:
        log_action(request, "auth.signed_out", user=user)


@receiver(user_login_failed, dispatch_uid="sendtrust_audit_login_failed")
def _sign_in_failed(sender, credentials, request=None, **kwargs):
    # The username tried is kept (it shows guessing); the password never reaches the log.
    tried = str(credentials.get("username", ""))[:150]
    log_action(request, "auth.sign_in_failed", user=None, object_repr=tried, username_tried=tried)
