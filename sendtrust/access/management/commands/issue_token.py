from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from sendtrust.access.audit import log_action
from sendtrust.access.models import ApiToken


class Command(BaseCommand):
    help = "Issue an API bearer token for a user; the key is printed once and never stored."

    def add_arguments(self, parser):
        parser.add_argument("username")
        parser.add_argument("--name", default="api")
        parser.add_argument("--days", type=int, default=ApiToken.DEFAULT_DAYS,
                            help=f"Days until it expires (default {ApiToken.DEFAULT_DAYS})")

    def handle(self, username, name, days, **options):
        user = get_user_model().objects.filter(username=username, is_active=True).first()
        if user is None:
            raise CommandError(f"No active user called {username!r}")
        if not 1 <= days <= 365:
            raise CommandError("--days must be from 1 to 365: every token expires")
        token, key = ApiToken.issue(user, name, days=days)
        log_action(None, "api_token.issued", user=user, object_repr=str(token),
                   expires=token.expires.isoformat(), source="issue_token")
        self.stdout.write(key)
