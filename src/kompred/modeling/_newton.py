"""L2-penalized logistic regression by Newton's method with diagonally preconditioned CG.

The content model's large-table solver (:mod:`kompred.modeling.content`). It minimizes the same
objective as scikit-learn's ``LogisticRegression(C=C, solver="newton-cg")``::

    f(w, b) = mean_i log(1 + exp(-s_i (x_i·w + b))) + ||w||² / (2·C·n),   s_i = ±1,

(the intercept unpenalized) and stops at the same criterion, max |∇f| <= ``tol``, so the two
solutions agree within that tolerance (the problem is strictly convex). What differs is the
inner solver: scikit-learn's conjugate gradients are not preconditioned, and on char n-gram
TF-IDF columns, whose scales differ by orders of magnitude, they take many Hessian products per
Newton step; scaling by the Hessian's diagonal (the preconditioner liblinear's trust-region
Newton adopted for the same reason: Hsia, Chiang and Lin, ACML 2018) needs far fewer, and the
inner loop stops as soon as the step would meet the outer criterion.
"""

from __future__ import annotations

import numpy as np
import scipy.sparse as sp
from scipy.special import expit, log_expit


def _loss(z: np.ndarray, s: np.ndarray) -> float:
    return -float(np.sum(log_expit(s * z), dtype=np.float64))


def logistic_newton_pcg(X: sp.csr_matrix, y: np.ndarray, *, C: float = 1.0, tol: float = 1e-4,
                        max_iter: int = 100, max_inner: int = 200,
                        coef0: np.ndarray | None = None, intercept0: float = 0.0
                        ) -> tuple[np.ndarray, float, int]:
    """The L2-penalized logistic fit of ``y`` on ``X`` (the objective in the module docstring).

    Vectors are kept in X's dtype (float32 X: float32 products, half the memory traffic);
    sums that decide convergence are accumulated in float64.

    Parameters
    ----------
    X : sparse matrix, shape (n, d)
    y : array-like of 0/1, shape (n,)
    C : float, default 1.0
        Inverse regularization strength, as in scikit-learn.
    tol : float, default 1e-4
        Stop when max |∇f| <= tol (scikit-learn's newton-cg rule).
    max_iter, max_inner : int
        Most Newton steps, and conjugate-gradient steps per Newton step.
    coef0, intercept0 : starting point (default 0).

    Returns
    -------
    coef : ndarray of X's dtype, shape (d,)
    intercept : float
    n_iter : int
        Newton steps taken.
    """
    X = sp.csr_matrix(X)
    dtype = X.dtype
    n, d = X.shape
    s = np.where(np.asarray(y) > 0, 1.0, -1.0).astype(dtype)
    yy = (s > 0).astype(dtype)
    lam = 1.0 / (C * n)
    # X'v through the transposed view: a CSR copy of X' was 5 % faster per product and
    # cost 460 MB per fit at 100,000 texts
    XT = X.T
    # squares of X (sharing X's index arrays), for the Hessian's diagonal
    sq = sp.csr_matrix((X.data * X.data, X.indices, X.indptr), shape=X.shape).T
    w = np.zeros(d, dtype=dtype) if coef0 is None else np.asarray(coef0, dtype=dtype).copy()
    b = float(intercept0)

    def value(w_, b_, z_):
        return _loss(z_, s) / n + 0.5 * lam * float(np.dot(w_, w_))

    z = X @ w + dtype.type(b)
    f = value(w, b, z)
    it = 0
    for it in range(1, max_iter + 1):
        p = expit(z)
        r = (p - yy) / n
        g_w = XT @ r + lam * w
        g_b = float(np.sum(r, dtype=np.float64))
        gmax = max(float(np.max(np.abs(g_w))) if d else 0.0, abs(g_b))
        if gmax <= tol:
            it -= 1
            break
        h = (p * (1 - p) / n).astype(dtype)
        h_sum = float(np.sum(h, dtype=np.float64))
        diag_w = (sq @ h + lam).astype(dtype)
        diag_b = max(h_sum, 1e-30)

        def hess(v_w, v_b, h=h):
            u = h * (X @ v_w + dtype.type(v_b))
            return XT @ u + lam * v_w, float(np.sum(u, dtype=np.float64))

        # preconditioned CG on H·step = −g, stopped when the predicted gradient after the step
        # (the residual) is below min(0.5, sqrt(max|g|))·max|g| in every coordinate, or below
        # tol/2, which is all the stopping rule asks for. (scikit-learn's relative 1-norm rule
        # spent 143 of a fit's 234 Hessian products on 100,000 texts taking the gradient from
        # 1.03e-4 to below 1e-4; this rule: 113 in all.)
        stop = max(min(0.5, np.sqrt(gmax)) * gmax, 0.5 * tol)
        x_w = np.zeros(d, dtype=dtype)
        x_b = 0.0
        r_w, r_b = -g_w, -g_b
        z_w, z_b = r_w / diag_w, r_b / diag_b
        q_w, q_b = z_w.copy(), z_b
        rz = float(np.dot(r_w, z_w)) + r_b * z_b
        for _ in range(max_inner):
            if max(float(np.max(np.abs(r_w))) if d else 0.0, abs(r_b)) <= stop:
                break
            a_w, a_b = hess(q_w, q_b)
            curv = float(np.dot(q_w, a_w)) + q_b * a_b
            if curv <= 0:
                break
            alpha = rz / curv
            x_w += dtype.type(alpha) * q_w
            x_b += alpha * q_b
            r_w -= dtype.type(alpha) * a_w
            r_b -= alpha * a_b
            z_w, z_b = r_w / diag_w, r_b / diag_b
            rz_new = float(np.dot(r_w, z_w)) + r_b * z_b
            beta = rz_new / rz
            rz = rz_new
            q_w = z_w + dtype.type(beta) * q_w
            q_b = z_b + beta * q_b
        if not np.any(x_w) and x_b == 0.0:  # no descent direction left at this precision
            break
        # backtracking (Armijo) line search; the full Newton step is almost always taken
        slope = float(np.dot(g_w, x_w)) + g_b * x_b
        dz = X @ x_w + dtype.type(x_b)
        step = 1.0
        for _ in range(30):
            z_new = z + dtype.type(step) * dz
            w_new = w + dtype.type(step) * x_w
            f_new = value(w_new, b + step * x_b, z_new)
            if f_new <= f + 1e-4 * step * slope:
                break
            step /= 2
        else:
            break
        w, b, z, f = w_new, b + step * x_b, z_new, f_new
    return w, b, it
