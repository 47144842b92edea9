"""The large-table paths of the consistency analysis agree with the algorithms they replaced.

Above ``_LARGE_ROWS`` rows some steps of ``kompred report``'s analysis take faster paths. Where a
path gives the same result, it is compared exactly; where it converges to the same optimum by
another route (the content model's solver), it is compared within the solver's tolerance with the
previous algorithm, which is kept here as the specification. Small tables never take these paths.
"""

from __future__ import annotations

import numpy as np
import pytest
import scipy.sparse as sp

from kompred import prepare, simulate
from kompred.modeling import content as M
from kompred.modeling._newton import logistic_newton_pcg
from kompred.schema import GRANTED


@pytest.fixture(scope="module")
def large_table():
    """A fixed simulated table just above the large-table threshold."""
    return simulate(M._LARGE_ROWS + 500, seed=11).applications


def reference_fit(X, y, C):
    """The content model's fit before issue 13's solver: scikit-learn's Newton-CG."""
    from sklearn.linear_model import LogisticRegression

    model = LogisticRegression(C=C, solver="newton-cg", max_iter=1000).fit(X, y)
    return model.coef_.ravel(), float(model.intercept_[0]), 0


def _gradient(X, y, w, b, C):
    from scipy.special import expit

    r = (expit(X @ w + b) - y) / X.shape[0]
    return np.r_[X.T @ r + w / (C * X.shape[0]), r.sum()]


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_newton_pcg_meets_scikit_learns_criterion_and_solution(large_table, dtype):
    corpus = prepare(large_table)
    X = corpus.X.astype(dtype)
    y = (corpus.decisions == GRANTED).astype(int)
    w, b, iters = logistic_newton_pcg(X, y, C=1.0)
    assert 0 < iters < 100
    # the same stopping rule as scikit-learn's newton-cg: max |gradient| <= 1e-4
    assert np.abs(_gradient(X.astype(np.float64), y, w.astype(np.float64), b, 1.0)).max() < 1.2e-4
    w_ref, b_ref, _ = reference_fit(X, y, 1.0)
    logit, logit_ref = X @ w + b, X @ w_ref + b_ref
    assert np.abs(logit - logit_ref).max() < 0.05
    assert np.corrcoef(logit, logit_ref)[0, 1] > 0.9999


def test_newton_pcg_fits_a_separable_corner_without_failing():
    X = sp.csr_matrix(np.array([[1.0, 0.0], [1.0, 0.0], [0.0, 1.0], [0.0, 1.0]]))
    y = np.array([1, 1, 0, 0])
    w, b, _ = logistic_newton_pcg(X, y, C=1.0)
    w_ref, b_ref, _ = reference_fit(X, y, 1.0)
    assert np.allclose(X @ w + b, X @ w_ref + b_ref, atol=1e-3)


def test_content_logits_agree_with_the_scikit_learn_solver(large_table, monkeypatch):
    corpus = prepare(large_table)
    fast = corpus.content_scores.copy()
    monkeypatch.setattr(M, "logistic_newton_pcg", reference_fit)
    slow = prepare(large_table).content_scores
    logit = np.log(fast / (1 - fast))
    logit_ref = np.log(slow / (1 - slow))
    assert np.abs(logit - logit_ref).max() < 0.05
    # and it is not the same function by accident: the solvers' paths differ
    assert not np.array_equal(fast, slow)


def test_hstack_rows_is_scipys_hstack():
    rng = np.random.default_rng(0)
    A = sp.random(300, 200, density=0.05, format="csr", random_state=rng, dtype=np.float32)
    B = sp.random(300, 7, density=0.3, format="csr", random_state=rng)
    empty = sp.csr_matrix((300, 0))
    for blocks in ([A, B, empty], [A, B], [A, empty], [empty, B], [B, A, B]):
        for dtype in (np.float32, np.float64):
            ref = sp.hstack(blocks, format="csr", dtype=dtype)
            got = M._hstack_rows(blocks, dtype)
            assert got.shape == ref.shape and got.dtype == ref.dtype
            assert np.array_equal(got.indptr, ref.indptr)
            assert np.array_equal(got.indices, ref.indices)
            assert np.array_equal(got.data, ref.data)
