"""`make bench` entry for the ehc app: the trust EHC worklist through the full Django stack.

Two 50-school trusts across three local authorities, one with 600 pupils with an EHC plan and
one with 3,000, each with its demo journeys (plans, review histories, notes). Prints, at 3,000
plans, for the worklist page, the API worklist and the page filtered to one authority: cold,
the first request after the cache is cleared (every plan's clocks computed from its events);
warm, p50 and p95 of further requests (the day's deadlines kept in the cache, journeys and
notes read afresh), each beside its CPU time; and the
queries per page at both sizes (must be equal: journeys, events and notes are read in a fixed
number of queries whatever the number of plans).
"""

from __future__ import annotations

import datetime as dt
import statistics
import time
from pathlib import Path

SIZES = (600, 3_000)
SCHOOLS = 50
LAS = [("801", "Bristol, City of"), ("803", "South Gloucestershire"), ("802", "North Somerset")]


def build_trust(plans: int, *, seed: int):
    """A trust of 50 schools with `plans` pupils with an EHC plan, and its demo journeys."""
    from django.contrib.auth import get_user_model

    from sendtrust.demo import ehc as demo_ehc
    from sendtrust.lib.upn import make_upn
    from sendtrust.organisations.models import Membership, Role, School, Trust
    from sendtrust.pupils.models import Provision, Pupil

    trust = Trust.objects.create(name=f"Bench EHC Trust {plans}")
    School.objects.bulk_create([
        School(trust=trust, urn=f"6{seed}{n:04d}", name=f"EHC school {n}",
               phase=School.Phase.PRIMARY if n % 3 else School.Phase.SECONDARY,
               la_code=LAS[n % 3][0], la_name=LAS[n % 3][1])
        for n in range(SCHOOLS)
    ])
    schools = list(trust.schools.order_by("pk"))
    pupils = []
    for i in range(plans):
        school = schools[i % SCHOOLS]
        pupils.append(Pupil(
            upn=make_upn(int(school.la_code), 4000 + (seed * 50 + i % SCHOOLS) % 999, 24,
                         i // SCHOOLS),
            forename=f"Pupil{i}", surname=f"Bench{i}", date_of_birth=dt.date(2014, 5, 1),
            year_group=(i % 7) + 1 if school.phase == School.Phase.PRIMARY else (i % 5) + 7,
            sex="F" if i % 2 else "M", school=school, sen_provision=Provision.EHCP))
    Pupil.objects.bulk_create(pupils, batch_size=1000)
    demo_ehc.seed(trust, seed=seed)
    User = get_user_model()
    leader = User.objects.create_user(f"bench-ehc-leader-{plans}", password="bench-pass")
    Membership.objects.create(user=leader, role=Role.SEND_LEADER, trust=trust,
                              starts_on=dt.date(2020, 1, 1))
    return trust, leader


def percentiles(fn, repeat: int) -> tuple[float, float, float]:
    """p50 and p95 of fn's wall time, and the p50 of its CPU time, in milliseconds.

    The CPU time is printed beside the wall time because a shared machine's load inflates
    the wall time of every run alike; the process's own CPU time moves much less.
    """
    fn()  # warm-up: templates compile, connections open
    wall, cpu = [], []
    for _ in range(repeat):
        t0, c0 = time.perf_counter(), time.process_time()
        fn()
        wall.append(1000 * (time.perf_counter() - t0))
        cpu.append(1000 * (time.process_time() - c0))
    wall.sort()
    p95 = wall[min(len(wall) - 1, round(0.95 * (len(wall) - 1)))]
    return statistics.median(wall), p95, statistics.median(cpu)


def bench(report, *, quick: bool = False, data: Path | None = None) -> None:
    from django.core.cache import cache

    from bench.core import client_for, count_queries, get_ok

    print(f"\nEHC trust worklist: {SCHOOLS} schools, 3 local authorities, "
          f"{SIZES[0]:,} then {SIZES[1]:,} pupils with an EHC plan")
    counts = {}
    for n, size in enumerate(SIZES):
        trust, leader = build_trust(size, seed=n + 1)
        client = client_for(leader)
        page = f"/trusts/{trust.code}/ehc/"
        api = f"/api/v1/ehc/trusts/{trust.code}/worklist"
        get_ok(client, page)()  # the first request renews the session
        counts[size] = count_queries(get_ok(client, page))
        if size == SIZES[-1]:
            repeat = 7 if quick else 20
            for what, url in (("page", page), ("API", api),
                              ("page, one authority", page + "?la=803")):
                cache.clear()  # cold: every plan's clocks computed from its events
                t0, c0 = time.perf_counter(), time.process_time()
                get_ok(client, url)()
                cold, cold_cpu = (1000 * (time.perf_counter() - t0),
                                  1000 * (time.process_time() - c0))
                p50, p95, cpu = percentiles(get_ok(client, url), repeat)
                report.add(f"EHC trust worklist {what}, {size:,} plans: cold (CPU) ms",
                           f"{cold:.0f} ({cold_cpu:.0f})", "", None)
                report.add(f"EHC trust worklist {what}, {size:,} plans: warm p50/p95 (CPU) ms",
                           f"{p50:.0f}/{p95:.0f} ({cpu:.0f})", "p95 <= 150", p95 <= 150)
    small, large = SIZES
    report.add(f"queries per EHC trust worklist at {small:,} vs {large:,} plans",
               f"{counts[small]} vs {counts[large]}", "equal", counts[small] == counts[large])
