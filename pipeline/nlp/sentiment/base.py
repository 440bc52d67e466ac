"""The sentiment backend interface."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol, runtime_checkable

import numpy as np

from pipeline.records import SentimentResult


@runtime_checkable
class SentimentBackend(Protocol):
    """Scores batches of texts. `name` and `version` are stored with every score."""

    name: str
    version: str

    def predict(
        self, texts: Sequence[str], langs: Sequence[str | None] | None = None
    ) -> list[SentimentResult]: ...


@dataclass(frozen=True, slots=True)
class TextFeatures:
    """What an encoder backend computed on its way for a batch of texts, handed out so
    other models (intent) need no second pass: `rows[i]` is text i's feature vector when
    `encoded[i]`, else zeros. `kind` names the vectors (model, layers, pooling)."""

    kind: str
    rows: np.ndarray  # [n, dim] float32
    encoded: np.ndarray  # [n] bool


@runtime_checkable
class FeatureBackend(SentimentBackend, Protocol):
    """A backend that also hands out the encoder features of the texts it encoded.

    `also[i]` asks for text i's features even where the backend would not encode it for
    sentiment (its sentiment stays what it would have been)."""

    feature_kind: str

    def predict_with_features(
        self, texts: Sequence[str], langs: Sequence[str | None] | None = None,
        also: Sequence[bool] | None = None,
    ) -> tuple[list[SentimentResult], TextFeatures]: ...
