"""Honest small numbers: every rate the report shows is shrunk towards 0 with the prior of
the reputation score (`reputation.prior_weight`, K neutral pseudo-mentions), and marked
when it rests on fewer than `FEW` observations.

    net_sentiment_shrunk = (positive - negative) / (positive + negative + K)

One negative post on a quiet day gives -1/6 = -17 points with K = 5, not -100; a busy day
(200 non-neutral mentions) is barely moved (-2.4% of its value). The raw rate stays in
the warehouse and the exports (`net_sentiment`) beside the shrunk one.
"""

from __future__ import annotations

__all__ = ["FEW", "few", "shrunk_net", "shrunk_share"]

FEW = 5  # fewer observations than this are drawn lighter and hatched ("n < 5")


def shrunk_net(positive: int, negative: int, prior: float) -> float | None:
    """Net sentiment (-1..1) shrunk towards 0; None when no mention is positive or negative."""
    judged = positive + negative
    if judged <= 0:
        return None
    return (positive - negative) / (judged + max(prior, 0.0))


def shrunk_share(part: int, total: int, prior: float, base: float) -> float | None:
    """A share part / total pulled towards `base` (e.g. the period's share) by K pseudo-
    observations; None when total is 0."""
    if total <= 0:
        return None
    k = max(prior, 0.0)
    return (part + k * base) / (total + k)


def few(n: int) -> bool:
    """True when `n` observations are too few to read a rate from."""
    return n < FEW
