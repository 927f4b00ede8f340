"""The audit log and API tokens."""

import datetime as dt
import hashlib
import secrets

from django.conf import settings
from django.db import models
from django.utils import timezone


class AppendOnlyError(Exception):
    pass


class AuditQuerySet(models.QuerySet):
    def update(self, **kwargs):
        raise AppendOnlyError("The audit log is append-only")

    def delete(self):
        raise AppendOnlyError("The audit log is append-only")


class AuditEntry(models.Model):
    """One read, change or export: who, what, when, from where. Never updated or deleted.

    Objects are referenced by their opaque code, not a foreign key, so that no later change
    elsewhere (a pupil removed, a user deleted) can rewrite a past entry.
    """

    at = models.DateTimeField(default=timezone.now, db_index=True)
    user_id_at_time = models.BigIntegerField(null=True)
    username = models.CharField(max_length=150)
    action = models.CharField(max_length=60, db_index=True)
    trust_id_at_time = models.BigIntegerField(null=True, db_index=True)
    school_code = models.UUIDField(null=True)
    pupil_code = models.UUIDField(null=True, db_index=True)
    object_repr = models.CharField(max_length=200, blank=True)
    ip_address = models.GenericIPAddressField(null=True)
    user_agent = models.CharField(max_length=300, blank=True)
    detail = models.JSONField(default=dict, blank=True)

    objects = AuditQuerySet.as_manager()

    class Meta:
        ordering = ["-at", "-id"]
        verbose_name_plural = "audit entries"

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.username} {self.action}"

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise AppendOnlyError("The audit log is append-only")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise AppendOnlyError("The audit log is append-only")


def _hash_key(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


class ApiToken(models.Model):
    """A bearer token for the read API; only its hash is stored. Expires by default."""

    DEFAULT_DAYS = 30
    # last_used is written at most once a minute per token, so that a read stays a read.
    LAST_USED_EVERY = dt.timedelta(minutes=1)

    user = models.ForeignKey(settings.AUTH_USER_MODEL, models.CASCADE, related_name="api_tokens")
    name = models.CharField(max_length=100)
    prefix = models.CharField(max_length=8)
    key_hash = models.CharField(max_length=64, unique=True)
    created = models.DateTimeField(default=timezone.now)
    expires = models.DateTimeField(null=True, blank=True)
    last_used = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"

    @property
    def expired(self) -> bool:
        return self.expires is not None and self.expires < timezone.now()

    @classmethod
    def issue(cls, user, name: str, expires=None, days: int | None = None):
        """Create a token; return it and the key, which is shown once and never stored.

        Without a date it expires after `days` (DEFAULT_DAYS unless given).
        """
        now = timezone.now()
        if expires is None:
            expires = now + dt.timedelta(days=days or cls.DEFAULT_DAYS)
        key = "st_" + secrets.token_urlsafe(32)
        token = cls.objects.create(
            user=user, name=name, prefix=key[:8], key_hash=_hash_key(key), created=now,
            expires=expires,
        )
        return token, key

    @classmethod
    def user_for_key(cls, key: str):
        """Return the active user of an unexpired token, recording its use."""
        token = (
            cls.objects.select_related("user")
            .filter(key_hash=_hash_key(key or ""), user__is_active=True)
            .first()
        )
        if token is None or token.expired:
            return None
        now = timezone.now()
        if token.last_used is None or now - token.last_used >= cls.LAST_USED_EVERY:
            cls.objects.filter(pk=token.pk).update(last_used=now)
        return token.user
