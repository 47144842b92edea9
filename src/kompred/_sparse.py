"""Products of CSR blocks side by side, without building the stacked matrix.

scipy multiplies a CSR matrix by a dense one row by row, adding each stored entry's product
into the output row in the order the entries are stored (``csr_matvecs``). The stacked matrix
``hstack([A, B])`` stores each row's entries of ``A`` and then those of ``B``, so running the
kernel over ``A`` and then over ``B`` into the same output adds the same products in the same
order: the same floats, without copying both blocks into a new matrix first.
"""

from __future__ import annotations

import functools
from typing import Any

import numpy as np
import scipy.sparse as sp


@functools.lru_cache(maxsize=1)
def _matvecs() -> Any:
    # scipy's row kernel, when this scipy has it and it adds into its output as described
    # (checked once on a small product against the stacked matrix); None otherwise
    try:
        from scipy.sparse._sparsetools import csr_matvecs
    except ImportError:  # pragma: no cover - another scipy
        return None
    rng = np.random.default_rng(0)
    blocks = [sp.random(40, 30, density=0.3, format="csr", dtype=dtype, random_state=seed)
              for seed, dtype in ((1, np.float32), (2, np.float64))]
    W = rng.standard_normal((60, 3))
    try:
        same = np.array_equal(_run(csr_matvecs, blocks, W), sp.hstack(blocks, format="csr") @ W)
    except (TypeError, ValueError):  # pragma: no cover - another signature
        return None
    return csr_matvecs if same else None


def _run(kernel: Any, blocks: list, W: np.ndarray) -> np.ndarray:
    n, k = blocks[0].shape[0], W.shape[1]
    dtype = np.result_type(*(b.dtype for b in blocks), W.dtype)
    out = np.zeros((n, k), dtype=dtype)
    start = 0
    for b in blocks:
        part = np.ascontiguousarray(W[start : start + b.shape[1]], dtype=dtype)
        kernel(n, b.shape[1], k, b.indptr, b.indices, b.data.astype(dtype, copy=False),
               part.ravel(), out.ravel())
        start += b.shape[1]
    return out


def stacked_product(blocks: list, W: np.ndarray) -> np.ndarray:
    """``scipy.sparse.hstack(blocks, format="csr") @ W``, the same floats, for CSR blocks with
    the same rows and a dense 2-D ``W`` with one row per stacked column."""
    W = np.asarray(W)
    if W.ndim != 2 or W.shape[0] != sum(b.shape[1] for b in blocks):
        raise ValueError(f"expected W with {sum(b.shape[1] for b in blocks)} rows; got {W.shape}")
    kernel = _matvecs()
    if kernel is None or not all(sp.issparse(b) and b.format == "csr" for b in blocks):
        return np.asarray(sp.hstack(blocks, format="csr") @ W)
    return _run(kernel, blocks, W)
