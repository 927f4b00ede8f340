"""Import EHC events from the CSV or .xlsx a school keeps today: all or nothing.

Every row is checked first (UPN of a pupil at the school, the step, its date, the authority,
the decision); if any row has a problem nothing is saved and each problem names the row, the
column and the value. Then every event is written in one short transaction. A row identical to
an event already recorded is left alone, so importing the same file twice adds nothing.
"""

from __future__ import annotations

import csv
import io
import re
from collections import defaultdict
from dataclasses import dataclass, field

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.http import HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_safe

from sendtrust.access.audit import log_action
from sendtrust.access.policy.ehc import EhcRight, get_school_for_user
from sendtrust.ehc.clocks import KIND_LABELS, OUTCOME_LABELS
from sendtrust.ehc.forms import ImportForm
from sendtrust.ehc.models import Event, Journey
from sendtrust.ehc.services import check_event
from sendtrust.imports.census import CellError, parse_date, parse_upn
from sendtrust.imports.readers import FileProblem, read_table
from sendtrust.ops.limits import MemoryCeilingExceeded, memory_ceiling
from sendtrust.people.twofactor import ensure_recent_auth, require_recent_auth
from sendtrust.pupils.models import Pupil

COLUMNS = ["UPN", "Event", "Date", "LA code", "LA name", "Outcome", "Note"]
REQUIRED = {"UPN", "Event", "Date"}
FIELD_COLUMN = {"kind": "Event", "on": "Date", "la_code": "LA code", "outcome": "Outcome"}
MAX_ERRORS = 50


def _norm(text: str) -> str:
    return re.sub(r"[\s_\-]+", "", text or "").lower()


KINDS = {_norm(k): k for k in KIND_LABELS} | {_norm(v): k for k, v in KIND_LABELS.items()}
OUTCOMES = {_norm(k): k for k in OUTCOME_LABELS} | {_norm(v): k
                                                     for k, v in OUTCOME_LABELS.items()}


@dataclass
class Result:
    rows: int = 0
    created: int = 0
    unchanged: int = 0
    errors: list[str] = field(default_factory=list)
    error_count: int = 0

    @property
    def ok(self) -> bool:
        return self.error_count == 0

    def error(self, row: int | None, column: str, value: str, message: str) -> None:
        self.error_count += 1
        if len(self.errors) < MAX_ERRORS:
            where = f"Row {row}" if row else "The file"
            if column:
                where += f", {column} " + (f'"{value[:40]}"' if value else "(blank)")
            self.errors.append(f"{where}: {message}")


def import_events(source, *, school, by=None, request=None) -> Result:
    """_import_events, with a refused import audited: who, which school, how many errors,
    never a value (a value may be a child's name or UPN)."""
    result = _import_events(source, school=school, by=by, request=request)
    if not result.ok:
        log_action(request, "ehc.events.import.failed", user=by, school=school,
                   errors=result.error_count, rows=result.rows)
    return result


def _import_events(source, *, school, by, request) -> Result:
    """Check every row of source, then save all its events at school, or none."""
    result = Result()
    try:
        # The census import's limits: IMPORT_MAX_ROWS and IMPORT_MAX_XLSX_MB (read_table), and
        # the memory the parse and the check may take (IMPORT_MEMORY_MB); each names itself.
        with memory_ceiling(settings.IMPORT_MEMORY_MB):
            table = read_table(source)
            positions = _header(table.header, result)
            if not result.ok:
                return result
            parsed = _check_rows(table.rows, positions, school, result)
    except (FileProblem, MemoryCeilingExceeded) as e:
        result = Result()  # a row's errors before the limit was met are not the file's
        result.error(None, "", "", str(e))
        return result
    if result.ok:
        _write(parsed, school, by, result)
        log_action(request, "ehc.events.imported", user=by, school=school, rows=result.rows,
                   created=result.created, unchanged=result.unchanged)
    return result


def _header(header, result) -> dict[str, int]:
    wanted = {_norm(c): c for c in COLUMNS}
    positions = {}
    for i, text in enumerate(header):
        name = wanted.get(_norm(text))
        if name and name not in positions:
            positions[name] = i
    for name in COLUMNS:
        if name in REQUIRED and name not in positions:
            result.error(1, "", "", f"the header has no {name} column (columns: "
                                    + ", ".join(COLUMNS) + ")")
    return positions


