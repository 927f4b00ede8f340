"""Each school's counts and the need mix come from one read of the pupils, served by indexes
(issue 15); the figures are those of a plain reading of the records.

The read groups pupils on roll today by (school, SEN status, primary need id); the schools'
counts and the need mix both sum it. These tests hold both to a count made by hand over every
pupil and enrolment, through the cases that decide who is on roll.
"""

import datetime as dt
from collections import Counter

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from sendtrust.analytics import figures
from sendtrust.pupils.models import Enrolment, NeedType, Provision, Pupil
from sendtrust.testing import PupilFactory, SchoolFactory, give_status

pytestmark = pytest.mark.django_db


def _on_roll_by_hand(pupil, today) -> bool:
    return any(e.starts_on <= today and (e.ends_on is None or e.ends_on >= today)
               for e in Enrolment.objects.filter(pupil=pupil))


def by_hand(trust):
    """(pupils, SEN support, EHC plan) per school, and SEN pupils per school and need code."""
    today = timezone.localdate()
    counts, needs = {}, {}
    for p in Pupil.objects.select_related("primary_need").filter(school__trust=trust):
        if not _on_roll_by_hand(p, today):
            continue
        c = counts.setdefault(p.school_id, [0, 0, 0])
        c[0] += 1
        c[1] += p.sen_provision == Provision.SUPPORT
        c[2] += p.sen_provision == Provision.EHCP
        if p.sen_provision in (Provision.SUPPORT, Provision.EHCP):
            code = p.primary_need.code if p.primary_need else "none"
            needs.setdefault(p.school_id, Counter())[code] += 1
    return {k: tuple(v) for k, v in counts.items()}, needs


@pytest.fixture
def varied(cast):
    """Pupils on and off roll at the trust's schools in every way that matters today."""
    today = timezone.localdate()
    a, b = cast.school_a, cast.school_b
    elsewhere = SchoolFactory(name="Another trust's school")
    on_k = PupilFactory(school=a)
    give_status(on_k, Provision.SUPPORT, "MLD", on=dt.date(2024, 1, 10))
    on_e = PupilFactory(school=b)
    give_status(on_e, Provision.EHCP, "ASD", on=dt.date(2024, 1, 10))
    no_need = PupilFactory(school=b)  # as an old import could leave it
    give_status(no_need, Provision.SUPPORT, "MLD", on=dt.date(2024, 1, 10))
    Pupil.objects.filter(pk=no_need.pk).update(primary_need=None)
    left = PupilFactory(school=a)  # left yesterday: not on roll
    give_status(left, Provision.SUPPORT, "MLD", on=dt.date(2024, 1, 10))
    Enrolment.objects.filter(pupil=left).update(ends_on=today - dt.timedelta(days=1))
    leaving = PupilFactory(school=a)  # leaves today: still on roll
    give_status(leaving, Provision.EHCP, "SEMH", on=dt.date(2024, 1, 10))
    Enrolment.objects.filter(pupil=leaving).update(ends_on=today)
    joining = PupilFactory(school=b)  # starts tomorrow: not yet
    Enrolment.objects.filter(pupil=joining).update(starts_on=today + dt.timedelta(days=1))
    moved = PupilFactory(school=b)  # left A, now at B: counted once, at B
    Enrolment.objects.filter(pupil=moved).update(starts_on=today - dt.timedelta(days=30))
    Enrolment.objects.create(pupil=moved, school=a, starts_on=dt.date(2022, 9, 1),
                             ends_on=today - dt.timedelta(days=31))
    give_status(moved, Provision.SUPPORT, "SLCN", on=dt.date(2024, 1, 10))
    dual = PupilFactory(school=a)  # two enrolments covering today: counted once
    Enrolment.objects.create(pupil=dual, school=b, starts_on=dt.date(2023, 9, 1),
                             ends_on=today + dt.timedelta(days=60))
    never = PupilFactory(school=a)  # no enrolment at all
    Enrolment.objects.filter(pupil=never).delete()
    # The same code in another taxonomy: the need mix counts by code, as it always has.
    other = NeedType.objects.create(taxonomy="local", code="MLD", label="Local MLD",
                                    broad_area="Cognition")
    local = PupilFactory(school=a)
    give_status(local, Provision.SUPPORT, "MLD", on=dt.date(2024, 1, 10))
    Pupil.objects.filter(pk=local.pk).update(primary_need=other)
    PupilFactory(school=elsewhere)  # another trust: never counted here
    return cast


