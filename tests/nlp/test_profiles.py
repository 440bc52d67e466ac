"""Analysis profiles: config, override, and an explicit sentiment model winning."""

from __future__ import annotations

from pathlib import Path

import pytest

from pipeline.config import ConfigError, parse_config
from pipeline.nlp.profiles import PROFILES, Profile, resolve_profile


def _config(**extra: object):  # type: ignore[no-untyped-def]
    return parse_config({"brands": [{"name": "Acme"}], **extra}, base_dir=Path("."))


def test_default_is_accurate_and_the_override_wins() -> None:
    config = _config()
    assert resolve_profile(config) == PROFILES["accurate"]
    assert resolve_profile(config, "fast") == PROFILES["fast"]
    assert resolve_profile(_config(analysis={"profile": "fast"})).name == "fast"
    assert config.with_profile("fast").analysis.profile == "fast"
    assert config.analysis.profile == "accurate"  # with_profile copies


def test_sentiment_model_follows_the_profile_unless_set(monkeypatch: pytest.MonkeyPatch
                                                        ) -> None:
    monkeypatch.setitem(PROFILES, "fast", Profile("fast", "fast-model", "hashed"))
    config = _config()
    assert config.sentiment.model is None
    assert config.sentiment_model() == PROFILES["accurate"].sentiment_model
    assert config.sentiment_model("fast") == "fast-model"
    assert config.with_profile("fast").sentiment_model() == "fast-model"
    pinned = _config(sentiment={"model": "transformers:some/model"})
    assert pinned.sentiment_model("fast") == "transformers:some/model"


def test_unknown_profile_is_a_clear_error() -> None:
    with pytest.raises(ConfigError, match="unknown analysis profile 'quick'"):
        _config(analysis={"profile": "quick"})
    with pytest.raises(ConfigError, match=r"known: accurate, fast"):
        _config().with_profile("quick")
