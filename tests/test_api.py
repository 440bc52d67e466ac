"""`from pipeline import api`: DataFrames for notebooks, the same rows as the exports."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pandas as pd
import pytest

from pipeline import api
from pipeline.config import load_config
from pipeline.demo.run import DemoResult, run_demo
from pipeline.export import SCHEMAS

# the module's fixture runs the whole demo (about 2 min on a quiet machine); the limit
# only guards against a hang
pytestmark = pytest.mark.timeout(900)


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Iterator[DemoResult]:
    mp = pytest.MonkeyPatch()
    mp.setenv("STIMMUNG_PSEUDONYM_KEY", "k" * 32)
    yield run_demo(tmp_path_factory.mktemp("demo"))
    mp.undo()


def test_reputation_mentions_problems(demo: DemoResult,
                                      monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("STIMMUNG_PSEUDONYM_KEY", "k" * 32)
    config = demo.config_path
    end = demo.manifest.end
    daily = api.reputation(config, since="14d")
    assert isinstance(daily, pd.DataFrame) and list(daily.columns) == SCHEMAS["daily"].names
    assert set(daily["brand"]) == {"Kaffeekraft"}  # the first configured brand
    assert daily["day"].min() >= end - timedelta(days=13) and daily["day"].max() == end
    assert daily["reputation"].between(-100, 100).all()

    posts = api.mentions(config, brand="Kaffeekraft", since="28d")
    assert len(posts) == int(api.reputation(config, since="28d")["volume"].sum())
    assert posts["label"].isin(["negative", "neutral", "positive"]).all()
    spike = posts[posts["day"] == demo.manifest.spike_day]
    assert (spike["label"] == "negative").sum() >= 10  # the injected negative spike

    problems = api.problems(load_config(config), to=end)  # a loaded Config works too
    by_problem = problems.groupby("label")["posts"].sum()
    assert not by_problem.empty and any("entkalkung" in str(label).lower()
                                        or "descal" in str(label).lower()
                                        for label in by_problem.index)
    assert api.queue(config)["priority"].is_monotonic_decreasing


def test_a_window_and_a_date_agree(demo: DemoResult, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("STIMMUNG_PSEUDONYM_KEY", "k" * 32)
    end = demo.manifest.end
    a = api.reputation(demo.config_path, since="7d", to=end)
    b = api.reputation(demo.config_path, since=(end - timedelta(days=6)).isoformat(),
                       to=end.isoformat())
    pd.testing.assert_frame_equal(a, b)
    with pytest.raises(ValueError, match="expected a window"):
        api.reputation(demo.config_path, since="last week")


def test_missing_config_is_a_clear_error(tmp_path: Path) -> None:
    from pipeline.config import ConfigError

    with pytest.raises(ConfigError, match="config file not found"):
        api.mentions(tmp_path / "nope.yaml")
