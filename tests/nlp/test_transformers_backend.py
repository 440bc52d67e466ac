"""The transformers backend on tiny locally built BERT models (no model hub)."""

from __future__ import annotations

import builtins
import itertools
import math
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from pipeline.nlp.sentiment.transformers_backend import (
    MISSING_EXTRA,
    label_mapping,
    split_windows,
)
from pipeline.records import LABELS

LONG_POST = " ".join(["der zug hat wieder verspätung und das ist schrecklich"] * 30)


def _valid(scores: dict[str, float]) -> bool:
    return set(scores) == set(LABELS) and math.isclose(sum(scores.values()), 1.0, abs_tol=1e-6)


@pytest.mark.parametrize(
    ("id2label", "expected"),
    [
        ({0: "negative", 1: "neutral", 2: "positive"}, ["negative", "neutral", "positive"]),
        ({0: "POS", 1: "NEG", 2: "NEU"}, ["positive", "negative", "neutral"]),
        ({"0": "LABEL_0", "1": "LABEL_1", "2": "LABEL_2"}, ["negative", "neutral", "positive"]),
        ({0: "Negativ", 1: "Neutral", 2: "Positiv"}, ["negative", "neutral", "positive"]),
    ],
)
def test_label_mapping_three_classes(id2label: dict[Any, str], expected: list[str]) -> None:
    m = label_mapping(id2label)
    assert m.shape == (3, 3)
    assert [LABELS[int(np.argmax(row))] for row in m] == expected


def test_label_mapping_five_stars_sums_probabilities() -> None:
    m = label_mapping({i: f"{i + 1} star" + ("s" if i else "") for i in range(5)})
    probs = np.array([[0.1, 0.2, 0.3, 0.15, 0.25]])
    out = probs @ m
    assert out[0] == pytest.approx([0.3, 0.3, 0.4])
    generic = label_mapping({i: f"LABEL_{i}" for i in range(5)})
    assert np.array_equal(generic, m)


def test_label_mapping_rejects_unknown_labels() -> None:
    with pytest.raises(ValueError, match="cannot map"):
        label_mapping({0: "joy", 1: "anger", 2: "fear"})


def test_split_windows_cover_and_overlap() -> None:
    spans = split_windows(100, 30, 10)
    assert spans[0] == (0, 30) and spans[-1][1] == 100
    assert all(e - s <= 30 for s, e in spans)
    assert all(b[0] < a[1] for a, b in itertools.pairwise(spans))  # overlapping
    assert split_windows(5, 30, 10) == [(0, 5)]


def test_three_class_model_predicts_distributions(tiny_model_3: Path) -> None:
    from pipeline.nlp.sentiment.transformers_backend import TransformersSentiment

    backend = TransformersSentiment(str(tiny_model_3), device="cpu")
    results = backend.predict(["great service", "", "worst service ever"])
    assert len(results) == 3
    for r in results:
        assert _valid(r.scores)
        assert r.label == max(r.scores, key=lambda k: r.scores[k])
    assert backend.name == f"transformers:{tiny_model_3}"
    assert backend.version


def test_long_post_is_chunked(tiny_model_3: Path) -> None:
    from pipeline.nlp.sentiment.transformers_backend import TransformersSentiment

    backend = TransformersSentiment(str(tiny_model_3), device="cpu", stride=8)
    (result,) = backend.predict([LONG_POST])
    assert backend.last_windows[0] >= 3
    assert _valid(result.scores)
    short = backend.predict(["kurz"])
    assert backend.last_windows == [1]
    assert _valid(short[0].scores)


def test_batching_gives_same_scores(tiny_model_3: Path) -> None:
    from pipeline.nlp.sentiment.transformers_backend import TransformersSentiment

    texts = ["great", "worst service ever", LONG_POST, "it is okay", "", "tolles produkt"]
    small = TransformersSentiment(str(tiny_model_3), batch_size=2).predict_proba(texts)
    large = TransformersSentiment(str(tiny_model_3), batch_size=64).predict_proba(texts)
    assert small.shape == (len(texts), 3)
    np.testing.assert_allclose(small, large, atol=1e-5)


def test_five_star_model_maps_to_three_labels(tiny_model_5: Path) -> None:
    import torch
    import transformers

    from pipeline.nlp.sentiment.transformers_backend import TransformersSentiment

    backend = TransformersSentiment(str(tiny_model_5), device="cpu")
    probs = backend.predict_proba(["great service"])
    tok = transformers.AutoTokenizer.from_pretrained(str(tiny_model_5))
    model = transformers.AutoModelForSequenceClassification.from_pretrained(str(tiny_model_5))
    with torch.inference_mode():
        p5 = torch.softmax(model(**tok(["great service"], return_tensors="pt")).logits, -1)[0]
    expected = [float(p5[0] + p5[1]), float(p5[2]), float(p5[3] + p5[4])]
    np.testing.assert_allclose(probs[0], expected, atol=1e-5)


def test_onnx_runtime_matches_torch(tiny_model_3: Path, tmp_path: Path) -> None:
    pytest.importorskip("onnxruntime")
    pytest.importorskip("onnx")
    import shutil

    from pipeline.nlp.sentiment.transformers_backend import TransformersSentiment

    folder = tmp_path / "m"
    shutil.copytree(tiny_model_3, folder)
    texts = ["great service", LONG_POST, ""]
    ref = TransformersSentiment(str(folder)).predict_proba(texts)
    onnx_backend = TransformersSentiment(str(folder), onnx=True)
    assert (folder / "model.onnx").is_file()
    np.testing.assert_allclose(onnx_backend.predict_proba(texts), ref, atol=1e-4)


def test_registry_loads_transformers_backend(tiny_model_3: Path) -> None:
    from pipeline.nlp.sentiment import load_backend

    backend = load_backend(f"transformers:{tiny_model_3}", device="cpu")
    assert backend is load_backend(f"transformers:{tiny_model_3}", device="cpu")
    assert _valid(backend.predict(["ok"])[0].scores)


def test_missing_extra_gives_install_hint(monkeypatch: pytest.MonkeyPatch) -> None:
    from pipeline.nlp.sentiment.transformers_backend import TransformersSentiment

    real_import = builtins.__import__

    def fake_import(name: str, *args: Any, **kwargs: Any) -> Any:
        if name in {"torch", "transformers"}:
            raise ImportError(f"No module named {name!r}")
        return real_import(name, *args, **kwargs)

    monkeypatch.setattr(builtins, "__import__", fake_import)
    with pytest.raises(ImportError) as err:
        TransformersSentiment("some/model")
    assert str(err.value) == MISSING_EXTRA
    assert "pip install 'stimmung[transformers]'" in str(err.value)


def test_device_validation(tiny_model_3: Path) -> None:
    import torch

    from pipeline.nlp.sentiment.transformers_backend import TransformersSentiment

    with pytest.raises(ValueError, match="device"):
        TransformersSentiment(str(tiny_model_3), device="tpu")
    auto = TransformersSentiment(str(tiny_model_3), device="auto")
    assert auto.device == ("cuda" if torch.cuda.is_available() else "cpu")
