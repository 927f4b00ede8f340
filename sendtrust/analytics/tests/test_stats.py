"""Funnel limits, overdispersion and gaps, each checked against an independent computation."""

import csv
import math
from pathlib import Path

import numpy as np
import pytest
from django.conf import settings as django_settings
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import stats

from sendtrust.analytics.stats import (
    ABOVE,
    BELOW,
    MISSING,
    NO_PUPILS,
    WITHIN,
    binomial_limits,
    centiles,
    exact_flag,
    flag,
    funnel,
    mean_gap,
    normal_limits,
    overdispersion,
    proportion_gap,
    wilson,
)

CENSUS = "school-census-2019-perf-tables/england_census.csv"
FAST = settings(max_examples=60, deadline=None)
Z95, Z998 = 1.959963984540054, 3.090232306167813


# --------------------------------------------------------------------------- binomial limits


def brute_limit(p0: float, n: int, alpha: float) -> float:
    """Spiegelhalter's interpolated quantile / n, by walking the binomial CDF upwards."""
    cdf = stats.binom.cdf(np.arange(n + 1), n, p0)
    r = next(r for r in range(n + 1) if cdf[r] >= alpha)  # linear search, no ppf
    below = cdf[r - 1] if r else 0.0
    return (r - (cdf[r] - alpha) / (cdf[r] - below)) / n


@pytest.mark.parametrize("p0", [0.003, 0.02, 0.126, 0.5, 0.93])
def test_binomial_limits_match_a_brute_force_walk_of_the_cdf(p0):
    ns = [1, 2, 3, 5, 10, 17, 50, 123, 400, 1000, 2500]
    limits = binomial_limits(p0, ns)
    for level in (0.95, 0.998):
        lower, upper = limits[level]
        for i, n in enumerate(ns):
            lo = min(max(brute_limit(p0, n, (1 - level) / 2), 0.0), p0)
            hi = max(min(brute_limit(p0, n, (1 + level) / 2), 1.0), p0)
            assert lower[i] == pytest.approx(lo, abs=1e-12), (level, n)
            assert upper[i] == pytest.approx(hi, abs=1e-12), (level, n)


def test_binomial_limits_worked_by_hand():
    # n = 10, p0 = 0.5, alpha = 0.975: P(X<=7) = 0.9453, P(X<=8) = 0.9893 -> r = 8,
    # a = (0.9893 - 0.975) / (0.9893 - 0.9453), limit = (8 - a) / 10.
    f7, f8 = 968 / 1024, 1013 / 1024
    expected = (8 - (f8 - 0.975) / (f8 - f7)) / 10
    assert binomial_limits(0.5, [10], [0.95])[0.95][1][0] == pytest.approx(expected)


def test_binomial_limits_are_nan_for_no_pupils_and_reject_bad_input():
    lower, upper = binomial_limits(0.1, [0, 10])[0.95]
    assert math.isnan(lower[0]) and math.isnan(upper[0]) and not math.isnan(upper[1])
    with pytest.raises(ValueError, match="p0"):
        binomial_limits(0.0, [10])
    with pytest.raises(ValueError, match="whole numbers"):
        binomial_limits(0.1, [10.5])


@FAST
@given(
    p0=st.floats(0.001, 0.999),
    n1=st.integers(1, 3000),
    extra=st.integers(1, 3000),
)
def test_binomial_limits_are_ordered_nested_bounded_and_narrow_with_n(p0, n1, extra):
    n2 = n1 + extra
    limits = binomial_limits(p0, [n1, n2])
    (lo95, hi95), (lo998, hi998) = limits[0.95], limits[0.998]
    for lo, hi in ((lo95, hi95), (lo998, hi998)):
        assert np.all((0 <= lo) & (lo <= p0) & (p0 <= hi) & (hi <= 1))
        # Narrowing: the lower limit never falls as n grows; the upper limit of a
        # discrete count can rise by less than half a pupil (sawtooth), never more.
        assert lo[1] >= lo[0] - 1e-12
        assert hi[1] <= hi[0] + 0.5 / n1
    assert np.all(lo998 <= lo95) and np.all(hi998 >= hi95)


