"""scikit-learn's char_wb `HashingVectorizer`, memoised per word.

`HashingVectorizer(analyzer="char_wb")` cuts every whitespace-separated word on its own
(`" " + word + " "`), so a document's hashed n-gram counts are the sums of its words'
counts. `WordCachedCharHasher` asks scikit-learn once per distinct word and adds the
cached columns with numpy: exactly the CSR matrix scikit-learn returns (same columns,
counts and canonical order: sorted indices, duplicates summed) with a fraction of the
Python work per post (words repeat far more than posts do). The cache is bounded: when
full it starts over. (Word n-grams are not memoised: scikit-learn's hashing of a
feature string costs less than a dict lookup from Python.)
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from itertools import chain, repeat
from typing import Any, cast

import numpy as np
import scipy.sparse as sp

__all__ = ["WordCachedCharHasher", "char_wb_ngrams", "hash_features"]


def _fast_hasher() -> Callable[..., Any] | None:
    """scikit-learn's compiled loop behind `FeatureHasher.transform` (private: when a
    release moves it, `hash_features` goes through `FeatureHasher` instead)."""
    try:
        from sklearn.feature_extraction._hashing_fast import transform
    except ImportError:  # pragma: no cover - depends on the scikit-learn release
        return None
    return cast("Callable[..., Any]", transform)


_HASHING_TRANSFORM = _fast_hasher()


def hash_features(docs: Sequence[Sequence[str]], n_features: int,
                  dtype: Any = np.float64) -> sp.csr_matrix:
    """`FeatureHasher(n_features, input_type="string", alternate_sign=False,
    dtype=dtype).transform(docs)` as CSR (each feature counts 1), with the pairs handed
    to its compiled loop by `zip` rather than a Python generator per feature."""
    if not docs:
        raise ValueError("Cannot vectorize empty sequence.")
    if _HASHING_TRANSFORM is None:  # pragma: no cover
        from sklearn.feature_extraction import FeatureHasher

        hasher = FeatureHasher(n_features=n_features, input_type="string",
                               alternate_sign=False, dtype=dtype)
        return sp.csr_matrix(hasher.transform(docs))
    indices, indptr, values = _HASHING_TRANSFORM(
        (zip(d, repeat(1)) for d in docs), n_features, dtype, False, seed=0)
    x = sp.csr_matrix((values, indices, indptr), dtype=dtype,
                      shape=(len(indptr) - 1, n_features))
    x.sum_duplicates()  # also sorts the indices
    return x


def char_wb_ngrams(word: str, min_n: int, max_n: int) -> list[str]:
    """scikit-learn's `char_wb` n-grams of one whitespace-free word, in its order: the
    word padded with a space on each side, cut into min_n..max_n-grams; a padded word
    no longer than n counts once, whole."""
    w = f" {word} "
    size = len(w)
    grams: list[str] = []
    for n in range(min_n, max_n + 1):
        if n >= size:
            grams.append(w)
            break
        grams.extend([w[i:i + n] for i in range(size - n + 1)])
    return grams


def _csr(row_lengths: np.ndarray, cols: np.ndarray, data: np.ndarray, n_features: int,
         dtype: Any) -> sp.csr_matrix:
    """A canonical CSR matrix (indices sorted, duplicates summed) from per-row lengths."""
    indptr = np.zeros(len(row_lengths) + 1, dtype=np.int64)
    np.cumsum(np.asarray(row_lengths, dtype=np.int64), out=indptr[1:])
    x = sp.csr_matrix((data.astype(dtype, copy=False), cols.astype(np.int32, copy=False),
                       indptr), shape=(len(row_lengths), n_features))
    x.sum_duplicates()
    return x


class WordCachedCharHasher:
    """`vectorizer.transform(docs)` for a char_wb `HashingVectorizer`, memoised per word."""

    def __init__(self, vectorizer: Any, max_entries: int = 2_000_000) -> None:
        if vectorizer.analyzer != "char_wb" or vectorizer.alternate_sign or vectorizer.norm:
            raise ValueError("only char_wb n-gram counts without sign or norm are memoised")
        self.vectorizer = vectorizer
        self.n_features = int(vectorizer.n_features)
        self.dtype = vectorizer.dtype
        self.max_entries = max_entries
        self._preprocess: Callable[[str], str] = vectorizer.build_preprocessor()
        self._reset()

    def _reset(self) -> None:
        self._ids: dict[str, int] = {}
        self._ptr = np.zeros(1, dtype=np.int64)
        self._cols = np.zeros(0, dtype=np.int32)
        self._vals = np.zeros(0, dtype=np.float32)

    def _add(self, words: list[str]) -> None:
        lo, hi = self.vectorizer.ngram_range
        m = hash_features([char_wb_ngrams(w, lo, hi) for w in words], self.n_features,
                          self.dtype)
        base = len(self._ids)
        self._ids.update((w, base + i) for i, w in enumerate(words))
        self._ptr = np.concatenate([self._ptr, self._ptr[-1] + m.indptr[1:]])
        self._cols = np.concatenate([self._cols, m.indices.astype(np.int32)])
        self._vals = np.concatenate([self._vals, m.data.astype(np.float32)])

    def transform(self, docs: Sequence[str]) -> sp.csr_matrix:
        if not docs:
            raise ValueError("Cannot vectorize empty sequence.")
        words_per_doc = [self._preprocess(d).split() for d in docs]
        if len(self._cols) > self.max_entries:
            self._reset()
        ids = self._ids
        words = list(chain.from_iterable(words_per_doc))
        new = sorted(set(words).difference(ids))
        if new:
            self._add(new)
        flat = np.fromiter(map(ids.__getitem__, words), dtype=np.int64, count=len(words))
        starts, ends = self._ptr[flat], self._ptr[flat + 1]
        lengths = ends - starts
        # positions of every cached entry of every word, in document order
        offsets = np.repeat(starts - np.cumsum(lengths) + lengths, lengths)
        pos = offsets + np.arange(int(lengths.sum()), dtype=np.int64)
        per_doc = _row_sums(lengths, [len(ws) for ws in words_per_doc])
        return _csr(per_doc, self._cols[pos], self._vals[pos], self.n_features,
                    self.dtype)


def _row_sums(lengths: np.ndarray, counts: Sequence[int]) -> np.ndarray:
    """Sums of consecutive runs of `lengths`, `counts[i]` items in run i (runs may be empty)."""
    edges = np.zeros(len(counts) + 1, dtype=np.int64)
    np.cumsum(np.asarray(counts, dtype=np.int64), out=edges[1:])
    total = np.zeros(len(lengths) + 1, dtype=np.int64)
    np.cumsum(lengths, out=total[1:])
    out: np.ndarray = total[edges[1:]] - total[edges[:-1]]
    return out
