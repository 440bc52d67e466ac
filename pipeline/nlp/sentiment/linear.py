"""The bundled `stimmung-sentiment` backend: hashed char + word n-grams, linear softmax.

The artifact is two files in one folder: `weights.npz` (coefficients, intercepts, idf
vectors; no pickles) and `config.json` (feature settings, labels, metadata). Featurising
gives what scikit-learn's stateless `HashingVectorizer` gives (char n-grams memoised per
word, feature strings hashed without importing scikit-learn, identical output:
`pipeline.text.hashing`), so training and inference share the exact same code
(`Featurizer`).
"""

from __future__ import annotations

import hashlib
import html
import json
import logging
import re
from collections.abc import Sequence
from dataclasses import dataclass
from itertools import pairwise
from pathlib import Path
from typing import Any

import numpy as np
import scipy.sparse as sp

from pipeline.records import LABELS, SentimentResult
from pipeline.text.hashing import CharWbSettings, WordCachedCharHasher, hash_features

logger = logging.getLogger(__name__)

NAME = "stimmung-sentiment"
WEIGHTS_FILE = "weights.npz"
CONFIG_FILE = "config.json"

_URL = re.compile(r"(?:https?://|www\.)\S*|\bhttps?\b(?=\s|$)", re.IGNORECASE)
_MENTION = re.compile(r"@\w+")
_UESC = re.compile(r"\\u([0-9a-fA-F]{4})")
_REPEAT = re.compile(r"(.)\1{2,}")
_SPACE = re.compile(r"\s+")
_NUM = re.compile(r"\d+")
_TOKEN = re.compile(r"(?u)[#@]?\w+|[^\w\s]+")


def normalize(text: str) -> str:
    """Tweet normalisation shared by training and inference."""
    t = html.unescape(text)
    if "\\u" in t:
        t = _UESC.sub(lambda m: chr(int(m.group(1), 16)), t)
    t = _URL.sub(" http ", t)
    t = _MENTION.sub("@user", t)
    t = t.lower()
    t = _REPEAT.sub(r"\1\1\1", t)
    t = _NUM.sub("0", t)
    return _SPACE.sub(" ", t).strip()


@dataclass(frozen=True)
class FeatureConfig:
    """Settings of the hashed feature space (stored in config.json)."""

    char_ngram: tuple[int, int] = (1, 5)
    char_bits: int = 20
    word_ngram: tuple[int, int] = (1, 2)
    word_bits: int = 19
    lang_feature: bool = True
    lang_words: bool = False

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> FeatureConfig:
        return cls(
            char_ngram=(int(d["char_ngram"][0]), int(d["char_ngram"][1])),
            char_bits=int(d["char_bits"]),
            word_ngram=(int(d["word_ngram"][0]), int(d["word_ngram"][1])),
            word_bits=int(d["word_bits"]),
            lang_feature=bool(d.get("lang_feature", False)),
            lang_words=bool(d.get("lang_words", False)),
        )

    def to_dict(self) -> dict[str, Any]:
        return {
            "char_ngram": list(self.char_ngram),
            "char_bits": self.char_bits,
            "word_ngram": list(self.word_ngram),
            "word_bits": self.word_bits,
            "lang_feature": self.lang_feature,
            "lang_words": self.lang_words,
        }


_NEGATORS = frozenset(
    {
        "nicht",
        "kein",
        "keine",
        "keinen",
        "keinem",
        "keiner",
        "nie",
        "niemals",
        "nichts",
        "not",
        "no",
        "never",
        "nothing",
        "cannot",
        "dont",
        "don't",
        "cant",
        "can't",
        "isn't",
        "wasn't",
        "won't",
        "didn't",
        "doesn't",
    }
)


