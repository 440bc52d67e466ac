"""A period of days ending on a last day: its first day from a window (``14d``, ``2w``,
``14``) or a date; the one meaning of `--since` for the CLI and of `since` for the API."""

from __future__ import annotations

import re
from datetime import date, timedelta

_WINDOW = re.compile(r"\s*(\d+)\s*([dw]?)\s*")


def since_start(value: str, end: date) -> date:
    """The first day of a period ending on `end`: ``14d`` / ``2w`` / ``14`` count back
    (``1d`` is `end` itself), a ``YYYY-MM-DD`` date is taken as is; ValueError otherwise."""
    m = _WINDOW.fullmatch(value or "")
    if m:
        n = int(m.group(1)) * (7 if m.group(2) == "w" else 1)
        if n < 1:
            raise ValueError(f"the window must be at least 1 day, got {value!r}")
        return end - timedelta(days=n - 1)
    try:
        start = date.fromisoformat((value or "").strip())
    except ValueError:
        raise ValueError(
            f"expected a window (14d, 2w) or a date (YYYY-MM-DD), got {value!r}") from None
    if start > end:
        raise ValueError(f"since {start} is after the last day {end}")
    return start
