"""The training rows of `stimmung-multilingual`, shared by `train.py` (fine-tuning, needs
torch) and `head.py` (the linear head, no torch): the n-gram model's rows
(`models/stimmung_sentiment/train.py`), English capped, optionally GermEval 2017."""

from __future__ import annotations

import importlib.util
from pathlib import Path
from typing import Any

import numpy as np

REPO = Path(__file__).resolve().parents[2]
SEED = 17

Row = tuple[str, str, str, str]  # text, label, lang, source


def ngram_training() -> Any:
    """The n-gram model's training script as a module: the same rows, filters, weights."""
    spec = importlib.util.spec_from_file_location(
        "ngram_train", REPO / "models" / "stimmung_sentiment" / "train.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def cap_english(rows: list[Row], max_english: int, train_english: int) -> list[Row]:
    """At most `max_english` SemEval rows (seeded choice), then at most `train_english`
    English rows in all (a second seeded choice), as `train.py` has always selected."""
    rng = np.random.default_rng(SEED)
    semeval = [i for i, r in enumerate(rows) if r[3] == "semeval"]
    drop = set(rng.choice(semeval, size=max(0, len(semeval) - max_english),
                          replace=False).tolist())
    rows = [r for i, r in enumerate(rows) if i not in drop]
    english = [i for i, r in enumerate(rows) if r[2] == "en"]
    skip = set(np.random.default_rng(SEED + 1).choice(
        english, size=max(0, len(english) - train_english), replace=False).tolist())
    return [r for i, r in enumerate(rows) if i not in skip]
