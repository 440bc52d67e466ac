"""Offline topic clustering of a batch of texts (`stimmung eval topics`).

Each text is one vector of two equal halves, each centred on the batch's mean and
L2-normalised: the problem stage's own text encoder (`bilingual`: character n-grams of
lemmas, German put into English) and the multilingual-e5 sentence embedding taken with
e5's "query: " prefix (short, symmetric texts; measured better than "passage: " here).
The texts are cut into k groups by spectral clustering on the 10-nearest-neighbour
graph (fewer when the mean cluster size n / k is smaller; a fixed seed). Measured
figures and what else was tried: models/problem_alignment/MODEL_CARD.md ("GermEval
aspect NMI").
"""

from __future__ import annotations

import threading
import warnings
from collections.abc import Sequence

import numpy as np

from pipeline.nlp.vectors import l2_normalise, load_text_encoder

E5_PREFIX = "query: "
NEIGHBOURS = 10
SEED = 0
_prefix_lock = threading.Lock()


def centred(x: np.ndarray) -> np.ndarray:
    """Rows minus their mean, L2-normalised (removes the common direction)."""
    x = np.asarray(x, dtype=np.float64)
    return l2_normalise(x - x.mean(axis=0, keepdims=True))


def e5_embeddings(texts: Sequence[str], prefix: str = E5_PREFIX) -> np.ndarray:
    """e5 sentence embeddings of `texts` with `prefix` instead of the encoder's own.

    The encoder reads its prefix from `pipeline.nlp.e5_text.PREFIX`; it is swapped for
    this call only (offline use: the eval command runs nothing else meanwhile)."""
    import pipeline.nlp.e5_text as e5_text
    from pipeline.nlp.encoder import load_encoder

    with _prefix_lock:
        old = e5_text.PREFIX
        e5_text.PREFIX = prefix
        try:
            _, embs = load_encoder(None).run(list(texts), embedding=True)
        finally:
            e5_text.PREFIX = old
    assert embs is not None
    return embs


def topic_vectors(texts: Sequence[str], langs: Sequence[str | None],
                  encoder: str = "bilingual") -> np.ndarray:
    """[n, d] unit vectors: centred problem-encoder half beside a centred e5 half."""
    problem = centred(load_text_encoder(encoder).encode(texts, langs))
    e5 = centred(e5_embeddings(texts))
    return l2_normalise(np.hstack([problem, e5]))


def neighbours(n: int, k: int) -> int:
    """Graph neighbours: `NEIGHBOURS`, fewer than the mean cluster size n / k."""
    return max(2, min(NEIGHBOURS, n // k, n - 1))


def spectral_labels(x: np.ndarray, k: int) -> list[int]:
    """k clusters of the rows of `x` on their symmetric kNN graph, ids by first appearance."""
    from sklearn.cluster import SpectralClustering

    n = x.shape[0]
    if n <= k:
        return list(range(n))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # a disconnected graph: still clustered
        labels = SpectralClustering(k, affinity="nearest_neighbors",
                                    n_neighbors=neighbours(n, k),
                                    random_state=SEED).fit_predict(x)
    order: dict[int, int] = {}
    return [order.setdefault(int(lab), len(order)) for lab in labels]


def cluster_batch(texts: Sequence[str], langs: Sequence[str | None], k: int) -> list[int]:
    """Cluster ids for `texts` into `k` groups (see module doc)."""
    return spectral_labels(topic_vectors(texts, langs), k)
