"""Emerging problems: growth of a problem's volume against its own baseline.

For a daily count series the last `recent_days` are compared with the `baseline_days`
before them. The expected recent count under the baseline rate is
`lam = max(baseline_rate, floor_rate) * recent_days`; the one-sided Poisson test
`p = P(X >= recent | lam)` gives the significance. A problem is *emerging* when
`recent >= min_count`, `p < alpha` and the rate grew at least `min_growth` times. A
brand-new problem (no volume in the baseline window) is judged against `floor_rate`,
so it emerges as soon as it has `min_count` posts.
"""

from __future__ import annotations

import logging
import math
from collections.abc import Sequence
from dataclasses import dataclass

from scipy.stats import poisson

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class EmergingScore:
    recent: int  # posts in the recent window
    baseline: int  # posts in the baseline window
    growth: float  # recent rate / baseline rate (floored)
    p_value: float
    score: float  # -log10(p) when emerging, else 0.0
    emerging: bool
    new: bool  # nothing in the baseline window

    @property
    def arrow(self) -> str:
        return trend_arrow(self.growth, self.recent, self.baseline)


def trend_arrow(growth: float, recent: int, baseline: int) -> str:
    """↑ strong growth, ↗ growth, → flat, ↘ decline, ↓ strong decline."""
    if recent == 0 and baseline == 0:
        return "→"
    if growth >= 2.0:
        return "↑"
    if growth >= 1.25:
        return "↗"
    if growth > 0.8:
        return "→"
    if growth > 0.5:
        return "↘"
    return "↓"


def emerging_score(
    daily: Sequence[int],
    *,
    recent_days: int = 7,
    baseline_days: int = 28,
    min_count: int = 5,
    alpha: float = 0.01,
    min_growth: float = 1.5,
    floor_rate: float = 0.1,
) -> EmergingScore:
    """Score the last `recent_days` of `daily` (oldest first) against the days before."""
    if recent_days <= 0:
        raise ValueError("recent_days must be positive")
    series = [int(c) for c in daily]
    recent = sum(series[-recent_days:])
    base = series[:-recent_days][-baseline_days:] if len(series) > recent_days else []
    baseline = sum(base)
    base_days = len(base)
    rate = baseline / base_days if base_days else 0.0
    lam = max(rate, floor_rate) * recent_days
    p = float(poisson.sf(recent - 1, lam)) if recent > 0 else 1.0
    growth = (recent / recent_days) / max(rate, floor_rate)
    new = baseline == 0
    emerging = recent >= min_count and p < alpha and growth >= min_growth
    score = round(-math.log10(max(p, 1e-300)), 3) if emerging else 0.0
    return EmergingScore(recent, baseline, round(growth, 3), p, score, emerging, new)