@FAST
@given(
    p0=st.floats(0.001, 0.999),
    n1=st.integers(1, 5000),
    extra=st.integers(1, 5000),
    phi=st.floats(1.0, 20.0),
    tau2=st.floats(0.0, 0.05),
)
def test_normal_limits_are_ordered_nested_bounded_and_narrow_with_n(p0, n1, extra, phi, tau2):
    for limits in (
        normal_limits(p0, [n1, n1 + extra], phi=phi),
        normal_limits(p0, [n1, n1 + extra], tau2=tau2),
    ):
        (lo95, hi95), (lo998, hi998) = limits[0.95], limits[0.998]
        for lo, hi in ((lo95, hi95), (lo998, hi998)):
            assert np.all((0 <= lo) & (lo <= p0) & (p0 <= hi) & (hi <= 1))
            assert lo[1] >= lo[0] and hi[1] <= hi[0]
        assert np.all(lo998 <= lo95) and np.all(hi998 >= hi95)


def test_normal_limits_match_the_formula():
    p0, n, phi, tau2 = 0.15, np.array([20, 200, 2000]), 2.5, 0.0004
    sd = np.sqrt(p0 * (1 - p0) / n)
    mult = normal_limits(p0, n, phi=phi)[0.998]
    np.testing.assert_allclose(mult[1], p0 + Z998 * np.sqrt(phi) * sd)
    add = normal_limits(p0, n, tau2=tau2)[0.95]
    np.testing.assert_allclose(add[0], np.maximum(0, p0 - Z95 * np.sqrt(sd**2 + tau2)))


def test_flag_compares_proportions_strictly_with_the_limits():
    limits = {0.95: (np.array([0.1, 0.1, 0.1, 0.1, 0.1]), np.array([0.3, 0.3, 0.3, 0.3, 0.3]))}
    flags = flag([4, 1, 3, 0, np.nan], [10, 20, 10, 0, 10], limits)[0.95]
    assert list(flags) == [ABOVE, BELOW, WITHIN, NO_PUPILS, MISSING]


# --------------------------------------------------------------------------- overdispersion


def overdispersed_sample(units=300, seed=2019):
    rng = np.random.default_rng(seed)
    n = rng.integers(15, 700, size=units)
    p = rng.beta(6, 40, size=units)  # school-to-school variation on top of the binomial
    return rng.binomial(n, p), n


def test_overdispersion_matches_a_direct_numpy_computation():
    y, n = overdispersed_sample()
    p0 = y.sum() / n.sum()
    z = (y / n - p0) / np.sqrt(p0 * (1 - p0) / n)
    lo, hi = np.percentile(z, [10, 90])
    phi = np.mean(np.clip(z, lo, hi) ** 2)
    units = len(y)
    w = n / (p0 * (1 - p0))
    tau2 = (units * phi - (units - 1)) / (w.sum() - (w**2).sum() / w.sum())

    od = overdispersion(y, n)
    assert od.phi == pytest.approx(phi)
    assert od.p_value == pytest.approx(stats.chi2.sf(units * phi, units - 1))
    assert od.tau2 == pytest.approx(tau2) and tau2 > 0
    assert od.n_units == units and od.winsor == (0.1, 0.9)
    assert od.z_bounds == pytest.approx((lo, hi))


def test_winsorising_is_configurable_and_none_gives_the_plain_chi_square():
    y, n = overdispersed_sample(seed=7)
    p0 = 0.12
    z = (y / n - p0) / np.sqrt(p0 * (1 - p0) / n)
    assert overdispersion(y, n, p0, winsor=(0, 1)).phi == pytest.approx(np.mean(z**2))
    lo, hi = np.percentile(z, [5, 95])
    assert overdispersion(y, n, p0, winsor=(0.05, 0.95)).phi == pytest.approx(
        np.mean(np.clip(z, lo, hi) ** 2)
    )


def test_overdispersion_without_winsorising_is_dersimonian_laird_as_statsmodels_computes_it():
    """An independent reference: statsmodels' random-effects meta-analysis (DerSimonian-Laird)
    of the school proportions with binomial variances around the pooled rate."""
    from statsmodels.stats.meta_analysis import combine_effects

    y, n = overdispersed_sample()
    p0 = y.sum() / n.sum()
    reference = combine_effects(y / n, p0 * (1 - p0) / n, method_re="dl")
    od = overdispersion(y, n, winsor=(0, 1))
    assert od.n_units * od.phi == pytest.approx(reference.q, rel=1e-9)
    assert od.tau2 == pytest.approx(reference.tau2, rel=1e-9) and od.tau2 > 0
    assert od.p_value == pytest.approx(stats.chi2.sf(reference.q, len(y) - 1), rel=1e-9)


