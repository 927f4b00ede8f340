"""Test helpers: an authenticator for a user, its current code, and a fully signed-in client.

Other apps' tests can use signed_in(client, user) to reach views that need a second factor
or a recent sign-in (require_recent_auth) without going through the sign-in pages.
"""

import time

from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.plugins.otp_totp.models import TOTPDevice

from sendtrust.people.twofactor import RECENT_AUTH_KEY


def give_authenticator(user) -> TOTPDevice:
    return TOTPDevice.objects.create(user=user, name="authenticator", confirmed=True)


def code_for(device: TOTPDevice, offset_steps: int = 0) -> str:
    """The code the person's app shows now (or offset_steps steps later)."""
    device.refresh_from_db()
    return f"{_totp(device, time.time() + offset_steps * device.step):06d}"


def _totp(device, at) -> int:
    from django_otp.oath import TOTP

    t = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    t.time = at
    return t.token()


def signed_in(client, user, *, device=None, recent=True):
    """Sign user in on client as if through both steps (and recently, unless recent=False)."""
    client.force_login(user)
    session = client.session
    if device is not None:
        session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    if recent:
        session[RECENT_AUTH_KEY] = int(time.time())
    else:  # a session the client signed in recently before is stale from now on
        session.pop(RECENT_AUTH_KEY, None)
    session.save()
    return client
