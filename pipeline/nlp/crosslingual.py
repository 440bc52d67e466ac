"""German words in English: a word table and a compound splitter for cross-lingual problems.

German and English reports of one problem share few character n-grams ("Entkalkungs-
warnung" / "descaling warning"), so the hashed problem vectors put them apart. The
`hashed-de-en` text encoder (`pipeline.nlp.vectors`) hashes German posts' content lemmas
*after* `Translator.translate`: each lemma becomes its English translations from a
German → English word table (`models/problem_alignment/de_en.tsv.gz`, built from FreeDict
by `models/problem_alignment/build.py`); a word the table lacks is split into known parts
(`Decompounder`: "entkalkungswarnung" → "entkalkung" + "warnung", linking -s-, -es-, -n-,
-en-, -e- allowed) and each part translated; a word that neither knows stays as it is
(product names, "firmware", "app" are shared by both languages anyway).
"""

from __future__ import annotations

import gzip
import hashlib
import os
import zipfile
from collections.abc import Callable, Iterator, Mapping, Sequence
from functools import lru_cache
from pathlib import Path

import numpy as np

__all__ = ["Decompounder", "Translator", "WordTable", "load_table", "read_table",
           "table_digest", "table_path"]

MIN_PART = 4  # shortest part a compound is split into
MIN_COMPOUND = 8  # shorter unknown words are not split
_LINKS = ("", "s", "es", "n", "en", "e")


def table_path() -> Path:
    """Where the built German → English table is looked for (the bundled models folder)."""
    from pipeline.resources import models_dir

    return models_dir() / "problem_alignment" / "de_en.tsv.gz"


class WordTable(Mapping[str, tuple[str, ...]]):
    """German word → English translations, held as two sorted byte arrays (11 MiB for
    136k words, against 40 MiB as a dict of strings); lookups by binary search."""

    def __init__(self, words: Sequence[bytes], values: Sequence[bytes]) -> None:
        order = np.argsort(np.array(words, dtype=bytes), kind="stable")
        self._keys = np.array(words, dtype=bytes)[order]
        self._values = np.array(values, dtype=bytes)[order]

    @classmethod
    def from_sorted(cls, keys: np.ndarray, values: np.ndarray) -> WordTable:
        """A table of arrays already sorted by key (`keys_array`, `values_array`)."""
        table = cls.__new__(cls)
        table._keys, table._values = keys, values
        return table

    @property
    def keys_array(self) -> np.ndarray:
        return self._keys

    @property
    def values_array(self) -> np.ndarray:
        return self._values

    @classmethod
    def from_pairs(cls, pairs: Mapping[str, Sequence[str]]) -> WordTable:
        return cls([w.encode("utf-8") for w in pairs],
                   [" ".join(v).encode("utf-8") for v in pairs.values()])

    def _index(self, word: str) -> int:
        key = word.encode("utf-8")
        i = int(np.searchsorted(self._keys, key))
        return i if i < len(self._keys) and self._keys[i] == key else -1

    def __getitem__(self, word: str) -> tuple[str, ...]:
        i = self._index(word) if isinstance(word, str) else -1
        if i < 0:
            raise KeyError(word)
        return tuple(bytes(self._values[i]).decode("utf-8").split())

    def __contains__(self, word: object) -> bool:
        return isinstance(word, str) and self._index(word) >= 0

    def __iter__(self) -> Iterator[str]:
        return (bytes(k).decode("utf-8") for k in self._keys)

    def __len__(self) -> int:
        return len(self._keys)


def table_digest(path: Path) -> str:
    """The table's identity in the encoder version: a hash of its text (the same
    dictionary gives the same table wherever and whenever it is built). Computed once per
    file state: the problem model's version (at import) and `Translator.load` both ask;
    kept in the cache folder, so later processes read it instead of unpacking the table."""
    stat = path.stat()
    return _digest(str(path), stat.st_mtime_ns, stat.st_size)


#: the derived files' format in the cache folder (bump when it changes)
_CACHE_FORMAT = "1"


def _cache_file(path: str, mtime_ns: int, size: int, suffix: str) -> Path:
    """Where a file derived from the table in this state is kept (`pipeline.text.cache`)."""
    from pipeline.text.cache import cache_dir

    key = hashlib.sha256(f"{Path(path).resolve()}|{mtime_ns}|{size}|{_CACHE_FORMAT}".encode())
    return cache_dir() / f"de-en-{key.hexdigest()[:20]}{suffix}"