def test_tau2_is_zero_without_overdispersion():
    n = np.full(50, 400)
    y = np.round(n * 0.2).astype(int)  # every unit exactly on target
    od = overdispersion(y, n)
    assert od.phi == 0 and od.tau2 == 0 and od.p_value == pytest.approx(1.0)


# --------------------------------------------------------------------------- funnel


def test_funnel_additive_limits_use_tau2_and_the_pooled_target():
    y, n = overdispersed_sample()
    result = funnel(y, n)
    p0 = y.sum() / n.sum()
    tau2 = result.overdispersion.tau2
    assert result.p0 == pytest.approx(p0) and result.method == "additive" and result.note == ""
    lo, hi = result.limits[0.998]
    np.testing.assert_allclose(hi, np.minimum(1, p0 + Z998 * np.sqrt(p0 * (1 - p0) / n + tau2)))
    np.testing.assert_allclose(lo, np.maximum(0, p0 - Z998 * np.sqrt(p0 * (1 - p0) / n + tau2)))
    expected = np.where(y / n > hi, ABOVE, np.where(y / n < lo, BELOW, WITHIN))
    assert list(result.flags[0.998]) == list(expected)


def test_funnel_multiplicative_limits_use_phi():
    y, n = overdispersed_sample()
    result = funnel(y, n, p0=0.13, method="multiplicative")
    phi = result.overdispersion.phi
    _, hi = result.limits[0.95]
    np.testing.assert_allclose(hi, 0.13 + Z95 * np.sqrt(phi * 0.13 * 0.87 / n))


def test_funnel_binomial_matches_binomial_limits():
    y, n = overdispersed_sample()
    result = funnel(y, n, p0=0.13, method="binomial")
    np.testing.assert_allclose(result.limits[0.95][0], binomial_limits(0.13, n)[0.95][0])
    assert result.method == "binomial" and result.overdispersion.phi > 1


def test_funnel_falls_back_to_binomial_when_phi_is_at_most_one():
    n = np.arange(100, 600, 10)
    y = np.round(n * 0.3).astype(int)
    for method in ("additive", "multiplicative"):
        result = funnel(y, n, method=method)
        assert result.requested == method and result.method == "binomial"
        assert "no overdispersion" in result.note
        np.testing.assert_allclose(result.limits[0.998][1], binomial_limits(result.p0, n)[0.998][1])


def test_funnel_excludes_empty_and_missing_units_and_names_impossible_ones():
    y = [10, 0, None, 30, float("nan"), 12]
    n = [100, 0, 80, 150, 90, 110]
    result = funnel(y, n, method="binomial")
    assert result.p0 == pytest.approx((10 + 30 + 12) / (100 + 150 + 110))
    assert result.n_units == 3
    flags = list(result.flags[0.95])
    assert flags[1] == NO_PUPILS and flags[2] == MISSING and flags[4] == MISSING
    assert np.isnan(result.limits[0.95][0][[1, 2, 4]]).all()
    assert np.isnan(result.proportion[[1, 2, 4]]).all()
    with pytest.raises(ValueError, match="unit 2"):
        funnel([1, 2, 9, 3], [10, 10, 8, 10])
    with pytest.raises(ValueError, match="unknown funnel method"):
        funnel([1], [10], method="normal")


def test_funnel_adjusts_only_when_the_test_finds_overdispersion():
    # Binomial data: phi may come out above 1 by chance, but the test does not find it.
    rng = np.random.default_rng(5)
    n = rng.integers(100, 600, size=40)
    y = rng.binomial(n, 0.2)
    result = funnel(y, n)
    od = result.overdispersion
    assert od.p_value >= 0.05
    assert result.method == "binomial" and "the test finds no overdispersion" in result.note
    y2, n2 = overdispersed_sample()
    assert funnel(y2, n2).overdispersion.p_value < 0.05 and funnel(y2, n2).method == "additive"


