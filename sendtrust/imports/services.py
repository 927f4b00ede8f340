"""Import pupils and their SEN status from a census-style CSV or .xlsx file: every row or none.

Each row is validated (UPN check letter, dates, codes against the need taxonomy, the census
rules of `check_status`, duplicates, pupils held elsewhere). A file with any error saves
nothing. Otherwise, in one transaction, new pupils are created with an enrolment and an
opening SEN episode; pupils already at the school are updated, and a change of SEN status is
recorded as a new episode, closing the open one the day before, as `record_status` does.

The file is read, parsed and checked outside any transaction, under a memory ceiling
(settings.IMPORT_MEMORY_MB): on SQLite a write transaction locks the whole database, and a
parse of a large file must not hold that lock while others wait to save. The transaction
that follows is short: it reads again, under lock, what the school holds; re-checks the rows
against it only if it changed meanwhile; and writes.
"""

from __future__ import annotations

import datetime as dt
import os
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from itertools import repeat

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction
from django.db.models import Model
from django.utils import timezone

from sendtrust.access.audit import log_action
from sendtrust.imports import census
from sendtrust.imports.census import COLUMNS, FLAG_KEYS, CellError
from sendtrust.imports.readers import FileProblem, read_table
from sendtrust.imports.samples import write_sample_csv
from sendtrust.lib.bulk import batched, insert_rows, max_params, refresh_statistics
from sendtrust.ops.limits import MemoryCeilingExceeded, memory_ceiling
from sendtrust.pupils.models import Enrolment, NeedType, Pupil, SenEpisode
from sendtrust.pupils.services import check_status

__all__ = ["ImportResult", "RowError", "import_file", "write_sample_csv"]

MAX_ERRORS = 200  # errors shown, in row order; the import still counts every one
PROGRESS_EVERY = 1000  # rows between two calls of progress()
OLDEST_PUPIL_YEARS = 30  # SEND provision runs from 0 to 25; older dates of birth are typos

# Where each parsed value sits in a row, in the order of census.COLUMNS.
KEYS = [c.key for c in COLUMNS]
POS = {key: i for i, key in enumerate(KEYS)}
NAME = {c.key: c.name for c in COLUMNS}
_ORDER = {c.name: i for i, c in enumerate(COLUMNS)}  # errors of a row, in column order
# check_status names model fields; the user knows the census columns.
_STATUS_FIELDS = {
    "provision": "provision", "primary_need": "primary", "secondary_need": "secondary",
}


@dataclass
class RowError:
    row: int | None  # as the user sees it in the spreadsheet: the header is row 1
    field: str  # the census column, or "" for the row or file as a whole
    value: str
    message: str

    def __str__(self) -> str:
        where = f"Row {self.row}" if self.row else "The file"
        if self.field:
            shown = self.value if len(self.value) <= 40 else self.value[:40] + "…"
            where += f", {self.field} " + (f'"{shown}"' if self.value else "(blank)")
        return f"{where}: {self.message}"


@dataclass
class ImportResult:
    """What an import did: counts when it saved, errors when it saved nothing."""

    created: int = 0  # new pupils
    updated: int = 0  # pupils already at the school with anything changed (details or status)
    status_changes: int = 0  # of those, how many have a new SEN status (a new episode)
    unchanged: int = 0  # pupils already at the school with nothing new
    rows: int = 0  # data rows read
    errors: list[RowError] = field(default_factory=list)  # the first MAX_ERRORS
    error_count: int = 0  # every error found
    ignored_columns: list[str] = field(default_factory=list)
    effective: dt.date | None = None

    @property
    def ok(self) -> bool:
        return self.error_count == 0

    def add_error(self, row: int | None, field: str, value: str, message: str) -> None:
        self.error_count += 1
        # Errors are found column by column: enough are kept for the first MAX_ERRORS in
        # row order to be among them even when every column is wrong.
        if len(self.errors) < MAX_ERRORS * (len(COLUMNS) + 2):
            self.errors.append(RowError(row, field, value, message))


