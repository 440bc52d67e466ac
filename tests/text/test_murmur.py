"""The numpy MurmurHash3 gives scikit-learn's hashes and feature columns bit for bit."""

from __future__ import annotations

import random

import numpy as np
import pytest
from sklearn.feature_extraction import FeatureHasher
from sklearn.utils import murmurhash3_32 as reference

from pipeline.text.murmur import feature_columns, murmurhash3_32


def _strings(seed: int, alphabet: str, count: int, longest: int) -> list[str]:
    rng = random.Random(seed)
    return ["".join(rng.choice(alphabet) for _ in range(rng.randint(0, longest)))
            for _ in range(count)]


EDGES = ["", "a", "ab", "abc", "abcd", "abcde", "Kaffeekraft", "😀", "straße", " ü ",
         "__lex+__", "x" * 257, "\0", "a\0b", "ab\0\0cd"]


@pytest.mark.parametrize("strings", [
    EDGES,
    _strings(1, "abcdef gh", 3000, 30),  # ASCII only
    _strings(2, "abcdeäöüß😀 \t中x_+-\0", 3000, 45),  # multi-byte characters, NUL
    ["same"] * 50,
])
def test_hashes_equal_scikit_learns(strings: list[str]) -> None:
    want = np.array([reference(s.encode("utf-8"), seed=0) for s in strings], dtype=np.int32)
    got = murmurhash3_32(strings)
    assert got.dtype == np.int32
    assert np.array_equal(got, want)


def test_other_seed_and_empty_input() -> None:
    strings = _strings(3, "xyz ä", 200, 12)
    want = [reference(s.encode("utf-8"), seed=42) for s in strings]
    assert murmurhash3_32(strings, seed=42).tolist() == want
    assert murmurhash3_32([]).shape == (0,)


@pytest.mark.parametrize("n_features", [2**10, 2**20, 1000])
def test_columns_are_feature_hashers(n_features: int) -> None:
    strings = EDGES + _strings(4, "abcü😀 ", 2000, 20)
    want = FeatureHasher(n_features=n_features, input_type="string",
                         alternate_sign=False).transform([[s] for s in strings]).tocsr()
    assert feature_columns(strings, n_features).tolist() == want.indices.tolist()


def test_unencodable_text_fails_like_scikit_learn() -> None:
    with pytest.raises(UnicodeEncodeError):
        murmurhash3_32(["ok", "\ud800"])
