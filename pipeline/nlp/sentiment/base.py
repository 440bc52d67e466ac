"""The sentiment backend interface."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol, runtime_checkable

from pipeline.records import SentimentResult


@runtime_checkable
class SentimentBackend(Protocol):
    """Scores batches of texts. `name` and `version` are stored with every score."""

    name: str
    version: str

    def predict(
        self, texts: Sequence[str], langs: Sequence[str | None] | None = None
    ) -> list[SentimentResult]: ...
