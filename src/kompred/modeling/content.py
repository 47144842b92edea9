"""The content-only model: P(beviljad | what was applied for), fitted out of fold.

The model behind :func:`kompred.cross_fitted_content_scores` and
:attr:`kompred.Corpus.content_scores`: char n-gram TF-IDF of the text, one-hot form, provider
type and topic, log cost per participant, in an L2-penalized logistic regression fitted K times
so that no row's own decision predicts it.
"""

from __future__ import annotations

import math
import os
from collections.abc import Sequence

import numpy as np
import pandas as pd
import scipy.sparse as sp

from ..text.neighbours import _char_matrix, _texts
from ._newton import logistic_newton_pcg

_CONTENT_CATEGORICAL = ("insats_form", "provider_type", "topic")


def _structured_block(apps: pd.DataFrame, columns: Sequence[str], cost_column: str | None,
                      participants_column: str | None) -> sp.csr_matrix:
    blocks = []
    for col in columns:
        if col not in apps.columns:
            continue
        vals = apps[col].astype(object).where(apps[col].notna(), "∅").astype(str).to_numpy()
        levels, codes = np.unique(vals, return_inverse=True)
        if len(levels) < 2:
            continue
        blocks.append(sp.csr_matrix((np.ones(len(vals)), (np.arange(len(vals)), codes)),
                                    shape=(len(vals), len(levels))))
    if cost_column and cost_column in apps.columns:
        cost = pd.to_numeric(apps[cost_column], errors="coerce").to_numpy(dtype=float)
        if participants_column and participants_column in apps.columns:
            part = pd.to_numeric(apps[participants_column], errors="coerce").to_numpy(dtype=float)
            part = np.where(np.isfinite(part) & (part >= 1), part, np.nan)
            per = cost / part
            per = np.where(np.isfinite(per), per, cost)
        else:
            per = cost
        per = np.where(np.isfinite(per) & (per > 0), per, np.nan)
        x = np.log(per)
        miss = ~np.isfinite(x)
        if (~miss).sum() >= 2 and np.nanstd(x) > 0:
            x = (x - np.nanmean(x)) / np.nanstd(x)
            x = np.where(miss, 0.0, x)
            cols = [x[:, None]]
            if miss.any():
                cols.append(miss[:, None].astype(float))
            blocks.append(sp.csr_matrix(np.hstack(cols)))
    if not blocks:
        return sp.csr_matrix((len(apps), 0))
    return sp.hstack(blocks, format="csr")


def _hstack_rows(blocks: Sequence[sp.spmatrix], dtype: type) -> sp.csr_matrix:
    """``sp.hstack(blocks, format="csr", dtype=dtype)`` for CSR blocks, row by row.

    SciPy stacks CSR blocks side by side through COO and a sort: 8-13 s for the 72 million
    entries of 100,000 texts. Here each row's entries are the blocks' rows one after the other,
    placed with index arithmetic (well under a second there); the same matrix.
    """
    blocks = [sp.csr_matrix(b) for b in blocks]
    n = blocks[0].shape[0]
    counts = np.stack([np.diff(b.indptr) for b in blocks])
    indptr = np.zeros(n + 1, dtype=np.int64)
    np.cumsum(counts.sum(axis=0), out=indptr[1:])
    nnz = int(indptr[-1])
    itype = np.int32 if max(nnz, sum(b.shape[1] for b in blocks)) < 2**31 else np.int64
    data = np.empty(nnz, dtype=dtype)
    indices = np.empty(nnz, dtype=itype)
    start = indptr[:-1].copy()  # where the next block's part of each row begins
    offset = 0
    for b, c in zip(blocks, counts, strict=True):
        for r0 in range(0, n, 16_384):  # in row chunks: index arrays of one chunk at a time
            r1 = min(r0 + 16_384, n)
            lo, hi = b.indptr[r0], b.indptr[r1]
            pos = np.arange(lo, hi) + np.repeat(start[r0:r1] - b.indptr[r0:r1], c[r0:r1])
            data[pos] = b.data[lo:hi]
            indices[pos] = b.indices[lo:hi] + offset
        start += c
        offset += b.shape[1]
    return sp.csr_matrix((data, indices, indptr.astype(itype)), shape=(n, offset))


def _one_hot(apps: pd.DataFrame, columns: Sequence[str]) -> sp.csr_matrix:
    return _structured_block(apps, columns, None, None)


#: Above this many rows the content model takes its large-data paths: near-duplicate groups are
#: dealt to folds by their share of grants (vectorised) instead of by StratifiedGroupKFold, whose
#: Python loop over groups took about 2 s at 4,000 rows, and the fits run in float32 (half the
#: memory traffic of each sparse product: 2.1x faster at 20,000 rows, logits within 0.05, i.e.
#: the solver's tolerance), the cross-fits in parallel threads. Smaller tables, where every
#: published evaluation ran, are unchanged.
_LARGE_ROWS = 2_000


