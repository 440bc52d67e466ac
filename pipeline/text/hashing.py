"""scikit-learn's char_wb `HashingVectorizer` and `FeatureHasher`, memoised per word and
without importing scikit-learn.

`HashingVectorizer(analyzer="char_wb")` cuts every whitespace-separated word on its own
(`" " + word + " "`), so a document's hashed n-gram counts are the sums of its words'
counts. `WordCachedCharHasher` hashes each distinct word's n-grams once and adds the
cached columns with numpy: exactly the CSR matrix scikit-learn returns (same columns,
counts and canonical order: sorted indices, duplicates summed) with a fraction of the
Python work per post (words repeat far more than posts do). The cache is bounded: when
full it starts over. Feature strings are hashed by `pipeline.text.murmur` (the same
MurmurHash3 columns as scikit-learn's), so the inference path never imports
scikit-learn (over a second of CPU per process); `CharWbSettings` stands in for the
vectoriser's settings. (Word n-grams are not memoised: hashing a batch of feature
strings costs about what a dict lookup per string would.)
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from itertools import chain
from typing import Any

import numpy as np
import scipy.sparse as sp

from pipeline.text.murmur import feature_columns

__all__ = ["CharWbSettings", "WordCachedCharHasher", "char_wb_ngrams", "hash_features"]


@dataclass(frozen=True)
class CharWbSettings:
    """The settings of `HashingVectorizer(analyzer="char_wb", alternate_sign=False,
    norm=None, ...)` that its counts depend on (no accent stripping or custom steps)."""

    ngram_range: tuple[int, int]
    n_features: int
    lowercase: bool = True
    dtype: Any = np.float64
    analyzer: str = "char_wb"
    alternate_sign: bool = False
    norm: str | None = None

    def build_preprocessor(self) -> Callable[[str], str]:
        return str.lower if self.lowercase else _identity


def _identity(doc: str) -> str:
    return doc


def hash_features(docs: Sequence[Sequence[str]], n_features: int,
                  dtype: Any = np.float64) -> sp.csr_matrix:
    """`FeatureHasher(n_features, input_type="string", alternate_sign=False,
    dtype=dtype).transform(docs)` as CSR (each feature counts 1)."""
    if not docs:
        raise ValueError("Cannot vectorize empty sequence.")
    counts = np.fromiter(map(len, docs), dtype=np.int64, count=len(docs))
    cols = feature_columns(list(chain.from_iterable(docs)), n_features)
    indptr = np.zeros(len(docs) + 1, dtype=np.int64)
    np.cumsum(counts, out=indptr[1:])
    x = sp.csr_matrix((np.ones(len(cols), dtype=dtype), cols, indptr), dtype=dtype,
                      shape=(len(docs), n_features))
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
    """`vectorizer.transform(docs)` for a char_wb `HashingVectorizer` (or the same
    `CharWbSettings`), memoised per word."""

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


def l2_normalise_rows(x: sp.csr_matrix) -> sp.csr_matrix:
    """`sklearn.preprocessing.normalize(x)` for a CSR matrix, with its exact values:
    each row's squares (in the matrix's precision) summed in float64 in stored order,
    each entry divided by the square root in float64; zero rows stay zero."""
    x = sp.csr_matrix(x, copy=True)
    rows = np.repeat(np.arange(x.shape[0]), np.diff(x.indptr))
    squares = (x.data * x.data).astype(np.float64)
    norms = np.sqrt(np.bincount(rows, weights=squares, minlength=x.shape[0]))
    norms[norms == 0.0] = 1.0
    x.data = (x.data.astype(np.float64) / norms[rows]).astype(x.dtype)
    return x
