"""The weekly support digest: each SENCO's worklist for their school, by email."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.conf import settings
from django.core.mail import EmailMessage, get_connection
from django.urls import reverse

from sendtrust.organisations.models import Membership, Role
from sendtrust.support.school_views import worklists

NAMED = 20  # pupils named per list in the email; the worklist page has the rest


def _day(d: dt.date) -> str:
    return f"{d.day} {d:%B %Y}"


@dataclass
class Digest:
    user: object
    school: object
    lists: list[dict]

    @property
    def total(self) -> int:
        return sum(w["count"] for w in self.lists)

    def subject(self) -> str:
        overdue = next(w["count"] for w in self.lists if w["key"] == "overdue")
        due = next(w["count"] for w in self.lists if w["key"] == "due")
        return (f"Support worklist for {self.school.name}: {overdue} review(s) overdue, "
                f"{due} due in the next 14 days")

    def body(self, today: dt.date, base_url: str) -> str:
        name = self.user.get_full_name() or self.user.username
        url = base_url + reverse("support:school_worklist", args=[self.school.code])
        lines = [f"Hello {name},", "",
                 f"This is the support worklist for {self.school.name} on {_day(today)}.", ""]
        for w in self.lists:
            lines.append(f"{w['title']}: {w['count']}")
            if w["key"] in ("overdue", "due"):
                for plan in w["rows"][:NAMED]:
                    lines.append(f"  - {plan.pupil.full_name}, review due {_day(plan.review_on)}")
        lines += ["", f"The full worklist: {url}", "",
                  "You receive this email because you are a SENCO of this school.", ""]
        return "\n".join(lines)


def collect(today: dt.date, progress=None) -> tuple[list[Digest], list[object]]:
    """One digest per current SENCO and school with anything on the worklist; and SENCOs
    with no email address."""
    rows = (Membership.objects.current(today)
            .filter(role=Role.SENCO, school__isnull=False, school__trust__read_only=False,
                    user__is_active=True)
            .select_related("user", "school").order_by("school__name", "user_id"))
    digests, no_email = [], []
    lists_of: dict[int, list[dict]] = {}
    for m in (progress(list(rows)) if progress else rows):
        if m.school_id not in lists_of:
            lists_of[m.school_id] = worklists([m.school], today)
        d = Digest(m.user, m.school, lists_of[m.school_id])
        if not d.total:
            continue
        (digests if m.user.email else no_email).append(d if m.user.email else m.user)
    return digests, no_email


def send(today: dt.date, *, base_url: str = "", dry_run: bool = False, out=None,
         progress=None):
    digests, no_email = collect(today, progress)
    messages = [EmailMessage(d.subject(), d.body(today, base_url),
                             getattr(settings, "DEFAULT_FROM_EMAIL", None), [d.user.email])
                for d in digests]
    if dry_run:
        if out is not None:
            for m in messages:
                out.write(f"To: {', '.join(m.to)}\nSubject: {m.subject}\n\n{m.body}\n")
        return messages, no_email, 0
    sent = get_connection().send_messages(messages) if messages else 0
    return messages, no_email, sent or 0
