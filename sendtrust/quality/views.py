"""The data-quality list of a trust or of one school: pupils whose SEN records break a rule."""

from __future__ import annotations

import csv
import io

from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_GET

from sendtrust.access.audit import log_action
from sendtrust.access.policy import (
    Action,
    allows,
    get_school_for_user,
    get_trust_for_user,
    visible_pupils,
)
from sendtrust.imports.census import csv_safe
from sendtrust.lib import links
from sendtrust.people.twofactor import ensure_recent_auth, require_recent_auth
from sendtrust.quality import checks

CSV_HEADERS = ["Check", "Surname", "Forename", "UPN", "School", "URN", "Detail", "What to do"]


def _scope(request, code, level: str):
    """(trust, school or None, the pupils to check) after the policy allows the user."""
    if level == "trust":
        trust = get_trust_for_user(request, code, Action.DATA_QUALITY)
        return trust, None, visible_pupils(request.user).filter(school__trust=trust)
    school = get_school_for_user(request, code, Action.DATA_QUALITY)
    return school.trust, school, visible_pupils(request.user, school)


def _school_pages(trust) -> list[tuple[str, str]]:
    """(name, address) of each school's own list, in name order."""
    url = links.by_code("quality:for_school")
    return [(name, url(code)) for name, code in
            trust.schools.order_by("name").values_list("name", "code")]


@login_required
@require_GET
def quality_list(request, code, level):
    """Counts per check, then each check's pupils under what to do about them (said once a
    check, not on every row); reading it is audited (it names pupils)."""
    trust, school, pupils = _scope(request, code, level)
    problems = checks.find_problems(pupils)
    log_action(request, "quality.list.viewed", trust=trust, school=school,
               object_repr=str(school or trust), problems=len(problems))
    record = links.by_code("pupil_record")
    groups = [(check, [(record(p.pupil_code), p) for p in found])
              for check, found in checks.by_check(problems) if found]
    return render(request, "quality/quality_list.html", {
        "trust": trust, "school": school, "problems": problems, "groups": groups,
        "school_pages": [] if school else _school_pages(trust),
        "counts": checks.counts(problems), "level": level,
        # Breadcrumbs only to pages this person may open.
        "can_see_trust": allows(request.user, Action.TRUST_OVERVIEW, trust),
        "can_see_trust_quality": allows(request.user, Action.DATA_QUALITY, trust),
        "can_open_register": school is not None
        and allows(request.user, Action.SCHOOL_REGISTER, school),
    })


@login_required
@require_GET
@require_recent_auth
def quality_export(request, code, level):
    """The same list as CSV; the export is audited."""
    trust, school, pupils = _scope(request, code, level)
    ensure_recent_auth(request)
    problems = checks.find_problems(pupils)
    log_action(request, "quality.list.exported", trust=trust, school=school,
               object_repr=str(school or trust), problems=len(problems), format="csv")
    buffer = io.StringIO()
    buffer.write("\ufeff")  # Excel reads the file as UTF-8
    writer = csv.writer(buffer)
    writer.writerow(CSV_HEADERS)
    for p in problems:
        writer.writerow([csv_safe(v) for v in (
            p.check.title, p.surname, p.forename, p.upn, p.school_name, p.school_urn,
            p.detail, p.check.fix)])
    where = school.urn if school else f"trust-{trust.pk}"
    response = HttpResponse(buffer.getvalue(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = (
        f'attachment; filename="data-quality-{where}-{timezone.localdate():%Y-%m-%d}.csv"'
    )
    response["Cache-Control"] = "no-store"
    return response
