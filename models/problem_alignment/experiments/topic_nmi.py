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
from typing import Any

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


def _nmi(gold: list[str], pred: Any) -> float:
    from sklearn.metrics import normalized_mutual_info_score

    return round(float(normalized_mutual_info_score(gold, pred)), 3)


def _spectral(x: np.ndarray, gold: list[str], k: int, seeds: int = 3) -> list[float]:
    from sklearn.cluster import SpectralClustering

    n = min(10, x.shape[0] // k)
    return [_nmi(gold, SpectralClustering(k, affinity="nearest_neighbors", n_neighbors=n,
                                          random_state=s).fit_predict(x))
            for s in range(seeds)]


def _lda_projection(x: np.ndarray, cats: list[list[str]], shrink: float) -> Any:
    """Shrinkage LDA fitted on `x` (multi-label: one row per category)."""
    from sklearn.discriminant_analysis import LinearDiscriminantAnalysis

    rows = [(i, c) for i, cs in enumerate(cats) for c in cs]
    lda = LinearDiscriminantAnalysis(solver="eigen", shrinkage=shrink).fit(
        x[[i for i, _ in rows]] - x.mean(0), [c for _, c in rows])
    return lambda z: centred(lda.transform(z - z.mean(0)))


def cmd_eval() -> None:
    """Spectral NMI per representation on the eval file and on the 183 disjoint
    documents with a category; the LDA weak supervision (eval file and 5-fold CV)."""
    import warnings

    from sklearn.cluster import KMeans

    from pipeline.nlp.problems import cluster_texts, default_k
    from pipeline.nlp.vectors import l2_normalise, load_text_encoder

    warnings.simplefilter("ignore")
    texts, gold = read_eval()
    other, cats, _ = read_other(texts)
    idx = [i for i, c in enumerate(cats) if c]
    enc = load_text_encoder("bilingual")
    sets = {"eval": (texts, gold, "eval", None),
            "disjoint": ([other[i] for i in idx], [cats[i][0] for i in idx], "other", idx)}
    for name, (tt, g, tag, ix) in sets.items():
        k = default_k(len(tt))
        h = centred(enc.encode(tt, ["de"] * len(tt)))
        print(name, len(tt), "k", k, "cluster_texts", _nmi(g, cluster_texts(tt, ["de"] * len(tt))))
        print(name, "bilingual", _spectral(h, g, k))
        for prefix in ("passage", "query"):
            e = np.load(cache() / f"{tag}-{prefix}.npy")
            q = centred(e if ix is None else e[ix])
            both = l2_normalise(np.hstack([h, q]))  # as shipped
            print(name, prefix, "e5", _spectral(q, g, k), "bilingual+e5", _spectral(both, g, k),
                  flush=True)
    e, o = np.load(cache() / "eval-passage.npy"), np.load(cache() / "other-passage.npy")
    k = default_k(len(texts))
    single = [i for i, c in enumerate(cats) if len(c) == 1]
    for shrink in (0.1, 0.3, 0.6):
        z = _lda_projection(o, cats, shrink)(e)
        ev = np.mean([_nmi(gold, KMeans(k, n_init=1, random_state=s).fit_predict(z))
                      for s in range(6)])
        cv = []
        for fold in range(5):
            tr = [i for i in range(len(other)) if text_fold(other[i]) != fold]
            te = [i for i in single if text_fold(other[i]) == fold]
            zz = _lda_projection(o[tr], [cats[i] for i in tr], shrink)(o[te])
            cv.append(_nmi([cats[i][0] for i in te],
                           KMeans(default_k(len(te)), n_init=1, random_state=0).fit_predict(zz)))
        print("lda shrink", shrink, "eval k-means", round(float(ev), 3), "cv", cv)


def centred(x: np.ndarray) -> np.ndarray:
    from pipeline.nlp.topic_clusters import centred as c

    return c(x)


if __name__ == "__main__":
    {"embed": cmd_embed, "eval": cmd_eval}[sys.argv[1]]()