def test_exact_rule_does_not_flag_a_count_on_the_quantile_whose_tail_is_above_the_level():
    p0, n = 0.126, 300
    q = int(stats.binom.ppf(0.999, n, p0))  # the 99.9% quantile: P(X <= q) >= 0.999
    tail_at_q = stats.binom.sf(q - 1, n, p0)  # P(X >= q)
    assert tail_at_q > 0.001 > stats.binom.sf(q, n, p0)
    # Interpolated limits put the upper 99.8% limit just below q, so a plain comparison
    # flags q; the exact tail rule flags only q + 1 and above.
    assert q / n > binomial_limits(p0, [n])[0.998][1][0]
    flags = exact_flag([q - 1, q, q + 1], [n] * 3, p0)[0.998]
    assert list(flags) == [WITHIN, WITHIN, ABOVE]
    low = int(stats.binom.ppf(0.001, n, p0))  # P(X <= low) >= 0.001
    below = exact_flag([low - 1, low], [n, n], p0)[0.998]
    expected = [BELOW if stats.binom.cdf(v, n, p0) < 0.001 else WITHIN for v in (low - 1, low)]
    assert list(below) == expected and expected[1] == WITHIN
    assert list(funnel([q, q + 1], [n, n], p0=p0, method="binomial").flags[0.998]) == [
        WITHIN, ABOVE]


def test_centiles_match_numpy_mid_ranks():
    among = np.array([0.1, 0.2, 0.2, 0.3, 0.5])
    got = centiles([0.05, 0.2, 0.3, 0.6], among)
    expected = [100 * (np.sum(among < v) + 0.5 * np.sum(among == v)) / len(among)
                for v in (0.05, 0.2, 0.3, 0.6)]
    np.testing.assert_allclose(got, expected)
    np.testing.assert_allclose(got, [stats.percentileofscore(among, v, kind="mean")
                                     for v in (0.05, 0.2, 0.3, 0.6)])


def test_funnel_with_one_unit_draws_binomial_and_says_why():
    result = funnel([3], [40], p0=0.1)
    assert result.method == "binomial" and result.overdispersion is None
    assert "fewer than two" in result.note


def load_primary_sen_support():
    """Return (SEN support count, pupils on roll) per state-funded primary school, Jan 2019,
    from the configured data folder (SENDTRUST_DATA_DIR)."""
    path = Path(django_settings.SENDTRUST_DATA_DIR) / CENSUS
    if not path.exists():
        pytest.fail(f"the January 2019 school census file is missing: {path} "
                    "(see school-census-2019-perf-tables/SOURCE.md in the data folder)")
    y, n = [], []
    with path.open(encoding="utf-8-sig", newline="") as fh:
        for row in csv.DictReader(fh):
            if row["URN"].isdigit() and row["SCHOOLTYPE"] == "State-funded primary":
                y.append(None if row["TSENELK"] == "NA" else int(row["TSENELK"]))
                n.append(None if row["NOR"] == "NA" else int(row["NOR"]))
    return y, n


def test_real_census_binomial_limits_flag_thousands_and_random_effects_far_fewer():
    y, n = load_primary_sen_support()
    binomial = funnel(y, n, method="binomial")
    additive = funnel(y, n, method="additive")
    multiplicative = funnel(y, n, method="multiplicative")
    schools = binomial.n_units
    od = additive.overdispersion
    print(
        f"\n{schools} state-funded primary schools, SEN support target {binomial.p0:.4f}; "
        f"outside 99.8%: binomial {binomial.outside(0.998)}, "
        f"multiplicative {multiplicative.outside(0.998)}, additive {additive.outside(0.998)} "
        f"({additive.outside(0.998) / schools:.1%}); phi {od.phi:.3f}, tau2 {od.tau2:.6f} "
        f"(tau {math.sqrt(od.tau2):.4f})"
    )
    assert 16_700 <= schools <= 16_769
    # Exact tail rule, computed independently with scipy over the usable schools.
    ok = [(a, b) for a, b in zip(y, n, strict=True) if a is not None and b and a <= b]
    ya, na = np.array([a for a, _ in ok]), np.array([b for _, b in ok])
    p0 = ya.sum() / na.sum()
    exact = np.sum((stats.binom.sf(ya - 1, na, p0) < 0.001) | (stats.binom.cdf(ya, na, p0) < 0.001))
    assert binomial.outside(0.998) == exact
    assert additive.method == "additive" and od.phi > 1 and od.p_value < 1e-6
    assert additive.outside(0.998) < 0.05 * schools
    assert multiplicative.outside(0.998) < 0.05 * schools