def _write_atomic(target: Path, write: Callable[[Path], object]) -> None:
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        tmp = target.with_name(f"{target.name}.{os.getpid()}.tmp")
        write(tmp)
        os.replace(tmp, target)
    except OSError:  # a read-only home: derived again by the next process
        pass


@lru_cache(maxsize=8)
def _digest(path: str, mtime_ns: int, size: int) -> str:
    cached = _cache_file(path, mtime_ns, size, ".digest")
    try:
        digest = cached.read_text(encoding="ascii").strip()
        if len(digest) == 12:
            return digest
    except (OSError, UnicodeDecodeError):
        pass
    with gzip.open(path, "rb") as handle:
        digest = hashlib.sha256(handle.read()).hexdigest()[:12]
    _write_atomic(cached, lambda tmp: tmp.write_text(digest, encoding="ascii"))
    return digest


def load_table(path: Path) -> WordTable:
    """`read_table(path)`, its sorted arrays kept in the cache folder per file state
    (later processes map them in a few ms instead of parsing the 136k lines, ~0.3 s)."""
    stat = path.stat()
    cached = _cache_file(str(path), stat.st_mtime_ns, stat.st_size, ".npz")
    try:
        with np.load(cached, allow_pickle=False) as arrays:
            return WordTable.from_sorted(arrays["keys"], arrays["values"])
    except (OSError, ValueError, KeyError, EOFError, zipfile.BadZipFile):
        pass  # not cached yet, or damaged: parsed and written again
    table = read_table(path)

    def save(tmp: Path) -> None:
        with tmp.open("wb") as handle:  # a file object: savez would append ".npz" to a name
            np.savez(handle, keys=table.keys_array, values=table.values_array)

    _write_atomic(cached, save)
    return table


def read_table(path: Path) -> WordTable:
    """The table `build.py` writes: word, tab, translations (`#` lines skipped)."""
    words: list[bytes] = []
    values: list[bytes] = []
    with gzip.open(path, "rb") as handle:
        for line in handle:
            if line.startswith(b"#"):
                continue
            word, _, english = line.rstrip(b"\n").partition(b"\t")
            if word and english.strip():
                words.append(word)
                values.append(english)
    return WordTable(words, values)


class Decompounder:
    """Splits an unknown German compound into words of a vocabulary (greedy, head first).

    The head (last part) is the longest known suffix of at least `MIN_PART` letters whose
    rest, less a linking element, is known or splits in turn; so "entkalkungswarnung"
    gives ("entkalkung", "warnung"). Returns None when no split covers the whole word.
    """

    def __init__(self, vocabulary: Mapping[str, object] | set[str] | frozenset[str]) -> None:
        self._vocab = vocabulary
        self.split = lru_cache(maxsize=200_000)(self._split)

    def _split(self, word: str) -> tuple[str, ...] | None:
        if len(word) < MIN_COMPOUND:
            return None
        for cut in range(MIN_PART, len(word) - MIN_PART + 1):  # longest head first
            head = word[cut:]
            if head not in self._vocab:
                continue
            rest = word[:cut]
            for link in _LINKS:
                if link and not rest.endswith(link):
                    continue
                left = rest[: len(rest) - len(link)] if link else rest
                if len(left) < MIN_PART:
                    continue
                if left in self._vocab:
                    return (left, head)
                parts = self._split(left)
                if parts:
                    return (*parts, head)
        return None


class Translator:
    """German content lemmas → English ones (see the module doc)."""

    def __init__(self, table: Mapping[str, tuple[str, ...]], *, keep: int = 2,
                 digest: str = "") -> None:
        self._table = table
        self.keep = keep
        self.digest = digest
        self._decompounder = Decompounder(table)
        self._word = lru_cache(maxsize=200_000)(self._translate_word)

    @classmethod
    def load(cls, path: Path | None = None, *, keep: int = 2) -> Translator:
        path = path or table_path()
        if not path.is_file():
            raise FileNotFoundError(
                f"no German-English word table at {path}: build it with `make "
                "problem-alignment` (python models/problem_alignment/build.py, needs "
                "Debian's dict-freedict-deu-eng)")
        return cls(load_table(path), keep=keep, digest=table_digest(path))

    def _translate_word(self, word: str) -> str:
        english = self._table.get(word) if word in self._table else None
        if english:
            return " ".join(english[: self.keep])
        parts = self._decompounder.split(word)
        if parts:
            return " ".join(" ".join(self._table[p][: self.keep]) for p in parts)
        return word

    def translate(self, lemmas: str) -> str:
        """A space-separated lemma string, each German word replaced by its translations."""
        return " ".join(self._word(w) for w in lemmas.replace("-", " ").split())