class Featurizer:
    """Raw texts -> sublinear-tf, idf-weighted, L2-normalised sparse rows.

    `lexicon` maps lower-cased words to +1/-1; matches add `__lex+__` / `__lex-__`
    word features (flipped to `__neglex...` within 3 tokens after a negator, same clause).
    """

    def __init__(self, cfg: FeatureConfig, lexicon: dict[str, int] | None = None) -> None:
        self.cfg = cfg
        self.lexicon = lexicon or {}
        # `HashingVectorizer(analyzer="char_wb", ngram_range=cfg.char_ngram,
        # n_features=2**cfg.char_bits, alternate_sign=False, norm=None, lowercase=False,
        # dtype=np.float32)`'s counts, memoised per word; the word block is
        # `HashingVectorizer(analyzer=self._word_analyzer, n_features=2**cfg.word_bits,
        # alternate_sign=False, norm=None, dtype=np.float32)` (see `counts`)
        self.char = CharWbSettings(cfg.char_ngram, 2**cfg.char_bits, lowercase=False,
                                   dtype=np.float32)
        self._char_counts = WordCachedCharHasher(self.char)
        self._polarities: dict[str, int] = {}

    def _polarity(self, tok: str) -> int:
        """Lexicon polarity of a token, trying ß->ss and common inflection endings."""
        pol = self._polarities.get(tok)
        if pol is None:
            if len(self._polarities) > 100_000:  # bounded memo (~15 MB): start over
                self._polarities.clear()
            pol = self._polarities[tok] = self._lexicon_polarity(tok)
        return pol

    def _lexicon_polarity(self, tok: str) -> int:
        lex = self.lexicon
        pol = lex.get(tok)
        if pol is None and "ß" in tok:
            tok = tok.replace("ß", "ss")
            pol = lex.get(tok)
        if pol is None and len(tok) > 4:
            for suffix in ("es", "en", "er", "em", "e", "s"):
                if tok.endswith(suffix):
                    pol = lex.get(tok[: -len(suffix)])
                    if pol is not None:
                        break
        return pol or 0

    def _word_analyzer(self, doc: str) -> list[str]:
        """Word n-grams; with `lang_words`, also copies prefixed by the language."""
        lang = None
        if doc.startswith("\x01"):
            lang, _, doc = doc[1:].partition("\x01")
        toks = _TOKEN.findall(doc)
        lo, hi = self.cfg.word_ngram
        grams: list[str] = []
        for n in range(lo, hi + 1):
            if n == 1:
                grams.extend(toks)
            elif n == 2:
                grams.extend(map(" ".join, pairwise(toks)))
            else:
                grams.extend(" ".join(toks[i : i + n]) for i in range(len(toks) - n + 1))
        if self.lexicon:
            last_neg = -10
            polarity = self._polarity
            for i, tok in enumerate(toks):
                if tok in _NEGATORS:
                    last_neg = i
                elif not tok[0].isalnum() and tok[0] not in "#@":
                    last_neg = -10  # punctuation ends the negation scope
                pol = polarity(tok)
                if pol:
                    sign = "+" if pol > 0 else "-"
                    grams.append(f"__neglex{sign}__" if i - last_neg <= 3 else f"__lex{sign}__")
        if lang:
            if self.cfg.lang_feature:
                grams.append(f"__lang_{lang}__")
            if self.cfg.lang_words:
                grams.extend([f"{lang}:{g}" for g in grams])
        return grams

    @property
    def n_features(self) -> int:
        return 2**self.cfg.char_bits + 2**self.cfg.word_bits

    def counts(
        self, texts: Sequence[str], langs: Sequence[str | None] | None = None
    ) -> tuple[sp.csr_matrix, sp.csr_matrix]:
        """Sublinear term frequencies of the char and word blocks (before idf)."""
        norm = [normalize(t or "") for t in texts]
        words = norm
        if langs is not None and (self.cfg.lang_feature or self.cfg.lang_words):
            words = [f"\x01{lg}\x01{t}" if lg else t for t, lg in zip(norm, langs, strict=True)]
        xc = self._char_counts.transform(norm)
        xw = hash_features([self._word_analyzer(w) for w in words], 2**self.cfg.word_bits,
                           np.float32)
        for x in (xc, xw):
            np.log1p(x.data, out=x.data)
        return xc, xw

    def transform(
        self,
        texts: Sequence[str],
        idf_char: np.ndarray,
        idf_word: np.ndarray,
        langs: Sequence[str | None] | None = None,
    ) -> sp.csr_matrix:
        xc, xw = self.counts(texts, langs)
        blocks = [_idf_unit_rows(xc, idf_char), _idf_unit_rows(xw, idf_word)]
        return sp.csr_matrix(sp.hstack(blocks, format="csr"))


def _csr_like(x: sp.csr_matrix, data: np.ndarray) -> sp.csr_matrix:
    """`x`'s sparsity pattern with `data`, explicit zeros dropped (as scipy's products do)."""
    if data.all():
        return sp.csr_matrix((data, x.indices, x.indptr), shape=x.shape)
    keep = data != 0
    rows = np.repeat(np.arange(x.shape[0]), np.diff(x.indptr))[keep]
    indptr = np.zeros(x.shape[0] + 1, dtype=x.indptr.dtype)
    np.cumsum(np.bincount(rows, minlength=x.shape[0]), out=indptr[1:])
    return sp.csr_matrix((data[keep], x.indices[keep], indptr), shape=x.shape)


