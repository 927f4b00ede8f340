"""Sign-in lock-outs: per account, and per address across accounts (django-axes handler)."""

import math

from axes.handlers.database import AxesDatabaseHandler
from django.conf import settings
from django.db.models import Sum


class AccountAndAddressHandler(AxesDatabaseHandler):
    """Count failures per account and per address; lock when either reaches its limit.

    With AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"], axes gives one set of attempts
    per parameter. An account locks after AXES_FAILURE_LIMIT failures from any address; an
    address locks after AXES_ADDRESS_FAILURE_LIMIT failures over any accounts (a school's staff
    share one address, so its limit is higher). Axes compares one number with one limit, so
    the address's failures are scaled onto the account's limit.
    """

    def get_failures(self, request, credentials=None) -> int:
        by_account, by_address = (
            attempts.aggregate(n=Sum("failures_since_start"))["n"] or 0
            for attempts in self.get_user_attempts(request, credentials)
        )
        scale = settings.AXES_FAILURE_LIMIT / settings.AXES_ADDRESS_FAILURE_LIMIT
        return max(by_account, math.floor(by_address * scale + 1e-9))
