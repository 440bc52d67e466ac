from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

import numpy as np

from pipeline.reputation.detector import (
    DetectorParams,
    apply_cooldown,
    cap_per_day,
    detect,
    severity,
)

START = date(2026, 1, 5)  # a Monday


def _days(n: int) -> list[date]:
    return [START + timedelta(days=i) for i in range(n)]


def _series(n: int, negative_rate: float, other_rate: float, seed: int = 7,
            weekly: list[float] | None = None) -> tuple[list[int], list[int]]:
    """Poisson negatives and non-negatives; `weekly` multiplies both by weekday."""
    rng = np.random.default_rng(seed)
    factors = np.array([(weekly or [1.0] * 7)[d.weekday()] for d in _days(n)])
    neg = rng.poisson(negative_rate * factors)
    other = rng.poisson(other_rate * factors)
    return [int(v) for v in neg + other], [int(v) for v in neg]


def test_a_clear_spike_fires_on_the_right_point_with_a_severity() -> None:
    total, neg = _series(60, 20, 80)
    neg[45] += 60
    total[45] += 70
    found = detect(_days(60), total, neg, DetectorParams())
    assert [d.index for d in found] == [45]
    assert found[0].time == _days(60)[45]
    assert 15 < found[0].expected < 30 and found[0].value == neg[45]
    assert 3 <= found[0].severity <= 10


def test_busy_mondays_do_not_fire() -> None:
    weekly = [3.0, 1.0, 1.0, 1.0, 1.0, 0.6, 0.6]  # Mondays three times busier
    total, neg = _series(84, 20, 80, weekly=weekly)
    assert detect(_days(84), total, neg, DetectorParams()) == []
    # the share guard alone would hide it; the count model alone must learn the week too
    assert detect(_days(84), None, neg, DetectorParams()) == []


def test_a_spike_on_a_monday_is_still_found() -> None:
    weekly = [3.0, 1.0, 1.0, 1.0, 1.0, 0.6, 0.6]
    total, neg = _series(84, 20, 80, weekly=weekly)
    monday = 70  # day 70 is a Monday
    assert _days(84)[monday].weekday() == 0
    neg[monday] += 90
    total[monday] += 100
    assert [d.index for d in detect(_days(84), None, neg, DetectorParams())] == [monday]


def test_a_persistent_level_shift_fires_at_most_once_then_is_absorbed() -> None:
    total, neg = _series(90, 20, 80)
    shifted_neg = neg[:40] + [v * 3 for v in neg[40:]]
    shifted_total = total[:40] + [t - n + 3 * n for t, n in zip(total[40:], neg[40:],
                                                                strict=True)]
    found = detect(_days(90), shifted_total, shifted_neg, DetectorParams())
    assert len(found) <= 1
    assert all(d.index == 40 for d in found)
    # once absorbed, a new spike on top of the new level is found again
    shifted_neg[70] += 200
    shifted_total[70] += 220
    again = detect(_days(90), shifted_total, shifted_neg, DetectorParams())
    assert [d.index for d in again if d.index > 40] == [70]


def test_a_campaign_with_a_stable_negative_share_does_not_fire() -> None:
    total, neg = _series(60, 20, 80)
    for i in range(40, 43):  # everything x3 for three days: more people, same mood
        neg[i] *= 3
        total[i] *= 3
    assert detect(_days(60), total, neg, DetectorParams()) == []
    # without totals (no share guard) the same counts do fire: the guard is what stops it
    assert [d.index for d in detect(_days(60), None, neg, DetectorParams())] == [40]


def test_tiny_counts_do_not_fire_on_a_four() -> None:
    rng = np.random.default_rng(3)
    neg = [int(v) for v in rng.integers(0, 4, 60)]  # 0..3 per day
    neg[50] = 4
    total = [n + 5 for n in neg]
    assert detect(_days(60), total, neg, DetectorParams()) == []
    neg[50] = 15  # but a jump to 15 is news
    total[50] = 20
    assert [d.index for d in detect(_days(60), total, neg, DetectorParams())] == [50]


def test_online_truncating_the_future_never_changes_past_verdicts() -> None:
    total, neg = _series(120, 15, 60, seed=11, weekly=[1.5, 1, 1, 1, 1, 0.7, 0.7])
    for at, extra in ((30, 40), (61, 25), (62, 30), (95, 50)):
        neg[at] += extra
        total[at] += extra
    full = detect(_days(120), total, neg, DetectorParams())
    assert len(full) >= 2
    for cut in (31, 62, 80, 96, 119):
        part = detect(_days(cut), total[:cut], neg[:cut], DetectorParams())
        assert part == [d for d in full if d.index < cut]


