"""Sentiment backends and their registry.

`load_backend("stimmung-sentiment")` gives the bundled linear model;
`load_backend("transformers:<hf-model-id-or-folder>", device="cpu")` any Hugging Face
sequence-classification model (needs the `transformers` extra).
"""

from __future__ import annotations

import logging
import threading
from pathlib import Path
from typing import Any

from pipeline.nlp.sentiment.base import SentimentBackend

logger = logging.getLogger(__name__)

DEFAULT_BACKEND = "stimmung-sentiment"
MULTILINGUAL_BACKEND = "stimmung-multilingual"
TRANSFORMERS_PREFIX = "transformers:"

_cache: dict[tuple[str, tuple[tuple[str, str], ...]], SentimentBackend] = {}
_lock = threading.Lock()

__all__ = ["DEFAULT_BACKEND", "MULTILINGUAL_BACKEND", "SentimentBackend", "load_backend",
           "models_dir"]


def models_dir() -> Path:
    """The bundled `models/` (package data), or `$STIMMUNG_MODELS_DIR` when set."""
    from pipeline.resources import models_dir as _bundled_models

    return _bundled_models()


def _build(name: str, options: dict[str, Any]) -> SentimentBackend:
    if name == DEFAULT_BACKEND:
        from pipeline.nlp.sentiment.linear import LinearSentiment

        folder = models_dir() / "stimmung_sentiment"
        if not (folder / "weights.npz").is_file():
            raise FileNotFoundError(
                f"bundled sentiment model missing in {folder}. Train it with: "
                "python models/stimmung_sentiment/train.py --data ../shared/datasets "
                "--out models/stimmung_sentiment (or set STIMMUNG_MODELS_DIR)"
            )
        return LinearSentiment(folder, **options)
    if name == MULTILINGUAL_BACKEND:
        from pipeline.nlp.sentiment.multilingual import MultilingualSentiment

        return MultilingualSentiment(models_dir() / "stimmung_multilingual",
                                     models_dir() / "stimmung_sentiment", **options)
    if name.startswith(TRANSFORMERS_PREFIX):
        model_id = name[len(TRANSFORMERS_PREFIX) :]
        if not model_id:
            raise ValueError("give a model: transformers:<hf-model-id-or-local-folder>")
        from pipeline.nlp.sentiment.transformers_backend import TransformersSentiment

        return TransformersSentiment(model_id, **options)
    raise ValueError(
        f"unknown sentiment backend {name!r}; use {DEFAULT_BACKEND!r}, "
        f"{MULTILINGUAL_BACKEND!r} or "
        f"'{TRANSFORMERS_PREFIX}<hf-model-id-or-local-folder>'"
    )


def load_backend(name: str = DEFAULT_BACKEND, **options: Any) -> SentimentBackend:
    """Load (once per process and per name + options) a sentiment backend."""
    opts = tuple(sorted((k, repr(v)) for k, v in options.items()))
    if name in (DEFAULT_BACKEND, MULTILINGUAL_BACKEND):
        opts += (("models_dir", str(models_dir())),)
    key = (name, opts)
    with _lock:
        backend = _cache.get(key)
        if backend is None:
            backend = _build(name, options)
            _cache[key] = backend
            logger.info("loaded sentiment backend %s %s", backend.name, backend.version)
        return backend
