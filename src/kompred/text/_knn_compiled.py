"""Compiled kernels of the approximate neighbour search (numba; the ``ann`` extra).

Imported only by :mod:`kompred.text.neighbours` when numba is installed. Its kernels:

- :func:`row_block`: one block of rows' candidate scores against every later row,
  ``Z_I·Z_{I0:}ᵀ + rest_I·rest_{I0:}ᵀ`` (the dense part comes from BLAS; the sparse rest of the
  n-grams is added here from posting lists), offered to the running best-``M`` lists of the
  rows on both sides, so each unordered pair of rows is scored once;
- :func:`pair_dots`: exact dot products of many row pairs of a CSR matrix, one dense scatter
  of the first row per run of equal first rows;
- :func:`word_counts`: the texts' n-gram counts for the search's TF-IDF, each text's words'
  n-grams counted in parallel (the sparse product and sort of :mod:`._fastchar`, twice as fast).

All are compiled once and cached next to this module (numba's ``cache=True``; numba's user
cache directory when that is read-only; none where neither is writable), so later processes
load them in a fraction of a second instead of compiling them for about ten. All are
deterministic: each row's list
receives its offers in ascending column order whatever the number of threads (threads own
disjoint rows, or disjoint columns), so ties keep the lower index.
"""

from __future__ import annotations

import numba as nb
import numpy as np


def _jit(**options):
    """``numba.njit`` with numba's on-disk cache, or without it where no cache directory is
    writable (numba then refuses ``cache=True`` outright; each process compiles anew)."""
    def wrap(fn):
        try:
            return nb.njit(cache=True, **options)(fn)
        except RuntimeError:
            return nb.njit(**options)(fn)
    return wrap


#: Columns one thread offers to their rows at a time (16 float32 = one 64-byte cache line).
_COLUMN_TILE = 16
#: Values of a row compared with its minimum at once before any is walked one by one.
_SCAN = 64


@_jit(nogil=True, inline="always")
def _replace(best_v, best_i, low, low_at, row, j, v):
    # v beat the row's current minimum: it takes that place, and the minimum is found again
    best_v[row, low_at[row]] = v
    best_i[row, low_at[row]] = j
    m = best_v[row, 0]
    at = 0
    for t in range(1, best_v.shape[1]):
        if best_v[row, t] < m:
            m = best_v[row, t]
            at = t
    low[row] = m
    low_at[row] = at


@_jit(nogil=True)
def advance_postings(p_rows, p_indptr, start, i0):
    """Move each column's ``start`` to its first posting whose row is >= ``i0``."""
    for f in range(len(start)):
        s = start[f]
        end = p_indptr[f + 1]
        while s < end and p_rows[s] < i0:
            s += 1
        start[f] = s


@_jit(parallel=True, nogil=True)
def row_block(S, i0, r_indptr, r_indices, r_data, p_rows, p_data, p_indptr, start,
              best_v, best_i, low, low_at):
    """Add the sparse rest to ``S`` and offer it to the rows of both sides.

    ``S`` (rows ``i0:i0 + b``, columns ``i0:``) holds ``Z_I·Z_{i0:}ᵀ`` on entry. ``r_*`` is the
    rest matrix in CSR, ``p_rows``/``p_data``/``p_indptr`` the same in CSC (its posting lists,
    rows ascending) and ``start[f]`` the first posting of column ``f`` at row ``i0`` or later.
    Rows of the block are offered their whole row of ``S``; the later rows (columns past the
    block) are offered their column.
    """
    b, width = S.shape
    for r in nb.prange(b):
        row = i0 + r
        for p in range(r_indptr[row], r_indptr[row + 1]):
            f = r_indices[p]
            w = r_data[p]
            for q in range(start[f], p_indptr[f + 1]):
                S[r, p_rows[q] - i0] += w * p_data[q]
        S[r, r] = -np.inf
        # almost every offer is refused: a run of _SCAN values is first compared with the
        # row's minimum at once (a vector loop), and only a run with a winner is walked
        # (an equal value keeps the earlier, lower index)
        lo = low[row]
        for c0 in range(0, width, _SCAN):
            c1 = min(width, c0 + _SCAN)
            hit = False
            for c in range(c0, c1):
                hit |= S[r, c] > lo
            if hit:
                for c in range(c0, c1):
                    v = S[r, c]
                    if v > lo:
                        _replace(best_v, best_i, low, low_at, row, i0 + c, v)
                        lo = low[row]
    n_tiles = (width - b + _COLUMN_TILE - 1) // _COLUMN_TILE
    for t in nb.prange(n_tiles):
        c_lo = b + t * _COLUMN_TILE
        c_hi = min(width, c_lo + _COLUMN_TILE)
        lows = low[i0 + c_lo:i0 + c_hi].copy()
        for r in range(b):
            hit = False
            for c in range(c_lo, c_hi):
                hit |= S[r, c] > lows[c - c_lo]
            if hit:
                for c in range(c_lo, c_hi):
                    v = S[r, c]
                    if v > lows[c - c_lo]:
                        _replace(best_v, best_i, low, low_at, i0 + c, i0 + r, v)
                        lows[c - c_lo] = low[i0 + c]


