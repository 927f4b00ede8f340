"""The plan's view of the live-evidence registry (sendtrust.evaluation.evidence), read only.

The registry is looked up at call time so that indicators added later appear without a
restart of this module, and so that tests can register their own.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

from sendtrust.evaluation import evidence

log = logging.getLogger(__name__)


def choices() -> list[tuple[str, str]]:
    """(key, label) of every indicator in the registry, by label."""
    return sorted(((k, i.label) for k, i in evidence.INDICATORS.items()), key=lambda c: c[1])


def exists(key: str) -> bool:
    return key in evidence.INDICATORS


def label(key: str) -> str:
    ind = evidence.INDICATORS.get(key)
    return ind.label if ind is not None else key


def unit(key: str) -> str:
    ind = evidence.INDICATORS.get(key)
    return ind.unit if ind is not None else ""


def read(key: str, *, trust, school=None, user=None):
    """The indicator's reading now, or None when the key has left the registry or fails."""
    if key not in evidence.INDICATORS:
        return None
    try:
        return evidence.evaluate(key, trust=trust, school=school, user=user)
    except Exception:  # an indicator's own fault must not take the plan page down
        log.exception("Indicator %s failed for trust %s", key, trust.pk)
        return None


def current_value(key: str, *, trust, school=None) -> float | None:
    """The value to keep as a baseline: None when there is no data (never 0 for missing)."""
    reading = read(key, trust=trust, school=school)
    if reading is None or not reading.available:
        return None
    return reading.value


def fmt(value: float | None, unit_: str) -> str:
    """A value as people read it: 12.1% (percent and share are both held as percentages)."""
    if value is None:
        return "no data"
    if unit_ in ("percent", "share"):
        return f"{value:.1f}%"
    if unit_ == "count":
        return f"{value:,.0f}"
    return f"{value:g}"


@dataclass
class Progress:
    """How a criterion stands: a reading (or None), and words that say it without colour."""

    reading: object | None
    current: float | None
    status: str  # met | towards | away | same | no-data | no-target | hidden | unmeasured
    words: str
    # The baseline as this viewer may see it: None with baseline_hidden when it is withheld.
    baseline: float | None = None
    baseline_hidden: bool = False


def shown_baseline(criterion, reading, user) -> tuple[float | None, bool]:
    """The criterion's baseline through the same suppression as its current value.

    An aggregate-only viewer (a trustee) never sees a count from 1 to 4 as a baseline, nor a
    baseline for a scope whose current figure is withheld from them: both would show a small
    number the reading itself hides.
    """
    value = criterion.baseline
    if value is None or user is None or not criterion.indicator_key:
        return value, False
    from sendtrust.access.policy import is_aggregate_only
    from sendtrust.analytics.suppression import is_small

    if not is_aggregate_only(user, criterion.goal.trust):
        return value, False
    small = unit(criterion.indicator_key) == "count" and is_small(round(value))
    if small or (reading is not None and reading.suppressed):
        return None, True
    return value, False


def progress(criterion, *, user=None, cache: dict | None = None) -> Progress:
    """Compare the indicator's current value with the criterion's baseline and target.

    cache, keyed by (indicator, school id), lets a page read each indicator once.
    """
    c = criterion
    if not c.indicator_key:
        return Progress(None, None, "unmeasured", "Judged from the description")
    key = (c.indicator_key, c.school_id)
    if cache is not None and key in cache:
        reading = cache[key]
    else:
        reading = read(c.indicator_key, trust=c.goal.trust, school=c.school, user=user)
        if cache is not None:
            cache[key] = reading
    baseline, hidden = shown_baseline(c, reading, user)
    result = _progress(c, reading, baseline)
    result.baseline, result.baseline_hidden = baseline, hidden
    return result


def _progress(c, reading, baseline) -> Progress:
    if reading is None:
        return Progress(None, None, "no-data", "No data yet: this indicator is not available")
    if reading.suppressed:
        return Progress(reading, None, "hidden", "Hidden: the numbers are too small to show")
    if not reading.available or reading.value is None:
        return Progress(reading, None, "no-data", "No data yet")
    now = reading.value
    if c.target is None:
        return Progress(reading, now, "no-target", "No target set")
    better = (lambda a, b: a > b) if c.direction == c.Direction.UP else (lambda a, b: a < b)
    if now == c.target or better(now, c.target):
        return Progress(reading, now, "met", "Target met")
    if baseline is None:
        return Progress(reading, now, "same", "Not yet at target (no baseline to compare)")
    if better(now, baseline):
        return Progress(reading, now, "towards", "Moving towards the target")
    if now == baseline:
        return Progress(reading, now, "same", "No change since the baseline")
    return Progress(reading, now, "away", "Moving away from the target")
