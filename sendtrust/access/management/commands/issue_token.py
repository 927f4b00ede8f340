import datetime as dt

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from sendtrust.access.models import ApiToken


class Command(BaseCommand):
    help = "Issue an API bearer token for a user; the key is printed once and never stored."

    def add_arguments(self, parser):
        parser.add_argument("username")
        parser.add_argument("--name", default="api")
        parser.add_argument("--days", type=int, default=90, help="Days until it expires")

    def handle(self, username, name, days, **options):
        user = get_user_model().objects.filter(username=username, is_active=True).first()
        if user is None:
            raise CommandError(f"No active user called {username!r}")
        _, key = ApiToken.issue(user, name, expires=timezone.now() + dt.timedelta(days=days))
        self.stdout.write(key)
