"""The bundled `stimmung-sentiment` backend and the backend registry."""

from __future__ import annotations

import math
from pathlib import Path

import pytest

from pipeline.nlp.sentiment import DEFAULT_BACKEND, SentimentBackend, load_backend, models_dir
from pipeline.records import LABELS

BUNDLED = models_dir() / "stimmung_sentiment" / "weights.npz"
needs_model = pytest.mark.skipif(not BUNDLED.is_file(), reason="bundled model not trained")


@needs_model
def test_bundled_backend_loads_and_is_cached() -> None:
    backend = load_backend()
    assert isinstance(backend, SentimentBackend)
    assert backend.name == DEFAULT_BACKEND
    assert backend.version.startswith("1.") and "+" in backend.version
    assert load_backend(DEFAULT_BACKEND) is backend


@needs_model
def test_predictions_are_distributions() -> None:
    texts = ["Der Zug ist pünktlich angekommen.", "The parcel arrived today.", "", "😀😀"]
    results = load_backend().predict(texts, ["de", "en", None, None])
    assert len(results) == len(texts)
    for r in results:
        assert r.label in LABELS
        assert set(r.scores) == set(LABELS)
        assert math.isclose(sum(r.scores.values()), 1.0, abs_tol=1e-6)
        assert r.label == max(r.scores, key=lambda k: r.scores[k])


@needs_model
@pytest.mark.parametrize("langs", [["de", "en", "de", "en"], None])
def test_obvious_cases(langs: list[str | None] | None) -> None:
    texts = [
        "Das ist großartig, ich liebe es",
        "worst service ever, totally broken",
        "Katastrophe, die Bahn ist schon wieder zu spät, ich hasse das",
        "I love this, thank you so much!",
    ]
    labels = [r.label for r in load_backend().predict(texts, langs)]
    assert labels == ["positive", "negative", "negative", "positive"]


@needs_model
def test_langs_length_mismatch_is_an_error() -> None:
    with pytest.raises(ValueError):
        load_backend().predict(["a", "b"], ["de"])


def test_missing_model_says_what_to_run(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("STIMMUNG_MODELS_DIR", str(tmp_path))
    assert models_dir() == tmp_path
    with pytest.raises(FileNotFoundError, match=r"models/stimmung_sentiment/train\.py"):
        load_backend(DEFAULT_BACKEND)


def test_unknown_backend_name() -> None:
    with pytest.raises(ValueError, match="unknown sentiment backend"):
        load_backend("no-such-model")


@needs_model
def test_language_codes_are_normalised() -> None:
    backend = load_backend()
    text = ["Die Lieferung kam pünktlich, alles bestens."]
    plain = backend.predict(text, ["de"])[0].scores
    for variant in ("de-DE", "DE", "de_AT"):
        assert backend.predict(text, [variant])[0].scores == pytest.approx(plain)
