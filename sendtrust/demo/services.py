"""Build a realistic synthetic trust (schools, pupils, SEN history, staff, one account per role).

Everything is invented: names come from made-up lists, UPNs are synthetic but valid. The same
seed gives the same data (one `random.Random(seed)`, never the global generator) on the same
day against the same database: new URNs and UPN prefixes avoid the ones already in use.

Speed: the whole trust is built in memory, then written with large bulk inserts inside one
transaction (50,000 pupils take seconds on SQLite). Bulk inserts bypass `pupils.services`, so
this module keeps the same invariants itself: one open enrolment and one open SEN episode per
pupil, episodes that never overlap, the pupil's `school`, `sen_provision` and `primary_need`
copied from the open enrolment and episode, and needs that pass `check_status`.

Usernames: the demo accounts are `send_leader`, `executive`, `trustee`, `headteacher`, `senco`,
`teacher`, `ta`, `parent`, `external` and `senco2`... for the other schools. When any of them
is taken (a second demo trust in the same database), every account of the new trust gets the
first free suffix `-t2`, `-t3`, ...: `senco-t2`. Other staff get `staff.<urn>.<n>` and an
unusable password.
"""

from __future__ import annotations

import csv
import datetime as dt
import random
import time
from pathlib import Path

from django.db import transaction
from django.utils import timezone

from sendtrust.demo.builder import _Builder
from sendtrust.demo.plan import (  # noqa: F401  (the public results and date helpers)
    Account,
    DemoResult,
    Outlier,
    SchoolStats,
    academic_year,
    birth_range,
)
from sendtrust.lib.bulk import refresh_statistics
from sendtrust.pupils.models import Enrolment, Identification, Pupil, SenEpisode


def build_demo_trust(
    *,
    schools: int,
    pupils: int,
    seed: int,
    password: str,
    trust_name: str | None = None,
    progress: bool = False,
    on: dt.date | None = None,
) -> DemoResult:
    """Build a synthetic trust of `schools` schools and `pupils` pupils; return what was made.

    `on` is the day the trust is built as of (today by default): year groups, histories and the
    external professional's assignment are all relative to it.
    """
    if schools < 1:
        raise ValueError("a trust needs at least one school")
    if pupils < schools:
        raise ValueError("give at least one pupil per school")
    if not password:
        raise ValueError("the demo accounts need a password")
    started = time.perf_counter()
    builder = _Builder(random.Random(seed), on or timezone.localdate(), progress)
    with transaction.atomic():
        result = builder.build(schools, pupils, password, trust_name)
        refresh_statistics([Pupil, Enrolment, SenEpisode, Identification], pupils)
    result.seconds = time.perf_counter() - started
    return result


def write_accounts_csv(path: str | Path, accounts: list[Account]) -> Path:
    """Write the accounts as CSV (role,username,password,school_urn); return the path."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", newline="") as f:
        writer = csv.writer(f)
        writer.writerow(["role", "username", "password", "school_urn"])
        for a in accounts:
            writer.writerow([a.role, a.username, a.password, a.school_urn])
    return path