def test_schools_counts_match_a_count_by_hand(varied):
    trust = varied.trust
    counts, _ = by_hand(trust)
    assert figures.record_counts(trust) == counts
    sr = figures.school_rates(trust, hide=False)
    for f in sr.rows:
        assert (f.pupils, f.sen_support, f.ehcp) == counts.get(f.school.pk, (0, 0, 0))
    assert (sr.total.pupils, sr.total.sen_support, sr.total.ehcp) == tuple(
        sum(c[i] for c in counts.values()) for i in range(3))


def test_need_mix_matches_a_count_by_hand(varied):
    trust = varied.trust
    _, needs = by_hand(trust)
    mix = figures.need_mix(trust, figures.school_rates(trust, hide=False))
    table = mix.by_school
    codes = [c.key for c in table.columns if c.key not in ("school", "total")]
    for row in table.rows:
        school = next(s for s in trust.schools.all() if s.code == row["_link"])
        want = needs.get(school.pk, Counter())
        assert {c: row[c] for c in codes if row[c]} == dict(want)
        assert row["total"] == sum(want.values())
    trust_by_code = sum(needs.values(), Counter())
    labels = {r["need"]: r["trust"] for r in mix.table.rows}
    assert labels["No primary need recorded"] == trust_by_code["none"]
    assert sum(labels.values()) == sum(trust_by_code.values())


def test_the_analytics_page_figures_read_the_pupils_once(varied):
    user = varied.users["send_leader"]
    with CaptureQueriesContext(connection) as ctx:
        figures.analytics(varied.trust, user, sections={"need"})
    reads = [q["sql"] for q in ctx.captured_queries if 'FROM "pupils_pupil"' in q["sql"]]
    assert len(reads) == 1, reads


def test_the_evidence_need_counts_are_the_same_read(varied):
    """Self-evaluation evidence counts the register by need from the read that gives every
    school's figures: the same numbers as by hand, and no second read of the pupils."""
    from sendtrust.analytics.figures.schools import counts_shared
    from sendtrust.evaluation.evidence import Facts

    trust = varied.trust
    _, needs = by_hand(trust)
    facts = Facts(trust, user=varied.users["send_leader"])
    with counts_shared(), CaptureQueriesContext(connection) as ctx:
        rates = facts.rates
        by_school = facts.needs_by_school
    for school in trust.schools.all():
        want = Counter({("" if k == "none" else k): n
                        for k, n in needs.get(school.pk, Counter()).items()})
        assert by_school.get(school.pk, Counter()) == want
    reads = [q["sql"] for q in ctx.captured_queries if 'FROM "pupils_pupil"' in q["sql"]]
    assert len(reads) == 1, reads
    assert rates.total.pupils == sum(c[0] for c in by_hand(trust)[0].values())


def test_a_get_request_reads_each_trusts_counts_once_and_a_post_afresh(varied):
    from django.http import HttpResponse
    from django.test import RequestFactory

    from sendtrust.analytics.figures.schools import record_need_counts
    from sendtrust.analytics.middleware import counts_shared_per_request

    trust = varied.trust

    def view(request):  # two figures of one trust, as a page with several sections asks
        figures.school_rates(trust, hide=False)
        record_need_counts(trust)
        return HttpResponse("ok")

    handler = counts_shared_per_request(view)
    for method, reads_wanted in (("get", 1), ("post", 2), ("get", 1)):
        with CaptureQueriesContext(connection) as ctx:
            handler(getattr(RequestFactory(), method)("/"))
        # Each read of the counts looks for today's stored first (analytics.RollCount).
        reads = [q for q in ctx.captured_queries if 'FROM "analytics_rollcount"' in q["sql"]
                 and '"analytics_rollcount"."day" =' in q["sql"]]
        assert len(reads) == reads_wanted, method
