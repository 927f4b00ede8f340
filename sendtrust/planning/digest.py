"""The weekly digest: each owner's overdue actions and those due in the next seven days."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.conf import settings
from django.core.mail import EmailMessage, get_connection
from django.urls import reverse

from sendtrust.organisations.models import Membership
from sendtrust.planning.models import PlanAction
from sendtrust.planning.plan import DUE_SOON_DAYS, due_words
from sendtrust.planning.services import display_name


def _day(d: dt.date) -> str:
    return f"{d.day} {d:%B %Y}"


@dataclass
class Digest:
    owner: object
    overdue: list = field(default_factory=list)
    due: list = field(default_factory=list)

    def subject(self) -> str:
        parts = []
        if self.overdue:
            parts.append(f"{len(self.overdue)} overdue")
        if self.due:
            parts.append(f"{len(self.due)} due this week")
        return "Your SEND plan actions: " + ", ".join(parts)

    def body(self, today: dt.date, base_url: str) -> str:
        lines = [f"Hello {display_name(self.owner)},", "",
                 f"These are your actions in the SEND strategic plan as of "
                 f"{_day(today)}.", ""]
        for heading, items in (("Overdue", self.overdue),
                               (f"Due in the next {DUE_SOON_DAYS} days", self.due)):
            if not items:
                continue
            lines += [f"{heading} ({len(items)})", ""]
            for a in items:
                url = base_url + reverse("planning:action_detail", args=[a.code])
                lines += [f"- {a.title}",
                          f"  Goal: {a.goal.title} ({a.goal.trust.name})",
                          f"  Due {_day(a.due_on)}: {due_words(a, today)}. "
                          f"Status: {a.get_status_display()}.",
                          f"  {url}", ""]
        lines += ["Record progress on each action's page. You receive this email because "
                  "you own these actions.", ""]
        return "\n".join(lines)


def collect(today: dt.date) -> tuple[list[Digest], list[object]]:
    """Digests for owners with something overdue or due this week; and owners with no email.

    Only actions of trusts the owner still belongs to count: a person who has left gets
    nothing (the SEND leader sees their actions as overdue on the plan and reassigns them).
    """
    horizon = today + dt.timedelta(days=DUE_SOON_DAYS)
    actions = list(
        PlanAction.objects.filter(due_on__lte=horizon, goal__trust__read_only=False,
                                  owner__is_active=True)
        .exclude(status__in=PlanAction.CLOSED)
        .select_related("owner", "goal__trust").order_by("owner_id", "due_on", "id")
    )
    owners = {a.owner_id for a in actions}
    current = set(Membership.objects.current(today).filter(user_id__in=owners)
                  .values_list("user_id", "trust_id"))
    digests: dict[int, Digest] = {}
    for a in actions:
        if (a.owner_id, a.goal.trust_id) not in current:
            continue
        d = digests.setdefault(a.owner_id, Digest(a.owner))
        (d.overdue if a.due_on < today else d.due).append(a)
    ready = [d for d in digests.values() if d.owner.email]
    no_email = [d.owner for d in digests.values() if not d.owner.email]
    return ready, no_email


def send(today: dt.date, *, base_url: str = "", dry_run: bool = False, out=None):
    digests, no_email = collect(today)
    messages = [
        EmailMessage(d.subject(), d.body(today, base_url),
                     getattr(settings, "DEFAULT_FROM_EMAIL", None), [d.owner.email])
        for d in digests
    ]
    if dry_run:
        if out is not None:
            for m in messages:
                out.write(f"To: {', '.join(m.to)}\nSubject: {m.subject}\n\n{m.body}\n")
        return messages, no_email, 0
    sent = get_connection().send_messages(messages) if messages else 0
    return messages, no_email, sent or 0
