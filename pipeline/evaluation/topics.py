"""Topic (problem) clustering evaluation: NMI, ARI and purity against gold categories.

`evaluate_topics(path)` reads a TSV (`text`, `label`, `lang`), clusters the texts with
`pipeline.nlp.problems.cluster_texts` (k from the fixed rule round(sqrt(2 n)); the gold
labels are only used for scoring) and returns the metrics.

Measured figures for each representation: models/intent/MODEL_CARD.md ("Topic
clustering") and the README.
"""

from __future__ import annotations

import logging
import time
from collections import Counter
from pathlib import Path
from typing import Any

from pipeline.evaluation.sentiment import read_tsv

log = logging.getLogger(__name__)


def purity(gold: list[str], pred: list[int]) -> float:
    """Share of items that carry the majority gold label of their cluster."""
    by: dict[int, Counter[str]] = {}
    for g, p in zip(gold, pred, strict=True):
        by.setdefault(p, Counter())[g] += 1
    return sum(c.most_common(1)[0][1] for c in by.values()) / max(len(gold), 1)


def evaluate_topics(path: Path, k: int | None = None) -> dict[str, Any]:
    """Cluster the texts of a labelled TSV and score the clusters against the labels."""
    from sklearn.metrics import adjusted_rand_score, normalized_mutual_info_score

    from pipeline.nlp.problems import cluster_texts

    rows = read_tsv(path, check_labels=False)
    texts = [r.text for r in rows]
    gold = [r.label for r in rows]
    t0 = time.perf_counter()
    pred = cluster_texts(texts, [r.lang for r in rows], k)
    secs = time.perf_counter() - t0
    return {
        "n": len(rows),
        "n_clusters": len(set(pred)),
        "nmi": round(float(normalized_mutual_info_score(gold, pred)), 4),
        "ari": round(float(adjusted_rand_score(gold, pred)), 4),
        "purity": round(purity(gold, pred), 4),
        "seconds": round(secs, 2),
    }
