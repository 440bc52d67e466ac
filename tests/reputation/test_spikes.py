from __future__ import annotations

from datetime import date, timedelta

from pipeline.reputation.spikes import SpikeParams, detect_spikes, severity


def _days(n: int) -> list[date]:
    return [date(2026, 1, 1) + timedelta(days=i) for i in range(n)]


def test_fires_on_a_clear_spike_only() -> None:
    series = [5, 6, 4, 5, 7, 5, 6, 4, 5, 6, 5, 5, 6, 4, 40, 9, 5, 6]
    spikes = detect_spikes(_days(len(series)), series, SpikeParams())
    assert [s.day for s in spikes] == [_days(len(series))[14]]
    assert spikes[0].value == 40 and spikes[0].baseline == 5
    assert 1 <= spikes[0].severity <= 10


def test_small_counts_do_not_fire() -> None:
    series = [0, 1, 0, 0, 2, 1, 0, 0, 1, 0, 5, 0]  # 5 is 5x the baseline but tiny
    assert detect_spikes(_days(len(series)), series, SpikeParams()) == []


def test_noisy_high_volume_does_not_fire_on_normal_variation() -> None:
    series = [100, 120, 90, 110, 130, 95, 105, 125, 98, 115, 140, 100, 110, 150]
    assert detect_spikes(_days(len(series)), series, SpikeParams()) == []


def test_needs_history_and_is_online() -> None:
    series = [5, 5, 5, 60]  # too little history to judge
    assert detect_spikes(_days(4), series, SpikeParams()) == []
    longer = [5] * 10 + [60] + [5] * 3
    first = detect_spikes(_days(len(longer)), longer, SpikeParams())
    truncated = detect_spikes(_days(11), longer[:11], SpikeParams())
    assert first == truncated  # the future never changes a past verdict


def test_cooldown_suppresses_the_tail() -> None:
    series = [5] * 10 + [60, 55] + [5] * 3
    spikes = detect_spikes(_days(len(series)), series, SpikeParams(cooldown_days=1))
    assert len(spikes) == 1
    spikes = detect_spikes(_days(len(series)), series, SpikeParams(cooldown_days=0))
    assert len(spikes) == 2


def test_severity_grows_with_size() -> None:
    assert severity(4.0, 2.0, 4.0) < severity(20.0, 10.0, 4.0) <= 10
    assert severity(0.0, 0.5, 4.0) == 1
