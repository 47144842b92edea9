"""Period effect: the content-adjusted comparison across agreement versions or dates."""

from __future__ import annotations

import math
import warnings
from collections.abc import Sequence
from datetime import date
from typing import Any

import numpy as np
import pandas as pd
from scipy import stats
from scipy.special import expit

from .._argcheck import (
    _check_fraction,
    _check_frame,
    _columns_arg,
    _content_probabilities,
    _decisions,
    _rng_seed,
    _text_columns_in,
)
from .._intervals import wilson_interval
from ..corpus import Corpus, unpack
from ..exceptions import NotEnoughDataError, SchemaError
from ..schema import (
    AGREEMENTS,
    GRANTED,
    KOM_KR_2022_START,
    UNKNOWN,
)
from .mixed import _fit_random_intercept, _RandomIntercept
from .results import PeriodEffectResult

_PERIOD_CUTOFF = KOM_KR_2022_START


def _period_labels(apps: pd.DataFrame, period_column: str | None, date_column: str,
                   cutoff: date | str) -> tuple[np.ndarray, str, list[str]]:
    if period_column is not None and period_column in apps.columns and \
            apps[period_column].nunique(dropna=True) > 1:
        vals = apps[period_column].astype(object).to_numpy()
        vals = np.array([v if isinstance(v, str) else None for v in vals], dtype=object)
        present = sorted({v for v in vals if v is not None})
        known = [a for a in AGREEMENTS if a in present]
        order = known + [v for v in present if v not in known]
        return vals, period_column, order
    if date_column not in apps.columns:
        raise SchemaError(
            f"expected a period column {period_column!r} with at least two values, or a date "
            f"column {date_column!r} to derive periods from; got columns "
            f"{[str(c) for c in apps.columns][:30]}")
    d = pd.to_datetime(apps[date_column], errors="coerce")
    cut = pd.Timestamp(cutoff)
    before, after = f"före {cutoff}", f"från {cutoff}"
    vals = np.where(d.isna(), None, np.where(d < cut, before, after)).astype(object)
    return vals, f"period (derived from {date_column})", [before, after]


