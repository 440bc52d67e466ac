"""Text encoders: dense unit rows, deterministic, registered by name."""

from __future__ import annotations

import numpy as np
import pytest

from pipeline.nlp.vectors import HashedEncoder, load_text_encoder, register_text_encoder


def test_hashed_rows_are_unit_deterministic_and_keep_similarity() -> None:
    enc = load_text_encoder("hashed")
    assert enc is load_text_encoder("hashed")  # built once per process
    texts = ["Die App stürzt seit dem Update ständig ab", "Die App stürzt nach dem Update ab",
             "Lieferung kam drei Wochen zu spät", ""]
    x = enc.encode(texts, ["de"] * 4)
    assert x.dtype == np.float32 and x.shape == (4, enc.dim)
    assert np.allclose(np.linalg.norm(x[:3], axis=1), 1.0, atol=1e-5)
    assert not x[3].any()  # no content words: the zero vector
    assert np.array_equal(x, HashedEncoder().encode(texts, ["de"] * 4))  # fixed seed
    sims = x @ x.T
    assert sims[0, 1] > 0.6 and abs(sims[0, 2]) < 0.2
    sparse = enc.sparse(texts[:3], ["de"] * 3)  # projection keeps the sparse cosines
    assert np.allclose(sims[:3, :3], (sparse @ sparse.T).toarray(), atol=0.12)


def test_registry_and_unknown_names() -> None:
    class Tiny:
        name, version, dim = "tiny", "0", 2

        def encode(self, texts: object, langs: object) -> np.ndarray:
            return np.ones((len(texts), 2), dtype=np.float32) / np.sqrt(2)  # type: ignore[arg-type]

    register_text_encoder("tiny", Tiny)
    assert load_text_encoder("tiny").name == "tiny"
    with pytest.raises(ValueError, match="unknown text encoder 'nope'"):
        load_text_encoder("nope")
