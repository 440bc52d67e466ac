"""Language identification (ISO 639-1) with py3langid, tuned for short social posts."""

from __future__ import annotations

import logging
import math
import re
from collections.abc import Sequence
from functools import lru_cache
from typing import Any, cast

from pipeline.text.langid_batch import BatchRanker

logger = logging.getLogger(__name__)

#: Languages the detector may answer; restricting the set removes rare confusions
#: (e.g. German tweets read as Luxembourgish) that the full 97-language model makes.
DEFAULT_LANGUAGES: tuple[str, ...] = (
    "de", "en", "fr", "es", "it", "pt", "nl", "ar", "tr", "pl", "ru", "sv", "da", "no",
    "fi", "cs", "hu", "ro", "el", "hi", "ja", "zh", "ko", "id", "ca", "hr",
)  # fmt: skip
#: Log-prior bonus for the project's first-class languages (German and English).
PRIOR: dict[str, float] = {"de": 1.0, "en": 1.0}
MIN_LETTERS = 3
_MISSING = object()

_URL = re.compile(r"(?:https?://|www\.)\S*|\bhttps?\b", re.IGNORECASE)
_MENTION = re.compile(r"[@＠]\w+")
_RT = re.compile(r"^\s*rt\b:?", re.IGNORECASE)
_SPACE = re.compile(r"\s+")


def clean_for_langid(text: str) -> str:
    """Drop urls, @mentions, a leading RT and the '#' of hashtags."""
    t = _URL.sub(" ", text)
    t = _MENTION.sub(" ", t)
    t = _RT.sub(" ", t)
    t = t.replace("#", " ")
    return _SPACE.sub(" ", t).strip()


_THREE_LETTERS = re.compile(r"[^\W\d_](?:[\W\d_]*[^\W\d_]){" + str(MIN_LETTERS - 1) + "}")
#: cleaned texts remembered with their language (retweets and copies are frequent)
CACHE_SIZE = 20_000


class _Detector:
    def __init__(self, languages: Sequence[str], prior: dict[str, float]) -> None:
        from pipeline.text.langid_model import load_identifier

        # py3langid's model (raw scores), restricted to `languages`, memory-mapped from
        # the cache after the first process
        ident: Any = load_identifier(languages)
        self.ident = ident
        self.prior = prior
        self._top_prior = max([0.0, *prior.values()])
        # only the top language and those with a prior can win when no prior is negative
        self._heads_suffice = all(v >= 0 for v in prior.values())
        self._cache: dict[str, str | None] = {}  # FIFO, bounded by CACHE_SIZE
        self._batch = BatchRanker(ident) if BatchRanker.supports(ident) else None

    def detect(self, text: str) -> str | None:
        t = clean_for_langid(text or "")
        cached = self._cache.get(t, _MISSING)
        if cached is not _MISSING:
            return cast("str | None", cached)
        lang = self._detect(t)
        self._cache[t] = lang
        if len(self._cache) > CACHE_SIZE:
            self._cache.pop(next(iter(self._cache)), None)
        return lang

    def detect_many(self, texts: Sequence[str]) -> list[str | None]:
        """`detect` for each text, the new ones ranked as one batch."""
        cleaned = [clean_for_langid(t or "") for t in texts]
        todo = [t for t in dict.fromkeys(cleaned) if t not in self._cache]
        if self._batch is None:
            return [self.detect(t) for t in texts]
        found = dict.fromkeys(todo)
        letters = [t for t in todo if _THREE_LETTERS.search(t)]
        heads = (self._batch.rank_heads(letters, list(self.prior)) if self._heads_suffice
                 else self._batch.rank_many(letters))
        for t, ranked in zip(letters, heads, strict=True):
            found[t] = self._best(ranked)
        out: list[str | None] = []
        for t in cleaned:
            lang = self._cache.get(t, _MISSING)
            if lang is _MISSING:  # new, or pushed out of the cache by this batch
                lang = found[t] if t in found else self._detect(t)
                self._cache[t] = cast("str | None", lang)
                if len(self._cache) > CACHE_SIZE:
                    self._cache.pop(next(iter(self._cache)), None)
            out.append(cast("str | None", lang))
        return out

    def _detect(self, t: str) -> str | None:
        if not _THREE_LETTERS.search(t):
            return None
        return self._best(self.ident.rank(t))

    def _best(self, ranked: Sequence[tuple[str, float]]) -> str:
        # the first language with the highest score + prior; `rank` sorts by score, so
        # languages that even with the largest prior cannot pass the best are not read
        prior, top = self.prior, self._top_prior
        best, best_score = "", -math.inf
        for lang, score in ranked:
            if score + top <= best_score:
                break
            adjusted = score + prior.get(lang, 0.0)
            if adjusted > best_score:
                best, best_score = lang, adjusted
        return str(best)


@lru_cache(maxsize=4)
def _detector(languages: tuple[str, ...], prior: tuple[tuple[str, float], ...]) -> _Detector:
    return _Detector(languages, dict(prior))


def detect_language(text: str) -> str | None:
    """ISO 639-1 code of `text`, or None when it has fewer than 3 letters."""
    return _detector(DEFAULT_LANGUAGES, tuple(sorted(PRIOR.items()))).detect(text)


def detect_languages(texts: Sequence[str]) -> list[str | None]:
    """`detect_language` over a batch."""
    return _detector(DEFAULT_LANGUAGES, tuple(sorted(PRIOR.items()))).detect_many(texts)