def period_effect(apps: pd.DataFrame | Corpus, *, period_column: str | None = "agreement",
                  date_column: str = "submitted", cutoff: date | str = _PERIOD_CUTOFF,
                  decision_column: str = "decision", content_scores: Any = None,
                  text_columns: Sequence[str] = ("title", "description"),
                  handler_column: str | None = "handler", min_per_period: int = 10,
                  ci_level: float = 0.95, random_state: int | None = 0) -> PeriodEffectResult:
    """Content-adjusted difference in approval between agreement versions or dates.

    Model: ``logit P(beviljad) = β0 + β1·c_i + δ_period [+ σ·z_handler]`` with ``c_i`` the
    cross-fitted content logit (fitted with the period as a nuisance column and then held at
    its average effect, so the content score does not absorb the period). When a handler column
    with at least two handlers is present, a handler random intercept is included (periods and
    handlers may overlap); δ and its Wald interval come from that model at σ̂.

    Periods: ``period_column`` (default ``agreement``: KOM-KR-2020 vs KOM-KR-2022) when it has
    at least two values, else derived from ``date_column`` by ``cutoff`` (2022-10-01, when
    KOM-KR i lydelse 2022-10-01 took effect). The reference is the earliest period.

    Adjusted rates standardize over content: the mean over all analysed applications of
    expit(β0 + β1·c_i + δ_p), i.e. the approval rate the same applications would have got
    under each period's practice (at an average handler), with delta-method intervals.

    ``enough_data`` is False when a period has fewer than ``min_per_period`` decisions or only
    one kind of decision.

    Returns
    -------
    PeriodEffectResult
    """
    corpus, apps, text_columns, decision_column = unpack(apps, text_columns, decision_column)
    text_columns = _columns_arg("text_columns", text_columns)
    text_columns = _text_columns_in(apps, text_columns, required=content_scores is None)
    _check_frame(apps, [decision_column])
    ci_level = _check_fraction("ci_level", ci_level)
    seed = _rng_seed(random_state)
    periods, pcol, order = _period_labels(apps, period_column, date_column, cutoff)
    decisions = _decisions(apps, decision_column)
    use = (decisions != UNKNOWN) & np.array([v is not None for v in periods])
    n_excluded = int(len(apps) - use.sum())
    if content_scores is None:
        _check_frame(apps, text_columns)
        if corpus is None:
            corpus = Corpus(apps, text_columns=text_columns, decision_column=decision_column,
                            random_state=seed)
        if pcol == period_column and corpus.nuisance_columns == (pcol,):
            # the periods are the corpus' own nuisance column: its content scores serve
            p_all = corpus.content_scores
        else:
            p_all = corpus.content_scores_with((), {"_kompred_period": periods})
    else:
        p_all = _content_probabilities(apps, content_scores)
    y = (decisions[use] == GRANTED).astype(float)
    pc = np.clip(p_all[use], 1e-6, 1 - 1e-6)
    c = np.log(pc) - np.log1p(-pc)
    per = periods[use]
    order = [o for o in order if (per == o).any()]
    n = int(use.sum())
    z = stats.norm.ppf(0.5 + ci_level / 2)
    nan = float("nan")
    if len(order) < 2:
        raise NotEnoughDataError(
            f"expected decided applications in at least two periods of {pcol!r}; got "
            f"{order or 'none'}")
    P = np.column_stack([(per == o).astype(float) for o in order[1:]])
    X = np.column_stack([np.ones(n), c, P]) if np.std(c) > 1e-9 else np.column_stack(
        [np.ones(n), P])
    jP = X.shape[1] - P.shape[1]
    handler_adj = False
    if handler_column and handler_column in apps.columns:
        h = apps[handler_column].astype(object).to_numpy()[use]
        has = np.array([isinstance(v, str) for v in h])
        if has.all() and len(set(h)) >= 2:
            handler_adj = True
            levels, g = np.unique(h.astype(str), return_inverse=True)
    if not handler_adj:
        g = np.zeros(n, dtype=np.int64)
        levels = np.array(["all"])
    model = _RandomIntercept(y, X, g, len(levels))
    beta0 = np.zeros(X.shape[1])
    beta0[0] = math.log((y.sum() + 0.5) / (n - y.sum() + 0.5))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        beta, _, info = model.fit_beta(0.0, beta0)
        sigma = 0.0
        if handler_adj:
            sigma, _, _, beta, info = _fit_random_intercept(model, beta, reml=False)
            beta, _, info, louis = model.fit_beta(sigma, beta, observed=True)
        else:
            louis = model.louis_info(beta, sigma)
        # louis: cluster-aware (equals info when sigma = 0)
        if np.linalg.slogdet(louis)[0] > 0:
            info = louis
    try:
        cov = np.linalg.inv(info)
    except np.linalg.LinAlgError:
        cov = np.linalg.pinv(info)
    se = np.sqrt(np.maximum(np.diag(cov), 0))
    d = beta[jP:]
    d_se = se[jP:]
    pvals = 2 * stats.norm.sf(np.abs(d / np.where(d_se > 0, d_se, np.inf)))
    try:
        wald = float(d @ np.linalg.solve(cov[jP:, jP:], d))
        p_overall = float(stats.chi2.sf(wald, len(d)))
    except np.linalg.LinAlgError:
        p_overall = nan
    base_eta = X[:, :jP] @ beta[:jP]
    rows = []
    for j, o in enumerate(order):
        m = per == o
        k = int(y[m].sum())
        shift = 0.0 if j == 0 else d[j - 1]
        pr = expit(base_eta + shift)
        adj = float(pr.mean())
        grad = np.zeros(len(beta))
        wgt = pr * (1 - pr)
        grad[:jP] = (X[:, :jP] * wgt[:, None]).mean(axis=0)
        if j > 0:
            grad[jP + j - 1] = wgt.mean()
        a_se = float(np.sqrt(max(grad @ cov @ grad, 0.0)))
        lo_r, hi_r = wilson_interval(k, int(m.sum()))
        rows.append({
            "period": o, "n": int(m.sum()), "n_granted": k,
            "raw_rate": k / m.sum(), "raw_low": lo_r, "raw_high": hi_r,
            "adjusted_rate": adj, "adjusted_low": max(0.0, adj - z * a_se),
            "adjusted_high": min(1.0, adj + z * a_se),
            "log_odds_vs_reference": 0.0 if j == 0 else float(d[j - 1]),
            "ci_low": nan if j == 0 else float(d[j - 1] - z * d_se[j - 1]),
            "ci_high": nan if j == 0 else float(d[j - 1] + z * d_se[j - 1]),
        })
    per_period = pd.DataFrame(rows)
    per_period["period"] = pd.array(per_period["period"].tolist(), dtype="str")
    small = [r["period"] for r in rows if r["n"] < min_per_period or
             r["n_granted"] in (0, r["n"])]
    last = len(order) - 2
    diff, dse = float(d[last]), float(d_se[last])
    lo, hi = diff - z * dse, diff + z * dse
    enough = not small
    values = ({"code": "too_few", "small": list(small), "min_per_period": min_per_period}
              if small else {"code": "measured"})
    return PeriodEffectResult(
        period_column=pcol, reference=order[0], comparison=order[-1], log_odds_diff=diff,
        ci_low=lo, ci_high=hi, p_value=float(pvals[last]), odds_ratio=math.exp(diff),
        p_value_overall=p_overall, per_period=per_period, handler_adjusted=handler_adj,
        enough_data=enough, reason_values=values, n_decisions=n, n_excluded=n_excluded)
