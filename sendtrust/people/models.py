"""People: staff and family administration, invitations, two-factor sign-in, data rights.

Most of what this app changes lives elsewhere (users, memberships and parent links in
organisations, devices in django-otp); it keeps only the record of each erasure.
"""

from django.db import models
from django.utils import timezone


class Erasure(models.Model):
    """A pupil anonymised after the retention period: when, by whom, and what was redacted.

    Holds no name: only the pupil's opaque code, which the audit log's entries also carry.
    """

    pupil_code = models.UUIDField(unique=True)
    trust_id_at_time = models.BigIntegerField(null=True)
    at = models.DateTimeField(default=timezone.now)
    by_username = models.CharField(max_length=150)
    reason = models.CharField(max_length=200)
    audit_entries_redacted = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["-at"]

    def __str__(self) -> str:
        return f"Pupil {self.pupil_code} anonymised {self.at:%Y-%m-%d}"
