"""Effect sizes of pre/post change and their random-effects pooling. Pure: no Django.

One group measured at entry and exit: the standardised mean change is the mean change divided
by the standard deviation of the changes (Cohen's d_z), corrected for small samples (Hedges'
J), with a normal-theory interval from its sampling variance 1/n + g²/(2n) (Borenstein et al.,
Introduction to Meta-Analysis, 2009, eq. 4.28 with r implied by the SD of change). Several
groups (one per school) are pooled with the DerSimonian–Laird random-effects model: the pooled
estimate, tau² (between-school variance), Cochran's Q and I² (the share of variation that is
between schools rather than chance).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache

# scipy.stats.norm.ppf(0.975) to the last digit (a test holds it to scipy): written out so
# that importing this module does not import scipy, which takes seconds (see _scipy).
Z95 = 1.959963984540054


def _scipy():
    """scipy.stats, imported on first use (t quantiles and the Q test need it)."""
    from scipy import stats

    return stats


@dataclass(frozen=True)
class Change:
    """The change of one group from entry to exit (positive is progress)."""

    n: int
    mean: float
    sd: float | None  # None with fewer than 2 pupils
    mean_low: float | None  # 95% t interval of the mean change
    mean_high: float | None
    g: float | None  # standardised mean change, small-sample corrected
    g_variance: float | None
    g_low: float | None
    g_high: float | None

    @property
    def g_se(self) -> float | None:
        return None if self.g_variance is None else math.sqrt(self.g_variance)


@lru_cache(maxsize=512)
def t975(df: int) -> float:
    """The 97.5th percentile of Student's t on df degrees of freedom (cached: scipy's ppf
    costs far more than the arithmetic around it, and group sizes repeat)."""
    return float(_scipy().t.ppf(0.975, df))


def hedges_j(df: int) -> float:
    """Hedges' small-sample correction factor for df degrees of freedom."""
    return 1 - 3 / (4 * df - 1)


def change(gains: Sequence[float]) -> Change:
    """Summarise the gains (exit minus entry in the better direction) of one group."""
    n = len(gains)
    if n == 0:
        raise ValueError("no gains to summarise")
    mean = sum(gains) / n
    variance = sum((x - mean) ** 2 for x in gains) / (n - 1) if n >= 2 else None
    return change_from_moments(n, mean, variance)


def change_from_moments(n: int, mean: float, variance: float | None) -> Change:
    """The same summary from a group's size, mean gain and sample variance of the gains (None
    with fewer than 2 pupils): how the impact page reads gains summed in the database."""
    if n < 1:
        raise ValueError("no gains to summarise")
    if n < 2 or variance is None:
        return Change(n, mean, None, None, None, None, None, None, None)
    sd = math.sqrt(variance)
    half = t975(n - 1) * sd / math.sqrt(n)
    if sd == 0 or n < 3:
        # No spread (or too few pupils): there is no standardised effect to speak of.
        return Change(n, mean, sd, mean - half, mean + half, None, None, None, None)
    g = hedges_j(n - 1) * mean / sd
    variance = 1 / n + g * g / (2 * n)
    se = math.sqrt(variance)
    return Change(n, mean, sd, mean - half, mean + half, g, variance, g - Z95 * se,
                  g + Z95 * se)


@dataclass(frozen=True)
class Pooled:
    """A random-effects (DerSimonian–Laird) pooled estimate of k effects."""

    k: int
    estimate: float
    se: float
    low: float
    high: float
    tau2: float
    q: float
    q_p: float | None  # p-value of Cochran's Q (None when k < 2)
    i2: float  # 0 to 1

    @property
    def heterogeneity(self) -> str:
        """Plain words for I² (Cochrane Handbook's rough guide)."""
        if self.k < 2:
            return "one school only: no heterogeneity to assess"
        pct = round(100 * self.i2)
        if self.i2 < 0.3:
            word = "little"
        elif self.i2 < 0.6:
            word = "moderate"
        elif self.i2 < 0.75:
            word = "substantial"
        else:
            word = "considerable"
        return (f"{word} heterogeneity between schools (I² = {pct}%, tau² = {self.tau2:.3f}, "
                f"Q = {self.q:.2f} on {self.k - 1} df)")


def pool(effects: Sequence[float], variances: Sequence[float]) -> Pooled:
    """Pool effects with known variances by DerSimonian–Laird random effects."""
    k = len(effects)
    if k == 0 or k != len(variances):
        raise ValueError("need one variance for each of at least one effect")
    w = [1 / v for v in variances]
    sw = sum(w)
    fixed = sum(wi * y for wi, y in zip(w, effects, strict=True)) / sw
    q = sum(wi * (y - fixed) ** 2 for wi, y in zip(w, effects, strict=True))
    df = k - 1
    c = sw - sum(wi * wi for wi in w) / sw
    tau2 = max(0.0, (q - df) / c) if df > 0 and c > 0 else 0.0
    w_re = [1 / (v + tau2) for v in variances]
    estimate = sum(wi * y for wi, y in zip(w_re, effects, strict=True)) / sum(w_re)
    se = math.sqrt(1 / sum(w_re))
    i2 = max(0.0, (q - df) / q) if q > 0 and df > 0 else 0.0
    q_p = float(_scipy().chi2.sf(q, df)) if df > 0 else None
    return Pooled(k, estimate, se, estimate - Z95 * se, estimate + Z95 * se, tau2, q, q_p, i2)
