"""How far a post travelled, from its engagement metrics (score, likes, comments, views...).

Sources report different metrics, so stimmung uses three plain figures:

* ``interactions`` = the sum of all non-negative engagement metrics except views/reads
  (those count audience, not interaction);
* ``reach`` = max(views or reads, 1 + interactions): at least the author and everyone who
  interacted saw the post;
* ``weight`` = 1 + ln(1 + interactions): a post's weight in the reputation score, so a
  viral post counts more than a quiet one without one post outweighing hundreds.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

AUDIENCE_METRICS = frozenset({"views", "reads", "impressions"})


def _number(value: Any) -> float:
    try:
        number = float(value)
    except (TypeError, ValueError):
        return 0.0
    return number if math.isfinite(number) and number > 0 else 0.0


def interactions(engagement: Mapping[str, Any] | None) -> float:
    if not engagement:
        return 0.0
    return sum(_number(v) for k, v in engagement.items() if k not in AUDIENCE_METRICS)


def reach(engagement: Mapping[str, Any] | None) -> float:
    audience = max((_number(v) for k, v in (engagement or {}).items()
                    if k in AUDIENCE_METRICS), default=0.0)
    return max(audience, 1.0 + interactions(engagement))


def weight(engagement: Mapping[str, Any] | None) -> float:
    return 1.0 + math.log1p(interactions(engagement))
