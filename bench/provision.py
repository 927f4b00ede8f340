"""`make bench` entry for the provision app (see bench/core.py).

Prints, from one run:
- the trust provision map and the impact page for a 50-school trust at 30,000 enrolments
  through the full Django stack (test client, middleware, templates), measured by
  bench.pages.measure: cold (the first request after the cache is cleared), warm p50
  and p95 of WARM_REQUESTS requests, and the page's own SQL re-run as a floor;
- the queries each page runs at 3,000 and at 30,000 enrolments (must be equal);
- the import of 100,000 assessment rows (every row checked against its measure, then one
  transaction) against pandas reading the same file and inserting it into the same table
  with multi-row INSERTs (`to_sql(method="multi", chunksize=...)`), as a ratio of rates.
"""

from __future__ import annotations

import datetime as dt
import random
import tempfile
import time
import uuid
from pathlib import Path

from bench.pages import WARM_REQUESTS, measure

SCHOOLS = 50
ENROLMENTS = (3_000, 30_000)
IMPORT_ROWS = 100_000


def _trust(name: str, schools: int, pupils_per_school: int, seed: int):
    """A trust of schools with SEN pupils, a leader, a measure and an intervention."""
    from django.contrib.auth import get_user_model

    from sendtrust.lib.upn import make_upn
    from sendtrust.organisations.models import Membership, Role, School, Trust
    from sendtrust.provision.models import HourlyRate, Intervention, MeasureKind, OutcomeMeasure
    from sendtrust.pupils.models import Pupil

    rng = random.Random(seed)
    trust = Trust.objects.create(name=name)
    School.objects.bulk_create([
        School(trust=trust, urn=f"8{seed % 10}{n:04d}", name=f"Provision school {n:02d}",
               phase=School.Phase.PRIMARY, la_code="801", la_name="Bristol, City of")
        for n in range(schools)])
    schools_ = list(trust.schools.order_by("urn"))
    Pupil.objects.bulk_create([
        Pupil(upn=make_upn(800 + seed % 100, 2000 + i, 24, n), forename=f"P{n}",
              surname=f"S{i}-{n}", date_of_birth=dt.date(2016, 1, 1), year_group=4, sex="F",
              school=s, sen_provision=rng.choice("KKKE"))
        for i, s in enumerate(schools_) for n in range(pupils_per_school)], batch_size=2000)
    leader = get_user_model().objects.create_user(f"bench-provision-{seed}",
                                                  password="bench-pass")
    Membership.objects.create(user=leader, role=Role.SEND_LEADER, trust=trust,
                              starts_on=dt.date(2020, 1, 1))
    HourlyRate.objects.create(trust=trust, role=Role.TA, rate=18)
    measure = OutcomeMeasure.objects.create(
        trust=trust, name="Standardised reading score", kind=MeasureKind.STANDARDISED,
        minimum=40, maximum=160, expected_gain=5, max_decline=15)
    intervention = Intervention.objects.create(
        trust=trust, name="Phonics catch-up", area="Cognition and learning", measure=measure)
    return trust, schools_, leader, intervention


def _add_enrolments(trust, schools, intervention, upto: int, rng) -> None:
    """Groups of six at every school until the trust holds `upto` enrolments."""
    from sendtrust.provision.models import GroupEnrolment, ProvisionGroup
    from sendtrust.pupils.models import Pupil

    have = GroupEnrolment.objects.filter(school__trust=trust).count()
    need = upto - have
    pupils = {s.pk: list(Pupil.objects.filter(school=s).values_list("pk", flat=True))
              for s in schools}
    start = dt.date.today() - dt.timedelta(days=200)
    groups, plan = [], []
    made = ProvisionGroup.objects.filter(school__trust=trust).count()
    while need > 0:
        school = schools[made % len(schools)]
        size = min(6, need)
        group = ProvisionGroup(school=school, intervention=intervention,
                               name=f"Group {made}", sessions_per_week=3,
                               minutes_per_session=30, starts_on=start,
                               ends_on=start + dt.timedelta(weeks=12))
        groups.append(group)
        plan.append((group, rng.sample(pupils[school.pk], size)))
        made += 1
        need -= size
    ProvisionGroup.objects.bulk_create(groups, batch_size=2000)
    rows = []
    effect = {s.pk: rng.gauss(4, 2) for s in schools}
    for group, chosen in plan:
        for pk in chosen:
            entry = rng.randint(70, 95)
            rows.append(GroupEnrolment(group=group, pupil_id=pk, school_id=group.school_id,
                                       entry_score=entry,
                                       exit_score=min(160, entry + round(rng.gauss(
                                           effect[group.school_id], 5)) + 0)))
    for e in rows:  # keep every fall within what the measure accepts
        e.exit_score = max(e.exit_score, e.entry_score - 10)
    GroupEnrolment.objects.bulk_create(rows, batch_size=2000)