@_jit(parallel=True, nogil=True)
def sparse_dense(indptr, indices, data, W):
    """``X @ W`` for a CSR ``X`` and a dense float32 ``W`` (rows in parallel)."""
    n = len(indptr) - 1
    out = np.zeros((n, W.shape[1]), np.float32)
    for i in nb.prange(n):
        for p in range(indptr[i], indptr[i + 1]):
            w = data[p]
            f = indices[p]
            for c in range(W.shape[1]):
                out[i, c] += w * W[f, c]
    return out


@_jit(parallel=True, nogil=True)
def _pair_dots(indptr, indices, data, n_features, a, b, n_threads):
    n_pairs = len(a)
    out = np.empty(n_pairs, np.float32)
    chunk = (n_pairs + n_threads - 1) // n_threads
    for t in nb.prange(n_threads):
        acc = np.zeros(n_features, np.float32)
        current = -1
        for p in range(t * chunk, min(n_pairs, (t + 1) * chunk)):
            i = a[p]
            if i != current:
                if current >= 0:
                    for q in range(indptr[current], indptr[current + 1]):
                        acc[indices[q]] = 0.0
                for q in range(indptr[i], indptr[i + 1]):
                    acc[indices[q]] = data[q]
                current = i
            j = b[p]
            s = np.float32(0.0)
            for q in range(indptr[j], indptr[j + 1]):
                s += acc[indices[q]] * data[q]
            out[p] = s
    return out


def pair_dots(indptr, indices, data, n_features, a, b):
    """``X[a[p]] · X[b[p]]`` for every p (float32); fastest with ``a`` sorted."""
    # the thread count is read here: a compiled function that reads it cannot be cached
    return _pair_dots(indptr, indices, data, n_features, a, b, nb.get_num_threads())


@_jit(parallel=True, nogil=True)
def _count_rows(t_indptr, t_indices, w_indptr, w_indices, n_cols, n_threads, indptr, fill,
                out_indices, out_data):
    # one pass: the number of distinct columns per row (fill=False), or the rows themselves
    n = len(t_indptr) - 1
    chunk = (n + n_threads - 1) // n_threads
    for t in nb.prange(n_threads):
        count = np.zeros(n_cols, np.int32)
        seen = np.empty(n_cols, np.int64)
        for i in range(t * chunk, min(n, (t + 1) * chunk)):
            m = 0
            for p in range(t_indptr[i], t_indptr[i + 1]):
                w = t_indices[p]
                for q in range(w_indptr[w], w_indptr[w + 1]):
                    c = w_indices[q]
                    if count[c] == 0:
                        seen[m] = c
                        m += 1
                    count[c] += 1
            if fill:
                cols = np.sort(seen[:m])
                at = indptr[i]
                for j in range(m):
                    out_indices[at + j] = cols[j]
                    out_data[at + j] = count[cols[j]]
            else:
                indptr[i + 1] = m
            for j in range(m):
                count[seen[j]] = 0


def word_counts(T, W):
    """``T @ W`` with sorted column indices, for the 0/1 token matrix ``T`` (texts x words)
    and the n-gram matrix ``W`` (words x n-grams) of :func:`kompred.text._fastchar.word_matrices`:
    each text's n-gram counts, rows in parallel (float32 integers, so exactly the sparse
    product's values)."""
    n, n_cols = T.shape[0], W.shape[1]
    t_indptr, t_indices = T.indptr.astype(np.int64), T.indices.astype(np.int64)
    w_indptr, w_indices = W.indptr.astype(np.int64), W.indices.astype(np.int64)
    threads = nb.get_num_threads()
    indptr = np.zeros(n + 1, np.int64)
    none_i, none_d = np.zeros(0, np.int32), np.zeros(0, np.float32)
    _count_rows(t_indptr, t_indices, w_indptr, w_indices, n_cols, threads, indptr, False,
                none_i, none_d)
    np.cumsum(indptr, out=indptr)
    # int32 indices and pointers where they fit: given int64 pointers scipy copies the indices
    index = np.int32 if indptr[-1] < np.iinfo(np.int32).max else np.int64
    indices = np.empty(indptr[-1], index)
    data = np.empty(indptr[-1], np.float32)
    _count_rows(t_indptr, t_indices, w_indptr, w_indices, n_cols, threads, indptr, True,
                indices, data)
    return indptr.astype(index), indices, data
