"""Resolve `intent_real_labels.tsv`: references to real posts in ../shared plus hand labels.

The repository holds only (source file, line, lang, sha256 prefix, label); the texts are
read from the shared datasets folder at evaluation time and checked against the stored
hash prefix, so a changed or missing dataset is an error, never a silent shift.
"""

from __future__ import annotations

import csv
import hashlib
import re
from dataclasses import dataclass
from pathlib import Path

HERE = Path(__file__).resolve().parent
REAL_LABELS = HERE / "intent_real_labels.tsv"
DEFAULT_SHARED = HERE.parents[2] / "shared"
_ESCAPE = re.compile(r"\\u([0-9a-fA-F]{4})")


class RealSetError(Exception):
    """The real-post set cannot be resolved against the shared datasets."""


@dataclass(frozen=True, slots=True)
class RealPost:
    source: str
    line: int
    lang: str
    label: str
    text: str


def text_of(source: str, raw_line: str) -> str:
    """The post text in one raw line of a shared dataset file (escapes decoded)."""
    fields = raw_line.split("\t")
    if "germeval2017" in source:
        field = fields[1]
    elif "sb10k" in source or "semeval2017" in source:
        field = fields[2]
    else:  # umsab *_text.txt: one post per line
        field = raw_line
    return _ESCAPE.sub(lambda m: chr(int(m.group(1), 16)), field)


def short_hash(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:12]


def read_refs(path: Path = REAL_LABELS) -> list[dict[str, str]]:
    lines = [ln for ln in path.read_text(encoding="utf-8").splitlines()
             if ln and not ln.startswith("#")]
    return list(csv.DictReader(lines, delimiter="\t", quoting=csv.QUOTE_NONE))


def read_real_posts(shared: Path = DEFAULT_SHARED, path: Path = REAL_LABELS) -> list[RealPost]:
    """Every referenced post with its text; raises `RealSetError` on a missing or changed file."""
    refs = read_refs(path)
    files: dict[str, list[str]] = {}
    posts: list[RealPost] = []
    for n, ref in enumerate(refs, 1):
        source = ref["source"]
        if source not in files:
            file = shared / source
            if not file.is_file():
                raise RealSetError(f"{file} is missing (needed by {path.name}); "
                                   "pass --shared DIR pointing at the shared folder")
            files[source] = file.read_text(encoding="utf-8").split("\n")
        lines = files[source]
        line = int(ref["line"])
        if not 1 <= line <= len(lines):
            raise RealSetError(f"{path.name} row {n}: {source} has no line {line}")
        text = text_of(source, lines[line - 1])
        if short_hash(text) != ref["sha"]:
            raise RealSetError(f"{path.name} row {n}: {source} line {line} changed "
                               f"(sha256 {short_hash(text)} != {ref['sha']})")
        posts.append(RealPost(source, line, ref["lang"], ref["label"], text))
    return posts