def test_hourly_hour_of_week_seasonality_and_a_spike() -> None:
    rng = np.random.default_rng(5)
    hours = [datetime(2026, 1, 5) + timedelta(hours=h) for h in range(24 * 7 * 5)]
    # busy evenings, quiet nights, a busy Monday morning
    rate = np.array([(4.0 if 18 <= t.hour <= 22 else 0.3 if t.hour < 7 else 1.5)
                     * (3.0 if t.weekday() == 0 and 8 <= t.hour <= 11 else 1.0)
                     for t in hours])
    neg = rng.poisson(rate).astype(int)
    other = rng.poisson(rate * 4).astype(int)
    total = neg + other
    params = DetectorParams.for_freq("H")
    quiet = detect(hours, [int(v) for v in total], [int(v) for v in neg], params)
    assert quiet == []
    spike = 24 * 7 * 4 + 3  # Monday 03:00 in week 5, a quiet hour
    neg[spike] += 12
    total[spike] += 14
    found = detect(hours, [int(v) for v in total], [int(v) for v in neg], params)
    assert [d.index for d in found] == [spike]


def test_persistence_k_of_m_delays_until_confirmed() -> None:
    total, neg = _series(60, 20, 80)
    for i in (45, 46):
        neg[i] += 60
        total[i] += 70
    first = detect(_days(60), total, neg, DetectorParams())
    assert [d.index for d in first] == [45]
    confirmed = detect(_days(60), total, neg,
                       DetectorParams(persistence_k=2, persistence_m=2))
    assert [d.index for d in confirmed] == [46]


def test_cooldown_in_the_detector() -> None:
    total, neg = _series(60, 20, 80)
    for i in (45, 47):  # two separate spikes, two days apart
        neg[i] += 80
        total[i] += 90
    assert [d.index for d in detect(_days(60), total, neg, DetectorParams(cooldown=0))] \
        == [45, 47]
    assert [d.index for d in detect(_days(60), total, neg, DetectorParams(cooldown=3))] \
        == [45]


def test_severity_grows_with_ratio_and_evidence() -> None:
    assert severity(15, 10, 4.0, 4.0) == 1
    assert severity(20, 10, 4.0, 4.0) == 2
    assert severity(40, 10, 8.0, 4.0) == 5
    assert severity(10_000, 10, 38.0, 4.0) == 10
    assert severity(5, 10, 1.0, 4.0) == 1


@dataclass
class _Alert:
    brand: str
    time: datetime
    severity: int


def test_cap_per_day_keeps_the_earliest_per_brand_and_day() -> None:
    t0 = datetime(2026, 3, 2, 8)
    alerts = [_Alert("acme", t0 + timedelta(hours=h), s)
              for h, s in ((0, 3), (1, 9), (2, 4), (20, 5))] + [_Alert("other", t0, 2)]
    kept = cap_per_day(alerts, 2, time=lambda a: a.time, key=lambda a: a.brand)
    assert [(a.brand, a.time.hour) for a in kept] == [
        ("acme", 8), ("other", 8), ("acme", 9), ("acme", 4)]  # 04:00 is the next day
    assert cap_per_day(alerts, 0, time=lambda a: a.time) == []


def test_apply_cooldown_per_brand() -> None:
    t0 = datetime(2026, 3, 2, 8)
    alerts = [_Alert("acme", t0, 3), _Alert("acme", t0 + timedelta(hours=2), 5),
              _Alert("acme", t0 + timedelta(hours=7), 4), _Alert("other", t0, 1)]
    kept = apply_cooldown(alerts, timedelta(hours=6), time=lambda a: a.time,
                          key=lambda a: a.brand)
    assert [(a.brand, a.time.hour) for a in kept] == [("acme", 8), ("other", 8), ("acme", 15)]


def test_spike_records_adapter_for_the_alert_rules() -> None:
    from pipeline.reputation.spikes import Spike, detect_negative_spikes

    total, neg = _series(60, 20, 80)
    neg[50] += 60
    total[50] += 65
    spikes = detect_negative_spikes(_days(60), total, neg)
    assert len(spikes) == 1 and isinstance(spikes[0], Spike)
    assert spikes[0].day == _days(60)[50] and spikes[0].value == neg[50]
    assert 15 < spikes[0].baseline < 30 and 1 <= spikes[0].severity <= 10


def test_baseline_arrays_follow_the_points_through_clipping_and_absorbing() -> None:
    from pipeline.reputation.detector import OnlineDetector

    total, neg = _series(120, 10, 40, seed=3)
    for i in range(60, 120):  # a level shift (absorbed) and single spikes (clipped)
        neg[i] += 25
        total[i] += 25
    neg[30] += 50
    total[30] += 50
    det = OnlineDetector(DetectorParams())
    for day, t, x in zip(_days(120), total, neg, strict=True):
        det.step(day, t, x)
    n = len(det.points)
    assert any(q.clean != q.x for q in det.points)  # something was clipped
    assert det._change_point > 0  # and the shift absorbed
    assert det._clean[:n].tolist() == [q.clean for q in det.points]
    assert det._clean_n[:n].tolist() == [q.clean_n for q in det.points]
    assert det._slots[:n].tolist() == [q.slot for q in det.points]
    # a detector resumed from these points keeps the same arrays
    again = OnlineDetector(DetectorParams(), points=list(det.points))
    assert again._clean.tolist() == det._clean[:n].tolist()
