"""The per-word memo of the char_wb hashing vectoriser returns scikit-learn's matrix exactly."""

from __future__ import annotations

import numpy as np
import pytest
from sklearn.feature_extraction import FeatureHasher
from sklearn.feature_extraction.text import HashingVectorizer

from pipeline.text.hashing import (
    CharWbSettings,
    WordCachedCharHasher,
    char_wb_ngrams,
    hash_features,
    l2_normalise_rows,
)

DOCS = [
    "Die Kaffeekraft App stürzt ab!!  wieder", "", "a", "RT @user: the app the app 🔥",
    "  leading and trailing\tspace\n", "ÄÖÜ straße STRASSE", "x" * 40, "a b a b a",
]


def _same(a: object, b: object) -> None:
    assert a.shape == b.shape and a.dtype == b.dtype  # type: ignore[attr-defined]
    assert np.array_equal(a.indptr, b.indptr)  # type: ignore[attr-defined]
    assert np.array_equal(a.indices, b.indices)  # type: ignore[attr-defined]
    assert np.array_equal(a.data, b.data)  # type: ignore[attr-defined]


@pytest.mark.parametrize(("ngrams", "lowercase", "dtype"),
                         [((1, 5), False, np.float32), ((3, 5), True, np.float64)])
def test_equals_scikit_learn_across_batches(ngrams: tuple[int, int], lowercase: bool,
                                            dtype: type) -> None:
    hv = HashingVectorizer(analyzer="char_wb", ngram_range=ngrams, n_features=2**12,
                           alternate_sign=False, norm=None, lowercase=lowercase, dtype=dtype)
    cached = WordCachedCharHasher(hv)
    settings = WordCachedCharHasher(CharWbSettings(ngrams, 2**12, lowercase, dtype))
    for batch in (DOCS, DOCS[::-1], DOCS[2:5], [""]):  # later batches hit the memo
        want = hv.transform(batch).tocsr()
        _same(cached.transform(batch), want)
        _same(settings.transform(batch), want)


def test_memo_starts_over_when_full() -> None:
    hv = HashingVectorizer(analyzer="char_wb", ngram_range=(1, 3), n_features=2**10,
                           alternate_sign=False, norm=None)
    cached = WordCachedCharHasher(hv, max_entries=20)
    for _ in range(3):
        _same(cached.transform(DOCS), hv.transform(DOCS).tocsr())
    assert len(cached._ids) <= len({w for d in DOCS for w in d.split()})


def test_rejects_settings_it_cannot_memoise() -> None:
    with pytest.raises(ValueError):
        WordCachedCharHasher(HashingVectorizer(analyzer="word"))
    with pytest.raises(ValueError):
        WordCachedCharHasher(HashingVectorizer(analyzer="char_wb"))  # alternate sign, l2 norm


@pytest.mark.parametrize("ngrams", [(1, 5), (3, 5), (2, 2)])
def test_char_wb_ngrams_are_scikit_learns(ngrams: tuple[int, int]) -> None:
    analyzer = HashingVectorizer(analyzer="char_wb", ngram_range=ngrams,
                                 lowercase=False).build_analyzer()
    for word in ("a", "ab", "abc", "abcd", "Kaffeekraft", "😀x", "straße"):
        assert char_wb_ngrams(word, *ngrams) == analyzer(word)


def test_hash_features_equals_feature_hasher() -> None:
    docs = [["the", "app", "the app", "__lex-__"], [], ["ü", "😀", "the"], ["a"] * 3]
    for dtype in (np.float32, np.float64):
        want = FeatureHasher(n_features=2**10, input_type="string", alternate_sign=False,
                             dtype=dtype).transform(docs).tocsr()
        _same(hash_features(docs, 2**10, dtype), want)


def test_l2_normalise_rows_equals_scikit_learns_normalize() -> None:
    from sklearn.preprocessing import normalize

    hv = HashingVectorizer(analyzer="char_wb", ngram_range=(3, 5), n_features=2**14,
                           alternate_sign=False, norm=None)
    x = hv.transform([*DOCS, "Der Akku hält keinen Tag", "delivery was late again"])
    for dtype in (np.float32, np.float64):
        y = x.tocsr().astype(dtype)
        y.data = 1.0 + np.log(y.data)
        got = l2_normalise_rows(y)
        _same(got, normalize(y))
        assert not np.shares_memory(got.data, y.data)  # the input is left as it was
