"""What each area holds about one pupil, for subject access and for erasure.

Every app that stores something about a pupil adds its own part here, in its own module
`sendtrust/<app>/subject_access.py` (found at start-up, like admin.py):

    from sendtrust.people.registry import Part, register_eraser, register_part

    @register_part
    def support_plans(pupil):
        plans = SupportPlan.objects.filter(pupil=pupil)
        return [Part("support-plans", "Support plans", ["Opened", "Status"],
                     [[p.opened_on, p.get_status_display()] for p in plans])]

    @register_eraser
    def erase_support(pupil):
        # Remove free text that names the child or the family; keep dates and codes.
        SupportPlan.objects.filter(pupil=pupil).update(pupil_views="")

A part returns rows of plain values; the export writes each part as a CSV file and a table
in the PDF. An eraser runs inside the anonymisation's transaction.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field


@dataclass
class Part:
    name: str  # file name stem: lower case and hyphens
    title: str
    headers: list[str]
    rows: list[list] = field(default_factory=list)


PartFunc = Callable[[object], list[Part]]
EraserFunc = Callable[[object], None]
PARTS: list[PartFunc] = []
ERASERS: list[EraserFunc] = []


def register_part(func: PartFunc) -> PartFunc:
    if func not in PARTS:
        PARTS.append(func)
    return func


def register_eraser(func: EraserFunc) -> EraserFunc:
    if func not in ERASERS:
        ERASERS.append(func)
    return func


def parts_for(pupil) -> list[Part]:
    """Every registered part about pupil, in registration order (the record first)."""
    parts: list[Part] = []
    for func in PARTS:
        parts.extend(func(pupil))
    return parts
