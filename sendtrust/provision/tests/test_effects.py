"""Effect sizes and pooling against independent implementations (scipy, statsmodels)."""

import math

import numpy as np
import pytest
from scipy import stats
from statsmodels.stats.meta_analysis import combine_effects

from sendtrust.lib import effects

ENTRY = [84, 88, 79, 91, 85, 80, 77, 90, 86, 82]
EXIT = [90, 91, 85, 95, 86, 88, 80, 97, 89, 89]


def test_mean_change_and_interval_agree_with_scipy_paired_t():
    result = effects.change([b - a for a, b in zip(ENTRY, EXIT, strict=True)])
    t = stats.ttest_rel(EXIT, ENTRY)
    low, high = t.confidence_interval(0.95)
    assert result.n == 10
    assert result.mean == pytest.approx(np.mean(np.subtract(EXIT, ENTRY)))
    assert result.mean_low == pytest.approx(low)
    assert result.mean_high == pytest.approx(high)


def test_standardised_change_is_t_over_root_n_with_hedges_correction():
    result = effects.change([b - a for a, b in zip(ENTRY, EXIT, strict=True)])
    t = stats.ttest_rel(EXIT, ENTRY).statistic
    n = len(ENTRY)
    # Hedges' J from its gamma-function definition, not the approximation used in the code.
    df = n - 1
    j_exact = math.gamma(df / 2) / (math.sqrt(df / 2) * math.gamma((df - 1) / 2))
    assert result.g == pytest.approx(j_exact * t / math.sqrt(n), rel=2e-3)
    se = math.sqrt(1 / n + result.g ** 2 / (2 * n))
    z = stats.norm.ppf(0.975)
    assert result.g_low == pytest.approx(result.g - z * se)
    assert result.g_high == pytest.approx(result.g + z * se)
    assert result.g_low < result.g < result.g_high


def test_a_single_pupil_or_no_spread_gives_no_standardised_effect():
    assert effects.change([5]).g is None
    assert effects.change([3, 3, 3, 3]).g is None
    assert effects.change([3, 3, 3, 3]).mean == 3


# Five schools' effects and variances (fixed data, varied enough for tau² > 0).
Y = [0.62, 0.10, 0.85, 0.35, -0.05]
V = [0.05, 0.08, 0.11, 0.04, 0.09]


def test_random_effects_pool_agrees_with_statsmodels_dersimonian_laird():
    ours = effects.pool(Y, V)
    theirs = combine_effects(np.array(Y), np.array(V), method_re="dl")
    assert ours.estimate == pytest.approx(theirs.mean_effect_re)
    assert ours.se == pytest.approx(theirs.sd_eff_w_re)
    assert ours.tau2 == pytest.approx(theirs.tau2)
    assert ours.q == pytest.approx(theirs.q)
    assert ours.i2 == pytest.approx(theirs.i2)
    frame = theirs.summary_frame()
    low, high = frame.loc["random effect", ["ci_low", "ci_upp"]]
    assert (ours.low, ours.high) == (pytest.approx(low), pytest.approx(high))
    assert ours.tau2 > 0


def test_homogeneous_effects_have_no_between_school_variance():
    ours = effects.pool([0.4, 0.41, 0.39], [0.1, 0.1, 0.1])
    assert ours.tau2 == 0
    assert ours.i2 == 0
    assert "little heterogeneity" in ours.heterogeneity
    # With tau² = 0 the pooled estimate is the inverse-variance (fixed-effect) mean.
    assert ours.estimate == pytest.approx(0.4)


def test_one_school_pools_to_itself():
    ours = effects.pool([0.3], [0.04])
    assert ours.estimate == pytest.approx(0.3)
    assert ours.se == pytest.approx(0.2)
    assert ours.q_p is None
