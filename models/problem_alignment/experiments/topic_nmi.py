"""GermEval aspect NMI experiments for `cluster_texts` (issue 12 item 3).

    .venv/bin/python models/problem_alignment/experiments/topic_nmi.py embed
    .venv/bin/python models/problem_alignment/experiments/topic_nmi.py eval

`embed` caches e5 embeddings ("passage: " and "query: ") of the eval file and of the
GermEval dev/trial documents **not** in it (matched by normalised text) under
$STIMMUNG_CACHE_DIR/topic_nmi/. `eval` scores variants on the eval file (k fixed by
the rule) and, for anything fitted on the other documents, cross-validated on those.
"""

from __future__ import annotations

import csv
import hashlib
import html
import json
import re
import sys
from collections import Counter
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[3]
sys.path[:0] = [str(ROOT)]
SHARED = ROOT.parent / "shared"
EVAL = SHARED / "eval" / "germeval_aspects_dev_de.tsv"
GERM = SHARED / "datasets" / "germeval2017"

_URL = re.compile(r"(?:https?://|www\.)\S+", re.IGNORECASE)
_MENTION = re.compile(r"@\w+")
_PUNCT = re.compile(r"[\W_]+")


def norm(text: str) -> str:
    """Normalised text for the overlap check (lowercase, no links, handles, punctuation)."""
    t = html.unescape(text).lower()
    t = _URL.sub(" ", t)
    t = _MENTION.sub(" ", t)
    t = re.sub(r"^\s*rt\b", " ", t)
    return " ".join(_PUNCT.sub(" ", t).split())


def text_fold(text: str, folds: int = 5) -> int:
    return int(hashlib.sha256(norm(text).encode("utf-8")).hexdigest(), 16) % folds


def read_eval() -> tuple[list[str], list[str]]:
    with EVAL.open(encoding="utf-8", newline="") as f:
        rows = list(csv.DictReader(f, delimiter="\t", quoting=csv.QUOTE_NONE))
    return [r["text"] for r in rows], [r["label"] for r in rows]


def categories(field: str) -> list[str]:
    """Aspect categories of a `Cat#Sub:polarity ...` field, without the catch-all."""
    out = {a.split(":")[0].split("#")[0] for a in field.split()}
    return sorted(c for c in out if c and c != "Allgemein")


def read_other(eval_texts: list[str]) -> tuple[list[str], list[list[str]], dict[str, int]]:
    """Relevant GermEval dev/trial documents whose normalised text is not in the eval file
    (one per normalised text), with their categories; and overlap counts."""
    banned = {norm(t) for t in eval_texts}
    seen: set[str] = set()
    texts: list[str] = []
    cats: list[list[str]] = []
    stats: Counter[str] = Counter()
    for name in ("dev_v1.4.tsv", "trial.tsv"):
        with (GERM / name).open(encoding="utf-8", newline="") as f:
            for row in csv.reader(f, delimiter="\t"):
                if len(row) < 4 or row[2] != "true":
                    continue
                text = " ".join(row[1].split())
                key = norm(text)
                if not key:
                    continue
                stats["relevant"] += 1
                if key in banned:
                    stats["in_eval"] += 1
                    continue
                if key in seen:
                    stats["duplicate"] += 1
                    continue
                seen.add(key)
                texts.append(text)
                cats.append(categories(row[4] if len(row) > 4 else ""))
    stats["kept"] = len(texts)
    stats["with_category"] = sum(1 for c in cats if c)
    return texts, cats, dict(stats)


def cache() -> Path:
    from pipeline.nlp.encoder import cache_dir

    p = cache_dir() / "topic_nmi"
    p.mkdir(parents=True, exist_ok=True)
    return p


def embed_texts(texts: list[str], prefix: str) -> np.ndarray:
    import pipeline.nlp.e5_text as e5_text
    from pipeline.nlp.encoder import load_encoder

    old = e5_text.PREFIX
    e5_text.PREFIX = prefix
    try:
        _, embs = load_encoder(None).run(texts, embedding=True)
    finally:
        e5_text.PREFIX = old
    assert embs is not None
    return embs


def cmd_embed() -> None:
    texts, _ = read_eval()
    other, _, stats = read_other(texts)
    print(json.dumps(stats))
    for prefix, tag in (("passage: ", "passage"), ("query: ", "query")):
        for name, tt in (("eval", texts), ("other", other)):
            path = cache() / f"{name}-{tag}.npy"
            if not path.is_file():
                np.save(path, embed_texts(tt, prefix))
            print(name, tag, np.load(path).shape)


if __name__ == "__main__":
    {"embed": cmd_embed}[sys.argv[1]]()
