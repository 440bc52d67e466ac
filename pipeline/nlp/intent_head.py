"""The encoder head of the intent model: a linear layer over the e5 sentence embedding
and the rules' own scores (stacking), so it learns where the rules go wrong on real posts.

Weights are a small `.npz` (no pickle) plus a `.json` with the feature layout, trained by
`models/intent/train_head.py`; loaded lazily once per process. Without the files or
without embeddings, `pipeline.nlp.intent.classify_intents` stays on the rules.
"""

from __future__ import annotations

import json
import logging
import threading
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from pipeline.nlp.intent import INTENTS, label_of, rule_scores

log = logging.getLogger(__name__)

HEAD_FILES = ("intent_head.npz", "intent_head.json")
SCORE_CLIP = (-2.0, 8.0)
SCORE_SCALE = 4.0


class IntentHeadError(ValueError):
    """The embeddings given to the intent head do not fit it."""


def head_features(texts: Sequence[str], langs: Sequence[str | None],
                  embeddings: np.ndarray) -> np.ndarray:
    """[embedding | rule scores (clipped, scaled) | rule label one-hot] per post."""
    emb = np.asarray(embeddings, dtype=np.float32)
    if emb.ndim != 2 or emb.shape[0] != len(texts):
        raise IntentHeadError(
            f"embeddings must be a [n_texts, dim] array, got shape {emb.shape} for "
            f"{len(texts)} texts")
    if len(texts) != len(langs):
        raise ValueError("texts and langs must have the same length")
    per_post = [rule_scores(t or "", lg) for t, lg in zip(texts, langs, strict=True)]
    scores = np.array([[s[c] for c in INTENTS] for s in per_post],
                      dtype=np.float32).reshape(len(texts), len(INTENTS))
    labels = [label_of(s) for s in per_post]
    onehot = np.array([[float(lab == c) for c in INTENTS] for lab in labels],
                      dtype=np.float32).reshape(len(texts), len(INTENTS))
    return np.hstack([emb, np.clip(scores, *SCORE_CLIP) / SCORE_SCALE, onehot])


@dataclass(frozen=True)
class IntentHead:
    coef: np.ndarray  # [classes, features]
    intercept: np.ndarray  # [classes]
    classes: tuple[str, ...]
    config: dict[str, Any]

    @property
    def dim(self) -> int:
        return int(self.config["embedding_dim"])

    def predict(self, texts: Sequence[str], langs: Sequence[str | None],
                embeddings: np.ndarray) -> list[str]:
        emb = np.asarray(embeddings)
        if emb.ndim != 2 or emb.shape[1] != self.dim:
            raise IntentHeadError(
                f"the intent head expects {self.dim}-dim {self.config['encoder']} embeddings, "
                f"got shape {emb.shape}")
        logits = head_features(texts, langs, emb) @ self.coef.T + self.intercept
        return [self.classes[i] for i in logits.argmax(axis=1)]

    def save(self, folder: Path) -> None:
        np.savez(folder / HEAD_FILES[0], coef=self.coef.astype(np.float32),
                 intercept=self.intercept.astype(np.float32), classes=np.array(self.classes))
        (folder / HEAD_FILES[1]).write_text(json.dumps(self.config, indent=2, sort_keys=True)
                                            + "\n", encoding="utf-8")


def read_head(folder: Path) -> IntentHead | None:
    npz, meta = (folder / HEAD_FILES[0]), (folder / HEAD_FILES[1])
    if not (npz.is_file() and meta.is_file()):
        return None
    with np.load(npz, allow_pickle=False) as z:
        coef, intercept, classes = z["coef"], z["intercept"], tuple(str(c) for c in z["classes"])
    return IntentHead(coef, intercept, classes, json.loads(meta.read_text(encoding="utf-8")))


_head: list[IntentHead | None] = []
_lock = threading.Lock()


def load_head() -> IntentHead | None:
    """The bundled head (`models/intent/`), once per process; None when it is absent."""
    with _lock:
        if not _head:
            from pipeline.nlp.sentiment import models_dir

            _head.append(read_head(models_dir() / "intent"))
            if _head[0] is None:
                log.info("no intent head bundled: intent uses the rules only")
        return _head[0]