def test_real_census_centiles_match_numpy():
    y, n = load_primary_sen_support()
    rates = np.array([a / b for a, b in zip(y, n, strict=True)
                      if a is not None and b and a <= b])
    picks = rates[[0, 10, 500, 4000, 9000]]
    expected = [100 * (np.sum(rates < v) + 0.5 * np.sum(rates == v)) / rates.size for v in picks]
    np.testing.assert_allclose(centiles(picks, rates), expected)
    everyone = centiles(rates, rates)
    lowest = np.mean(everyone < 5)
    assert 0.03 < lowest <= 0.05  # about the lowest 5%, ties shared


# --------------------------------------------------------------------------- gaps


def wilson_by_hand(x, n, z):
    p = x / n
    centre = (p + z * z / (2 * n)) / (1 + z * z / n)
    half = z / (1 + z * z / n) * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n))
    return centre - half, centre + half


@pytest.mark.parametrize("x,n", [(0, 10), (1, 10), (7, 29), (56, 70), (48, 80), (40, 40)])
@pytest.mark.parametrize("level", [0.9, 0.95, 0.99])
def test_wilson_matches_scipy_and_the_textbook_formula(x, n, level):
    got = wilson(x, n, level)
    ci = stats.binomtest(x, n).proportion_ci(confidence_level=level, method="wilson")
    z = stats.norm.ppf(0.5 + level / 2)
    assert got.estimate == pytest.approx(x / n)
    assert (got.lower, got.upper) == pytest.approx((ci.low, ci.high), abs=1e-12)
    assert (got.lower, got.upper) == pytest.approx(wilson_by_hand(x, n, z), abs=1e-12)


def test_newcombe_method_10_reproduces_the_paper_example():
    # Newcombe (1998) Table II example (56/70 vs 48/80): 0.2000, 95% CI 0.0524 to 0.3339.
    gap = proportion_gap(56, 70, 48, 80)
    assert gap.diff == pytest.approx(0.2)
    assert round(gap.lower, 4) == 0.0524 and round(gap.upper, 4) == 0.3339


@pytest.mark.parametrize("x1,n1,x2,n2", [(5, 56, 0, 29), (9, 10, 3, 10), (0, 20, 0, 25)])
def test_newcombe_matches_a_hand_coded_formula(x1, n1, x2, n2):
    z = stats.norm.ppf(0.975)
    p1, p2 = x1 / n1, x2 / n2
    l1, u1 = wilson_by_hand(x1, n1, z)
    l2, u2 = wilson_by_hand(x2, n2, z)
    lower = p1 - p2 - math.sqrt((p1 - l1) ** 2 + (u2 - p2) ** 2)
    upper = p1 - p2 + math.sqrt((u1 - p1) ** 2 + (p2 - l2) ** 2)
    gap = proportion_gap(x1, n1, x2, n2)
    assert (gap.lower, gap.upper) == pytest.approx((lower, upper), abs=1e-12)


def test_mean_gap_matches_scipy_welch_interval_on_raw_data():
    rng = np.random.default_rng(5)
    a, b = rng.normal(92.0, 6.0, 23), rng.normal(95.5, 2.5, 140)
    for level in (0.95, 0.99):
        ci = stats.ttest_ind(a, b, equal_var=False).confidence_interval(level)
        gap = mean_gap(a.mean(), a.std(ddof=1), len(a), b.mean(), b.std(ddof=1), len(b), level)
        assert gap.diff == pytest.approx(a.mean() - b.mean())
        assert (gap.lower, gap.upper) == pytest.approx((ci.low, ci.high))


def test_gap_input_is_validated():
    with pytest.raises(ValueError):
        wilson(3, 0)
    with pytest.raises(ValueError):
        wilson(5, 4)
    with pytest.raises(ValueError):
        mean_gap(1, 1, 1, 2, 1, 5)
    assert mean_gap(3, 0, 5, 1, 0, 5) == mean_gap(3, 0, 9, 1, 0, 9)
