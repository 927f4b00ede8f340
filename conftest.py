import pytest


@pytest.fixture
def cast(db):
    """The shared cast (see sendtrust.testing.Cast)."""
    from sendtrust.testing import build_cast

    return build_cast()


@pytest.fixture(autouse=True)
def _fast_settings(settings):
    # MD5 is fine for test users and keeps the suite fast; production uses argon2.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.AXES_ENABLED = False
