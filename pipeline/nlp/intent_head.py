"""The encoder head of the intent model: a linear layer over an encoder vector of the post
and the rules' own scores (stacking), so it learns where the rules go wrong on real posts.

The vectors are what the accurate profile's sentiment backend computes anyway: the
mean-pooled states of multilingual-e5-small's shared lower layers
(`FeatureBackend.predict_with_features`), for the texts its cascade encodes and for the
texts the rules flag (`wants_features`: the head mostly corrects the rules' non-`other`
labels). Their `kind` must match the head's `feature_kind`, else the rules decide.

Weights are a small `.npz` (no pickle) plus a `.json` with the feature layout, trained by
`models/intent/train_head.py`; loaded lazily once per process. Without the files or
without features, `pipeline.nlp.intent.classify_intents` stays on the rules.
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

from pipeline.nlp.intent import INTENT_MODEL, INTENTS, label_of, rule_intents, rule_scores

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

    @property
    def feature_kind(self) -> str:
        return str(self.config.get("feature_kind", ""))

    @property
    def version(self) -> str:
        return str(self.config.get("version", "head"))

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


def head_for(kind: str | None) -> IntentHead | None:
    """The bundled head when it reads vectors of `kind`, else None (rules only)."""
    head = load_head() if kind else None
    if head is None:
        return None
    if head.feature_kind != kind:
        _warn_once(f"the intent head reads {head.feature_kind!r}, the backend hands out "
                   f"{kind!r}: intent uses the rules only")
        return None
    return head


_warned: set[str] = set()


def _warn_once(message: str) -> None:
    with _lock:
        if message in _warned:
            return
        _warned.add(message)
    log.warning(message)


def intent_identity(backend: object | None) -> tuple[str, str]:
    """(model, version) of the intent labels stored next to `backend`'s sentiment: the
    rules' version, or `<rules>+<head>` when the backend hands out the features the bundled
    head reads (the head decides for the posts with features, the rules for the rest).
    Analyze and rescore write it; reports, exports and the queue read it."""
    head = head_for(getattr(backend, "feature_kind", None))
    if head is None:
        return INTENT_MODEL
    return INTENT_MODEL[0], f"{INTENT_MODEL[1]}+{head.version}"


def wants_features(texts: Sequence[str], langs: Sequence[str | None]) -> list[bool]:
    """The posts worth encoding for intent alone: those the rules give a label other than
    `other` (where the head corrects the rules most; measured in the model card)."""
    return [label != "other" for label in rule_intents(texts, langs)]


def configured_intent_identity(config: Any) -> tuple[str, str]:
    """`intent_identity` of the sentiment model a config names (`Config.sentiment_model`):
    the intent version reports, exports and the response queue read."""
    from pipeline.nlp.sentiment import load_backend

    return intent_identity(load_backend(config.sentiment_model()))