def _idf_unit_rows(x: sp.csr_matrix, idf: np.ndarray) -> sp.csr_matrix:
    """`diag(1 / |row|) @ (x @ diag(idf))` for canonical float32 `x`, with exactly the
    values, order and row sums scipy gives for these products (which sort each row's
    columns back to ascending order), without their per-call arrays over all 2**20
    columns."""
    w = _csr_like(x, x.data * idf.astype(np.float32)[x.indices])
    sq = np.asarray(_csr_like(w, w.data * w.data).sum(axis=1)).ravel()
    inv = np.where(sq > 0, 1.0 / np.sqrt(np.maximum(sq, 1e-12)), 0.0).astype(np.float32)
    return _csr_like(w, inv[np.repeat(np.arange(w.shape[0]), np.diff(w.indptr))] * w.data)


def compute_idf(x: sp.csr_matrix) -> np.ndarray:
    """Smooth idf over hashed columns (unseen columns get the maximum idf)."""
    n = x.shape[0]
    df = np.bincount(x.indices, minlength=x.shape[1]).astype(np.float64)
    return (np.log((1.0 + n) / (1.0 + df)) + 1.0).astype(np.float32)


def _lang_code(lang: str | None) -> str | None:
    """'de-DE' / 'DE' / 'de_AT' -> 'de'; empty -> None."""
    if not lang:
        return None
    return lang.strip().lower().replace("_", "-").split("-")[0] or None


def _softmax(z: np.ndarray) -> np.ndarray:
    z = z - z.max(axis=1, keepdims=True)
    e = np.exp(z)
    out: np.ndarray = e / e.sum(axis=1, keepdims=True)
    return out


class LinearSentiment:
    """SentimentBackend over the bundled linear model."""

    name: str = NAME
    #: numpy arrays only: a forked process can score with it (`pipeline.stages.enrich_worker`)
    forkable: bool = True

    def __init__(self, model_dir: Path, batch_size: int = 2048) -> None:
        model_dir = Path(model_dir)
        cfg_path = model_dir / CONFIG_FILE
        w_path = model_dir / WEIGHTS_FILE
        if not cfg_path.is_file() or not w_path.is_file():
            raise FileNotFoundError(
                f"sentiment model not found in {model_dir}; train it with: "
                "python models/stimmung_sentiment/train.py --data ../shared/datasets "
                "--out models/stimmung_sentiment"
            )
        config = json.loads(cfg_path.read_text(encoding="utf-8"))
        self.config = config
        self.labels: tuple[str, ...] = tuple(config["labels"])
        if set(self.labels) != set(LABELS):
            raise ValueError(f"model labels {self.labels} do not match {LABELS}")
        lexicon = {w: int(p) for w, p in config.get("lexicon", {}).items()}
        self.features = Featurizer(FeatureConfig.from_dict(config["features"]), lexicon)
        with np.load(w_path, allow_pickle=False) as w:
            self.coef = np.ascontiguousarray(w["coef"].astype(np.float32).T)
            self.intercept = w["intercept"].astype(np.float32)
            self.idf_char = w["idf_char"].astype(np.float32)
            self.idf_word = w["idf_word"].astype(np.float32)
        digest = hashlib.sha256(w_path.read_bytes()).hexdigest()[:12]
        self.version = f"{config.get('version', '1.0')}+{digest}"
        self.batch_size = batch_size
        logger.debug("loaded %s %s from %s", self.name, self.version, model_dir)

    def predict_proba(
        self, texts: Sequence[str], langs: Sequence[str | None] | None = None
    ) -> np.ndarray:
        """Probabilities in LABELS order, shape (len(texts), 3)."""
        if langs is not None and len(langs) != len(texts):
            raise ValueError("texts and langs differ in length")
        out = np.zeros((len(texts), len(LABELS)), dtype=np.float64)
        order = [self.labels.index(lab) for lab in LABELS]
        for start in range(0, len(texts), self.batch_size):
            chunk = list(texts[start : start + self.batch_size])
            lchunk = (
                [_lang_code(lg) for lg in langs[start : start + self.batch_size]]
                if langs is not None
                else None
            )
            x = self.features.transform(chunk, self.idf_char, self.idf_word, lchunk)
            z = np.asarray(x @ self.coef) + self.intercept
            out[start : start + len(chunk)] = _softmax(z.astype(np.float64))[:, order]
        return out

    def predict(
        self, texts: Sequence[str], langs: Sequence[str | None] | None = None
    ) -> list[SentimentResult]:
        probs = self.predict_proba(texts, langs)
        results = []
        for row in probs:
            scores = {lab: float(p) for lab, p in zip(LABELS, row, strict=True)}
            results.append(SentimentResult(label=LABELS[int(np.argmax(row))], scores=scores))
        return results
