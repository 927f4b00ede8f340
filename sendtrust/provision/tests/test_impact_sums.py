"""The impact figures, now summed in the database, against an independent computation from the
raw enrolment rows of a varied trust: five schools, three interventions (one measure where
lower is better), two-place scores, missing entry or exit scores, every cost model, a role with
no hourly rate, pupils credited to another school, gains exactly at the expected gain, a school
with no spread and schools small enough to be withheld from an aggregate-only viewer.

The reference works in exact fractions from the rows (its own cost formula, two-pass
variance) and scipy / statsmodels for the statistics; it shares no code with the page's path.
Run on SQLite and on PostgreSQL (DATABASE_URL).
"""

import datetime as dt
import math
import random
from decimal import Decimal
from fractions import Fraction

import numpy as np
import pytest
from scipy import stats
from statsmodels.stats.meta_analysis import combine_effects

from sendtrust.analytics.figures import provision as figures
from sendtrust.analytics.tables import PROTECTING, SMALL
from sendtrust.provision.models import (
    CostModel,
    GroupEnrolment,
    HourlyRate,
    Intervention,
    MeasureKind,
    OutcomeMeasure,
    ProvisionGroup,
)
from sendtrust.testing import PupilFactory, SchoolFactory

pytestmark = pytest.mark.django_db

TODAY = dt.date.today()
TRUST_ROW = "Trust (pooled, random effects)"


def _score(rng, low, high) -> Decimal:
    return Decimal(rng.randint(low * 100, high * 100)) / 100


@pytest.fixture
def trust(cast):
    rng = random.Random(2026)
    t = cast.trust
    cedar, damson, elm = (SchoolFactory(trust=t, name=n) for n in
                          ("Cedar Juniors", "Damson Park", "Elm Federation"))
    schools = [cast.school_a, cast.school_b, cedar, damson, elm]
    HourlyRate.objects.create(trust=t, role="ta", rate=Decimal("18.37"))
    HourlyRate.objects.create(trust=t, role="teacher", rate=Decimal("31.75"))  # no SENCO rate
    reading = OutcomeMeasure.objects.create(
        trust=t, name="Reading", kind=MeasureKind.STANDARDISED, minimum=40, maximum=160,
        expected_gain=Decimal("5.00"))
    worry = OutcomeMeasure.objects.create(
        trust=t, name="Worry rating", kind=MeasureKind.RATING, minimum=0, maximum=40,
        higher_is_better=False, expected_gain=Decimal("2.50"))
    ivs = {
        "phonics": Intervention.objects.create(trust=t, name="Phonics", measure=reading,
                                               area="Cognition and learning"),
        "calm": Intervention.objects.create(
            trust=t, name="Calm club", measure=worry, area="Social, emotional and mental health",
            cost_model=CostModel.STAFF_AND_MATERIALS, cost_per_pupil=Decimal("12.35")),
        "speech": Intervention.objects.create(
            trust=t, name="Speech", measure=reading, area="Communication and interaction",
            cost_model=CostModel.BOUGHT_IN, cost_per_pupil=Decimal("240.10")),
    }
    pupils = {s.pk: [PupilFactory(school=s) for _ in range(34)] for s in schools}
    # Finished pupils a school has in each intervention (about: some scores go missing).
    sizes = {"phonics": [30, 22, 3, 7, 16], "calm": [12, 0, 9, 14, 2], "speech": [6, 8, 0, 5, 9]}
    for key, per_school in sizes.items():
        iv = ivs[key]
        higher = iv.measure.higher_is_better
        for school, size in zip(schools, per_school, strict=True):
            members = rng.sample(pupils[school.pk], size + 3)
            groups = []
            while members:
                k = min(len(members), rng.randint(2, 7))
                starts = TODAY - dt.timedelta(days=rng.randint(60, 500))
                group = ProvisionGroup.objects.create(
                    school=school, intervention=iv, name=f"{key} {len(groups)}",
                    staff_role=rng.choice(["ta", "ta", "teacher", "senco"]),
                    sessions_per_week=rng.randint(1, 5),
                    minutes_per_session=rng.choice([20, 25, 30, 35, 45]),
                    starts_on=starts, ends_on=starts + dt.timedelta(days=rng.randint(30, 120)))
                groups.append(group)
                rows = []
                for n, pupil in enumerate(members[:k]):
                    entry = _score(rng, 70, 100) if higher else _score(rng, 8, 30)
                    step = Decimal(rng.randint(-300, 1200)) / 100
                    exit_ = entry + step if higher else entry - step
                    if n == 0 and len(groups) == 1:  # exactly the expected gain
                        exit_ = entry + iv.measure.expected_gain * (1 if higher else -1)
                    if n == 1 and len(groups) == 1:  # a hundredth short of it
                        exit_ = entry + (iv.measure.expected_gain - Decimal("0.01")) * (
                            1 if higher else -1)
                    missing = rng.random()
                    rows.append(GroupEnrolment(
                        group=group, pupil=pupil,
                        # Now and then a pupil is credited to another school of the trust.
                        school=school if rng.random() > 0.05 else rng.choice(schools),
                        entry_score=None if missing < 0.04 else entry,
                        exit_score=None if 0.04 <= missing < 0.12 else exit_))
                GroupEnrolment.objects.bulk_create(rows)
                members = members[k:]
    # Spelling: one school's pupils all gained the same (no spread, so no effect size), one
    # school has a single finished pupil, one has four, one an ordinary group of eight.
    ivs["spelling"] = Intervention.objects.create(trust=t, name="Spelling", measure=reading,
                                                  area="Cognition and learning")
    gains = {damson: ["3.25"] * 6, cast.school_b: ["4.10"], cast.school_a: ["1", "6.5", "2", "9"],
             elm: ["0.5", "7.25", "3", "-1.5", "6", "4.75", "2.2", "8.01"]}
    for school, changes in gains.items():
        group = ProvisionGroup.objects.create(
            school=school, intervention=ivs["spelling"], name="Spelling", staff_role="ta",
            sessions_per_week=2, minutes_per_session=25, starts_on=TODAY - dt.timedelta(days=90),
            ends_on=TODAY - dt.timedelta(days=20))
        GroupEnrolment.objects.bulk_create(
            GroupEnrolment(group=group, pupil=pupil, school=school, entry_score=Decimal("80.15"),
                           exit_score=Decimal("80.15") + Decimal(change))
            for pupil, change in zip(pupils[school.pk], changes, strict=False))
    cast.ivs, cast.schools = ivs, schools
    return cast


