"""The reputation score: sentiment weighted by reach, shrunk towards 0 for small counts.

    reputation = 100 * sum(w_i * s_i) / (sum(w_i) + K)

over the scored mentions i of a period, with s_i = +1 / 0 / -1 for a positive / neutral /
negative (effective) label, w_i = `pipeline.reputation.reach.weight` (1 + ln(1 +
interactions)) and K = `reputation.prior_weight` (default 5): K neutral pseudo-mentions,
so three angry posts on a quiet day give -37.5, not -100, while a busy day is barely
shrunk. The score lies in -100..100. Unlike net sentiment, neutral mentions dilute it.
Sums (not scores) are stored, so any longer window is the same formula over summed sums.
"""

from __future__ import annotations

SIGN = {"negative": -1.0, "neutral": 0.0, "positive": 1.0}


def reputation(rep_sum: float, rep_weight: float, prior_weight: float) -> float | None:
    """None when there is nothing to judge (no scored mention and no prior)."""
    denominator = rep_weight + prior_weight
    if rep_weight <= 0 or denominator <= 0:
        return None
    return max(-100.0, min(100.0, 100.0 * rep_sum / denominator))
