"""Language identification."""

from __future__ import annotations

from pathlib import Path

import pytest

from pipeline.text.language import clean_for_langid, detect_language, detect_languages

SHARED = Path(__file__).resolve().parents[2].parent / "shared"


@pytest.mark.parametrize(
    ("text", "lang"),
    [
        ("Das ist großartig, ich liebe es", "de"),
        ("@DB_Bahn warum ist der Zug schon wieder zu spät? http://t.co/xyz", "de"),
        ("worst service ever, totally broken", "en"),
        ("Le service client ne répond jamais à mes questions.", "fr"),
        ("Il treno è sempre in ritardo, che vergogna", "it"),
    ],
)
def test_detects_common_languages(text: str, lang: str) -> None:
    assert detect_language(text) == lang


@pytest.mark.parametrize("text", ["", "   ", "@user http://t.co/x", "ok", "😀😀😀"])
def test_too_short_is_none(text: str) -> None:
    assert detect_language(text) is None


def test_batch_matches_single() -> None:
    texts = ["Guten Morgen zusammen, wie geht es euch?", "", "Good morning everyone"]
    assert detect_languages(texts) == [detect_language(t) for t in texts]


def test_cleaning_removes_twitter_noise() -> None:
    cleaned = clean_for_langid("RT @someone: #Bahn chaos heute https://t.co/abc")
    assert "@" not in cleaned and "http" not in cleaned and "#" not in cleaned
    assert "Bahn chaos heute" in cleaned


@pytest.mark.shared
def test_accuracy_on_umsab_validation() -> None:
    if not SHARED.is_dir():
        pytest.skip("../shared is absent")
    from pipeline.evaluation.sentiment import evaluate_language

    files = [p for p in sorted((SHARED / "eval").glob("umsab_*_val.tsv")) if "_hi_" not in p.name]
    if not files:
        pytest.skip("no umsab validation files")
    result = evaluate_language(files)
    assert result["accuracy"] >= 0.97