def import_file(source, *, school, by=None, request=None, effective: dt.date | None = None,
                progress: Callable[[int, int | None], object] | None = None) -> ImportResult:
    """_import_file, with a refused import audited: who, which school, how many errors and in
    which columns, never a value (a value may be a child's name)."""
    result = _import_file(source, school=school, by=by, request=request, effective=effective,
                          progress=progress)
    if not result.ok:
        log_action(request, "register.import.failed", user=by, school=school,
                   errors=result.error_count, rows=result.rows,
                   columns=sorted({e.field for e in result.errors if e.field}))
    return result


def _import_file(source, *, school, by, request, effective, progress) -> ImportResult:
    """Import a census CSV or .xlsx (a path or an open file) into school; all rows or none.

    `effective` dates new enrolments and status changes (default today); `progress(done,
    total)` is called as rows are read, `total` being an estimate or None. Access is the
    caller's business (Action.SCHOOL_IMPORT).
    """
    today = timezone.localdate()
    effective = effective or today
    result = ImportResult(effective=effective)
    if effective > today:
        result.add_error(None, "", "", "the date the changes take effect cannot be in the future")
        return result
    if school.trust.read_only:
        result.add_error(None, "", "", "this trust is built from public data and holds no pupils")
        return result
    importer = _Import(school, effective, by, result, progress)
    try:
        with memory_ceiling(settings.IMPORT_MEMORY_MB):
            importer.check(read_table(source))
    except (FileProblem, MemoryCeilingExceeded) as e:
        result = ImportResult(effective=effective)
        result.add_error(None, "", "", str(e))
        return result
    if not result.ok:
        return result
    try:
        with transaction.atomic():
            importer.write()
            if result.ok:
                refresh_statistics([Pupil, Enrolment, SenEpisode],
                                   result.created + result.updated)
                log_action(
                    request, "register.imported", user=by, school=school,
                    created=result.created, updated=result.updated,
                    status_changes=result.status_changes, unchanged=result.unchanged,
                    rows=result.rows, effective=effective.isoformat(),
                )
    except IntegrityError:
        # Someone else added one of these pupils between our checks and our insert.
        result = ImportResult(effective=effective)
        result.add_error(None, "", "", "another change to these pupils was saved at the same "
                                       "time; nothing was saved from this file, try again")
    return result


