"""Funnel plots, overdispersion and gaps with confidence intervals.

Pure functions on numbers and numpy arrays: no Django, no database.

References
----------
* Spiegelhalter DJ (2005). Funnel plots for comparing institutional performance.
  Stat Med 24:1185-1202 (exact binomial limits with interpolation, Appendix A.1.1;
  overdispersion, sections 3-4).
* APHO/PHE, *Technical guide: funnel plots* (same interpolation).
* Spiegelhalter DJ et al. (2012). Statistical methods for healthcare regulation:
  rating, screening and surveillance. JRSS A 175:1-47 (winsorised z-scores,
  multiplicative and additive (DerSimonian-Laird) overdispersion).
* Newcombe RG (1998). Interval estimation for the difference between independent
  proportions: comparison of eleven methods. Stat Med 17:873-890 (method 10).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Literal

import numpy as np
from numpy.typing import ArrayLike, NDArray

Levels = Sequence[float]
Limits = dict[float, tuple[NDArray[np.float64], NDArray[np.float64]]]
Method = Literal["additive", "multiplicative", "binomial"]

DEFAULT_LEVELS: tuple[float, ...] = (0.95, 0.998)
DEFAULT_WINSOR: tuple[float, float] = (0.10, 0.90)
# Limits are widened for overdispersion only when the chi-squared test finds it at this level.
OVERDISPERSION_ALPHA = 0.05

ABOVE, BELOW, WITHIN = "above", "below", "within"
NO_PUPILS, MISSING = "no pupils", "missing"


def _scipy():
    """scipy.stats, imported on first use: importing it takes seconds, and neither a worker's
    start nor most pages need it (gunicorn's master imports it once before forking)."""
    from scipy import stats

    return stats


def preload() -> None:
    """Import numpy and scipy.stats now: gunicorn's master calls this once before it forks
    (gunicorn.conf.py), so that no worker's first funnel waits seconds for the imports."""
    _scipy()


@lru_cache(maxsize=64)
def _z(level: float) -> float:
    """Return the two-sided standard normal critical value for ``level`` (1.96 for 0.95).

    Memoised: scipy's ppf costs about a third of a millisecond, and pages ask for the same
    two levels once per funnel and per confidence interval.
    """
    _check_level(level)
    return float(_scipy().norm.ppf(0.5 + level / 2))


def _check_level(level: float) -> None:
    if not 0 < level < 1:
        raise ValueError(f"confidence level must be strictly between 0 and 1, got {level!r}")


def _check_p0(p0: float) -> None:
    if not 0 < p0 < 1:
        raise ValueError(f"target proportion p0 must be strictly between 0 and 1, got {p0!r}")


# --------------------------------------------------------------------------- funnel limits


def _interpolated_quantile(alpha: float, n: NDArray[np.float64], p0: float) -> NDArray[np.float64]:
    """Return Spiegelhalter's interpolated binomial ``alpha``-quantile of the count, per n.

    r is the smallest count with P(X <= r) >= alpha; the limit is r - a with
    a = (P(X <= r) - alpha) / (P(X <= r) - P(X <= r - 1)), so the limit moves smoothly
    between r - 1 and r instead of jumping between integers.
    """
    r = _scipy().binom.ppf(alpha, n, p0)
    at_r = _scipy().binom.cdf(r, n, p0)
    below_r = _scipy().binom.cdf(r - 1, n, p0)  # 0 when r == 0
    return r - (at_r - alpha) / (at_r - below_r)


def _denominators(n: ArrayLike) -> tuple[NDArray[np.float64], NDArray[np.bool_]]:
    """Return n as a float array and the mask of n > 0; raise unless whole and >= 0."""
    n_arr = np.asarray(n, dtype=float)
    if np.any(~(n_arr >= 0)) or np.any(n_arr != np.floor(n_arr)):
        raise ValueError("denominators must be non-negative whole numbers")
    return n_arr, n_arr > 0


def binomial_limits(p0: float, n: ArrayLike, levels: Levels = DEFAULT_LEVELS) -> Limits:
    """Return exact binomial funnel limits for the proportion, per denominator.

    For each two-sided ``level`` the lower limit is the interpolated binomial quantile at
    (1 - level) / 2 and the upper at (1 + level) / 2 (Spiegelhalter 2005, Appendix A.1.1),
    divided by n. Returns ``{level: (lower, upper)}``, each an array of proportions shaped
    like ``n``. Limits are kept within [0, 1] and on their own side of p0 -- when n * p0 is
    tiny the raw interpolation can step past 0 or p0; clamping does not change any flag
    for an integer count. Units with n == 0 get NaN limits.
    """
    _check_p0(p0)
    n_arr, positive = _denominators(n)
    safe_n = np.where(positive, n_arr, 1.0)
    out: Limits = {}
    for level in levels:
        _check_level(level)
        lo = _interpolated_quantile((1 - level) / 2, safe_n, p0) / safe_n
        hi = _interpolated_quantile((1 + level) / 2, safe_n, p0) / safe_n
        lo = np.where(positive, np.clip(lo, 0.0, p0), np.nan)
        hi = np.where(positive, np.clip(hi, p0, 1.0), np.nan)
        out[level] = (lo, hi)
    return out


def normal_limits(
    p0: float, n: ArrayLike, levels: Levels = DEFAULT_LEVELS, phi: float = 1.0, tau2: float = 0.0
) -> Limits:
    """Return normal-approximation funnel limits p0 +/- z * sqrt(phi * p0(1-p0)/n + tau2).

    ``phi`` > 1 gives the multiplicative overdispersion limits, ``tau2`` > 0 the additive
    random-effects ones (Spiegelhalter 2005 sections 3-4). Returns ``{level: (lower, upper)}``
    as proportions clipped to [0, 1]; units with n == 0 get NaN.
    """
    _check_p0(p0)
    n_arr, positive = _denominators(n)
    with np.errstate(divide="ignore", invalid="ignore"):
        sd = np.sqrt(phi * p0 * (1 - p0) / n_arr + tau2)
    out: Limits = {}
    for level in levels:
        half = _z(level) * sd
        lo = np.where(positive, np.clip(p0 - half, 0.0, 1.0), np.nan)
        hi = np.where(positive, np.clip(p0 + half, 0.0, 1.0), np.nan)
        out[level] = (lo, hi)
    return out


def flag(observed: ArrayLike, n: ArrayLike, limits: Limits) -> dict[float, NDArray[np.str_]]:
    """Return, per level, an array of "above" / "below" / "within" for each unit.

    A unit is "above" when y/n is strictly above the upper limit and "below" when strictly
    below the lower one. Units with n == 0 are "no pupils"; units with a missing count,
    denominator or limit are "missing".
    """
    y = np.asarray(observed, dtype=float)
    n_arr = np.asarray(n, dtype=float)
    with np.errstate(divide="ignore", invalid="ignore"):
        prop = y / n_arr
    out: dict[float, NDArray[np.str_]] = {}
    for level, (lo, hi) in limits.items():
        flags = np.full(prop.shape, WITHIN, dtype=object)
        flags[prop > hi] = ABOVE
        flags[prop < lo] = BELOW
        flags[np.isnan(prop) | np.isnan(lo) | np.isnan(hi)] = MISSING
        flags[n_arr == 0] = NO_PUPILS
        out[level] = flags.astype(str)
    return out


def exact_flag(observed: ArrayLike, n: ArrayLike, p0: float,
               levels: Levels = DEFAULT_LEVELS) -> dict[float, NDArray[np.str_]]:
    """Return, per level, "above" / "below" / "within" by the exact binomial tail rule.

    A unit is "above" when P(X >= y) < (1 - level) / 2 for X ~ Binomial(n, p0), "below" when
    P(X <= y) < (1 - level) / 2: it is flagged only when its own tail probability is below
    the level, never because it sits exactly on a quantile. Units with n == 0 are "no
    pupils"; with a missing count or denominator, "missing".
    """
    _check_p0(p0)
    y = np.asarray(observed, dtype=float)
    n_arr = np.asarray(n, dtype=float)
    bad = np.isnan(y) | np.isnan(n_arr) | (n_arr <= 0)
    y_safe, n_safe = np.where(bad, 0, y), np.where(bad, 1, n_arr)
    upper_tail = _scipy().binom.sf(y_safe - 1, n_safe, p0)  # P(X >= y)
    lower_tail = _scipy().binom.cdf(y_safe, n_safe, p0)  # P(X <= y)
    out: dict[float, NDArray[np.str_]] = {}
    for level in levels:
        _check_level(level)
        alpha = (1 - level) / 2
        flags = np.full(y.shape, WITHIN, dtype=object)
        flags[upper_tail < alpha] = ABOVE
        flags[lower_tail < alpha] = BELOW
        flags[np.isnan(y) | np.isnan(n_arr)] = MISSING
        flags[n_arr == 0] = NO_PUPILS
        out[level] = flags.astype(str)
    return out


def centiles(values: ArrayLike, among: ArrayLike) -> NDArray[np.float64]:
    """Return each value's centile among ``among``: the share below it plus half the ties.

    100 * (#{a < v} + #{a == v} / 2) / len(among), the mid-rank percentile (scipy's
    ``percentileofscore(kind="mean")``). ``among`` need not be sorted.
    """
    ref = np.sort(np.asarray(among, dtype=float))
    v = np.asarray(values, dtype=float)
    below = np.searchsorted(ref, v, side="left")
    upto = np.searchsorted(ref, v, side="right")
    return 100 * (below + (upto - below) / 2) / ref.size


# --------------------------------------------------------------------------- overdispersion


@dataclass(frozen=True)
class Overdispersion:
    """Overdispersion of the units around a target (Spiegelhalter 2005, 2012).

    phi: mean of the squared winsorised z-scores (1 means no overdispersion).
    p_value: P(chi^2_{I-1} >= I * phi), the test of phi against chi^2_{I-1} / I.
    tau2: DerSimonian-Laird between-unit variance of the proportion (0 when I*phi <= I-1).
    n_units: I, the number of units used.
    winsor: the percentile fractions the z-scores were winsorised at.
    z_bounds: the z values those percentiles came to.
    """

    phi: float
    p_value: float
    tau2: float
    n_units: int
    winsor: tuple[float, float] = DEFAULT_WINSOR
    z_bounds: tuple[float, float] = (math.nan, math.nan)


def _clean(observed: ArrayLike, n: ArrayLike) -> tuple[NDArray, NDArray, NDArray, NDArray]:
    """Return (y, n, usable, missing) as float arrays and masks; validate the counts.

    None and NaN become missing; n == 0 is not usable (no pupils); negative values,
    fractional denominators and y > n raise ValueError naming the first offending unit.
    """
    y = np.array([np.nan if v is None else v for v in np.ravel(observed)], dtype=float)
    d = np.array([np.nan if v is None else v for v in np.ravel(n)], dtype=float)
    if y.shape != d.shape:
        raise ValueError(f"observed has {y.size} units but n has {d.size}")
    missing = np.isnan(y) | np.isnan(d)
    for problem, why in (
        (~missing & ((y < 0) | (d < 0)), "a negative count"),
        (~missing & (d != np.floor(d)), "a fractional denominator"),
        (~missing & (y > d), "more cases than pupils (y > n)"),
    ):
        if problem.any():
            i = int(np.flatnonzero(problem)[0])
            raise ValueError(f"unit {i} has {why}: y={y[i]:g}, n={d[i]:g}")
    usable = ~missing & (d > 0)
    return y, d, usable, missing


def overdispersion(
    observed: ArrayLike,
    n: ArrayLike,
    p0: float | None = None,
    winsor: tuple[float, float] = DEFAULT_WINSOR,
) -> Overdispersion:
    """Return the winsorised overdispersion estimate of counts ``observed`` out of ``n``.

    z_i = (y_i/n_i - p0) / sqrt(p0(1-p0)/n_i), winsorised at the ``winsor`` percentiles
    (fractions, default 10% and 90%); phi = mean(z_w^2); p-value from chi^2_{I-1} at I*phi;
    tau2 = max(0, (I*phi - (I-1)) / (sum w - sum w^2 / sum w)), w_i = n_i / (p0(1-p0)).
    Units with n == 0 or a missing value are left out. p0 defaults to sum(y)/sum(n).
    """
    y, d, usable, _ = _clean(observed, n)
    y, d = y[usable], d[usable]
    if p0 is None:
        p0 = _pooled(y, d)
    _check_p0(p0)
    if y.size < 2:
        raise ValueError("overdispersion needs at least two units with pupils")
    lo_q, hi_q = winsor
    if not 0 <= lo_q <= hi_q <= 1:
        raise ValueError(f"winsor percentiles must satisfy 0 <= lo <= hi <= 1, got {winsor!r}")
    s2 = p0 * (1 - p0) / d
    z = (y / d - p0) / np.sqrt(s2)
    z_lo, z_hi = np.percentile(z, [100 * lo_q, 100 * hi_q])
    units = y.size
    phi = float(np.mean(np.clip(z, z_lo, z_hi) ** 2))
    w = 1 / s2
    tau2 = max(0.0, (units * phi - (units - 1)) / (w.sum() - (w**2).sum() / w.sum()))
    return Overdispersion(
        phi=phi,
        p_value=float(_scipy().chi2.sf(units * phi, units - 1)),
        tau2=float(tau2),
        n_units=int(units),
        winsor=(float(lo_q), float(hi_q)),
        z_bounds=(float(z_lo), float(z_hi)),
    )


def _pooled(y: NDArray, d: NDArray) -> float:
    total = d.sum()
    if total <= 0:
        raise ValueError("no units with pupils: cannot pool a target proportion")
    return float(y.sum() / total)


# --------------------------------------------------------------------------- funnel


@dataclass(frozen=True)
class FunnelResult:
    """Everything needed to draw a funnel plot and list the outliers.

    p0: the target proportion (pooled sum(y)/sum(n) unless given).
    method: the limits actually drawn ("binomial", "multiplicative" or "additive").
    requested: the method asked for.
    proportion: y/n per unit (NaN where excluded).
    limits: {level: (lower, upper)} per unit, as proportions (NaN where excluded).
    flags: {level: array of "above"/"below"/"within"/"no pupils"/"missing"}.
    overdispersion: the estimate (None when fewer than two units have pupils).
    note: why the drawn method differs from the requested one ("" when it doesn't).
    n_units: how many units had pupils and no missing value.
    """

    p0: float
    method: str
    requested: str
    levels: tuple[float, ...]
    proportion: NDArray[np.float64]
    limits: Limits
    flags: dict[float, NDArray[np.str_]]
    overdispersion: Overdispersion | None
    note: str = ""
    n_units: int = 0

    def outside(self, level: float) -> int:
        """Return how many units are above or below the limits at ``level``."""
        f = self.flags[level]
        return int(np.count_nonzero((f == ABOVE) | (f == BELOW)))


def funnel(
    observed: ArrayLike,
    n: ArrayLike,
    p0: float | None = None,
    method: Method = "additive",
    levels: Levels = DEFAULT_LEVELS,
    winsor: tuple[float, float] = DEFAULT_WINSOR,
) -> FunnelResult:
    """Return funnel-plot limits and flags for counts ``observed`` out of ``n`` per unit.

    "binomial" draws exact binomial limits and flags by the exact tail rule (`exact_flag`);
    "multiplicative" and "additive" estimate overdispersion from winsorised z-scores and
    widen the (normal) limits by phi or by the random-effects variance tau2, but only when
    the chi-squared test finds overdispersion (p < OVERDISPERSION_ALPHA); otherwise they
    fall back to binomial limits and ``note`` says so. Units with n == 0 are
    flagged "no pupils" and units with a missing value "missing"; both are left out of
    the target and the overdispersion estimate. y > n raises ValueError naming the unit.
    """
    if method not in ("additive", "multiplicative", "binomial"):
        raise ValueError(f"unknown funnel method {method!r}")
    levels = tuple(levels)
    y, d, usable, _ = _clean(observed, n)
    if p0 is None:
        p0 = _pooled(y[usable], d[usable])
    _check_p0(p0)
    od = overdispersion(y[usable], d[usable], p0, winsor) if usable.sum() >= 2 else None

    drawn, note = method, ""
    if method != "binomial":
        if od is None:
            drawn, note = "binomial", "fewer than two units: binomial limits drawn"
        elif od.phi <= 1 or od.p_value >= OVERDISPERSION_ALPHA:
            drawn = "binomial"
            note = (f"the test finds no overdispersion (phi = {od.phi:.3f}, "
                    f"p = {od.p_value:.3g}): exact binomial limits drawn")

    d_safe = np.where(usable, d, 1.0)  # excluded units get NaN limits below
    if drawn == "binomial":
        limits = binomial_limits(p0, d_safe, levels)
    elif drawn == "multiplicative":
        limits = normal_limits(p0, d_safe, levels, phi=od.phi)
    else:
        limits = normal_limits(p0, d_safe, levels, tau2=od.tau2)
    limits = {
        level: (np.where(usable, lo, np.nan), np.where(usable, hi, np.nan))
        for level, (lo, hi) in limits.items()
    }
    if drawn == "binomial":
        # Exact: flagged only where the unit's own tail probability is below the level.
        flags = exact_flag(np.where(usable, y, np.nan), np.where(usable | (d == 0), d, np.nan),
                           p0, levels)
    else:
        flags = flag(y, d, limits)
    proportion = np.where(usable, y / d_safe, np.nan)
    return FunnelResult(
        p0=float(p0),
        method=drawn,
        requested=method,
        levels=levels,
        proportion=proportion,
        limits=limits,
        flags=flags,
        overdispersion=od,
        note=note,
        n_units=int(usable.sum()),
    )


# --------------------------------------------------------------------------- gaps


@dataclass(frozen=True)
class Interval:
    """A point estimate with its confidence interval."""

    estimate: float
    lower: float
    upper: float


@dataclass(frozen=True)
class Gap:
    """A difference between two groups (group 1 minus group 2) with its confidence interval."""

    diff: float
    lower: float
    upper: float


def wilson(x: int, n: int, level: float = 0.95) -> Interval:
    """Return the proportion x/n with its Wilson score interval at ``level``."""
    if n <= 0 or not 0 <= x <= n:
        raise ValueError(f"need 0 <= x <= n and n > 0, got x={x}, n={n}")
    z = _z(level)
    p = x / n
    centre = (x + z * z / 2) / (n + z * z)
    half = z * math.sqrt(x * (n - x) / n + z * z / 4) / (n + z * z)
    return Interval(p, max(0.0, centre - half), min(1.0, centre + half))


def proportion_gap(x1: int, n1: int, x2: int, n2: int, level: float = 0.95) -> Gap:
    """Return p1 - p2 with Newcombe's hybrid score interval (1998, method 10).

    Built from the two Wilson intervals (l1, u1) and (l2, u2):
    lower = d - sqrt((p1 - l1)^2 + (u2 - p2)^2), upper = d + sqrt((u1 - p1)^2 + (p2 - l2)^2).
    """
    a, b = wilson(x1, n1, level), wilson(x2, n2, level)
    diff = a.estimate - b.estimate
    lower = diff - math.hypot(a.estimate - a.lower, b.upper - b.estimate)
    upper = diff + math.hypot(a.upper - a.estimate, b.estimate - b.lower)
    return Gap(diff, lower, upper)


def mean_gap(
    m1: float, s1: float, n1: int, m2: float, s2: float, n2: int, level: float = 0.95
) -> Gap:
    """Return m1 - m2 with the Welch (unequal variances) t interval at ``level``.

    s1, s2 are sample standard deviations (n - 1 divisor); Welch-Satterthwaite degrees
    of freedom. When both standard deviations are 0 the interval is the point itself.
    """
    if n1 < 2 or n2 < 2:
        raise ValueError(f"each group needs at least two members, got n1={n1}, n2={n2}")
    if s1 < 0 or s2 < 0:
        raise ValueError("standard deviations must be non-negative")
    _check_level(level)
    v1, v2 = s1 * s1 / n1, s2 * s2 / n2
    diff = m1 - m2
    se = math.sqrt(v1 + v2)
    if se == 0:
        return Gap(diff, diff, diff)
    df = (v1 + v2) ** 2 / (v1 * v1 / (n1 - 1) + v2 * v2 / (n2 - 1))
    half = float(_scipy().t.ppf(0.5 + level / 2, df)) * se
    return Gap(diff, diff - half, diff + half)