def _reference(trust, iv, start=None, end=None):
    """Per school name, from the raw rows: n, exact gains, made, cost (exact fractions)."""
    rate = {r: Fraction(v) for r, v in
            HourlyRate.objects.filter(trust=trust).values_list("role", "rate")}
    groups = ProvisionGroup.objects.filter(school__trust=trust, intervention=iv)
    if start:
        groups = groups.filter(ends_on__gte=start)
    if end:
        groups = groups.filter(ends_on__lte=end)
    cost = {}
    for g in groups:
        enrolled = GroupEnrolment.objects.filter(group=g).count()
        weeks = max(1, math.ceil(((g.ends_on - g.starts_on).days + 1) / 7))
        staff = Fraction(g.sessions_per_week * g.minutes_per_session, 60) * weeks * rate.get(
            g.staff_role, 0) / enrolled
        cost[g.pk] = ((0 if iv.cost_model == CostModel.BOUGHT_IN else staff)
                      + (0 if iv.cost_model == CostModel.STAFF_TIME
                         else Fraction(iv.cost_per_pupil)))
    by_school: dict[str, dict] = {}
    sign = 1 if iv.measure.higher_is_better else -1
    for e in GroupEnrolment.objects.filter(group__in=groups).select_related("school"):
        if e.entry_score is None or e.exit_score is None:
            continue
        s = by_school.setdefault(e.school.name, {"gains": [], "cost": Fraction(0), "made": 0,
                                                 "school_id": e.school_id})
        gain = sign * (Fraction(e.exit_score) - Fraction(e.entry_score))
        s["gains"].append(gain)
        s["made"] += gain >= Fraction(iv.measure.expected_gain)
        s["cost"] += cost[e.group_id]
    return by_school


def _pounds(x: Fraction) -> int:
    return round(x)