class _Import:
    def __init__(self, school, effective, by, result: ImportResult, progress):
        self.school = school
        self.effective = effective
        self.by_id = getattr(by, "pk", None)
        self.result = result
        self.progress = progress
        taxonomy = NeedType._meta.get_field("taxonomy").default
        # Codes are data: the taxonomy's table, read once, is the list of valid codes.
        self.needs = {n.code.upper(): n for n in NeedType.objects.filter(taxonomy=taxonomy)}
        self.need_list = ", ".join(sorted(self.needs))
        self.oldest_dob = effective.replace(year=effective.year - OLDEST_PUPIL_YEARS, day=1)
        self.cells: dict[str, tuple] = {}  # key -> the file's cells, one a data row
        self.columns: dict[str, list] = {}  # key -> parsed values, one a data row
        self.new: list[int] = []  # indexes (into columns) of the rows of new pupils
        # (parsed row, pupil id, details changed, open episode | () | None if status same)
        self.changed: list[tuple[list, int, bool, tuple | None]] = []
        self.row_of: dict[str, int] = {}  # UPN -> row number, to report duplicates
        self.status_seen: dict[tuple, dict | None] = {}

    def check(self, table) -> None:
        """Read, parse and check every row against what the school holds; write nothing."""
        index = self.read_header(table.header)
        if not self.result.ok:
            return
        self.existing, self.left, self.open_episodes = self.held()
        try:
            self.read_rows(table, index)
        except FileProblem as e:
            self.result.add_error(None, "", "", str(e))
        if self.result.ok and not self.result.rows:
            self.result.add_error(None, "", "", "the file has no pupils in it: add a row for "
                                                "each pupil under the header row")
        if not self.result.ok:
            # The file is refused anyway: report every error, pupils held elsewhere too.
            self.check_held_elsewhere()
            self.sort_errors()

    def write(self) -> None:
        """Save a checked file; run inside the caller's (short) transaction."""
        held = self.held(lock=True)
        if held != (self.existing, self.left, self.open_episodes):
            # Someone changed this school's pupils while the file was being checked: sort
            # the rows again against what is held now (the cells stay parsed).
            self.existing, self.left, self.open_episodes = held
            self.new, self.changed, self.row_of = [], [], {}
            self.result.unchanged = 0
            self.check_rows(self.numbers, set())
            if not self.result.ok:
                self.check_held_elsewhere()
                self.sort_errors()
                return
        # The unique index on Pupil.upn finds a UPN held at another school as we insert,
        # so a good file pays nothing for the check; the search runs only when it fails.
        try:
            with transaction.atomic():
                self.save()
        except IntegrityError:
            self.check_held_elsewhere()
            if self.result.ok:
                raise
        self.sort_errors()

    def sort_errors(self) -> None:
        self.result.errors.sort(key=lambda e: (e.row or 0, _ORDER.get(e.field, -1)))
        del self.result.errors[MAX_ERRORS:]

    def read_header(self, header: list[str]) -> dict[str, int]:
        index: dict[str, int] = {}
        for i, text in enumerate(header):
            column = census.match_header(text)
            if column is None:
                if text.strip():
                    self.result.ignored_columns.append(text.strip())
            elif column.key in index:
                self.result.add_error(1, "", "", f"there are two {column.name} columns "
                                                 f"(columns {index[column.key] + 1} and {i + 1})")
            else:
                index[column.key] = i
        for column in COLUMNS:
            if column.required and column.key not in index:
                self.result.add_error(1, "", "", f"the header row has no {column.name} column")
        return index

    def held(self, lock: bool = False) -> tuple[dict, dict, dict]:
        """The school's pupils, its leavers and their open episodes: three queries."""
        existing = {
            row[0]: row[1:]
            for row in Pupil.objects.filter(school=self.school).values_list(
                "upn", "pk", *KEYS[1:6], *FLAG_KEYS
            )
        }
        left = dict(
            Pupil.objects.filter(school=self.school, left_on__isnull=False)
            .values_list("upn", "left_on")
        )
        episodes = SenEpisode.objects.filter(pupil__school=self.school, ends_on__isnull=True)
        if lock:
            # Locked so that a status change made meanwhile on a record waits for the write.
            episodes = episodes.select_for_update(of=("self",))
        open_episodes = {
            row[0]: row[1:]
            for row in episodes.values_list("pupil_id", "pk", "provision", "primary_need_id",
                                             "secondary_need_id", "starts_on")
        }
        return existing, left, open_episodes

    def parse_need(self, text: str) -> str | None:
        """Return the need's code in capitals (a key of self.needs), or None when blank."""
        if not text:
            return None
        need = self.needs.get(text.upper())
        if need is None:
            raise CellError(f"not a need code; use one of {self.need_list}")
        if need.valid_from and need.valid_from > self.effective:
            raise CellError(f"{need.code} is recorded from {need.valid_from:%d/%m/%Y}")
        return need.code.upper()

    def need_id(self, code: str | None) -> int | None:
        return None if code is None else self.needs[code].id

    def collect_rows(self, table) -> tuple[list[int], list[list[str]]]:
        """Return the rows that hold data, each as long as the header, and their numbers."""
        width, numbers, rows = len(table.header), [], []
        row_number = 1
        for cells in table.rows:
            row_number += 1
            if self.progress and row_number % PROGRESS_EVERY == 0:
                self.progress(row_number - 1, table.total)
            n = len(cells)
            if n != width:
                if n > width and "".join(cells[width:]).strip():
                    self.result.add_error(row_number, "", "", f"this row has {n} cells but the "
                                                              f"header row names {width} columns")
                    continue
                cells = cells[:width] + [""] * (width - n)
            if cells[0].strip() or "".join(cells).strip():  # else a blank line
                numbers.append(row_number)
                rows.append(cells)
        if self.progress:
            self.progress(row_number - 1, row_number - 1)
        return numbers, rows

    def read_rows(self, table, index: dict[str, int]) -> None:
        numbers, rows = self.collect_rows(table)
        self.numbers = numbers
        self.result.rows = len(rows)
        parsers = {
            "upn": census.parse_upn, "surname": census.parse_name,
            "forename": census.parse_name, "date_of_birth": census.parse_date,
            "sex": census.parse_sex, "year_group": census.parse_year,
            "provision": census.parse_provision, "primary": self.parse_need,
            "secondary": self.parse_need, **dict.fromkeys(FLAG_KEYS, census.parse_flag),
        }
        # Column by column, and each distinct text of a column stripped and parsed once: a
        # census file repeats its codes, dates and names thousands of times.
        by_column = list(zip(*rows, strict=True)) or [()] * len(table.header)
        self.cells = {key: by_column[i] for key, i in index.items()}
        columns, bad_rows = {}, set()
        for key, cells in self.cells.items():
            parse = parsers[key]
            parsed = {text: _attempt(parse, text.strip()) for text in set(cells)}
            columns[key] = [parsed[text] for text in cells]
            if any(type(v) is CellError for v in parsed.values()):
                for j, value in enumerate(columns[key]):
                    if type(value) is CellError:
                        self.result.add_error(numbers[j], NAME[key], cells[j].strip(),
                                              str(value))
                        bad_rows.add(j)
        blank = [None] * len(rows)  # an optional column that the file does not have
        self.columns = {key: columns.get(key, blank) for key in KEYS}
        self.check_rows(numbers, bad_rows)

    def check_rows(self, numbers: list[int], bad_rows: set) -> None:
        """Check what needs a row's cells together; sort the good rows into new and held."""
        add_error, columns = self.result.add_error, self.columns
        # Dates of birth repeat, as do statuses (see status_errors): each is checked once.
        wrong_dob = {d for d in set(columns["date_of_birth"])
                     if type(d) is not CellError and not self.oldest_dob <= d <= self.effective}
        rows = zip(columns["upn"], columns["date_of_birth"], columns["provision"],
                   columns["primary"], columns["secondary"], strict=True)
        for j, (upn, dob, *status) in enumerate(rows):
            row_number = numbers[j]
            # Every problem in one pass: a row with a bad cell is still checked for the
            # rest, each check using only the cells that could be read.
            if dob in wrong_dob:
                add_error(row_number, "DOB", self.cells["date_of_birth"][j].strip(),
                          self.dob_message(dob))
            readable = not any(type(v) is CellError for v in status)
            status_errors = self.status_errors(*status) if readable else None
            if status_errors:
                self.add_status_errors(row_number, j, status_errors)
            if type(upn) is not CellError:
                if upn in self.row_of:
                    add_error(row_number, "UPN", upn, f"the same UPN is also on row "
                                                      f"{self.row_of[upn]}")
                    continue
                self.row_of[upn] = row_number
            if j in bad_rows or status_errors:
                continue
            if upn in self.left:
                add_error(row_number, "UPN", upn, f"this pupil left on {self.left[upn]:%d/%m/%Y}; "
                                                  f"a leaver's record is not changed by an import")
            elif upn in self.existing:
                self.compare(row_number, [column[j] for column in columns.values()])
            else:
                self.new.append(j)

    def dob_message(self, dob: dt.date) -> str:
        if dob > self.effective:
            return (f"the date of birth is after {self.effective:%d/%m/%Y}, the date the "
                    f"changes take effect")
        return (f"the date of birth must fall in the {OLDEST_PUPIL_YEARS} years before "
                f"{self.effective:%d/%m/%Y}")

    def add_status_errors(self, row_number: int, j: int, status_errors: dict) -> None:
        for model_field, messages in status_errors.items():
            key = _STATUS_FIELDS.get(model_field, "provision")
            text = self.cells[key][j].strip() if key in self.cells else ""
            self.result.add_error(row_number, NAME[key], text, "; ".join(messages))

    def compare(self, row_number: int, values: list) -> None:
        """Sort a row of a pupil already at the school into changed or unchanged."""
        upn, provision, primary, secondary = values[0], *values[6:9]
        held = self.existing[upn]
        pk, old = held[0], held[1:]
        for i, key in enumerate(FLAG_KEYS, start=5):
            if values[POS[key]] is None:  # the column is not in the file: keep what we hold
                values[POS[key]] = old[i]
        details_changed = tuple(values[1:6]) + tuple(values[9:]) != old
        status = (provision, self.need_id(primary), self.need_id(secondary))
        episode = self.open_episodes.get(pk)
        if episode is not None and episode[1:4] == status:
            status_change = None
        else:
            status_change = episode or ()
            if episode is not None and self.effective < episode[4]:
                self.result.add_error(
                    row_number, "SENprovision", provision,
                    f"this status change would take effect on {self.effective:%d/%m/%Y}, "
                    f"before the current status began ({episode[4]:%d/%m/%Y})",
                )
                return
        if details_changed or status_change is not None:
            self.changed.append((values, pk, details_changed, status_change))
        else:
            self.result.unchanged += 1

    def status_errors(self, provision, primary, secondary) -> dict[str, list[str]] | None:
        """Return what check_status says of this combination, asking once per combination."""
        key = (provision, primary, secondary)
        if key not in self.status_seen:
            try:
                check_status(provision, self.needs.get(primary), self.needs.get(secondary))
                self.status_seen[key] = None
            except ValidationError as e:
                self.status_seen[key] = e.message_dict
        return self.status_seen[key]

    def check_held_elsewhere(self) -> None:
        """A UPN held at another school is an error: moves go through the move service."""
        # Every readable UPN of the file that is not at this school, rows with errors too.
        new_upns = [upn for upn in self.row_of if upn not in self.existing]
        for chunk in batched(new_upns, max_params()):
            held = Pupil.objects.filter(upn__in=chunk).values_list(
                "upn", "school_id", "school__trust_id"
            )
            for upn, school_id, trust_id in held:
                if school_id == self.school.pk:
                    continue  # added here by someone else meanwhile: import_file says so
                if trust_id == self.school.trust_id:
                    message = ("this pupil is on roll at another school of the trust; moving a "
                               "pupil between schools is done on their record (Move pupil), "
                               "not by an import")
                else:
                    # Nothing about another trust: not that it holds the pupil, nor which.
                    message = ("this UPN cannot be added here; check it against the pupil's "
                               "records, and if it is right ask your trust's SEND leader")
                self.result.add_error(self.row_of[upn], "UPN", upn, message)

    def save(self) -> None:
        result, school, on, by_id = self.result, self.school, self.effective, self.by_id
        adapt_date = connection.ops.adapt_datefield_value
        on_db = adapt_date(on)
        # New pupils go in in register order (surname, forename) and each table's new codes
        # in ascending order, so that most index entries are appended rather than spread
        # over the index: on SQLite that makes the insert of a large file ~40% faster. The
        # codes are as random as ever; only their order within this import is the register's.
        columns = self.columns
        names = [f"{s}\x00{f}" for s, f in zip(columns["surname"], columns["forename"],
                                                 strict=True)]  # sorts as (surname, forename)
        order = sorted(self.new, key=names.__getitem__)
        new = {key: [column[j] for j in order] for key, column in columns.items()}
        n, school_id = len(order), repeat(school.pk)
        primary = _each(self.need_id, new["primary"])
        secondary = _each(self.need_id, new["secondary"])
        insert_rows(Pupil, PUPIL_COLUMNS, zip(
            _new_codes(n), new["upn"], new["surname"], new["forename"],
            _each(adapt_date, new["date_of_birth"]), new["year_group"], new["sex"],
            *[map(bool, new[key]) for key in FLAG_KEYS],  # no such column: False
            school_id, new["provision"], primary, repeat(1), repeat(on_db),
            repeat(school.pk), strict=False,
        ))
        result.created = n
        held = dict(Pupil.objects.filter(school=school).values_list("upn", "pk"))
        ids = [held[upn] for upn in new["upn"]]
        insert_rows(Enrolment, ["pupil", "school", "starts_on"],
                zip(ids, school_id, repeat(on_db), strict=False))
        codes = _new_codes(n + len(self.changed))
        episodes = list(zip(codes, ids, new["provision"], primary, secondary, repeat(on_db),
                            repeat(by_id), repeat("import"), strict=False))
        codes = iter(codes[n:])
        updates, closes = [], []
        result.updated = len(self.changed)
        for v, pk, _details_changed, status_change in self.changed:
            updates.append((v[2], v[1], adapt_date(v[3]), v[5], v[4], *v[9:], v[6],
                            self.need_id(v[7]), pk))
            if status_change is None:
                continue
            result.status_changes += 1
            if status_change:
                # As record_status: the open episode ends the day before the new one starts.
                closes.append((adapt_date(max(status_change[4], on - dt.timedelta(days=1))),
                               status_change[0]))
            episodes.append((next(codes), pk, v[6], self.need_id(v[7]), self.need_id(v[8]),
                             on_db, by_id, "import"))
        _update(SenEpisode, ["ends_on"], closes)
        insert_rows(SenEpisode, EPISODE_COLUMNS, episodes)
        _update(Pupil, PUPIL_UPDATE_COLUMNS, updates)