def _group_folds_by_share(y: np.ndarray, groups: np.ndarray, n_splits: int,
                          seed: int | None) -> np.ndarray:
    """Folds of whole groups, stratified: groups ordered by their share of label 1 (ties in
    random order) are dealt to the folds in turn, so every fold gets groups of every mix."""
    _, g = np.unique(groups, return_inverse=True)
    n_groups = int(g.max()) + 1
    share = np.bincount(g, weights=y, minlength=n_groups) / np.bincount(g, minlength=n_groups)
    order = np.lexsort((np.random.default_rng(seed).random(n_groups), share))
    fold_of_group = np.empty(n_groups, dtype=np.int64)
    fold_of_group[order] = np.arange(n_groups) % n_splits
    return fold_of_group[g]


def _fold_ids(y: np.ndarray, groups: np.ndarray | None, n_splits: int, seed: int | None
              ) -> np.ndarray:
    """Fold number of each labelled row (stratified; near-duplicate groups kept together)."""
    from sklearn.model_selection import StratifiedGroupKFold, StratifiedKFold

    folds = np.empty(len(y), dtype=np.int64)
    if groups is not None and len(y) > _LARGE_ROWS:
        return _group_folds_by_share(y, groups, n_splits, seed)
    if groups is not None and len(np.unique(groups)) >= n_splits:
        splitter = StratifiedGroupKFold(n_splits=n_splits, shuffle=True, random_state=seed)
        splits = splitter.split(np.zeros(len(y)), y, groups)
    else:
        splitter = StratifiedKFold(n_splits=n_splits, shuffle=True, random_state=seed)
        splits = splitter.split(np.zeros(len(y)), y)
    for f, (_, test) in enumerate(splits):
        folds[test] = f
    return folds


def _content_logits(apps: pd.DataFrame, y: np.ndarray, labelled: np.ndarray, *,
                    X_text: sp.csr_matrix | None, text_columns: Sequence[str],
                    nuisance_columns: Sequence[str], groups: np.ndarray | None,
                    n_splits: int, C: float, seed: int | None) -> np.ndarray:
    """Cross-fitted content logits for every row (labelled rows out-of-fold)."""
    from sklearn.linear_model import LogisticRegression

    n = len(apps)
    yl = y[labelled]
    n_pos = int(yl.sum())
    n_neg = int(len(yl) - n_pos)
    base = math.log((n_pos + 0.5) / (n_neg + 0.5))
    out = np.full(n, base)
    splits = min(n_splits, n_pos, n_neg)
    if splits < 2:
        return out
    if X_text is None:
        X_text = _char_matrix(_texts(apps, text_columns))
    X_struct = _structured_block(apps, _CONTENT_CATEGORICAL, "cost_sek", "participants")
    large = len(yl) > _LARGE_ROWS
    dtype = np.float32 if large else np.float64
    X_nuis = _one_hot(apps, nuisance_columns)
    # one stacked copy (content columns first), not one for the content and one for all
    blocks = [X_text, X_struct, X_nuis]
    X = _hstack_rows(blocks, dtype) if large else sp.hstack(blocks, format="csr", dtype=dtype)
    n_c = X_text.shape[1] + X_struct.shape[1]
    lab_idx = np.flatnonzero(labelled)
    folds = _fold_ids(yl, None if groups is None else groups[labelled], splits, seed)

    def fit_predict(train: np.ndarray, test: np.ndarray) -> np.ndarray:
        if len(np.unique(y[train])) < 2:  # a fold with one class only: its smoothed rate
            k = float(y[train].sum())
            return np.full(len(test), math.log((k + 0.5) / (len(train) - k + 0.5)))
        if large:  # the same fit with preconditioned CG steps (modeling/_newton.py)
            w, intercept, _ = logistic_newton_pcg(X[train], y[train], C=C)
            w = w.astype(float)
        else:
            # Newton-CG: 5-60x faster than liblinear's dual on char n-grams (a few Newton steps
            # of sparse products); the same penalized likelihood, logits within 0.03 of
            # liblinear's
            model = LogisticRegression(C=C, solver="newton-cg", max_iter=1000)
            model.fit(X[train], y[train])
            w = model.coef_.ravel().astype(float)
            intercept = float(model.intercept_[0])
        logit = X[test][:, :n_c] @ w[:n_c] + intercept
        if X.shape[1] > n_c:  # partial out nuisance effects at their training-set average
            logit = logit + float(np.mean(X[train][:, n_c:] @ w[n_c:]))
        return np.asarray(logit).ravel()

    jobs = [(lab_idx[folds != f], lab_idx[folds == f]) for f in range(splits)]
    unlabelled = np.flatnonzero(~labelled)
    if len(unlabelled):
        jobs.append((lab_idx, unlabelled))
    # each fit is deterministic and SciPy's sparse products release the GIL, so on a large
    # table the fits share the machine's cores in threads with the same result as one by one
    workers = min(len(jobs), _cores()) if large else 1
    if workers > 1:
        from concurrent.futures import ThreadPoolExecutor

        with ThreadPoolExecutor(workers) as pool:
            logits = list(pool.map(lambda job: fit_predict(*job), jobs))
    else:
        logits = [fit_predict(*job) for job in jobs]
    for (_, test), logit in zip(jobs, logits, strict=True):
        out[test] = logit
    return out


def _cores() -> int:
    """CPU cores this process may run on."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1
