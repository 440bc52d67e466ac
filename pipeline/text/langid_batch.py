"""py3langid's `rank` for a batch of texts: the byte automaton walked for all texts at once.

py3langid walks its feature automaton one byte at a time in Python for each text (about
half of its time). `BatchRanker.rank_many` walks it for a whole batch with numpy, one
step per byte position over every text still that long, then scores each text exactly
as `LanguageIdentifier.rank` does (the same features in the same first-seen order, the
same products, alias merging and sort), so the ranking is identical. It reads the
identifier's model arrays; `BatchRanker.supports` says whether an identifier has them
(else callers use `rank`).
"""

from __future__ import annotations

from collections.abc import Sequence
from operator import itemgetter
from typing import Any

import numpy as np

__all__ = ["BatchRanker"]

#: longer texts are walked by py3langid itself (one padded step per byte for the batch)
MAX_BATCH_BYTES = 4096
_MODEL_ATTRS = ("tk_nextmove", "_rowbase", "tk_output", "nb_ptc", "nb_pc", "nb_classes",
                "_alias_pairs", "_norm_probs", "_encode")

Ranking = list[tuple[str, float]]


class BatchRanker:
    def __init__(self, ident: Any) -> None:
        from py3langid.langid import RAW_FLOOR

        self.ident = ident
        self.raw_floor = RAW_FLOOR
        # the transition table as it is (~10M entries): a view, not a copy
        self.nextmove = np.asarray(memoryview(ident.tk_nextmove))
        self.rowbase = np.asarray(ident._rowbase, dtype=np.int64)
        self.output = np.asarray(ident.tk_output, dtype=np.int64)

    @staticmethod
    def supports(ident: Any) -> bool:
        return all(hasattr(ident, a) for a in _MODEL_ATTRS) and not ident._norm_probs

    def rank_many(self, texts: Sequence[str]) -> list[Ranking]:
        """`ident.rank(t)` for every text."""
        encoded = [self.ident._encode(t) for t in texts]
        short = [i for i, b in enumerate(encoded) if len(b) <= MAX_BATCH_BYTES]
        visits: list[tuple[np.ndarray, np.ndarray] | None] = [None] * len(texts)
        for i, v in zip(short, self._visits([encoded[i] for i in short]), strict=True):
            visits[i] = v
        for i in set(range(len(texts))) - set(short):
            visits[i] = self._visits_one(encoded[i])
        return [self._rank(v) for v in visits]

    def _visits_one(self, data: bytes) -> tuple[np.ndarray, np.ndarray] | None:
        from py3langid.langid import visit_counts

        counts = visit_counts(self.ident.tk_nextmove, self.ident._rowbase,
                              self.ident.tk_output, data)
        if not counts:
            return None
        return (np.fromiter(counts.keys(), dtype=np.intp, count=len(counts)),
                np.fromiter(counts.values(), dtype=np.float32, count=len(counts)))

    def _visits(self, data: list[bytes]) -> list[tuple[np.ndarray, np.ndarray] | None]:
        """Per text: the features met (first-seen order) and how often, or None."""
        n = len(data)
        if n == 0:
            return []
        lengths = np.fromiter(map(len, data), dtype=np.int64, count=n)
        by_length = np.argsort(-lengths, kind="stable")  # longest first
        flat = np.frombuffer(b"".join(data[i] for i in by_length), dtype=np.uint8)
        sorted_len = lengths[by_length]
        starts = np.zeros(n, dtype=np.int64)
        np.cumsum(sorted_len[:-1], out=starts[1:])
        feats = np.empty(len(flat), dtype=np.int64)
        state = np.zeros(n, dtype=np.int64)
        # texts still walking at each step: a prefix of the longest-first order
        active = n - np.searchsorted(sorted_len[::-1], np.arange(int(sorted_len[0])),
                                     side="right")
        nextmove, rowbase, output = self.nextmove, self.rowbase, self.output
        for step, k in enumerate(active.tolist()):
            pos = starts[:k] + step
            s = nextmove[rowbase[state[:k]] + flat[pos]]
            state[:k] = s
            feats[pos] = output[s]
        # group (text, feature) with counts and first position, in first-seen order
        text_of = np.repeat(by_length, sorted_len)
        hit = feats >= 0
        f, t, p = feats[hit], text_of[hit], np.flatnonzero(hit)
        width = int(self.output.max()) + 1
        order = np.argsort(t * width + f, kind="stable")
        key = (t * width + f)[order]
        first = np.flatnonzero(np.r_[True, key[1:] != key[:-1]]) if len(key) else key
        count = np.diff(np.r_[first, len(key)])
        g_pos, g_text, g_feat = p[order][first], t[order][first], f[order][first]
        seen = np.argsort(g_pos, kind="stable")  # positions are unique
        g_pos, g_text, g_feat, count = g_pos[seen], g_text[seen], g_feat[seen], count[seen]
        # groups of a text are contiguous but texts are in length order: index per text
        by_text = np.argsort(g_text, kind="stable")
        g_feat, count, g_text = g_feat[by_text], count[by_text], g_text[by_text]
        bounds = np.searchsorted(g_text, np.arange(n + 1), side="left")
        out: list[tuple[np.ndarray, np.ndarray] | None] = []
        for i in range(n):
            a, b = bounds[i], bounds[i + 1]
            out.append((g_feat[a:b].astype(np.intp), count[a:b].astype(np.float32))
                       if b > a else None)
        return out

    def _scores(self, visits: tuple[np.ndarray, np.ndarray] | None) -> np.ndarray:
        """The raw scores per model column, aliases merged (as `_decide`)."""
        ident = self.ident
        if visits is not None:
            idx, counts = visits
            scores: np.ndarray = np.log1p(counts) @ ident.nb_ptc[idx] + ident.nb_pc
        else:
            scores = np.full(len(ident.nb_classes), self.raw_floor, dtype=np.float32)
        for i, j in ident._alias_pairs:
            scores[i] = max(scores[i], scores[j])
            scores[j] = self.raw_floor
        return scores

    def _rank(self, visits: tuple[np.ndarray, np.ndarray] | None) -> Ranking:
        merged: dict[str, float] = {}
        for lang, score in zip(self.ident.nb_classes, self._scores(visits).tolist(),
                               strict=True):
            merged.setdefault(lang, score)
        return sorted(merged.items(), key=itemgetter(1), reverse=True)

    def rank_heads(self, texts: Sequence[str], languages: Sequence[str]) -> list[Ranking]:
        """Per text, `rank(t)` kept to its first entry and `languages`, in rank order.

        With non-negative priors on `languages` only, the language of the best score +
        prior is always among these, so picking from them picks what the full ranking
        gives. Falls back to the full ranking when the model has aliased labels."""
        ident = self.ident
        classes = list(ident.nb_classes)
        if ident._alias_pairs or len(set(classes)) != len(classes):
            return self.rank_many(texts)
        column = {lang: i for i, lang in enumerate(classes)}
        extra = sorted({column[lang] for lang in languages if lang in column})
        encoded = [ident._encode(t) for t in texts]
        visits = self._visits([b for b in encoded if len(b) <= MAX_BATCH_BYTES])
        out: list[Ranking] = []
        it = iter(visits)
        for b in encoded:
            v = next(it) if len(b) <= MAX_BATCH_BYTES else self._visits_one(b)
            scores = self._scores(v)
            values = scores.tolist()
            # `sorted(..., reverse=True)` keeps equal scores in column order
            keep = sorted({int(scores.argmax()), *extra}, key=lambda i: (-values[i], i))
            out.append([(classes[i], values[i]) for i in keep])
        return out