def bench_pages(report, *, quick: bool) -> None:
    from bench.core import client_for, count_queries, get_ok

    rng = random.Random(12)
    sizes = (300, 3_000) if quick else ENROLMENTS
    trust, schools, leader, intervention = _trust("Provision bench trust", SCHOOLS,
                                                   120 if quick else 700, seed=12)
    client = client_for(leader)
    urls = {"trust provision map": f"/trusts/{trust.code}/provision/map/",
            "impact page": f"/trusts/{trust.code}/provision/impact/"
                           f"?intervention={intervention.code}"}
    print(f"\nProvision: {SCHOOLS} schools, {sizes[0]:,} then {sizes[1]:,} enrolments")
    counts = {}
    for size in sizes:
        _add_enrolments(trust, schools, intervention, size, rng)
        for name, url in urls.items():
            get_ok(client, url)()  # the first request renews the session
            counts[(name, size)] = count_queries(get_ok(client, url))
    print(f"  {'page':<22} {'cold ms':>8} {'p50 ms':>8} {'p95 ms':>8} {'queries':>8} "
          f"{'floor p50':>10} {'page/floor':>10}   (at {sizes[1]:,} enrolments)")
    for name, url in urls.items():
        t = measure(client, url, warm=5 if quick else WARM_REQUESTS)
        print(f"  {name:<22} {t.cold_ms:>8.1f} {t.p50_ms:>8.1f} {t.p95_ms:>8.1f} "
              f"{t.queries:>8} {t.floor_p50_ms:>10.1f} {t.ratio:>10.2f}", flush=True)
        report.add(f"{name} at {sizes[1]:,} enrolments, cold ms", f"{t.cold_ms:.0f}", "", None)
        report.add(f"{name} at {sizes[1]:,} enrolments, warm p50 / p95 ms",
                   f"{t.p50_ms:.0f} / {t.p95_ms:.0f}", "p95 <= 150", t.p95_ms <= 150)
        small, large = counts[(name, sizes[0])], counts[(name, sizes[1])]
        report.add(f"queries per {name} at {sizes[0]:,} vs {sizes[1]:,} enrolments",
                   f"{small} vs {large}", "equal", small == large)


def _write_assessments(path: Path, school, groups, rows: int, rng) -> None:
    import csv

    from sendtrust.pupils.models import Pupil

    upns = list(Pupil.objects.filter(school=school).values_list("upn", flat=True))
    per_group = rows // len(groups)
    with path.open("w", newline="") as f:
        w = csv.writer(f)
        w.writerow(["group", "upn", "entry_score", "entry_on", "exit_score", "exit_on"])
        for g in groups:
            for upn in upns[:per_group]:
                entry = rng.randint(70, 95)
                w.writerow([g.name, upn, entry, "2025-01-06", entry + rng.randint(-5, 12),
                            "2025-03-28"])


def bench_import(report, *, quick: bool) -> None:
    import pandas as pd
    from django.db import connection

    from sendtrust.provision import importer
    from sendtrust.provision.models import GroupEnrolment, ProvisionGroup

    rows = 10_000 if quick else IMPORT_ROWS
    rng = random.Random(21)
    trust, schools, _, intervention = _trust("Provision import trust", 1, rows // 10, seed=21)
    school = schools[0]
    start = dt.date(2025, 1, 6)
    ProvisionGroup.objects.bulk_create([
        ProvisionGroup(school=school, intervention=intervention, name=f"Import group {n}",
                       sessions_per_week=3, minutes_per_session=30, starts_on=start,
                       ends_on=start + dt.timedelta(weeks=12)) for n in range(10)])
    groups = list(ProvisionGroup.objects.filter(school=school).order_by("pk"))
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "assessments.csv"
        _write_assessments(path, school, groups, rows, rng)
        data = path.read_bytes()
        print(f"\nProvision import of {rows:,} assessment rows ({len(data) / 1e6:.1f} MB CSV)")
        t0 = time.perf_counter()
        result = importer.import_file(school, data, path.name)
        ours_s = time.perf_counter() - t0
        assert result.ok, [str(e) for e in result.errors[:3]]
        assert GroupEnrolment.objects.filter(school=school).count() == rows
        GroupEnrolment.objects.filter(school=school).delete()

        # pandas: read the same file, look up the same ids, insert into the same table.
        t0 = time.perf_counter()
        frame = pd.read_csv(path, dtype={"upn": str, "group": str})
        pupils = pd.DataFrame(list(school.pupils.values_list("upn", "pk")),
                              columns=["upn", "pupil_id"])
        group_ids = pd.DataFrame([(g.name, g.pk) for g in groups], columns=["group",
                                                                           "group_id"])
        frame = frame.merge(pupils, on="upn").merge(group_ids, on="group")
        frame = frame.drop(columns=["upn", "group"])
        frame["school_id"] = school.pk
        frame["code"] = [uuid.uuid4().hex for _ in range(len(frame))]
        columns = 8
        frame.to_sql(GroupEnrolment._meta.db_table, connection.connection, index=False,
                     if_exists="append", method="multi", chunksize=32_766 // columns)
        connection.connection.commit()
        pandas_s = time.perf_counter() - t0
        assert GroupEnrolment.objects.filter(school=school).count() == rows
    print(f"  pandas read_csv + to_sql(multi): {pandas_s:.2f} s; sendtrust import with every "
          f"row checked: {ours_s:.2f} s ({rows / ours_s:,.0f} rows/s)")
    report.add(f"provision import rate / pandas to_sql multi ({rows:,} rows)",
               f"{pandas_s / ours_s:.2f}", ">= 0.5", pandas_s / ours_s >= 0.5)


def bench(report, *, quick: bool = False, data=None) -> None:
    """The provision pages at 50 schools and the 100,000-row assessment import."""
    bench_pages(report, quick=quick)
    bench_import(report, quick=quick)
