"""Daily negative spikes as `Spike` records, for the alert rules over daily metrics.

`detect_negative_spikes` runs the seasonal count + share detector of
`pipeline.reputation.detector` (the one `stimmung eval alerts` and `bench/alerts.py`
measure).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime

from pipeline.reputation.detector import DetectorParams, detect


@dataclass(frozen=True, slots=True)
class Spike:
    day: date
    value: int
    baseline: float
    score: float
    severity: int
    hour: datetime | None = None  # the hour of a spike in an hourly series


def detect_hourly_spikes(
    hours: Sequence[datetime], totals: Sequence[int] | None, negatives: Sequence[int],
    params: DetectorParams,
) -> list[Spike]:
    """The same detector over hourly series (hour-of-week seasonality)."""
    found = detect(hours, totals, negatives, params)
    return [Spike(day=_day(d.time), value=d.value, baseline=round(d.expected, 2),
                  score=round(d.score, 3), severity=d.severity,
                  hour=d.time if isinstance(d.time, datetime) else None) for d in found]


def detect_negative_spikes(
    days: Sequence[date], totals: Sequence[int] | None, negatives: Sequence[int],
    params: DetectorParams | None = None,
) -> list[Spike]:
    """The seasonal count + share detector over daily series, as `Spike` records.

    `totals` (all mentions of the day) enable the share test; `None` tests counts only.
    `baseline` is the expected negative count of the day, `score` the combined z.
    Give it at least 56 days of history before the first day you want verdicts for, so
    the seasonal profile and the noise estimate are the same as in a continuous run.
    """
    found = detect(days, totals, negatives, params or DetectorParams.for_freq("D"))
    return [Spike(day=_day(d.time), value=d.value, baseline=round(d.expected, 2),
                  score=round(d.score, 3), severity=d.severity) for d in found]


def _day(value: object) -> date:
    if isinstance(value, date):
        return value if type(value) is date else date(value.year, value.month, value.day)
    raise TypeError(f"not a date: {value!r}")
