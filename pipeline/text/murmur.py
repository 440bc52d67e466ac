"""MurmurHash3 (x86, 32 bit) of many strings at once, with numpy.

The feature hashing of the n-gram models (`pipeline.text.hashing`) needs exactly the
column scikit-learn's `FeatureHasher` gives a feature string: the signed MurmurHash3
of its UTF-8 bytes with seed 0, `abs(h) % n_features`. scikit-learn computes it in a
compiled loop, but importing scikit-learn costs more than a second of CPU at every
process start. Here the hash runs over all strings of a batch at once: the strings'
bytes are laid out in 4-byte aligned slots, and each 4-byte block position is one
vectorised step over every string still that long (longest first), so the Python
work is per block position, not per string. The results are bit for bit the reference
algorithm's (tests compare with scikit-learn's `murmurhash3_32`).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

__all__ = ["feature_columns", "murmurhash3_32"]

_C1 = np.uint32(0xCC9E2D51)
_C2 = np.uint32(0x1B873593)
_M = np.uint32(5)
_N = np.uint32(0xE6546B64)
_F1 = np.uint32(0x85EBCA6B)
_F2 = np.uint32(0xC2B2AE35)
_MASKS = np.array([0, 0xFF, 0xFFFF, 0xFFFFFF], dtype=np.uint32)  # by tail length


def _rotl(x: np.ndarray, r: int) -> np.ndarray:
    out: np.ndarray = (x << np.uint32(r)) | (x >> np.uint32(32 - r))
    return out


def _utf8(strings: Sequence[str]) -> tuple[bytes, np.ndarray, np.ndarray]:
    """The strings' UTF-8 bytes, concatenated with one byte between them, and each
    string's byte start and byte length."""
    n = len(strings)
    data = "\0".join(strings).encode("utf-8")  # strict, like scikit-learn
    zeros = np.flatnonzero(np.frombuffer(data, dtype=np.uint8) == 0)
    if len(zeros) == n - 1:  # the separators only: their places give the lengths
        ends = np.append(zeros, len(data))
        starts = np.zeros(n, dtype=np.int64)
        starts[1:] = zeros + 1
        return data, starts, ends - starts
    encoded = [s.encode("utf-8") for s in strings]  # a string holds U+0000
    lengths = np.fromiter(map(len, encoded), np.int64, n)
    starts = np.zeros(n, dtype=np.int64)
    np.cumsum(lengths[:-1], out=starts[1:])
    return b"".join(encoded), starts, lengths


def murmurhash3_32(strings: Sequence[str], seed: int = 0) -> np.ndarray:
    """Signed 32-bit MurmurHash3_x86_32 of each string's UTF-8 bytes (int32 array)."""
    n = len(strings)
    if n == 0:
        return np.zeros(0, dtype=np.int32)
    data, byte_start, lengths = _utf8(strings)
    # the little-endian 32-bit word at every byte offset p: words[(p % 4) * count + p // 4]
    padded = data + bytes(8 - len(data) % 4)
    count = len(padded) // 4 - 1
    words = np.concatenate([np.frombuffer(padded, dtype="<u4", count=count, offset=o)
                            for o in range(4)]).astype(np.uint32, copy=False)
    full = lengths // 4  # whole 4-byte blocks
    # the block loop over strings in order of their number of whole blocks, longest first
    small = np.int32 if int(full.max()) >= 2**15 else np.int16  # int16: a radix sort
    order = np.argsort(np.negative(full.astype(small)), kind="stable")
    pos = byte_start[order]
    at = (pos % 4) * count + pos // 4
    blocks_desc = full[order]
    h = np.full(n, np.uint32(seed & 0xFFFFFFFF), dtype=np.uint32)
    if blocks_desc[0] > 0:
        # strings with more than `step` whole blocks: a prefix of `order`
        active = n - np.searchsorted(blocks_desc[::-1], np.arange(int(blocks_desc[0])),
                                     side="right")
        for step, k in enumerate(active.tolist()):
            k1 = words[at[:k] + step]
            k1 *= _C1
            k1 = _rotl(k1, 15)
            k1 *= _C2
            k1 ^= h[:k]
            k1 = _rotl(k1, 13)
            k1 *= _M
            k1 += _N
            h[:k] = k1
    # the tail (1-3 bytes), read as a zero-padded word, without the block mixing step
    rest = (lengths[order] % 4).astype(np.uint32)
    tail = np.flatnonzero(rest)
    if len(tail):
        k1 = words[at[tail] + blocks_desc[tail]]
        k1 &= _MASKS[rest[tail]]
        k1 *= _C1
        k1 = _rotl(k1, 15)
        k1 *= _C2
        h[tail] ^= k1
    h ^= lengths[order].astype(np.uint32)
    h ^= h >> np.uint32(16)
    h *= _F1
    h ^= h >> np.uint32(13)
    h *= _F2
    h ^= h >> np.uint32(16)
    out = np.empty(n, dtype=np.uint32)
    out[order] = h
    return out.view(np.int32)


def feature_columns(strings: Sequence[str], n_features: int) -> np.ndarray:
    """The column scikit-learn's `FeatureHasher` hashes each feature string to
    (`abs(murmurhash3_32(f)) % n_features`; -2**31 as abs(-2**31)), as int32."""
    h = murmurhash3_32(strings).astype(np.int64)
    cols: np.ndarray = (np.abs(h) % n_features).astype(np.int32)
    return cols
