"""Import provision groups, enrolments and assessment scores from CSV or .xlsx, all or nothing.

One row is one pupil in one group:

    group, intervention, starts_on, ends_on, upn, entry_score, entry_on, exit_score, exit_on

A group named for the first time is set up (its intervention and start date are then
required); a group that exists is matched by name at the school. A pupil already in the group
has their scores updated. Every row is checked first (UPN at this school, dates, scores
against the intervention's outcome measure); any error and nothing is written, and each error
names the row, the field and the value. Then one short transaction writes it all.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import uuid
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from django.conf import settings
from django.db import transaction
from django.db.models import Q

from sendtrust.access.audit import log_action
from sendtrust.imports.readers import FileProblem, check_zip, too_many_rows
from sendtrust.lib.bulk import insert_rows
from sendtrust.ops.limits import MemoryCeilingExceeded, memory_ceiling
from sendtrust.provision.models import GroupEnrolment, Intervention, ProvisionGroup

COLUMNS = ["group", "intervention", "starts_on", "ends_on", "upn", "entry_score", "entry_on",
           "exit_score", "exit_on"]
REQUIRED = {"group", "upn"}
MAX_ERRORS = 200


@dataclass(frozen=True)
class RowError:
    row: int  # the spreadsheet's row number (the header is row 1)
    field: str
    value: str
    message: str

    def __str__(self) -> str:
        shown = f"“{self.value}”" if self.value else "(empty)"
        return f"Row {self.row}, {self.field} {shown}: {self.message}"


@dataclass
class Result:
    errors: list[RowError] = field(default_factory=list)
    groups_created: int = 0
    enrolled: int = 0
    updated: int = 0

    @property
    def ok(self) -> bool:
        return not self.errors


def read_table(data: bytes, filename: str) -> list[list[str]]:
    """Rows of cells as text (the header first) from a CSV or .xlsx file.

    The census import's limits apply (IMPORT_MAX_ROWS; an .xlsx's declared unzipped size,
    checked before it is opened); FileProblem names the one a file breaks.
    """
    cap = settings.IMPORT_MAX_ROWS + 1  # and the header
    rows = []
    if filename.lower().endswith(".xlsx"):
        import openpyxl

        check_zip(data)
        book = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
        for row in book.active.iter_rows(values_only=True):
            if len(rows) == cap:
                raise too_many_rows()
            rows.append(["" if v is None else (v.date().isoformat() if isinstance(
                v, dt.datetime) else str(v)) for v in row])
        return rows
    text = data.decode("utf-8-sig")
    for row in csv.reader(io.StringIO(text)):
        if len(rows) == cap:
            raise too_many_rows()
        rows.append(row)
    return rows


def _date(value: str) -> dt.date:
    value = value.strip()
    if "/" in value:
        d, m, y = value.split("/")
        return dt.date(int(y), int(m), int(d))
    return dt.date.fromisoformat(value)


def _decimal(value: str) -> Decimal:
    number = Decimal(value.strip())
    if not number.is_finite() or number.as_tuple().exponent < -2:
        raise InvalidOperation
    return number


def check(school, rows: list[list[str]]) -> tuple[Result, dict]:
    """Check every row; return the result (errors, if any) and the plan to write."""
    result = Result()
    errors = result.errors
    if not rows:
        errors.append(RowError(1, "file", "", "the file is empty"))
        return result, {}
    header = [h.strip().lower() for h in rows[0]]
    unknown = [h for h in header if h and h not in COLUMNS]
    for h in unknown:
        errors.append(RowError(1, "header", h, f"is not a column this import reads; the "
                                               f"columns are {', '.join(COLUMNS)}"))
    for name in sorted(REQUIRED - set(header)):
        errors.append(RowError(1, "header", "", f"the column {name} is missing"))
    if errors:
        return result, {}
    index = {h: i for i, h in enumerate(header) if h}
    interventions = {
        i.name.casefold(): i for i in Intervention.objects.filter(
            Q(school=school) | Q(school__isnull=True), trust_id=school.trust_id)
        .select_related("measure")}
    groups = {g.name.casefold(): g for g in ProvisionGroup.objects.filter(school=school)
              .select_related("intervention__measure")}
    pupils = dict(school.pupils.values_list("upn", "pk"))
    existing = dict(((g, p), pk) for g, p, pk in GroupEnrolment.objects.filter(
        group__school=school).values_list("group_id", "pupil_id", "pk"))
    new_groups: dict[str, ProvisionGroup] = {}
    seen: set = set()
    enrol, update = [], []

    def cell(row, name):
        i = index.get(name)
        return row[i].strip() if i is not None and i < len(row) else ""

    def err(n, name, value, message):
        errors.append(RowError(n, name, value, message))

    for n, row in enumerate(rows[1:], start=2):
        if len(errors) >= MAX_ERRORS:
            break
        if not any(c.strip() for c in row):
            continue
        name = cell(row, "group")
        if not name:
            err(n, "group", "", "enter the name of the group")
            continue
        key = name.casefold()
        group = groups.get(key) or new_groups.get(key)
        iname = cell(row, "intervention")
        if group is None:
            intervention = interventions.get(iname.casefold()) if iname else None
            if intervention is None:
                err(n, "intervention", iname, "a new group needs an intervention from the "
                                              "catalogue" if not iname else
                    "is not in the trust's catalogue or the school's own interventions")
                continue
            try:
                starts = _date(cell(row, "starts_on"))
            except ValueError:
                err(n, "starts_on", cell(row, "starts_on"),
                    "a new group needs a start date (YYYY-MM-DD or DD/MM/YYYY)")
                continue
            ends_text = cell(row, "ends_on")
            try:
                ends = _date(ends_text) if ends_text else starts + dt.timedelta(
                    weeks=intervention.weeks)
            except ValueError:
                err(n, "ends_on", ends_text, "is not a date (YYYY-MM-DD or DD/MM/YYYY)")
                continue
            if ends < starts:
                err(n, "ends_on", ends_text, "the group must end on or after it starts")
                continue
            group = ProvisionGroup(
                code=uuid.uuid4(), school=school, intervention=intervention, name=name,
                staff_role=intervention.staff_role,
                sessions_per_week=intervention.sessions_per_week,
                minutes_per_session=intervention.minutes_per_session, starts_on=starts,
                ends_on=ends)
            new_groups[key] = group
        elif iname and iname.casefold() != group.intervention.name.casefold():
            err(n, "intervention", iname, f"the group {name} runs "
                                          f"{group.intervention.name}")
            continue
        upn = cell(row, "upn").upper()
        pupil_id = pupils.get(upn)
        if pupil_id is None:
            err(n, "upn", upn, f"no pupil with this UPN is on roll at {school.name}")
            continue
        if (key, upn) in seen:
            err(n, "upn", upn, f"this pupil is already in an earlier row for {name}")
            continue
        seen.add((key, upn))
        measure = group.intervention.measure
        values = {}
        bad = False
        for fname in ("entry_score", "exit_score"):
            text = cell(row, fname)
            try:
                values[fname] = _decimal(text) if text else None
            except InvalidOperation:
                err(n, fname, text, "is not a number (up to two decimal places)")
                bad = True
                continue
            message = measure.score_error(values[fname])
            if message:
                err(n, fname, text, message.split(" is ", 1)[1])
                bad = True
        for fname in ("entry_on", "exit_on"):
            text = cell(row, fname)
            try:
                values[fname] = _date(text) if text else None
            except ValueError:
                err(n, fname, text, "is not a date (YYYY-MM-DD or DD/MM/YYYY)")
                bad = True
        if bad:
            continue
        entry, exit_ = values["entry_score"], values["exit_score"]
        if exit_ is not None and entry is None:
            err(n, "entry_score", "", "an exit score needs the entry score")
            continue
        message = measure.change_error(entry, exit_)
        if message:
            err(n, "exit_score", cell(row, "exit_score"), message)
            continue
        values["entry_on"] = values["entry_on"] or (group.starts_on if entry is not None
                                                    else None)
        values["exit_on"] = values["exit_on"] or (group.ends_on if exit_ is not None
                                                  else None)
        pk = existing.get((group.pk, pupil_id)) if group.pk else None
        (update if pk else enrol).append((pk or group, pupil_id, values))
    return result, {"new_groups": list(new_groups.values()), "enrol": enrol,
                    "update": update}


def apply(school, plan: dict, result: Result) -> Result:
    """Write a checked plan in one transaction."""
    with transaction.atomic():
        ProvisionGroup.objects.bulk_create(plan["new_groups"], batch_size=1000)
        names = ["code", "group", "pupil", "school", "entry_score", "entry_on", "exit_score",
                 "exit_on"]
        insert_rows(GroupEnrolment, names, (
            (uuid.uuid4(), group.pk, pupil_id, school.pk, v["entry_score"], v["entry_on"],
             v["exit_score"], v["exit_on"]) for group, pupil_id, v in plan["enrol"]),
            adapt=True)
        changed = []
        for pk, _, v in plan["update"]:
            changed.append(GroupEnrolment(pk=pk, **v))
        GroupEnrolment.objects.bulk_update(
            changed, ["entry_score", "entry_on", "exit_score", "exit_on"], batch_size=1000)
    result.groups_created = len(plan["new_groups"])
    result.enrolled = len(plan["enrol"])
    result.updated = len(plan["update"])
    return result


def import_file(school, data: bytes, filename: str, *, request=None) -> Result:
    """Check the whole file, then write it all or nothing; audited either way."""
    try:
        with memory_ceiling(settings.IMPORT_MEMORY_MB):
            rows = read_table(data, filename)
    except (FileProblem, MemoryCeilingExceeded) as e:
        result = Result([RowError(1, "file", filename, str(e))])
    except (UnicodeDecodeError, csv.Error, OSError, ValueError, KeyError) as e:
        result = Result([RowError(1, "file", filename, f"could not be read ({e})")])
    else:
        result, plan = check(school, rows)
        if result.ok:
            apply(school, plan, result)
    log_action(request, "provision.imported" if result.ok else "provision.import.refused",
               school=school, filename=filename, errors=len(result.errors),
               groups=result.groups_created, enrolled=result.enrolled, updated=result.updated)
    return result
