"""BootstrapLogisticClassifier: logistic regression with a bootstrap ensemble for per-row intervals."""

from __future__ import annotations

import copy
import math
import weakref

import numpy as np
from scipy.optimize import minimize
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.linear_model import LogisticRegression
from sklearn.utils import check_random_state
from sklearn.utils.class_weight import compute_sample_weight
from sklearn.utils.multiclass import check_classification_targets
from sklearn.utils.validation import validate_data

from ._common import _MEMBER_TOL, _SOLVER, _check_fitted, _sigmoid

#: classifier -> (its bootstrap_coef_, the members' coefficients as one C-ordered
#: (features x members) float64 matrix): made once, not per batch (scipy would copy a
#: transposed view into that layout for every product)
_STACKED: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()


def _logistic_with_offset(X, y, C, offset, weights, theta0, max_iter, tol) -> np.ndarray:
    """Minimize Σ w_i·log(1 + exp(−ỹ_i z_i)) + ||coef||² / (2C), z = X·coef + b + offset.

    Binary ``y`` in {0, 1}; the intercept is not penalized. Newton-CG with exact
    Hessian-vector products, started at ``theta0`` = (coef, b). Returns (coef, b).
    """
    p = X.shape[1]
    sign = 2.0 * y - 1.0

    def fun(theta):
        coef, b = theta[:p], theta[p]
        z = np.asarray(X @ coef).ravel() + b + offset
        r = weights * (_sigmoid(z) - y)
        grad = np.r_[np.asarray(X.T @ r).ravel() + coef / C, r.sum()]
        return float(weights @ np.logaddexp(0.0, -sign * z) + coef @ coef / (2 * C)), grad

    def hessp(theta, v):
        coef, b = theta[:p], theta[p]
        s = _sigmoid(np.asarray(X @ coef).ravel() + b + offset)
        d = weights * s * (1.0 - s) * (np.asarray(X @ v[:p]).ravel() + v[p])
        return np.r_[np.asarray(X.T @ d).ravel() + v[:p] / C, d.sum()]

    res = minimize(fun, theta0, jac=True, hessp=hessp, method="Newton-CG",
                   options={"xtol": tol, "maxiter": max_iter})
    return res.x


