"""`make bench` entry for the support app (see bench/core.py).

For a trust of 50 schools at 5,000 and at 50,000 pupils (10 schools, 500 and 5,000 with
--quick), with the demo's support records: the largest school's worklist (reviews due and
overdue, plans without outcomes, pupils without a plan, families without a conversation) and
the trust's support figures per school, each as p50 and p95 milliseconds per request through
the full Django stack (test client: middleware, policy, templates), and their query counts at
both sizes, which must be equal.
"""

from __future__ import annotations

import time

from bench.pages import percentiles

SIZES = (5_000, 50_000)
QUICK_SIZES = (500, 5_000)


def _trust(pupils: int, schools: int):
    """The bench trust of this size (reused from the pupil benches when it is there)."""
    from sendtrust.demo.services import build_demo_trust
    from sendtrust.organisations.models import Trust

    name = f"Bench Trust {pupils}"
    trust = Trust.objects.filter(name=name).first()
    if trust is None or trust.schools.count() != schools:
        name = f"Support Bench Trust {pupils}"
        trust = Trust.objects.filter(name=name).first() or build_demo_trust(
            schools=schools, pupils=pupils, seed=pupils + 11, password="bench-password",
            trust_name=name, progress=False).trust
    return trust


def _people(trust, school):
    from sendtrust.organisations.models import Membership, Role

    def first(**kw):
        return (Membership.objects.current().filter(trust=trust, **kw)
                .select_related("user").order_by("pk").first().user)

    return first(role=Role.SEND_LEADER), first(role=Role.SENCO, school=school)


def bench(report, *, quick: bool = False, data=None) -> None:
    from bench.core import client_for, count_queries, get_ok
    from sendtrust.demo import support as demo_support
    from sendtrust.support.models import SupportPlan

    sizes, schools = (QUICK_SIZES, 10) if quick else (SIZES, 50)
    repeat = 5 if quick else 20
    queries = {}
    for pupils in sizes:
        trust = _trust(pupils, schools)
        if not SupportPlan.objects.filter(pupil__school__trust=trust).exists():
            t0 = time.perf_counter()
            made = demo_support.seed(trust, seed=pupils)
            print(f"\nSupport records for {pupils:,} pupils: {made['support plans']:,} plans, "
                  f"{made['conversations']:,} conversations in {time.perf_counter() - t0:.1f} s")
        school = max(trust.schools.all(), key=lambda s: s.pupils.count())
        leader, senco = _people(trust, school)
        worklist = get_ok(client_for(senco), f"/schools/{school.code}/support/")
        figures = get_ok(client_for(leader), f"/trusts/{trust.code}/support/")
        for name, fn in (("school worklist", worklist), ("trust support figures", figures)):
            p50, p95 = percentiles(fn, repeat)
            report.add(f"support {name}, {schools} schools, {pupils:,} pupils: p50 / p95",
                       f"{p50:.0f} / {p95:.0f} ms", "", None)
            queries[(name, pupils)] = count_queries(fn)
    small, large = sizes
    for name in ("school worklist", "trust support figures"):
        a, b = queries[(name, small)], queries[(name, large)]
        report.add(f"queries per support {name} at {small:,} vs {large:,} pupils",
                   f"{a} vs {b}", "equal", a == b)
