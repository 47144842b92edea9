"""Metrics of grant probabilities (AUC, Brier, log loss, ECE with intervals) and model evaluation."""

from __future__ import annotations

import warnings
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from sklearn.base import clone
from sklearn.metrics import brier_score_loss, log_loss, roc_auc_score
from sklearn.model_selection import RepeatedStratifiedKFold

from ...exceptions import (
    NotEnoughDataError,
    SchemaError,
    SmallDataWarning,
    ValidationError,
)
from ._common import MIN_DECISIONS, MIN_MINORITY, _row_names


def expected_calibration_error(y_true, p, *, n_bins=10) -> float:
    """Expected calibration error with ``n_bins`` equal-width bins on [0, 1].

    ECE = Σ_b (n_b / N) · |mean(y in b) − mean(p in b)|; the last bin includes 1.0 and empty
    bins are skipped.
    """
    y = np.asarray(y_true, dtype=float)
    p = np.asarray(p, dtype=float)
    b = np.minimum((p * n_bins).astype(int), n_bins - 1)
    sum_y = np.bincount(b, weights=y, minlength=n_bins)
    sum_p = np.bincount(b, weights=p, minlength=n_bins)
    return float(np.abs(sum_y - sum_p).sum() / len(y))


def reliability_table(y_true, p, *, n_bins=10) -> pd.DataFrame:
    """Per bin: ``bin_low``, ``bin_high``, ``n``, ``mean_predicted``, ``observed_rate``."""
    y = np.asarray(y_true, dtype=float)
    p = np.asarray(p, dtype=float)
    b = np.minimum((p * n_bins).astype(int), n_bins - 1)
    counts = np.bincount(b, minlength=n_bins)
    with np.errstate(invalid="ignore", divide="ignore"):
        mean_p = np.bincount(b, weights=p, minlength=n_bins) / counts
        obs = np.bincount(b, weights=y, minlength=n_bins) / counts
    edges = np.linspace(0, 1, n_bins + 1)
    return pd.DataFrame({"bin_low": edges[:-1], "bin_high": edges[1:], "n": counts,
                         "mean_predicted": mean_p, "observed_rate": obs})


_METRICS = ("auc", "brier", "log_loss", "ece")


def _metric_values(y, p, n_bins):
    pc = np.clip(p, 1e-15, 1 - 1e-15)
    auc = roc_auc_score(y, p) if 0 < y.sum() < len(y) else np.nan
    return {"auc": auc, "brier": brier_score_loss(y, p),
            "log_loss": log_loss(y, pc, labels=[0, 1]),
            "ece": expected_calibration_error(y, p, n_bins=n_bins)}


def grant_metrics(y_true, p, *, n_boot=1000, level=0.95, n_bins=10, random_state=0) -> pd.DataFrame:
    """AUC, Brier, log loss and ECE with bootstrap intervals (rows resampled).

    Percentile intervals; the ECE's is widened down to contain the estimate (the ECE is biased
    upwards by sampling noise, so its bootstrap distribution sits above it and the upper end is
    conservative).

    Returns
    -------
    DataFrame
        Index ``auc``, ``brier``, ``log_loss``, ``ece``; columns ``estimate``, ``ci_low``,
        ``ci_high``.
    """
    y = np.asarray(y_true, dtype=float)
    p = np.asarray(p, dtype=float)
    point = _metric_values(y, p, n_bins)
    rng = np.random.default_rng(random_state)
    draws = {m: [] for m in _METRICS}
    for _ in range(int(n_boot)):
        idx = rng.integers(0, len(y), len(y))
        vals = _metric_values(y[idx], p[idx], n_bins)
        for m in _METRICS:
            draws[m].append(vals[m])
    rows = {}
    for m in _METRICS:
        lo, hi = _interval(m, point[m], draws[m], level)
        rows[m] = {"estimate": point[m], "ci_low": lo, "ci_high": hi}
    return pd.DataFrame.from_dict(rows, orient="index")


