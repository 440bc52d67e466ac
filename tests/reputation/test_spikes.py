"""The daily entry point the alert rules use (the detector itself: test_detector.py)."""

from __future__ import annotations

from datetime import date, timedelta

from pipeline.reputation.spikes import detect_negative_spikes


def _days(n: int) -> list[date]:
    return [date(2026, 1, 1) + timedelta(days=i) for i in range(n)]


def _series(negatives: list[int], other: int = 20) -> tuple[list[date], list[int], list[int]]:
    return _days(len(negatives)), [n + other for n in negatives], negatives


def test_fires_on_a_clear_spike_only() -> None:
    negatives = [5, 6, 4, 5, 7, 5, 6, 4, 5, 6, 5, 5, 6, 4, 40, 9, 5, 6]
    days, totals, negs = _series(negatives)
    spikes = detect_negative_spikes(days, totals, negs)
    assert [s.day for s in spikes] == [days[14]]
    assert spikes[0].value == 40 and 3 < spikes[0].baseline < 8
    assert 1 <= spikes[0].severity <= 10


def test_small_counts_do_not_fire() -> None:
    days, totals, negs = _series([0, 1, 0, 0, 2, 1, 0, 0, 1, 0, 4, 0], other=3)
    assert detect_negative_spikes(days, totals, negs) == []


def test_whole_volume_surge_with_a_stable_share_does_not_fire() -> None:
    negatives = [5] * 14 + [25]
    totals = [25] * 14 + [125]  # five times the volume, the same 20% negative
    assert detect_negative_spikes(_days(15), totals, negatives) == []


def test_online_the_future_never_changes_a_past_verdict() -> None:
    negatives = [5] * 10 + [60] + [5, 6, 5]
    days, totals, negs = _series(negatives)
    full = detect_negative_spikes(days, totals, negs)
    truncated = detect_negative_spikes(days[:11], totals[:11], negs[:11])
    assert full == truncated and len(full) == 1
