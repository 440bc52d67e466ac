"""The negative-spike rule over daily negative counts.

For each day, the baseline is the median of the previous `baseline_days` days and its
spread the scaled MAD, floored at the Poisson spread sqrt(median) so small counts do
not look like spikes. A day fires when all hold:
  negatives >= min_negative,
  negatives >= min_ratio * max(median, 1),
  z = (negatives - median) / max(1.4826 * MAD, sqrt(max(median, 1))) >= threshold.
A fired day starts a cooldown of `cooldown_days` for that series.
"""

from __future__ import annotations

import math
import statistics
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date


@dataclass(frozen=True, slots=True)
class SpikeParams:
    baseline_days: int = 14
    min_history: int = 7
    min_negative: int = 8
    min_ratio: float = 2.0
    threshold: float = 4.0
    cooldown_days: int = 1


@dataclass(frozen=True, slots=True)
class Spike:
    day: date
    value: int
    baseline: float
    score: float
    severity: int


def severity(z: float, ratio: float, threshold: float) -> int:
    """1..10: grows with how far past the threshold and how many times the baseline."""
    raw = 1 + (z - threshold) / 2 + math.log2(max(ratio, 1.0))
    return max(1, min(10, int(raw)))


def detect_spikes(
    days: Sequence[date], negatives: Sequence[int], params: SpikeParams
) -> list[Spike]:
    """Judge every day only on the days before it (online)."""
    spikes: list[Spike] = []
    cooldown_until = -1
    for i, (day, value) in enumerate(zip(days, negatives, strict=True)):
        history = list(negatives[max(0, i - params.baseline_days):i])
        if len(history) < params.min_history or i <= cooldown_until:
            continue
        median = statistics.median(history)
        mad = statistics.median(abs(x - median) for x in history)
        spread = max(1.4826 * mad, math.sqrt(max(median, 1.0)))
        z = (value - median) / spread
        ratio = value / max(median, 1.0)
        if value >= params.min_negative and ratio >= params.min_ratio and z >= params.threshold:
            spikes.append(Spike(day, value, float(median), z, severity(z, ratio, params.threshold)))
            cooldown_until = i + params.cooldown_days
    return spikes
