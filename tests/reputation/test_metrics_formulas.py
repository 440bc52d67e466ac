from __future__ import annotations

import pytest

from pipeline.reputation.metrics import DayCounts, net_sentiment, share_of_voice


def test_net_sentiment() -> None:
    assert net_sentiment(3, 1) == pytest.approx(0.5)
    assert net_sentiment(0, 4) == -1.0
    assert net_sentiment(0, 0) is None


def test_share_of_voice() -> None:
    assert share_of_voice(30, [10, 60]) == pytest.approx(0.3)
    assert share_of_voice(0, [0]) is None
    assert share_of_voice(5, []) == 1.0


def test_unscored_is_the_rest_of_the_volume() -> None:
    assert DayCounts(volume=10, negative=2, neutral=3, positive=4).unscored == 1
