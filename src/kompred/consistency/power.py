"""Power of :func:`kompred.consistency.handler_effect`'s test as it is run, by simulation.

The handler-effect verdict follows a permutation test of the residuals ``y − p̂`` of a model
without handler effects, where ``p̂`` comes from kompred's *cross-fitted* content model. That
model sees only part of what drives decisions (on kompred's simulator it explains 40 % of the
true content log-odds variance at 100 decisions and about 80 % at 1,000), and the part it
misses dilutes the handler signal: a handler effect moves the decision by ``p(1 − p)`` of the
*true* probability, which is nearer 0 or 1 than ``p̂``. A power figure computed as if ``p̂``
were the truth is therefore optimistic (0.78 against 0.68 achieved at 10 handlers × 50
decisions, issue 16).

:func:`simulate_power` estimates the power of the procedure as run, by a fast simulation of it:

1. the content-model probabilities ``p̂`` (given) are taken as calibrated, and the true
   content log-odds are drawn around them, ``c = k·logit(p̂) + ω·ε`` (centred at the mean
   logit), ``ε ~ N(0, 1)``, with ``ω² = (1 − R²)/R² · k²·Var(logit p̂)`` where ``R²`` is the
   share of the true content variance the content model captures (``content_r2``; by default
   :func:`content_r2` of N and of ``Var(logit p̂)``, fitted on the simulator) and
   ``k = sqrt(1 + πω²/8)`` undoes the attenuation of a logistic calibration by the unseen
   part (``calibrated=False``, for raw cross-fitted scores, whose logit the true content
   log-odds follow with slope ≈ 1 on the simulator: ``k = 1``). When ``p̂`` is too spread for
   the assumed ``R²``, ``ω`` is capped at 1.6 (``R²`` raised to fit);
2. handler effects ``u ~ N(0, handler_sd)`` per handler and decisions
   ``y ~ Bernoulli(expit(c + u))``;
3. the null model ``logit P = β0 + β1·logit p̂`` is refitted (Newton, vectorised over draws),
   ``T = Σ_h (Σ_{i∈h} y_i − p̂0_i)²`` computed, and compared with the 1 − α quantile of its
   permutation distribution in the large-sample form ``s²·Σ_j λ_j χ²₁`` (``s²`` the mean
   squared residual, ``λ`` the eigenvalues of ``diag(n_h) − n nᵀ/N``, scaled by N/(N − 1)).

What it leaves out: the permutation strata (fixed effects, e.g. the agreement version, are
assumed to be inside ``p̂``) and the finite number of permutations. The estimate carries its
Monte Carlo uncertainty (Wilson interval over the draws); the larger uncertainty is the
assumption about ``R²`` on data that are not the simulator's, which ``content_r2`` lets the
caller vary (``content_r2=1`` gives the ceiling with the content known).

``evaluation/handler_power_check.py`` checks the prediction against direct replications of
``handler_effect`` on the simulator (results in ``evaluation/README_consistency.md``).
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
from scipy import stats
from scipy.special import expit

from .._intervals import wilson_interval
from ..exceptions import ValidationError

__all__ = ["CONTENT_N0", "CONTENT_R2_COEF", "PowerEstimate", "content_r2", "intercept_for_rate",
           "simulate_power", "wilson_interval"]

#: Learning-curve constant of kompred's cross-fitted content model on the simulator:
#: R²(N) = N / (N + CONTENT_N0) is the share of the true content log-odds variance that the
#: cross-fitted scores of N decisions capture (``handler_power_check.py --calibrate``).
CONTENT_N0 = 161.0
#: R² = expit(a + b·log N + c·log v), v the variance of the calibrated content logits: the
#: content model's share by sample size *and* content strength (:func:`content_r2`), fitted by
#: ``handler_power_check.py --calibrate-spread`` (seeds 5001–5240, apart from the check's).
CONTENT_R2_COEF = (-2.700, 0.588, 0.444)
#: A simulated power whose 95 % interval lies above this is reported as it stands (near 1).
SURE_POWER = 0.99


def intercept_for_rate(rate: float, offset: np.ndarray) -> float:
    """The intercept ``b`` with ``mean(expit(b + offset)) == rate`` (Newton).

    >>> round(float(expit(intercept_for_rate(0.7, np.array([-1.0, 0.0, 2.0])) +
    ...                   np.array([-1.0, 0.0, 2.0])).mean()), 6)
    0.7
    """
    b = math.log(rate / (1 - rate))
    for _ in range(50):
        q = expit(b + offset)
        b -= (q.mean() - rate) / max(float((q * (1 - q)).mean()), 1e-9)
    return b


def content_r2(n_decisions: float, content_var: float | None = None) -> float:
    """Share of the true content variance captured by the cross-fitted content model (simulator).

    Without ``content_var``: ``N / (N + CONTENT_N0)``, the learning curve measured on kompred's
    simulator at its own content strength. With ``content_var``, the variance of the calibrated
    content logits that the data show: ``expit(a + b·log N + c·log v)`` (``CONTENT_R2_COEF``),
    fitted on 240 simulated data sets of random designs (N 100–1,000, content strength
    0.4–1.8; ``evaluation/handler_power_check.py --calibrate-spread``). Weakly predictable
    content is learned less well from the same N, which the learning curve alone misses
    (cross-validated RMSE of R² 0.080 against 0.142). Real applications may be more or less
    predictable from their text than the simulator's.

    Examples
    --------
    >>> round(content_r2(500), 2)
    0.76
    >>> content_r2(500, 0.3) < content_r2(500, 1.2) < content_r2(500, 3.0)
    True
    """
    n = float(n_decisions)
    if content_var is None:
        return n / (n + CONTENT_N0)
    a, b, c = CONTENT_R2_COEF
    v = min(max(float(content_var), 1e-3), 25.0)
    return float(expit(a + b * math.log(max(n, 1.0)) + c * math.log(v)))


# simulate_power's parameter of the same name shadows the function inside it
_default_content_r2 = content_r2


class PowerEstimate(float):
    """A power (a float) with its Monte Carlo interval and how it was obtained.

    Behaves as the float ``power`` (comparisons, formatting, JSON); the attributes say how
    sure the simulation is.

    Attributes
    ----------
    power : float
        Estimated probability that the test rejects at level ``alpha``.
    ci_low, ci_high : float
        95 % Wilson interval of the Monte Carlo estimate (``rejections`` of ``n_draws``).
    rejections, n_draws : int
    handler_sd, alpha, content_r2 : float
        The handler SD simulated, the test's level and the share of the true content variance
        assumed captured by the content model (1: content known).
    """

    power: float
    ci_low: float
    ci_high: float
    rejections: int
    n_draws: int
    handler_sd: float
    alpha: float
    content_r2: float

    def __new__(cls, rejections: int, n_draws: int, *, handler_sd: float, alpha: float,
                content_r2: float) -> PowerEstimate:
        value = rejections / n_draws if n_draws else float("nan")
        self = super().__new__(cls, value)
        self.power = float(value)
        self.ci_low, self.ci_high = wilson_interval(rejections, n_draws)
        self.rejections, self.n_draws = int(rejections), int(n_draws)
        self.handler_sd, self.alpha, self.content_r2 = float(handler_sd), float(alpha), \
            float(content_r2)
        return self

    def __repr__(self) -> str:
        return (f"PowerEstimate({self.power:.3f}, 95 % MC interval {self.ci_low:.3f}–"
                f"{self.ci_high:.3f}, {self.n_draws} draws, handler_sd={self.handler_sd}, "
                f"content_r2={self.content_r2:.2f})")

    def __reduce__(self):
        return (_rebuild, (self.rejections, self.n_draws, self.handler_sd, self.alpha,
                           self.content_r2))



def _rebuild(rejections, n_draws, handler_sd, alpha, content_r2) -> PowerEstimate:
    return PowerEstimate(rejections, n_draws, handler_sd=handler_sd, alpha=alpha,
                         content_r2=content_r2)


def _null_quantile(counts: np.ndarray, alpha: float, rng: np.random.Generator) -> float:
    """1 − alpha quantile of T*/s² under permuting residuals among handlers (large-sample)."""
    N = counts.sum()
    A = (np.diag(counts.astype(float)) - np.outer(counts, counts) / N) * N / (N - 1)
    lam = np.linalg.eigvalsh(A)
    lam = lam[lam > 1e-9 * lam.max()]
    if np.allclose(lam, lam[0], rtol=1e-9):
        return float(lam[0] * stats.chi2.ppf(1 - alpha, len(lam)))
    draws = rng.chisquare(1.0, size=(200_000, len(lam))) @ lam
    return float(np.quantile(draws, 1 - alpha))


def _null_fit(y: np.ndarray, x: np.ndarray, iters: int = 25) -> np.ndarray:
    """Logistic fits of each row of y (draws × n) on [1, x], vectorised; fitted probabilities."""
    R = y.shape[0]
    ybar = np.clip(y.mean(axis=1), 0.5 / y.shape[1], 1 - 0.5 / y.shape[1])
    b0 = np.log(ybar / (1 - ybar))
    b1 = None
    if np.std(x) > 1e-9:  # start at the given probabilities, which are calibrated: few steps
        b0, b1 = np.zeros(R), np.ones(R)
    for _ in range(iters):
        eta = b0[:, None] + (b1[:, None] * x[None, :] if b1 is not None else 0.0)
        p = expit(eta)
        w = p * (1 - p)
        r = y - p
        g0 = r.sum(axis=1)
        h00 = w.sum(axis=1) + 1e-12
        if b1 is None:
            step0 = g0 / h00
            b0 = b0 + np.clip(step0, -5, 5)
            done = np.max(np.abs(step0)) < 1e-8
        else:
            g1 = r @ x
            h01 = w @ x
            h11 = w @ (x * x) + 1e-12
            det = h00 * h11 - h01 * h01
            step0 = (h11 * g0 - h01 * g1) / det
            step1 = (h00 * g1 - h01 * g0) / det
            b0 = b0 + np.clip(step0, -5, 5)
            b1 = b1 + np.clip(step1, -5, 5)
            done = max(np.max(np.abs(step0)), np.max(np.abs(step1))) < 1e-8
        if done:
            break
    eta = b0[:, None] + (b1[:, None] * x[None, :] if b1 is not None else 0.0)
    return expit(eta)


def simulate_power(counts: Any, probabilities: Any, *, handler_sd: float = 0.5,
                   alpha: float = 0.05, content_r2: float | None = None,
                   n_draws: int = 2000, random_state: int | None = 0,
                   calibrated: bool = True) -> PowerEstimate:
    """Power of the handler-effect permutation test as run, with the content model's blind spot.

    See the module docstring for the simulation. ``counts`` are the decisions per handler and
    ``probabilities`` the content model's probability of a grant for each decision, in
    handler order (handler 0's decisions first), or one value for all.

    Parameters
    ----------
    counts : sequence of int
        Decisions per handler (at least 2 handlers, each at least 1).
    probabilities : float or array-like
        Content-model P(beviljad), strictly between 0 and 1.
    handler_sd : float, default 0.5
        SD of the handler effects to detect (log-odds); 0 gives the test's size.
    alpha : float, default 0.05
    content_r2 : float in (0, 1] or None
        Share of the true content log-odds variance the content model captures; None:
        :func:`content_r2` of the total number of decisions and of the variance of the
        calibrated logits of ``probabilities`` (with ``calibrated=False``: of the number of
        decisions only, the simulator's learning curve).
    n_draws : int, default 2000
        Most draws; the simulation stops earlier once the 95 % interval of the power lies
        above ``SURE_POWER`` (0.99), and ``n_draws`` of the result says how many it made.
    random_state : int or None, default 0
    calibrated : bool, default True
        True: ``probabilities`` are logistic-calibrated on the decisions (as the test's null
        model is); False: raw cross-fitted content scores.

    Returns
    -------
    PowerEstimate

    Examples
    --------
    >>> est = simulate_power([50] * 10, 0.7, handler_sd=0.5, n_draws=500)
    >>> 0.5 < est < 1 and est.ci_low < est < est.ci_high
    True
    """
    counts = np.asarray(counts, dtype=np.int64).ravel()
    if len(counts) < 2 or np.any(counts < 1):
        raise ValidationError(f"expected at least 2 handlers with at least 1 decision each; "
                              f"got counts {counts.tolist()!r}")
    N = int(counts.sum())
    p = np.asarray(probabilities, dtype=float)
    p = np.full(N, float(p)) if p.ndim == 0 else p.ravel()
    if len(p) != N or not np.all((p > 0) & (p < 1)):
        raise ValidationError(f"expected probabilities strictly between 0 and 1, one value or "
                              f"one per decision ({N}); got {len(p)} values")
    if not (math.isfinite(handler_sd) and handler_sd >= 0):
        raise ValidationError(f"expected handler_sd >= 0; got {handler_sd!r}")
    chat = np.log(p) - np.log1p(-p)
    v = float(np.var(chat))
    # by default the share the content model captures at this N and this spread of the
    # calibrated logits (the spread says how strong the content is); raw scores: learning curve
    r2 = content_r2 if content_r2 is not None else _default_content_r2(
        N, v if calibrated and v > 0 else None)
    if not (0 < r2 <= 1):
        raise ValidationError(f"expected content_r2 in (0, 1]; got {r2!r}")
    rng = np.random.default_rng(random_state)
    G = len(counts)
    g = np.repeat(np.arange(G), counts)
    # unseen content: c = k·ĉ + ω·ε, ω² = (1 − R²)/R² · k²·Var(ĉ), k² = 1 + πω²/8 (a logistic
    # fit on ĉ is attenuated by the unseen part by 1/k); closed form of the fixed point, with R²
    # raised where the given probabilities are too spread for it (no finite solution)
    a = (1 - r2) / r2 * v
    if calibrated:
        a = min(a, 0.5 * 8 / math.pi)  # ω at most 1.6
        omega = math.sqrt(a / (1 - math.pi / 8 * a)) if a > 0 else 0.0
        k = math.sqrt(1 + math.pi * omega**2 / 8)
    else:
        omega, k = math.sqrt(a), 1.0
    c_seen = chat.mean() + k * (chat - chat.mean())
    q = _null_quantile(counts, alpha, rng)
    starts = np.concatenate([[0], np.cumsum(counts)[:-1]])
    chunk = max(1, min(n_draws, 2_000_000 // N))
    rejections = 0
    done = 0
    while done < n_draws:
        m = min(chunk, n_draws - done)
        u = rng.normal(0.0, handler_sd, size=(m, G)) if handler_sd > 0 else np.zeros((m, G))
        eta = c_seen[None, :] + u[:, g]
        if omega > 0:
            eta = eta + omega * rng.standard_normal((m, N))
        y = (rng.random((m, N)) < expit(eta)).astype(float)
        resid = y - _null_fit(y, chat)
        S = np.add.reduceat(resid, starts, axis=1)
        s2 = (resid**2).mean(axis=1)
        T = (S**2).sum(axis=1)
        rejections += int((T > q * np.maximum(s2, 1e-300)).sum())
        done += m
        # a large design's power is near 1 after a few hundred draws (~400 at 100,000
        # decisions); once its interval is above SURE_POWER more draws would not change a claim
        if wilson_interval(rejections, done)[0] > SURE_POWER:
            break
    return PowerEstimate(rejections, done, handler_sd=float(handler_sd), alpha=alpha,
                         content_r2=r2)
