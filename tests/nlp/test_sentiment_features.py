"""The featuriser's idf weighting and row normalisation equal scipy's matrix products."""

from __future__ import annotations

import numpy as np
import scipy.sparse as sp

from pipeline.nlp.sentiment.linear import _idf_unit_rows


def _scipy(x: sp.csr_matrix, idf: np.ndarray) -> sp.csr_matrix:
    x = sp.csr_matrix(x @ sp.diags(idf.astype(np.float32)))
    sq = np.asarray(x.multiply(x).sum(axis=1)).ravel()
    inv = np.where(sq > 0, 1.0 / np.sqrt(np.maximum(sq, 1e-12)), 0.0)
    return sp.diags(inv.astype(np.float32)) @ x


def test_equals_scipy_products_bit_for_bit() -> None:
    rng = np.random.default_rng(7)
    x = sp.random(300, 5000, density=0.02, format="csr", dtype=np.float32, random_state=rng)
    x.data = np.log1p(np.ceil(x.data * 4)).astype(np.float32)
    x = sp.vstack([x, sp.csr_matrix((2, 5000), dtype=np.float32)], format="csr")  # empty rows
    x.sum_duplicates()
    idf = (rng.random(5000) * 5 + 1).astype(np.float32)
    idf[:50] = 0.0  # zero weights drop entries, as the products do
    got, want = _idf_unit_rows(x, idf), _scipy(x, idf)
    assert got.dtype == want.dtype == np.float32
    assert np.array_equal(got.indptr, want.indptr)
    assert np.array_equal(got.indices, want.indices)
    assert np.array_equal(got.data, want.data)
