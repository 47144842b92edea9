"""The neighbour graph: edges above a similarity, capped single-linkage groups, components."""

from __future__ import annotations

import numpy as np
import scipy.sparse as sp


def _edges(idx: np.ndarray, sim: np.ndarray, min_similarity: float
           ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Undirected edges (a < b) of the kNN graph with similarity >= min_similarity."""
    n, k = idx.shape
    if n == 0 or k == 0:
        e = np.empty(0, dtype=np.int64)
        return e, e, np.empty(0, dtype=np.float32)
    rows = np.repeat(np.arange(n), k)
    cols = idx.ravel()
    s = sim.ravel()
    keep = s >= np.float32(min_similarity) - np.float32(1e-6)
    a = np.minimum(rows[keep], cols[keep])
    b = np.maximum(rows[keep], cols[keep])
    s = s[keep]
    key = a * n + b
    key, first = np.unique(key, return_index=True)
    a, b, s = a[first], b[first], s[first]
    return a, b, np.minimum(s, np.float32(1.0))


def _capped_groups(n: int, a: np.ndarray, b: np.ndarray, s: np.ndarray, cap: int) -> np.ndarray:
    """Single-linkage groups built in order of decreasing similarity, never larger than cap.

    Plain connected components chain (A~B, B~C, ...) into one giant group when texts are
    templated: with 10,000 simulated applications the components at cosine 0.7 had one of 9,972
    rows. Merging the most similar pairs first and skipping a merge that would exceed ``cap``
    keeps near-duplicates together and the groups small.
    """
    parent = np.arange(n)
    size = np.ones(n, dtype=np.int64)

    def find(x: int) -> int:
        root = x
        while parent[root] != root:
            root = parent[root]
        while parent[x] != root:
            parent[x], x = root, parent[x]
        return root

    for i in np.lexsort((b, a, -s)):
        ra, rb = find(int(a[i])), find(int(b[i]))
        if ra != rb and size[ra] + size[rb] <= cap:
            if size[ra] < size[rb]:
                ra, rb = rb, ra
            parent[rb] = ra
            size[ra] += size[rb]
    roots = np.array([find(i) for i in range(n)])
    return np.unique(roots, return_inverse=True)[1]


def _fold_groups(n: int, idx: np.ndarray, sim: np.ndarray, threshold: float,
                 n_splits: int = 5) -> np.ndarray:
    a, b, s = _edges(idx, sim, threshold)
    return _capped_groups(n, a, b, s, cap=max(2, min(50, n // (2 * n_splits))))


def _components(n: int, a: np.ndarray, b: np.ndarray) -> np.ndarray:
    from scipy.sparse.csgraph import connected_components

    adj = sp.coo_matrix((np.ones(len(a), dtype=np.int8), (a, b)), shape=(n, n))
    _, labels = connected_components(adj, directed=False)
    return labels
