"""A read-only str -> str map kept in memory-mapped numpy files, looked up in batches.

Large lookup tables (spaCy's German lemma table: 355k entries, ~70 MB as a dict and
0.3-0.4 s of CPU to parse at every process start) are built once into a few `.npy`
files (`StringMap.save`) and mapped by later processes (`StringMap.load`): nothing is
parsed, and only the pages a lookup touches are read. The map is an open-addressing
hash table (MurmurHash3 of the key's UTF-8 bytes, linear probing, at most half full);
`get_many` hashes a batch of words at once and probes for all of them with numpy,
then confirms each hit by comparing the stored key's bytes, so a hash collision can
never return another key's value.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Mapping, Sequence
from pathlib import Path

import numpy as np

from pipeline.text.murmur import murmurhash3_32

__all__ = ["StringMap"]

_FILES = ("key_bytes", "key_offsets", "value_bytes", "value_offsets", "key_hashes", "slots")


def _pack(strings: Sequence[str]) -> tuple[np.ndarray, np.ndarray]:
    encoded = [s.encode("utf-8") for s in strings]
    offsets = np.zeros(len(encoded) + 1, dtype=np.int64)
    np.cumsum(np.fromiter(map(len, encoded), np.int64, len(encoded)), out=offsets[1:])
    return np.frombuffer(b"".join(encoded), dtype=np.uint8).copy(), offsets


class StringMap:
    """`get_many(words)` = `[mapping.get(w) for w in words]` of the mapping it was built from."""

    def __init__(self, arrays: Mapping[str, np.ndarray]) -> None:
        # plain ndarray views of the mapped files (a memmap's indexing costs more)
        self._key_bytes = np.asarray(arrays["key_bytes"])
        self._key_offsets = np.asarray(arrays["key_offsets"])
        self._value_bytes = np.asarray(arrays["value_bytes"])
        self._value_offsets = np.asarray(arrays["value_offsets"])
        self._key_hashes = np.asarray(arrays["key_hashes"])
        self._slots = np.asarray(arrays["slots"])
        self._mask = len(self._slots) - 1
        self._keys = memoryview(self._key_bytes.data)
        self._values = memoryview(self._value_bytes.data)

    @classmethod
    def build(cls, mapping: Mapping[str, str]) -> StringMap:
        keys = list(mapping)
        key_bytes, key_offsets = _pack(keys)
        value_bytes, value_offsets = _pack([mapping[k] for k in keys])
        hashes = murmurhash3_32(keys).view(np.uint32)
        size = 1 << max(4, (2 * len(keys)).bit_length())  # at most half full
        mask = size - 1
        slots = np.full(size, -1, dtype=np.int32)
        table = slots.tolist()
        for i, h in enumerate(hashes.tolist()):  # linear probing, once per build
            slot = h & mask
            while table[slot] != -1:
                slot = (slot + 1) & mask
            table[slot] = i
        slots[:] = table
        return cls({"key_bytes": key_bytes, "key_offsets": key_offsets,
                    "value_bytes": value_bytes, "value_offsets": value_offsets,
                    "key_hashes": hashes, "slots": slots})

    def save(self, folder: Path) -> None:
        """Write the map's files into `folder` (atomically: a temporary folder renamed)."""
        folder.parent.mkdir(parents=True, exist_ok=True)
        tmp = Path(tempfile.mkdtemp(prefix=f".{folder.name}-", dir=folder.parent))
        try:
            for name, arr in zip(_FILES, (self._key_bytes, self._key_offsets,
                                          self._value_bytes, self._value_offsets,
                                          self._key_hashes, self._slots), strict=True):
                np.save(tmp / f"{name}.npy", np.asarray(arr), allow_pickle=False)
            os.replace(tmp, folder)
        except OSError:
            shutil.rmtree(tmp, ignore_errors=True)
            if not folder.is_dir():
                raise

    @classmethod
    def load(cls, folder: Path) -> StringMap | None:
        """The map saved in `folder`, memory-mapped; None when missing or damaged."""
        try:
            arrays = {name: np.load(folder / f"{name}.npy", mmap_mode="r", allow_pickle=False)
                      for name in _FILES}
        except (OSError, ValueError):
            return None
        slots = arrays["slots"]
        n = len(arrays["key_hashes"])
        if (len(slots) & (len(slots) - 1) or len(arrays["key_offsets"]) != n + 1
                or len(arrays["value_offsets"]) != n + 1):
            return None
        return cls(arrays)

    def __len__(self) -> int:
        return len(self._key_hashes)

    def _key(self, i: int) -> memoryview:
        return self._keys[int(self._key_offsets[i]):int(self._key_offsets[i + 1])]

    def _value(self, i: int) -> str:
        start, end = int(self._value_offsets[i]), int(self._value_offsets[i + 1])
        return str(self._values[start:end], "utf-8")

    def get_many(self, words: Sequence[str]) -> list[str | None]:
        out: list[str | None] = [None] * len(words)
        if not words or not len(self._key_hashes):
            return out
        hashes = murmurhash3_32(words).view(np.uint32)
        slot = (hashes & np.uint32(self._mask)).astype(np.int64)
        todo = np.arange(len(words))
        while len(todo):
            cand = self._slots[slot[todo]].astype(np.int64)
            filled = cand >= 0
            todo, cand = todo[filled], cand[filled]  # an empty slot: not in the map
            same = self._key_hashes[cand] == hashes[todo]
            found = np.zeros(len(todo), dtype=bool)
            for j in np.flatnonzero(same).tolist():  # confirm with the key's bytes
                i, c = int(todo[j]), int(cand[j])
                if self._key(c) == words[i].encode("utf-8"):
                    out[i] = self._value(c)
                    found[j] = True
            todo = todo[~found]
            slot[todo] = (slot[todo] + 1) & self._mask
        return out