# A new pupil's enrolment summary (pupils.Pupil.enrolment_count) goes in with it: its one
# enrolment, open from the effective date, at the school imported into. The database's
# trigger then finds it right and, on PostgreSQL, does not write every new pupil a second time.
PUPIL_COLUMNS = [
    "code", "upn", "surname", "forename", "date_of_birth", "year_group", "sex", *FLAG_KEYS,
    "school", "sen_provision", "primary_need", "enrolment_count", "enrolled_from",
    "open_enrolment_school",
]
PUPIL_UPDATE_COLUMNS = [
    "forename", "surname", "date_of_birth", "year_group", "sex", *FLAG_KEYS, "sen_provision",
    "primary_need",
]
EPISODE_COLUMNS = [
    "code", "pupil", "provision", "primary_need", "secondary_need", "starts_on", "recorded_by",
    "source",
]
BATCH = 10_000  # rows per executemany call of an UPDATE


def _new_codes(n: int) -> list:
    """Return n new random (version 4) UUID codes, sorted, in the form the column takes."""
    data = bytearray(os.urandom(16 * n))  # one call to the system for all, not one per pupil
    data[6::16] = bytes(b & 0x0F | 0x40 for b in data[6::16])  # version 4
    data[8::16] = bytes(b & 0x3F | 0x80 for b in data[8::16])  # RFC 4122 variant
    raw = sorted(bytes(data[i:i + 16]) for i in range(0, 16 * n, 16))
    if connection.features.has_native_uuid_field:
        return [uuid.UUID(bytes=b) for b in raw]
    return [b.hex() for b in raw]  # what UUIDField stores elsewhere: 32 hex digits


