"""Subject access: everything held about one pupil, as a zip of a PDF and one CSV per part.

The parts held by the register and the access layer are registered here; other apps add
theirs in their own `subject_access.py` (see registry.py).
"""

from __future__ import annotations

import csv
import io
import zipfile

from django.template.loader import render_to_string
from django.utils import timezone

from sendtrust.access.models import AuditEntry
from sendtrust.lib.pdf import html_to_pdf
from sendtrust.organisations.models import ExternalAssignment, ParentLink
from sendtrust.people.registry import Part, parts_for, register_part
from sendtrust.pupils.models import Enrolment, Identification, SenEpisode


def _need(n) -> str:
    return f"{n.code} {n.label}" if n else ""


@register_part
def record(pupil) -> list[Part]:
    p = pupil
    fields = [
        ("UPN", p.upn), ("Forename", p.forename), ("Surname", p.surname),
        ("Date of birth", p.date_of_birth), ("Year group", p.year_group),
        ("Sex", p.get_sex_display()), ("School", p.school.name),
        ("SEN provision", p.get_sen_provision_display()), ("Primary need", _need(p.primary_need)),
        ("Free school meals", p.fsm), ("Pupil premium", p.pupil_premium),
        ("English as an additional language", p.eal), ("Looked after", p.looked_after),
        ("Left on", p.left_on or ""),
    ]
    return [Part("record", "Pupil record", ["Field", "Value"], [list(f) for f in fields])]


@register_part
def sen_history(pupil) -> list[Part]:
    episodes = SenEpisode.objects.filter(pupil=pupil).select_related(
        "primary_need", "secondary_need", "recorded_by")
    rows = [[e.starts_on, e.ends_on or "", e.get_provision_display(), _need(e.primary_need),
             _need(e.secondary_need), e.source,
             e.recorded_by.username if e.recorded_by else ""] for e in episodes]
    ids = Identification.objects.filter(pupil=pupil).select_related("recorded_by")
    id_rows = [[i.identified_on, i.identified_by, i.evidence,
                i.recorded_by.username if i.recorded_by else ""] for i in ids]
    return [
        Part("sen-history", "SEN history",
             ["From", "To", "Provision", "Primary need", "Secondary need", "Source",
              "Recorded by"], rows),
        Part("identification", "Identification of need",
             ["Identified on", "Identified by", "Evidence", "Recorded by"], id_rows),
    ]


@register_part
def enrolments(pupil) -> list[Part]:
    rows = [[e.school.name, e.starts_on, e.ends_on or ""]
            for e in Enrolment.objects.filter(pupil=pupil).select_related("school")]
    groups = [[g.school.name, g.name] for g in pupil.teaching_groups.select_related("school")]
    return [
        Part("enrolments", "Schools attended in the trust", ["School", "From", "To"], rows),
        Part("teaching-groups", "Teaching groups", ["School", "Group"], groups),
    ]


@register_part
def people_linked(pupil) -> list[Part]:
    parents = [[link.parent.get_full_name() or link.parent.username, link.relationship]
               for link in ParentLink.objects.filter(pupil=pupil).select_related("parent")]
    external = [[a.professional.get_full_name() or a.professional.username, a.reason,
                 a.starts_on, a.ends_on]
                for a in ExternalAssignment.objects.filter(pupil=pupil)
                .select_related("professional")]
    return [
        Part("parents-and-carers", "Parents and carers with access", ["Name", "Relationship"],
             parents),
        Part("external-professionals", "External professionals asked to see the pupil",
             ["Name", "Reason", "From", "To"], external),
    ]


@register_part
def audit_entries(pupil) -> list[Part]:
    entries = AuditEntry.objects.filter(pupil_code=pupil.code).order_by("at", "id")
    rows = [[timezone.localtime(e.at).strftime("%Y-%m-%d %H:%M"), e.username, e.action]
            for e in entries]
    return [Part("audit-log", "Who looked at or changed the record (audit log)",
                 ["When", "Who", "What"], rows)]


def _csv(part: Part) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(part.headers)
    writer.writerows(part.rows)
    # A byte order mark so that spreadsheet programs read the names in UTF-8.
    return ("\ufeff" + out.getvalue()).encode()


def build_export(pupil, *, by) -> tuple[str, bytes]:
    """Return a file name and the zip of a PDF and a CSV per part about pupil."""
    parts = parts_for(pupil)
    now = timezone.localtime()
    html = render_to_string("people/subject_access_pdf.html", {
        "pupil": pupil, "parts": parts, "at": now, "by": by,
    })
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("subject-access.pdf", html_to_pdf(html))
        for part in parts:
            zf.writestr(f"{part.name}.csv", _csv(part))
    name = f"subject-access-{pupil.code}-{now:%Y%m%d}.zip"
    return name, buffer.getvalue()
