"""The retention policy: how long each kind of record is kept, and what happens then.

Periods come from settings (SENDTRUST_RETENTION, a dict of kind -> number) with the defaults
below, so that a trust sets its own after taking advice; the trust's members read them on the
*Retention* page and `manage.py apply_retention` applies them (`--dry-run` first).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from dateutil.relativedelta import relativedelta
from django.conf import settings
from django.contrib.auth import get_user_model
from django.db.models import Max, Q
from django.utils import timezone

from sendtrust.access.audit import log_action
from sendtrust.access.models import ApiToken
from sendtrust.organisations.models import Membership
from sendtrust.pupils.models import Pupil

DEFAULTS = {
    "pupil_record_years_after_birth": 25,
    "api_token_days_after_expiry": 90,
    "account_days_after_last_role": 365,
}


def periods() -> dict[str, int]:
    return {**DEFAULTS, **getattr(settings, "SENDTRUST_RETENTION", {})}


@dataclass
class Rule:
    kind: str
    kept: str
    then: str


def rules() -> list[Rule]:
    """The policy in words, for the page and the command."""
    p = periods()
    return [
        Rule("A pupil's SEN record (history, identification, plans and everything linked)",
             f"until {p['pupil_record_years_after_birth']} years after the pupil's date of "
             "birth, and only once they have left every school of the trust",
             "anonymised: names, UPN, day and month of birth and free text removed; codes and "
             "dates kept for the trust's figures"),
        Rule("The audit log", "for as long as the trust exists; never edited or deleted",
             "when a pupil is anonymised, their names are removed from the entries about them; "
             "the entries themselves stay"),
        Rule("Staff, parent and professional accounts",
             f"for {p['account_days_after_last_role']} days after the person's last role ends",
             "the account is switched off; its history in the audit log stays"),
        Rule("API tokens", f"for {p['api_token_days_after_expiry']} days after they expire",
             "deleted"),
    ]


def pupils_due(today: dt.date | None = None):
    """Pupils past the retention period who have left the trust and are not yet anonymised."""
    today = today or timezone.localdate()
    born_before = today - relativedelta(years=periods()["pupil_record_years_after_birth"])
    return (
        Pupil.objects.filter(date_of_birth__lte=born_before, left_on__isnull=False)
        .exclude(upn__startswith="ANON")
        .exclude(enrolments__ends_on__isnull=True)
        .select_related("school")
    )


def tokens_due(now=None):
    now = now or timezone.now()
    return ApiToken.objects.filter(
        expires__lt=now - dt.timedelta(days=periods()["api_token_days_after_expiry"]))


def accounts_due(today: dt.date | None = None):
    """Active accounts whose every role ended more than the period ago."""
    today = today or timezone.localdate()
    cutoff = today - dt.timedelta(days=periods()["account_days_after_last_role"])
    current = Membership.objects.current(today).values("user_id")
    open_ended = Membership.objects.filter(ends_on__isnull=True).values("user_id")
    return (
        get_user_model().objects.filter(is_active=True, is_superuser=False)
        .exclude(pk__in=current).exclude(pk__in=open_ended)
        .annotate(last_end=Max("memberships__ends_on"))
        .filter(Q(last_end__lt=cutoff))
    )


@dataclass
class Outcome:
    pupils: int
    accounts: int
    tokens: int
    lines: list[str]


def apply(*, dry_run: bool, today: dt.date | None = None) -> Outcome:
    """Apply every rule (or, with dry_run, only say what would be done); audited."""
    from sendtrust.people.erasure import anonymise_pupil

    today = today or timezone.localdate()
    pupils = list(pupils_due(today))
    accounts = list(accounts_due(today))
    tokens = list(tokens_due())
    verb = "Would" if dry_run else "Did"
    lines = [f"{verb} anonymise pupil {p.code} (born {p.date_of_birth.year}, left {p.left_on})"
             for p in pupils]
    lines += [f"{verb} switch off account {u.username} (last role ended {u.last_end})"
              for u in accounts]
    lines += [f"{verb} delete API token {t.prefix}… of {t.user_id} (expired {t.expires:%Y-%m-%d})"
              for t in tokens]
    if not dry_run:
        for pupil in pupils:
            anonymise_pupil(pupil, reason="retention period ended")
        for user in accounts:
            get_user_model().objects.filter(pk=user.pk).update(is_active=False)
            log_action(None, "account.deactivated", object_repr=user.username,
                       reason="retention period ended")
        if tokens:
            ApiToken.objects.filter(pk__in=[t.pk for t in tokens]).delete()
            log_action(None, "api_token.purged", count=len(tokens))
    return Outcome(len(pupils), len(accounts), len(tokens), lines)