# Why raw SQL and not bulk_create: a census file for a whole trust can hold 100,000 pupils,
# and each needs a pupil, an enrolment and an episode row. bulk_create builds a model instance
# and runs every field's get_db_prep_save for every object, which costs more than validating
# the row itself. Here the values are already checked and in the column's form, and one
# prepared multi-row INSERT (up to 2,000 rows, as the backend's parameter limit allows) is
# fed to executemany: few statements for SQLite to run, pipelined by psycopg on PostgreSQL.
# The statements are built from the models' own table and column names.


def _update(model: type[Model], names: list[str], rows) -> None:
    """UPDATE by primary key; each row holds the new values then the key."""
    if not rows:
        return
    opts, qn = model._meta, connection.ops.quote_name
    sets = ", ".join(f"{qn(opts.get_field(n).column)} = %s" for n in names)
    sql = f"UPDATE {qn(opts.db_table)} SET {sets} WHERE {qn(opts.pk.column)} = %s"
    with connection.cursor() as cursor:
        for batch in batched(rows, BATCH):
            cursor.executemany(sql, batch)


def _each(function, values: list) -> list:
    """Return [function(v) for v in values], calling function once per distinct value."""
    done = {value: function(value) for value in set(values)}
    return [done[value] for value in values]


def _attempt(parse, text: str):
    """Return parse(text), or the CellError it raised."""
    try:
        return parse(text)
    except CellError as e:
        return e
