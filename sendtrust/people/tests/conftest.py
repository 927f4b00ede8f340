import pytest


@pytest.fixture(autouse=True)
def _second_factor_not_forced(settings):
    # Tests that sign in trust-wide roles without an authenticator must not be sent to set one
    # up once RequireTwoFactorMiddleware is installed; tests of the requirement turn it on.
    settings.SENDTRUST_REQUIRE_2FA = False
    # The people app tests re-authentication itself: on here (the root conftest turns it off).
    settings.SENDTRUST_REQUIRE_RECENT_AUTH = True