def _interval(metric: str, estimate: float, draws, level: float = 0.95) -> tuple[float, float]:
    """Bootstrap percentile interval; for the ECE widened down to contain the estimate.

    The ECE is biased upwards by sampling noise and a resample adds more noise, so its
    bootstrap distribution sits above the estimate: the upper end is a conservative bound, and
    the lower end is set to at most the estimate.
    """
    d = np.asarray(draws, dtype=float)
    d = d[~np.isnan(d)]
    if not len(d):
        return np.nan, np.nan
    a = (1 - level) / 2
    lo, hi = np.quantile(d, [a, 1 - a])
    if metric == "ece":
        return min(float(lo), estimate), max(float(hi), estimate)
    return float(lo), float(hi)


@dataclass(frozen=True)
class GrantEvaluation:
    """Model-level metrics of a grant model.

    Attributes
    ----------
    metrics : DataFrame
        Long format: ``split`` (``cv`` or ``time``), ``model`` (``kompred``, ``majority``,
        ``prior``), ``metric`` (``auc``, ``brier``, ``log_loss``, ``ece``), ``estimate``,
        ``ci_low``, ``ci_high`` (bootstrap 95 %), ``n``.
    predictions : DataFrame
        Indexed like the input: ``y``, ``cv_probability`` (out-of-fold, averaged over repeats)
        and ``time_probability`` (test period only).
    warnings : tuple of str
        What the data are too small to support, in plain words.
    details : dict
        How the evaluation was made (folds, repeats, periods, ECE binning).
    """

    metrics: pd.DataFrame
    predictions: pd.DataFrame
    warnings: tuple[str, ...] = ()
    details: dict = field(default_factory=dict)

    def table(self) -> pd.DataFrame:
        """Wide table: one row per (split, model), columns ``metric`` and ``metric_low/high``."""
        m = self.metrics
        wide = m.pivot_table(index=["split", "model"], columns="metric",
                             values=["estimate", "ci_low", "ci_high"], sort=False)
        return wide


def _clone_for_eval(model):
    est = clone(model)
    if "n_bootstrap" in est.get_params():
        est.set_params(n_bootstrap=0)
    return est


