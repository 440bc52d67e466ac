"""Text → token ids for the multilingual-e5 encoder, shared by training and inference."""

from __future__ import annotations

import html
import re
import threading
from collections.abc import Sequence

import numpy as np

from pipeline.nlp.e5_weights import E5Checkpoint, build_tokenizer, normaliser

PREFIX = "passage: "
MAX_TOKENS = 128  # <s> + content + </s>; tweets and short posts fit, long ones are cut

_URL = re.compile(r"(?:https?://|www\.)\S+", re.IGNORECASE)
_MENTION = re.compile(r"@\w+")
_UESC = re.compile(r"\\u([0-9a-fA-F]{4})")
_SPACE = re.compile(r"\s+")
_SPACES = re.compile(" {2,}")  # the normalisation table can leave runs of spaces


def clean(text: str) -> str:
    """Light, case-preserving normalisation: entities, escaped code points, links and
    @handles as placeholders (the model sees no personal handles), one space."""
    t = html.unescape(text)
    if "\\u" in t:
        t = _UESC.sub(lambda m: chr(int(m.group(1), 16)), t)
    t = _URL.sub("http", t)
    t = _MENTION.sub("@user", t)
    return _SPACE.sub(" ", t).strip()


class E5Tokenizer:
    """The engine's tokenisation, capped at `max_tokens`, as padded id matrices."""

    def __init__(self, ckpt: E5Checkpoint, max_tokens: int = MAX_TOKENS) -> None:
        self._tok = build_tokenizer(ckpt)
        self._table = normaliser(ckpt)
        self._bos, self._eos = ckpt.bos, ckpt.eos
        self.pad = ckpt.pad
        self.max_tokens = max_tokens
        self._lock = threading.Lock()

    def ids(self, texts: Sequence[str]) -> list[list[int]]:
        prepared = [_SPACES.sub(" ", PREFIX + clean(t).translate(self._table)) for t in texts]
        with self._lock:
            encoded: list[list[int]] = self._tok.encode(prepared)
        out = []
        for pieces in encoded:
            ids = [self._bos, *pieces, self._eos]
            if len(ids) > self.max_tokens:
                ids = [*ids[: self.max_tokens - 1], self._eos]
            out.append(ids)
        return out

    def pad_batch(self, ids: Sequence[Sequence[int]]) -> tuple[np.ndarray, np.ndarray]:
        """(ids [B, L] int64, mask [B, L] int64) padded to the longest row."""
        width = max((len(r) for r in ids), default=1)
        mat = np.full((len(ids), width), self.pad, dtype=np.int64)
        mask = np.zeros((len(ids), width), dtype=np.int64)
        for i, row in enumerate(ids):
            mat[i, : len(row)] = row
            mask[i, : len(row)] = 1
        return mat, mask