class BootstrapLogisticClassifier(ClassifierMixin, BaseEstimator):
    """L2-regularized logistic regression with a bootstrap ensemble for per-row intervals.

    The point estimate is the model fitted on all rows. ``n_bootstrap`` further models are
    refitted (warm-started from it) on stratified bootstrap resamples of the rows; the spread of
    their predictions gives the intervals of :meth:`predict_interval`. The features are held
    fixed, so the intervals show the uncertainty of the coefficients, not of the feature
    extraction.

    With ``randomize_prior=True`` (binary problems) each member also gets its own draw of the
    penalty's centre: it minimizes ``Σ loss + ||w − w0||² / (2C)`` with ``w0 ~ N(0, C·I)``,
    the Gaussian prior that the L2 penalty stands for ("randomize-then-optimize"). A plain
    bootstrap of a penalized model misses the uncertainty that the penalty hides: with few
    rows every refit is shrunk to nearly the same coefficients and the intervals come out
    narrow exactly when they should be wide. On the simulator (``kompred.datasets.simulate``,
    nominal 90 %) the plain bootstrap covered the true probability for 70–78 % of applications
    at 120–2,000 training rows; with the randomized prior 86–90 %.

    Parameters
    ----------
    C : float
        Inverse L2 penalty strength (as in :class:`~sklearn.linear_model.LogisticRegression`).
    n_bootstrap : int
        Number of bootstrap refits (0: no intervals; they collapse to the point estimate).
    randomize_prior : bool
        Draw a random penalty centre for every member (binary problems only; multiclass
        members are plain bootstrap refits).
    class_weight : dict, "balanced" or None
    max_iter : int
    tol : float
    random_state : int, RandomState or None

    Attributes
    ----------
    classes_ : ndarray
    coef_, intercept_ : ndarray
        Of the model fitted on all rows.
    bootstrap_coef_, bootstrap_intercept_ : ndarray
        Shape ``(n_bootstrap, n_outputs, n_features)`` and ``(n_bootstrap, n_outputs)``.

    Examples
    --------
    >>> import numpy as np
    >>> rng = np.random.default_rng(0)
    >>> X = rng.normal(size=(200, 3)); y = (X[:, 0] + rng.normal(size=200) > 0).astype(int)
    >>> clf = BootstrapLogisticClassifier(n_bootstrap=20, random_state=0).fit(X, y)
    >>> low, high = clf.predict_interval(X[:2])
    >>> bool(np.all(low <= clf.predict_proba(X[:2])[:, 1]))
    True
    """

    def __init__(self, *, C=1.0, n_bootstrap=30, randomize_prior=True, class_weight=None,
                 max_iter=2000, tol=1e-4, random_state=None):
        self.C = C
        self.n_bootstrap = n_bootstrap
        self.randomize_prior = randomize_prior
        self.class_weight = class_weight
        self.max_iter = max_iter
        self.tol = tol
        self.random_state = random_state

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.sparse = True
        return tags

    def fit(self, X, y):
        """Fit the point model and the bootstrap ensemble."""
        X, y = validate_data(self, X, y, accept_sparse=("csr", "csc"), dtype=np.float64)
        check_classification_targets(y)
        self.classes_, y_enc = np.unique(y, return_inverse=True)
        if len(self.classes_) < 2:
            raise ValueError(f"This solver needs samples of at least 2 classes in the data, but "
                             f"the data contains only one class: {self.classes_[0]!r}")
        if int(self.n_bootstrap) < 0:
            raise ValueError(f"n_bootstrap must be >= 0, got {self.n_bootstrap}")
        base = LogisticRegression(C=self.C, class_weight=self.class_weight, max_iter=self.max_iter,
                                  tol=self.tol, solver=_SOLVER)
        base.fit(X, y_enc)
        self.estimator_ = base
        self.coef_ = base.coef_
        self.intercept_ = base.intercept_
        self.n_iter_ = base.n_iter_
        rng = check_random_state(self.random_state)
        by_class = [np.flatnonzero(y_enc == k) for k in range(len(self.classes_))]
        binary = len(self.classes_) == 2
        if binary and self.randomize_prior:
            class_w = compute_sample_weight(self.class_weight, y_enc)
            p = X.shape[1]
            C = float(self.C)
            coef0, b0 = base.coef_.ravel(), float(base.intercept_[0])
        coefs, intercepts = [], []
        for _ in range(int(self.n_bootstrap)):
            idx = np.concatenate([rng.choice(ix, size=len(ix), replace=True) for ix in by_class])
            if binary and self.randomize_prior:
                weights = np.bincount(idx, minlength=X.shape[0]).astype(float) * class_w
                w0 = rng.normal(0.0, math.sqrt(C), p)
                theta = _logistic_with_offset(X, y_enc.astype(float), C, np.asarray(X @ w0).ravel(),
                                              weights, np.r_[coef0 - w0, b0], self.max_iter,
                                              max(float(self.tol), _MEMBER_TOL))
                coefs.append((theta[:p] + w0).astype(np.float32).reshape(1, -1))
                intercepts.append(np.array([theta[p]], dtype=np.float32))
                continue
            member = copy.deepcopy(base)
            member.set_params(warm_start=True)
            member.fit(X[idx], y_enc[idx])
            coefs.append(member.coef_.astype(np.float32))
            intercepts.append(member.intercept_.astype(np.float32))
        k_out = base.coef_.shape[0]
        self.bootstrap_coef_ = (np.stack(coefs) if coefs
                                else np.zeros((0, k_out, X.shape[1]), dtype=np.float32))
        self.bootstrap_intercept_ = (np.stack(intercepts) if intercepts
                                     else np.zeros((0, k_out), dtype=np.float32))
        return self

    def _check(self, X):
        _check_fitted(self, "estimator_")
        return validate_data(self, X, accept_sparse=("csr", "csc"), dtype=np.float64, reset=False)

    def decision_function(self, X):
        """Log-odds of the point model (binary: shape ``(n,)``; multiclass ``(n, k)``)."""
        X = self._check(X)
        scores = X @ self.coef_.T + self.intercept_
        scores = np.asarray(scores)
        return scores.ravel() if scores.shape[1] == 1 else scores

    def bootstrap_decision_function(self, X):
        """Log-odds of each bootstrap member: shape ``(n_bootstrap, n)`` (binary) or ``(B, n, k)``."""
        X = self._check(X)
        n_boot, k = len(self.bootstrap_coef_), self.coef_.shape[0]
        if not n_boot:
            out = np.zeros((0, X.shape[0], k))
        else:
            # one sparse x dense product for all members: each output is the same sum, in the
            # same order, as one member's product (equal to the bit on 10,000 real rows)
            cached = _STACKED.get(self)
            if cached is None or cached[0] is not self.bootstrap_coef_:
                coefs = np.concatenate([np.asarray(c, dtype=np.float64).reshape(k, -1)
                                        for c in self.bootstrap_coef_])
                cached = _STACKED[self] = (self.bootstrap_coef_, np.ascontiguousarray(coefs.T))
            scores = np.asarray(X @ cached[1]).reshape(X.shape[0], n_boot, k).transpose(1, 0, 2)
            out = scores + np.asarray(self.bootstrap_intercept_).reshape(n_boot, 1, -1)
        return out[..., 0] if out.shape[-1] == 1 else out

    @staticmethod
    def _proba_from_scores(scores):
        scores = np.asarray(scores, dtype=float)
        if scores.ndim == 1 or scores.shape[-1] == 1:
            p1 = _sigmoid(scores.reshape(scores.shape[0]) if scores.ndim > 1 else scores)
            return np.column_stack([1 - p1, p1])
        z = scores - scores.max(axis=-1, keepdims=True)
        e = np.exp(z)
        return e / e.sum(axis=-1, keepdims=True)

    def predict_proba(self, X):
        """Class probabilities of the point model, columns in the order of ``classes_``."""
        return self._proba_from_scores(self.decision_function(X))

    def predict(self, X):
        """The most probable class."""
        proba = self.predict_proba(X)
        return self.classes_[np.argmax(proba, axis=1)]

    def predict_interval(self, X, *, level=0.9):
        """Bootstrap percentile interval of P(``classes_[1]``) (binary only).

        The interval is widened where needed so that it always contains the point estimate.
        """
        if not 0 < level < 1:
            raise ValueError(f"level must be between 0 and 1, got {level}")
        point = self.predict_proba(X)
        if point.shape[1] != 2:
            raise ValueError("predict_interval supports binary classification only")
        point = point[:, 1]
        scores = self.bootstrap_decision_function(X)
        if scores.shape[0] == 0:
            return point.copy(), point.copy()
        samples = _sigmoid(scores)
        a = (1 - level) / 2
        low = np.quantile(samples, a, axis=0)
        high = np.quantile(samples, 1 - a, axis=0)
        return np.minimum(low, point), np.maximum(high, point)
