"""Offline topic clustering (`stimmung eval topics`): vectors, neighbours, e5 prefix."""

from __future__ import annotations

import numpy as np

import pipeline.nlp.e5_text as e5_text
from pipeline.nlp.topic_clusters import centred, e5_embeddings, neighbours, spectral_labels


def test_neighbours_stay_below_the_mean_cluster_size() -> None:
    assert neighbours(490, 31) == 10
    assert neighbours(18, 6) == 3
    assert neighbours(3, 3) == 2


def test_centred_rows_are_unit_and_lose_the_common_direction() -> None:
    rng = np.random.default_rng(0)
    x = rng.normal(size=(20, 8)) + 5.0
    c = centred(x)
    assert np.allclose(np.linalg.norm(c, axis=1), 1.0, atol=1e-5)
    assert abs(float(c.mean(axis=0) @ np.ones(8))) < abs(float(x.mean(axis=0) @ np.ones(8)))
    assert np.linalg.norm(c.mean(axis=0)) < 0.5


def test_spectral_labels_separate_clear_groups_deterministically() -> None:
    rng = np.random.default_rng(1)
    centres = np.eye(4)[:3] * 5
    x = np.vstack([c + rng.normal(scale=0.1, size=(8, 4)) for c in centres])
    a = spectral_labels(x, 3)
    assert a == spectral_labels(x, 3)
    assert [len(set(a[i:i + 8])) for i in (0, 8, 16)] == [1, 1, 1] and len(set(a)) == 3


def test_e5_query_prefix_is_used_and_restored() -> None:
    texts = ["Die Klimaanlage im ICE ist ausgefallen", "WLAN im Zug geht nicht"]
    q = e5_embeddings(texts, "query: ")
    assert e5_text.PREFIX == "passage: "
    p = e5_embeddings(texts, "passage: ")
    assert q.shape == p.shape == (2, 384)
    assert not np.allclose(q, p, atol=1e-3)
    assert np.allclose(e5_embeddings(texts, "query: "), q, atol=1e-5)
