"""Text encoders: dense, L2-normalised vectors of posts for problem clustering.

`load_text_encoder(name)` returns a cached `TextEncoder` (one per process and name).
Encoders register a factory under a name (`register_text_encoder`); the bundled one is

* `hashed`: the content lemmas' character 3-5-grams (word-bounded, sublinear tf,
  hashed into 2**18 features, as the problem model used before), projected to
  `HASHED_DIM` dense dimensions with a fixed-seed sparse random projection (each hashed
  feature adds +-1/sqrt(s) to `s` = 4 output dimensions). Cosines are kept in
  expectation (Johnson-Lindenstrauss); the noise on the cosine of unrelated posts is
  about 1/sqrt(dim) = 0.02, far below the problem thresholds (0.28-0.30). Needs only
  numpy and scipy (lemmas: `pipeline.nlp.keyphrases`; hashing: `pipeline.text.hashing`,
  scikit-learn's columns without importing it).

* `hashed-de-en`: the same over German lemmas put into English first (a FreeDict word
  table and a compound splitter, `pipeline.nlp.crosslingual`), so German and English
  reports of one problem share n-grams; `bilingual` is `hashed-de-en` when its table is
  built (`make problem-alignment`) and `hashed` otherwise.

A text without content words encodes to the zero vector.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Sequence
from typing import Any, Protocol

import numpy as np

__all__ = ["HASHED_DIM", "BilingualHashedEncoder", "HashedEncoder", "TextEncoder",
           "encoder_identity", "load_text_encoder", "register_text_encoder", "text_encoders"]

HASHED_DIM = 2048
BILINGUAL_VERSION = "1.0.0"  # of `hashed-de-en`; its version also names the word table
_HASHED_FEATURES = 2**18
_PROJECTION_NONZEROS = 4
_SEED = 20260101


class TextEncoder(Protocol):
    """Dense sentence vectors: `encode` returns float32 rows of unit length (or zero)."""

    name: str
    version: str
    dim: int

    def encode(self, texts: Sequence[str], langs: Sequence[str | None]) -> np.ndarray: ...


def l2_normalise(x: np.ndarray) -> np.ndarray:
    """Rows scaled to unit length (zero rows stay zero), as float32."""
    x = np.asarray(x, dtype=np.float32)
    norms = np.linalg.norm(x, axis=1, keepdims=True)
    norms[norms == 0] = 1.0
    return x / norms


class HashedEncoder:
    """Hashed character n-grams of content lemmas, randomly projected to `dim` dimensions."""

    name = "hashed"
    version = "1.0.0"

    def __init__(self, dim: int = HASHED_DIM) -> None:
        from scipy import sparse

        from pipeline.text.hashing import CharWbSettings, WordCachedCharHasher

        self.dim = dim
        # scikit-learn's HashingVectorizer(analyzer="char_wb", ngram_range=(3, 5),
        # n_features=_HASHED_FEATURES, alternate_sign=False, norm=None, lowercase=True)
        self._hasher = WordCachedCharHasher(CharWbSettings((3, 5), _HASHED_FEATURES))
        rng = np.random.default_rng(_SEED)
        s = _PROJECTION_NONZEROS
        cols = rng.integers(0, dim, size=(_HASHED_FEATURES, s)).ravel()
        signs = rng.choice(np.array([-1.0, 1.0], dtype=np.float32),
                           size=_HASHED_FEATURES * s) / np.float32(np.sqrt(s))
        rows = np.repeat(np.arange(_HASHED_FEATURES), s)
        self._projection = sparse.csr_matrix((signs, (rows, cols)),
                                             shape=(_HASHED_FEATURES, dim), dtype=np.float32)

    def _lemmas(self, texts: Sequence[str], langs: Sequence[str | None]) -> list[str]:
        """The content lemmas the n-grams are taken from, one string per text."""
        from pipeline.nlp.keyphrases import lemmas

        return lemmas(texts, langs)

    def sparse(self, texts: Sequence[str], langs: Sequence[str | None]) -> Any:
        """The hashed, sublinear-tf, L2-normalised char n-gram rows (scipy CSR)."""
        from pipeline.text.hashing import l2_normalise_rows

        x = self._hasher.transform(self._lemmas(texts, langs)).tocsr().astype(np.float32)
        x.data = 1.0 + np.log(x.data)
        return l2_normalise_rows(x)  # = sklearn.preprocessing.normalize(x)

    def encode(self, texts: Sequence[str], langs: Sequence[str | None]) -> np.ndarray:
        if len(texts) != len(langs):
            raise ValueError("texts and langs must have the same length")
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        dense = np.asarray((self.sparse(texts, langs) @ self._projection).toarray())
        return l2_normalise(dense)


class BilingualHashedEncoder(HashedEncoder):
    """`hashed` with German lemmas put into English first (`pipeline.nlp.crosslingual`):
    German and English reports of one problem share n-grams."""

    name = "hashed-de-en"

    def __init__(self, dim: int = HASHED_DIM, translator: Any = None) -> None:
        super().__init__(dim)
        from pipeline.nlp.crosslingual import Translator

        self._translator = translator or Translator.load()
        self.version = f"{BILINGUAL_VERSION}+{self._translator.digest}"

    def _lemmas(self, texts: Sequence[str], langs: Sequence[str | None]) -> list[str]:
        out = super()._lemmas(texts, langs)
        return [self._translator.translate(lem) if (lang or "").startswith("de") else lem
                for lem, lang in zip(out, langs, strict=True)]


def _bilingual_or_hashed() -> TextEncoder:
    """`hashed-de-en` when its word table is built, else `hashed` (with a warning): the
    problem model version names the encoder used, so the two never mix."""
    from pipeline.nlp.crosslingual import table_path

    if table_path().is_file():
        return BilingualHashedEncoder()
    logging.getLogger(__name__).warning(
        "no German-English word table (%s): problems use the `hashed` encoder; build it "
        "with `make problem-alignment`", table_path())
    return HashedEncoder()


def encoder_identity(name: str) -> tuple[str, str]:
    """(name, version) of the encoder `load_text_encoder(name)` gives, without building
    `hashed` or `bilingual` (readers of stored problems need only the version)."""
    if name == "hashed":
        return HashedEncoder.name, HashedEncoder.version
    if name == "bilingual":
        from pipeline.nlp.crosslingual import table_digest, table_path

        path = table_path()
        if not path.is_file():
            return HashedEncoder.name, HashedEncoder.version
        return BilingualHashedEncoder.name, f"{BILINGUAL_VERSION}+{table_digest(path)}"
    enc = load_text_encoder(name)
    return enc.name, enc.version


def _e5() -> TextEncoder:
    from pipeline.nlp.encoder import E5TextEncoder

    return E5TextEncoder()


# `e5`: multilingual-e5-small sentence embeddings (pipeline.nlp.encoder), language-agnostic
# `hashed-de-en`: `hashed` over German lemmas put into English (pipeline.nlp.crosslingual);
# `bilingual`: `hashed-de-en` when its table is built, else `hashed` (the profiles' pick)
_factories: dict[str, Callable[[], TextEncoder]] = {
    "hashed": HashedEncoder, "hashed-de-en": BilingualHashedEncoder,
    "bilingual": _bilingual_or_hashed, "e5": _e5}
_cache: dict[str, TextEncoder] = {}
_lock = threading.Lock()


def register_text_encoder(name: str, factory: Callable[[], TextEncoder]) -> None:
    """Make `load_text_encoder(name)` build encoders with `factory` (called once)."""
    with _lock:
        _factories[name] = factory
        _cache.pop(name, None)


def text_encoders() -> list[str]:
    """The registered encoder names."""
    return sorted(_factories)


def load_text_encoder(name: str) -> TextEncoder:
    """The encoder called `name`, built once per process."""
    with _lock:
        encoder = _cache.get(name)
        if encoder is None:
            factory = _factories.get(name)
            if factory is None:
                raise ValueError(f"unknown text encoder {name!r} "
                                 f"(known: {', '.join(sorted(_factories))})")
            encoder = _cache[name] = factory()
        return encoder
