"""Data-quality checks on pupils' SEN records: what is wrong, for whom, and what to do.

Each check is a rule of the school census or of sendtrust's own model. `find_problems(pupils)`
runs them all over a queryset of pupils (already limited to the pupils the user may see) in a
fixed number of queries, whatever the number of pupils.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db import connection
from django.db.models import (
    BooleanField,
    Case,
    Count,
    Exists,
    F,
    FilteredRelation,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    When,
)
from django.db.models.expressions import RawSQL
from django.utils import timezone

from sendtrust.pupils.models import (
    SUSPECT_ENROLMENT,
    Enrolment,
    EpisodeCorrection,
    NeedType,
    Provision,
    Pupil,
    SenEpisode,
)

# The taxonomy the importer checks codes against (see sendtrust.imports.services).
TAXONOMY = NeedType._meta.get_field("taxonomy").default


@dataclass(frozen=True)
class Check:
    key: str
    title: str
    fix: str


CHECKS = [
    Check("nsa_with_ehcp", "NSA recorded with an EHC plan",
          "NSA (no specialist assessment) is only used with SEN support. A pupil with an EHC "
          "plan has an assessed need: record it from the plan."),
    Check("no_primary_need", "SEN support or EHC plan with no primary need",
          "Record the primary need (for SEN support without an assessment, NSA)."),
    Check("two_open_episodes", "More than one open SEN status",
          "Close all but the current status so that the history has one open span; tell "
          "the system administrator, because the database should prevent this."),
    Check("secondary_dropped", "Secondary need dropped at a change of status",
          "When the SEN status changed, the secondary need was not carried forward. If it "
          "still applies, put it back with Correct a mistaken entry on the pupil's record."),
    Check("need_not_in_taxonomy", "Need code not in the taxonomy",
          f"Record the need with a code of the {TAXONOMY} taxonomy."),
    Check("secondary_same_as_primary", "Secondary need repeats the primary need",
          "Remove the secondary need, or record the pupil's other need."),
    Check("secondary_without_primary", "Secondary need with no primary need",
          "Record the primary need, or remove the secondary need."),
    Check("need_without_sen", "Need recorded with no SEN",
          "A pupil with no SEN has no need: remove the need, or record SEN support or the "
          "EHC plan."),
    Check("need_before_valid", "Need used before the code existed",
          "The code was not in use on the status start date (e.g. Down syndrome before "
          "January 2025): record the need the census then used, or start the status later."),
    Check("future_start", "Open status starts in the future",
          "Check the start date: a status is recorded on or after the day it begins."),
    Check("status_mismatch", "Register status differs from the SEN history",
          "The register's SEN status or primary need does not match the open status in the "
          "history. Record the status again so that both agree."),
    Check("no_open_enrolment", "No current enrolment at the pupil's school",
          "The pupil has no open enrolment at the school the register lists: record the "
          "move or the enrolment."),
]
BY_KEY = {c.key: c for c in CHECKS}


@dataclass(frozen=True)
class Problem:
    check: Check
    pupil_code: str
    surname: str
    forename: str
    upn: str
    school_name: str
    school_urn: str
    detail: str


EPISODE_FIELDS = (
    "pupil__code", "pupil__surname", "pupil__forename", "pupil__upn", "pupil__school__name",
    "pupil__school__urn", "pupil__sen_provision", "pupil__primary_need_id", "provision",
    "starts_on", "primary_need_id", "primary_need__code", "primary_need__taxonomy",
    "primary_need__support_only", "primary_need__valid_from", "secondary_need_id",
    "secondary_need__code", "secondary_need__taxonomy", "secondary_need__support_only",
    "secondary_need__valid_from",
)
PUPIL_FIELDS = ("code", "surname", "forename", "upn", "school__name", "school__urn",
                "sen_provision", "primary_need__code")
SEN = [Provision.SUPPORT, Provision.EHCP]


def _suspect_episodes(today, needs: dict[int, dict]) -> Q:
    """Open statuses that fail at least one episode check (the rest never leave the database).

    Over the pupils queryset joined to its open status (`open`, see find_problems), written
    without negating a field of the join (Django would make that a subquery per pupil):
    a < b or a > b is a != b for the non-null columns it is used on. The few need types
    (NSA, codes of another taxonomy, codes with a start date) are looked up by id, so no
    need type is joined for a pupil whose status is in order.
    """
    other_than_k = Q(e_provision__lt=Provision.SUPPORT) | Q(e_provision__gt=Provision.SUPPORT)
    support_only = [pk for pk, n in needs.items() if n["support_only"]]
    off_taxonomy = [pk for pk, n in needs.items() if n["taxonomy"] != TAXONOMY]
    need_taken = Q()
    for need in ("e_primary", "e_secondary"):
        need_taken |= Q(**{f"{need}__in": support_only}) & other_than_k
        need_taken |= Q(**{f"{need}__in": off_taxonomy})
        for pk, n in needs.items():
            if n["valid_from"] is not None:
                need_taken |= Q(**{need: pk, "e_starts_on__lt": n["valid_from"]})
    return (
        need_taken
        | Q(e_provision__in=SEN, e_primary__isnull=True)
        | Q(e_secondary=F("e_primary"))
        | Q(e_secondary__isnull=False, e_primary__isnull=True)
        | (Q(e_provision=Provision.NONE)
           & (Q(e_primary__isnull=False) | Q(e_secondary__isnull=False)))
        | Q(e_starts_on__gt=today)
        | Q(sen_provision__lt=F("e_provision")) | Q(sen_provision__gt=F("e_provision"))
        | Q(primary_need__isnull=True, e_primary__isnull=False)
        | Q(primary_need__isnull=False, e_primary__isnull=True)
        | (Q(primary_need__isnull=False, e_primary__isnull=False)
           & (Q(primary_need__lt=F("e_primary")) | Q(primary_need__gt=F("e_primary"))))
    )


def _plainly_in_order_not(today) -> Q:
    """False for the commonest sound record: no SEN on the register or in the open status, no
    need in either, a status begun by today. No episode check lists such a record, so this
    short first test spares it the full list (issue 15); true for every other record."""
    return (Q(e_provision__lt=Provision.NONE) | Q(e_provision__gt=Provision.NONE)
            | Q(sen_provision__lt=Provision.NONE) | Q(sen_provision__gt=Provision.NONE)
            | Q(e_primary__isnull=False) | Q(e_secondary__isnull=False)
            | Q(primary_need__isnull=False) | Q(e_starts_on__gt=today))


ONE_OPEN = "one_open_episode"


def _one_open_enforced() -> bool:
    """Whether the database itself forbids a second open status: the partial unique index
    one_open_episode is there (on PostgreSQL, also valid: a failed concurrent build leaves an
    index that enforces nothing). One catalogue lookup."""
    table = SenEpisode._meta.db_table
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SELECT i.indisunique AND i.indisvalid FROM pg_index i JOIN pg_class c"
                           " ON c.oid = i.indexrelid WHERE c.relname = %s"
                           " AND i.indrelid = %s::regclass", [ONE_OPEN, table])
        elif connection.vendor == "sqlite":
            cursor.execute("SELECT sql LIKE 'CREATE UNIQUE INDEX%%' FROM sqlite_master"
                           " WHERE type = 'index' AND name = %s AND tbl_name = %s",
                           [ONE_OPEN, table])
        else:
            return False
        row = cursor.fetchone()
    return bool(row and row[0])


def _twice_open() -> dict[int, int]:
    """Pupils with more than one open status, and how many. None while one_open_episode
    forbids it, so the statuses are read only when it does not (issue 15: reading every
    open status for this cost ~20 ms on SQLite and ~50 ms on PostgreSQL at 50,000 pupils,
    to find what the database cannot hold); then over every pupil, and the caller keeps
    those in scope."""
    if _one_open_enforced():
        return {}
    return dict(SenEpisode.objects.filter(ends_on__isnull=True).order_by().values("pupil")
                .annotate(n=Count("id")).filter(n__gt=1).values_list("pupil", "n"))


def _index_rows(model, index_name: str, column: str) -> str:
    """SQL for `column` of the rows in the partial index `index_name`, by its own condition.

    Built from the index's definition, in the SQL its CREATE INDEX has, values written out:
    SQLite uses a partial index only for a query whose WHERE names the index's condition
    term for term, and a bound parameter (Django's `IN (%s, %s)`) never matches the index's
    literal `IN ('K', 'E')`. (Index._get_condition_sql is what CREATE INDEX itself uses.)
    """
    index = next(i for i in model._meta.indexes if i.name == index_name)
    where = index._get_condition_sql(model, connection.schema_editor())
    table = connection.ops.quote_name(model._meta.db_table)
    if connection.vendor == "sqlite":
        # Without statistics (SQLite keeps none unless ANALYZE is run) it would rather scan
        # a covering index of every row; INDEXED BY also fails loudly if the index no longer
        # serves the condition.
        table += f" INDEXED BY {connection.ops.quote_name(index_name)}"
    return f"SELECT {connection.ops.quote_name(column)} FROM {table} WHERE {where}"


def _listed_needs(needs: dict[int, dict]) -> list[int]:
    """The need types a need check can list a status for, whatever else it holds: NSA
    (support only: beside an EHC plan or no SEN), codes of another taxonomy, codes with a
    first day of use. A handful of the need types; every other need is in order anywhere."""
    return sorted(pk for pk, n in needs.items()
                  if n["support_only"] or n["taxonomy"] != TAXONOMY or n["valid_from"])


def _candidates(today, twice: dict[int, int], needs: dict[int, dict]) -> Q:
    """The only pupils a check can list, each set read from a partial index (issue 15).

    - the register disagrees with the one open status by the open-status summary, or claims
      SEN with none open (pupil_status_disagrees): the status mismatches;
    - an open status that a check lists whatever its needs (episode_open_suspect: SEN with
      no primary need, a secondary need repeating the primary or alone, a need with no SEN);
    - an open status with a need of `_listed_needs` (episode_open_primary and _secondary,
      read by need): the need checks;
    - a closed status that had a secondary need (episode_closed_secondary): only after one
      can a change of status have dropped it;
    - on roll with no open enrolment at the school by the enrolment summary
      (pupil_enrolment_suspect);
    - an open status that begins after today; two open statuses (`twice`).
    On a trust whose records are in order that is the few pupils with NSA, Down syndrome or
    a past secondary need (~2,500 of 50,000 in the bench trust) instead of every pupil on
    the SEN register (~17,000). `find_problems(narrow=False)` reads every pupil; the tests
    hold the two to the same list.

    The sets are one UNION ALL, so that the pupils are read from the candidates, one key
    lookup each, rather than every pupil tested against every set: on SQLite as
    `id IN (...)`; on PostgreSQL as `id = ANY(ARRAY(...))`, which it builds once, sorts and
    rids of duplicates itself, and looks up by key. (From `IN (...)` it expected a third of
    all pupils and hash-joined every pupil and every open status.)
    """
    quote = connection.ops.quote_name
    sets = [
        _index_rows(Pupil, "pupil_status_disagrees", "id"),
        _index_rows(SenEpisode, "episode_open_suspect", "pupil_id"),
        _index_rows(SenEpisode, "episode_closed_secondary", "pupil_id"),
        _index_rows(Pupil, "pupil_enrolment_suspect", "id"),
        f"SELECT pupil_id FROM {quote(SenEpisode._meta.db_table)}"
        " WHERE ends_on IS NULL AND starts_on > %s",
    ]
    listed = ", ".join(str(int(pk)) for pk in _listed_needs(needs))
    if listed:
        for rank in ("primary", "secondary"):
            sets.append(_index_rows(SenEpisode, f"episode_open_{rank}", "pupil_id")
                        + f" AND {quote(rank + '_need_id')} IN ({listed})")
    union = " UNION ALL ".join(sets)
    if connection.vendor == "postgresql":
        pk = f"{quote(Pupil._meta.db_table)}.{quote(Pupil._meta.pk.column)}"
        found = Q(RawSQL(f"{pk} = ANY(ARRAY({union}))", [today], output_field=BooleanField()))
    else:
        found = Q(pk__in=RawSQL(union, [today]))
    return found | Q(pk__in=list(twice)) if twice else found


def _record_rows(pupils: QuerySet[Pupil], today, needs: dict[int, dict],
                 twice: dict[int, int], narrow: bool = True) -> list[dict]:
    """Every pupil (and open status) that fails a check, in one read of the pupils.

    Each pupil's status, need, school and leaving date come from the pupil_school_status
    index, its open status from one probe of one_open_episode (one row per open status: two
    when the index that forbids it is missing), and, in the order SQLite tests them:
    - the episode checks (`_suspect_episodes`), after `_plainly_in_order_not`;
    - the dropped secondary need, for an open SEN status with no secondary need: the status
      before it is one ordered probe of episode_pupil_start (SQLite's index rows end with the
      id), then that row by its key; a status corrected since is not listed;
    - a second open status: the pupils of `twice`;
    - for a pupil on roll (no leaving date): a register status with no open status behind
      it, and no open enrolment at its own school (one probe of one_open_enrolment).
    A pupil's own row (names, UPN), its open status count, the secondary need dropped and
    the need types are read only for the rows listed (issue 15: this was three reads of
    every pupil, one of them counting each pupil's open statuses twice). With `narrow`, only
    the pupils of `_candidates` are read at all (the tests check that it loses nothing).
    """
    before = SenEpisode.objects.filter(
        pupil=OuterRef("pk"), starts_on__lt=OuterRef("e_starts_on")
    ).order_by("-starts_on", "-id").values("pk")[:1]
    dropped = (
        Q(e_provision__in=SEN, e_secondary__isnull=True)
        & Exists(SenEpisode.objects.filter(
            pk=OuterRef("before_id"), secondary_need__isnull=False,
            primary_need_id=OuterRef("e_primary")).exclude(provision=OuterRef("e_provision")))
        & ~Exists(EpisodeCorrection.objects.filter(episode=OuterRef("e_id")))
    )
    enrolled = Exists(Enrolment.objects.filter(
        pupil=OuterRef("pk"), school=OuterRef("school"), ends_on__isnull=True))
    on_roll = Q(left_on__isnull=True)
    claims_sen = Q(sen_provision__in=SEN) | Q(primary_need__isnull=False)
    unenrolled = on_roll & ~enrolled
    if narrow:
        pupils = pupils.filter(_candidates(today, twice, needs))
        # A candidate lacks an open enrolment at its school only if the enrolment summary
        # says so (SUSPECT_ENROLMENT): a test of its own row before the probe.
        unenrolled = SUSPECT_ENROLMENT & ~enrolled
    rows = (
        pupils.order_by()  # the visibility filter joins only the school: one row a pupil
        .alias(open=FilteredRelation("episodes", condition=Q(episodes__ends_on__isnull=True)))
        .annotate(e_id=F("open__id"), e_provision=F("open__provision"),
                  e_starts_on=F("open__starts_on"), e_primary=F("open__primary_need_id"),
                  e_secondary=F("open__secondary_need_id"))
        .alias(before_id=Subquery(before))
        .filter((Q(e_id__isnull=False) & _plainly_in_order_not(today)
                 & _suspect_episodes(today, needs))
                | dropped
                | Q(pk__in=list(twice))
                | (on_roll & Q(e_id__isnull=True) & claims_sen)
                | unenrolled)
        .annotate(
            before_secondary=Case(When(dropped, then=Subquery(SenEpisode.objects.filter(
                pk=OuterRef("before_id")).values("secondary_need__code"))), default=None),
            enrolled=enrolled)
        .values("pk", "code", "surname", "forename", "upn", "school__name", "school__urn",
                "sen_provision", "primary_need_id", "left_on", "e_id", "e_provision",
                "e_starts_on", "e_primary", "e_secondary", "before_secondary", "enrolled")
    )
    return list(rows)


def _episode_row(r: dict, needs: dict[int, dict]) -> dict:
    """A listed open status as `_episode_problems` reads it (EPISODE_FIELDS)."""
    e = {f"pupil__{k}": r[k] for k in ("code", "surname", "forename", "upn", "school__name",
                                       "school__urn", "sen_provision", "primary_need_id")}
    e.update(provision=r["e_provision"], starts_on=r["e_starts_on"],
             primary_need_id=r["e_primary"], secondary_need_id=r["e_secondary"])
    for rank, pk in (("primary", r["e_primary"]), ("secondary", r["e_secondary"])):
        n = needs.get(pk, {})
        for key in ("code", "taxonomy", "support_only", "valid_from"):
            e[f"{rank}_need__{key}"] = n.get(key)
    return e


def _episode_problems(e: dict, today) -> list[tuple[str, str]]:
    found = []
    codes = {"primary": e["primary_need__code"], "secondary": e["secondary_need__code"]}
    for rank in ("primary", "secondary"):
        code = codes[rank]
        if code is None:
            continue
        if e[f"{rank}_need__support_only"] and e["provision"] == Provision.EHCP:
            found.append(("nsa_with_ehcp", f"{rank} need {code} with an EHC plan"))
        elif e[f"{rank}_need__support_only"] and e["provision"] != Provision.SUPPORT:
            found.append(("need_without_sen", f"{rank} need {code} with no SEN"))
        if e[f"{rank}_need__taxonomy"] != TAXONOMY:
            found.append(("need_not_in_taxonomy",
                          f"{rank} need {code} is from {e[f'{rank}_need__taxonomy']!r}"))
        valid_from = e[f"{rank}_need__valid_from"]
        if valid_from and valid_from > e["starts_on"]:
            found.append(("need_before_valid",
                          f"{rank} need {code} from {e['starts_on']:%d/%m/%Y}, in use from "
                          f"{valid_from:%d/%m/%Y}"))
    if e["provision"] in SEN and e["primary_need_id"] is None:
        found.append(("no_primary_need", f"{Provision(e['provision']).label} since "
                                         f"{e['starts_on']:%d/%m/%Y}"))
    if e["secondary_need_id"] is not None and e["secondary_need_id"] == e["primary_need_id"]:
        found.append(("secondary_same_as_primary", f"both {codes['primary']}"))
    if e["secondary_need_id"] is not None and e["primary_need_id"] is None:
        found.append(("secondary_without_primary", f"secondary need {codes['secondary']}"))
    if e["provision"] == Provision.NONE and (codes["primary"] or codes["secondary"]):
        if not any(k == "need_without_sen" for k, _ in found):
            found.append(("need_without_sen", "need {} with no SEN".format(
                codes["primary"] or codes["secondary"])))
    if e["starts_on"] > today:
        found.append(("future_start", f"starts {e['starts_on']:%d/%m/%Y}"))
    if (e["pupil__sen_provision"] != e["provision"]
            or e["pupil__primary_need_id"] != e["primary_need_id"]):
        found.append(("status_mismatch",
                      f"register {e['pupil__sen_provision']}, history {e['provision']} "
                      f"{codes['primary'] or 'no need'}"))
    return found


def _problem(key: str, row: dict, prefix: str, detail: str) -> Problem:
    return Problem(
        check=BY_KEY[key],
        pupil_code=str(row[f"{prefix}code"]),
        surname=row[f"{prefix}surname"],
        forename=row[f"{prefix}forename"],
        upn=row[f"{prefix}upn"],
        school_name=row[f"{prefix}school__name"],
        school_urn=row[f"{prefix}school__urn"],
        detail=detail,
    )


def find_problems(pupils: QuerySet[Pupil], *, narrow: bool = True) -> list[Problem]:
    """Every problem among these pupils, ordered by check, school and name. Three queries: the
    need types, whether the database forbids two open statuses (`_twice_open`), one read of
    the pupils (`_record_rows`; `narrow=False` reads every pupil, for the tests)."""
    today = timezone.localdate()
    needs = {n["id"]: n for n in NeedType.objects.values(
        "id", "code", "taxonomy", "support_only", "valid_from")}
    problems: list[Problem] = []
    twice = _twice_open()
    pupil_seen: set = set()  # a pupil with two open statuses has a row for each
    for r in _record_rows(pupils, today, needs, twice, narrow):
        if r["e_id"] is not None:
            e = _episode_row(r, needs)
            problems += [_problem(k, e, "pupil__", d) for k, d in _episode_problems(e, today)]
            if r["before_secondary"] is not None:
                problems.append(_problem(
                    "secondary_dropped", r, "",
                    f"{r['before_secondary']} until {r['e_starts_on']:%d/%m/%Y}, none since"))
        if r["code"] in pupil_seen:
            continue
        pupil_seen.add(r["code"])
        problems += _pupil_problems(r, needs, twice.get(r["pk"], 1 if r["e_id"] else 0))

    order = {c.key: i for i, c in enumerate(CHECKS)}
    problems.sort(key=lambda p: (order[p.check.key], p.school_name, p.surname, p.forename,
                                 p.upn, p.detail))
    return problems


def _pupil_problems(p: dict, needs: dict[int, dict], open_count: int) -> list[Problem]:
    """The checks on the pupil record itself: two open statuses (the database should forbid
    it; look anyway), and for a pupil on roll (no leaving date) a register status with no
    open status behind it, or no open enrolment at its school (a leaver has none on purpose:
    record_leaver closed it)."""
    found = []
    if open_count > 1:
        found.append(_problem("two_open_episodes", p, "", f"{open_count} open"))
    if p["left_on"] is not None:
        return found
    if open_count == 0 and (p["sen_provision"] in SEN or p["primary_need_id"] is not None):
        code = needs.get(p["primary_need_id"], {}).get("code")
        found.append(_problem(
            "status_mismatch", p, "", f"register {p['sen_provision']} {code or ''}".strip()
            + ", no open status in the history"))
    if not p["enrolled"]:
        found.append(_problem("no_open_enrolment", p, "", "no open enrolment"))
    return found


def by_check(problems: list[Problem]) -> list[tuple[Check, list[Problem]]]:
    """(check, its problems in the list's order) for every check, in order, empty included."""
    found: dict[str, list[Problem]] = {c.key: [] for c in CHECKS}
    for p in problems:
        found[p.check.key].append(p)
    return [(c, found[c.key]) for c in CHECKS]


def counts(problems: list[Problem]) -> list[tuple[Check, int]]:
    """(check, number of problems) for every check, in order, zeros included."""
    return [(c, len(found)) for c, found in by_check(problems)]