def evaluate_grant_model(model, X, y=None, *, cv=5, n_repeats=2, time_column=None,
                         test_period=None, n_boot=1000, n_bins=10, random_state=0) -> GrantEvaluation:
    """Repeated stratified CV and (optionally) a time split, beside baselines.

    Parameters
    ----------
    model : GrantModel
        A template; it is cloned for every fit (with ``n_bootstrap=0``: intervals are not
        needed here) and is not changed.
    X : DataFrame
    y : array-like or None
        None reads ``model.decision_column``.
    cv : int
        Folds of repeated stratified K-fold (``n_repeats`` times). 0 skips cross-validation.
    time_column : str or None
        Dates or years. When given, the model is trained on all rows before the test period and
        tested on it (and the CV is still done on all rows).
    test_period : int or None
        The test year; None uses the latest year in ``time_column``.
    n_boot : int
        Bootstrap resamples for the 95 % intervals (rows resampled; for CV the metric of every
        repeat is recomputed on the same resample and averaged).
    n_bins : int
        Equal-width bins for the ECE (see :func:`expected_calibration_error`).

    Returns
    -------
    GrantEvaluation
        With baselines ``majority`` (P = 1 for the training majority class, 0 otherwise) and
        ``prior`` (P = the training approval rate for every row).
    """
    X = model._check_frame(X)
    yv, _ = model._decisions(X, y)
    if np.isnan(yv).any():
        keep = np.flatnonzero(~np.isnan(yv))
        if model.unknown_decision == "raise":
            raise ValidationError(
                f"{int(np.isnan(yv).sum())} row(s) have no known decision: "
                f"{', '.join(_row_names(X, model.id_column, np.flatnonzero(np.isnan(yv)))[:20])}")
        X, yv = X.iloc[keep], yv[keep]
    yi = yv.astype(int)
    n, n_pos = len(yi), int(yi.sum())
    notes: list[str] = []
    if n < MIN_DECISIONS or min(n_pos, n - n_pos) < MIN_MINORITY:
        msg = (f"only {n} decisions ({n_pos} beviljad, {n - n_pos} avslag): too few to support "
               f"claims about the model; wide intervals, treat as indicative only")
        notes.append(msg)
        warnings.warn(msg, SmallDataWarning, stacklevel=2)
    rows = []
    preds = pd.DataFrame({"y": yi}, index=X.index)
    fit_notes: set[str] = set()

    def fit_predict(train_idx, test_idx):
        est = _clone_for_eval(model)
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            est.fit(X.iloc[train_idx], yi[train_idx])
            p = est.predict_proba(X.iloc[test_idx])[:, 1]
        for w in caught:
            fit_notes.add(f"{w.category.__name__}: {w.message}")
        return p

    def add_rows(split, name, y_eval, p_list, base_n):
        rng = np.random.default_rng(random_state)
        points = [_metric_values(y_eval, p, n_bins) for p in p_list]
        draws = {m: [] for m in _METRICS}
        for _ in range(int(n_boot)):
            idx = rng.integers(0, len(y_eval), len(y_eval))
            vals = [_metric_values(y_eval[idx], p[idx], n_bins) for p in p_list]
            for m in _METRICS:
                draws[m].append(np.mean([v[m] for v in vals]))
        for m in _METRICS:
            estimate = float(np.mean([v[m] for v in points]))
            lo, hi = _interval(m, estimate, draws[m])
            rows.append({"split": split, "model": name, "metric": m, "estimate": estimate,
                         "ci_low": float(lo), "ci_high": float(hi), "n": base_n})

    details = {"n": n, "n_beviljad": n_pos, "ece_bins": f"{n_bins} equal-width bins on [0, 1]",
               "ci": f"bootstrap percentile, {n_boot} resamples of rows, 95 % (ECE: lower end "
                     f"at most the estimate)"}
    if cv:
        folds = RepeatedStratifiedKFold(n_splits=cv, n_repeats=n_repeats, random_state=random_state)
        oof = np.zeros((n_repeats, n))
        maj = np.zeros((n_repeats, n))
        pri = np.zeros((n_repeats, n))
        for k, (train, test) in enumerate(folds.split(np.zeros(n), yi)):
            r = k // cv
            oof[r, test] = fit_predict(train, test)
            rate = yi[train].mean()
            maj[r, test] = float(rate >= 0.5)
            pri[r, test] = rate
        add_rows("cv", "kompred", yi.astype(float), list(oof), n)
        add_rows("cv", "majority", yi.astype(float), list(maj), n)
        add_rows("cv", "prior", yi.astype(float), list(pri), n)
        preds["cv_probability"] = oof.mean(axis=0)
        details["cv"] = f"{n_repeats} x repeated stratified {cv}-fold"
    if time_column is not None:
        if time_column not in X.columns:
            raise SchemaError(f"time column {time_column!r} not found; the table has "
                              f"{list(X.columns)}")
        s = X[time_column]
        years = (s.dt.year if pd.api.types.is_datetime64_any_dtype(s)
                 else pd.to_numeric(s, errors="coerce")).to_numpy(dtype=float)
        test_year = float(np.nanmax(years)) if test_period is None else float(test_period)
        train = np.flatnonzero(years < test_year)
        test = np.flatnonzero(years == test_year)
        if len(train) == 0 or len(test) == 0:
            raise NotEnoughDataError(
                f"time split needs rows before and in the test period {test_year:g}; got "
                f"{len(train)} and {len(test)}")
        p = fit_predict(train, test)
        rate = yi[train].mean()
        yt = yi[test].astype(float)
        add_rows("time", "kompred", yt, [p], len(test))
        add_rows("time", "majority", yt, [np.full(len(test), float(rate >= 0.5))], len(test))
        add_rows("time", "prior", yt, [np.full(len(test), rate)], len(test))
        preds["time_probability"] = np.nan
        preds.iloc[test, preds.columns.get_loc("time_probability")] = p
        details["time"] = (f"train on {time_column} < {test_year:g} ({len(train)} rows), "
                           f"test on {test_year:g} ({len(test)} rows)")
        n_test_pos = int(yt.sum())
        if len(test) < MIN_DECISIONS or min(n_test_pos, len(test) - n_test_pos) < MIN_MINORITY:
            msg = (f"the test period has only {len(test)} decisions: time-split figures are "
                   f"indicative only")
            notes.append(msg)
            warnings.warn(msg, SmallDataWarning, stacklevel=2)
    notes.extend(sorted(fit_notes))
    return GrantEvaluation(metrics=pd.DataFrame(rows), predictions=preds,
                           warnings=tuple(notes), details=details)