def _check(figure, ref, withheld=()):
    rows = {r["school"]: r for r in figure.table.rows}
    assert set(rows) == set(ref)
    shown = {k: v for k, v in ref.items() if k not in withheld}
    for name in withheld:
        assert rows[name]["n"] == SMALL and rows[name]["mean"] == PROTECTING
        assert rows[name]["cost"] == PROTECTING
    effects_ = []
    for name, s in shown.items():
        gains = s["gains"]
        n = len(gains)
        mean = sum(gains) / n
        row = rows[name]
        assert row["n"] == n, name
        assert row["mean"] == round(float(mean), 2), name
        assert row["expected"] == 100 * s["made"] / n, name
        assert row["cost"] == _pounds(s["cost"] / n), name
        if n < 2:
            assert row["mean_ci"] == "too few pupils" and row["g"] is None, name
            continue
        var = sum((x - mean) ** 2 for x in gains) / (n - 1)
        sd = math.sqrt(var)
        half = stats.t.ppf(0.975, n - 1) * sd / math.sqrt(n)
        assert row["mean_ci"] == f"{float(mean) - half:.2f} to {float(mean) + half:.2f}", name
        if var == 0 or n < 3:
            assert row["g"] is None, name
            continue
        t_stat = float(mean) / (sd / math.sqrt(n))
        g = (1 - 3 / (4 * (n - 1) - 1)) * t_stat / math.sqrt(n)
        v = 1 / n + g * g / (2 * n)
        z = stats.norm.ppf(0.975)
        assert row["g"] == round(g, 2), name
        assert row["g_ci"] == f"{g - z * math.sqrt(v):.2f} to {g + z * math.sqrt(v):.2f}", name
        assert row["note"] == ("Small group: read with care" if n < 10 else ""), name
        effects_.append((g, v))
    all_gains = [x for s in shown.values() for x in s["gains"]]
    if not effects_:
        assert not figure.table.footer
        return
    (foot,) = figure.table.footer
    n = len(all_gains)
    mean = sum(all_gains) / n
    assert foot["school"] == TRUST_ROW
    assert foot["n"] == n
    assert foot["mean"] == round(float(mean), 2)
    assert foot["expected"] == 100 * sum(s["made"] for s in shown.values()) / n
    cost = sum(s["cost"] for s in shown.values()) / n
    assert foot["cost"] == _pounds(cost)
    with np.errstate(invalid="ignore"):  # statsmodels takes the root of a negative tau²
        pooled = combine_effects(np.array([g for g, _ in effects_]),
                                 np.array([v for _, v in effects_]), method_re="dl")
    # statsmodels leaves DerSimonian-Laird's tau² negative when the schools agree more than
    # chance allows; the estimator truncates it at 0, which gives the fixed-effect mean.
    estimate = pooled.mean_effect_re if pooled.tau2 > 0 else pooled.mean_effect_fe
    assert figure.pooled.estimate == pytest.approx(estimate)
    assert figure.pooled.tau2 == pytest.approx(max(0.0, pooled.tau2), abs=1e-12)
    assert foot["g"] == round(figure.pooled.estimate, 2)


def test_impact_figures_equal_an_independent_computation_from_the_rows(trust):
    withheld = 0
    for iv in trust.ivs.values():
        ref = _reference(trust.trust, iv)
        assert sum(len(s["gains"]) for s in ref.values()) >= 19
        _check(figures.impact(trust.users["send_leader"], trust.trust, iv), ref)
        # A trustee sees schools with 1 to 4 finished pupils withheld and left out of the
        # trust's line and pool.
        small = {name for name, s in ref.items() if 1 <= len(s["gains"]) <= 4}
        withheld += len(small)
        _check(figures.impact(trust.users["trustee"], trust.trust, iv), ref, withheld=small)
    assert withheld >= 3


def test_the_period_narrows_to_groups_that_ended_in_it(trust):
    iv = trust.ivs["phonics"]
    start, end = TODAY - dt.timedelta(days=300), TODAY - dt.timedelta(days=60)
    ref = _reference(trust.trust, iv, start, end)
    everything = _reference(trust.trust, iv)
    assert sum(map(len, (s["gains"] for s in ref.values()))) < sum(
        map(len, (s["gains"] for s in everything.values())))
    _check(figures.impact(trust.users["send_leader"], trust.trust, iv, start=start, end=end),
           ref)


def test_evidence_counts_finished_and_expected_progress_from_the_same_sums(trust):
    on = TODAY
    counts = figures.evidence_counts(trust.trust, on=on)
    finished: dict = {}
    for iv in trust.ivs.values():
        for s in _reference(trust.trust, iv, on - dt.timedelta(days=365), on).values():
            f, m = finished.get(s["school_id"], (0, 0))
            finished[s["school_id"]] = (f + len(s["gains"]), m + s["made"])
    assert finished
    for school_id, (f, m) in finished.items():
        assert (counts[school_id].finished, counts[school_id].expected) == (f, m)
    assert counts[None].finished == sum(f for f, _ in finished.values())
    assert counts[None].expected == sum(m for _, m in finished.values())