def _check_rows(rows, positions, school, result) -> list[dict]:
    parsed = []
    today = timezone.localdate()
    raw = []
    for n, row in enumerate(rows, start=2):
        cells = {c: (row[i].strip() if i < len(row) and row[i] else "")
                 for c, i in positions.items()}
        if not any(cells.values()):
            continue
        result.rows += 1
        raw.append((n, cells))
    upns = set()
    for _, cells in raw:
        try:
            upns.add(parse_upn(cells.get("UPN", "")))
        except CellError:
            pass
    pupils = {p.upn: p for p in Pupil.objects.filter(school=school, upn__in=upns,
                                                     left_on__isnull=True)}
    journeys = {j.pupil_id: j for j in Journey.objects.filter(pupil__in=pupils.values())}
    # Rows already recorded are left alone (counted as unchanged), whatever has come since.
    recorded = set(Event.objects.filter(journey__in=journeys.values()).values_list(
        "journey__pupil_id", "kind", "on", "outcome"))
    for n, cells in raw:
        row_ok = True

        def bad(column, message, cells=cells, n=n):
            nonlocal row_ok
            row_ok = False
            result.error(n, column, cells.get(column, ""), message)

        pupil = on = None
        try:
            upn = parse_upn(cells.get("UPN", ""))
            pupil = pupils.get(upn)
            if pupil is None:
                bad("UPN", f"no pupil on roll at {school.name} has this UPN")
        except CellError as e:
            bad("UPN", str(e))
        kind = KINDS.get(_norm(cells.get("Event", "")), "")
        if not kind:
            bad("Event", "not a step of the EHC journey: use one of "
                + ", ".join(KIND_LABELS.values()))
        try:
            on = parse_date(cells.get("Date", ""))
        except CellError as e:
            bad("Date", str(e))
        outcome_text = cells.get("Outcome", "")
        outcome = OUTCOMES.get(_norm(outcome_text), "") if outcome_text else ""
        if outcome_text and not outcome:
            bad("Outcome", "not a decision: use " + ", ".join(OUTCOME_LABELS.values()))
        journey = journeys.get(pupil.pk) if pupil else None
        current = journey.la_code if journey else (school.la_code if pupil else "")
        la_code = cells.get("LA code", "") or current
        again = pupil is not None and (pupil.pk, kind, on, outcome) in recorded
        if kind and on and row_ok and not again:
            for fname, message in check_event(kind=kind, on=on, la_code=la_code,
                                              outcome=outcome, today=today,
                                              current_la=current).items():
                bad(FIELD_COLUMN.get(fname, "Event"), message)
        if row_ok:
            la_name = cells.get("LA name", "") or (
                journey.la_name if journey and la_code == journey.la_code
                else school.la_name if la_code == school.la_code else la_code)
            parsed.append({"pupil": pupil, "kind": kind, "on": on, "la_code": la_code,
                           "la_name": la_name, "outcome": outcome,
                           "note": cells.get("Note", "")[:300]})
    return parsed


def _write(parsed, school, by, result) -> None:
    with transaction.atomic():
        pupils = {p["pupil"].pk: p["pupil"] for p in parsed}
        have = {j.pupil_id: j for j in Journey.objects.filter(pupil_id__in=pupils)}
        new = [Journey(pupil=p, la_code=p.school.la_code, la_name=p.school.la_name)
               for pk, p in pupils.items() if pk not in have]
        Journey.objects.bulk_create(new)
        have = {j.pupil_id: j for j in Journey.objects.filter(pupil_id__in=pupils)}
        existing = set(Event.objects.filter(journey__in=have.values()).values_list(
            "journey_id", "kind", "on", "outcome"))
        events = []
        for p in parsed:
            journey = have[p["pupil"].pk]
            key = (journey.pk, p["kind"], p["on"], p["outcome"])
            if key in existing:
                result.unchanged += 1
                continue
            existing.add(key)
            events.append(Event(journey=journey, kind=p["kind"], on=p["on"],
                                la_code=p["la_code"], la_name=p["la_name"],
                                outcome=p["outcome"], note=p["note"], school=school,
                                recorded_by=by, source="import"))
        Event.objects.bulk_create(events, batch_size=1000)
        result.created = len(events)
        # Each journey's authority is that of its latest event.
        latest = defaultdict(tuple)
        for jid, on, pk, la_code, la_name in Event.objects.filter(
                journey__in=have.values()).values_list("journey_id", "on", "pk", "la_code",
                                                       "la_name"):
            if (on, pk) > latest[jid][:2]:
                latest[jid] = (on, pk, la_code, la_name)
        changed = []
        for j in have.values():
            if latest[j.pk] and (j.la_code, j.la_name) != latest[j.pk][2:]:
                j.la_code, j.la_name = latest[j.pk][2:]
                changed.append(j)
        Journey.objects.bulk_update(changed, ["la_code", "la_name"])


@login_required
@require_recent_auth
def import_events_view(request, code):
    """The import page: upload, check every row, then save all or nothing."""
    school = get_school_for_user(request, code, EhcRight.IMPORT)
    ensure_recent_auth(request)  # asked when the form opens, so no chosen file is lost
    form = ImportForm(request.POST or None, request.FILES or None)
    result = None
    status = 200
    if request.method == "POST":
        if form.is_valid():
            result = import_events(form.cleaned_data["file"], school=school, by=request.user,
                                   request=request)
            status = 200 if result.ok else 400
        else:
            status = 400
    return render(request, "ehc/import.html", {
        "school": school, "form": form, "result": result, "columns": COLUMNS,
        "kinds": KIND_LABELS.values(), "outcomes": OUTCOME_LABELS.values()}, status=status)


@login_required
@require_safe
def import_template(request, code):
    """A CSV with the header row and one example row."""
    school = get_school_for_user(request, code, EhcRight.IMPORT)
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(COLUMNS)
    writer.writerow(["A123456789012", KIND_LABELS["review_meeting"], "12/03/2026",
                     school.la_code, school.la_name, "", ""])
    response = HttpResponse(buffer.getvalue(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="ehc-events-template.csv"'
    return response
