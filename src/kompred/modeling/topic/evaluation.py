"""How good is the topic classifier? Cross-validation, held-out scores and two baselines.

:func:`evaluate_topics` computes (it never prints; :mod:`kompred.report._topic` formats):

- **Cross-validation** on the labelled training material: repeated stratified k-fold (default
  5 x 5) over the taxonomy's ``examples`` plus the labelled applications (for the default
  taxonomy: the bundled Stockholm dataset, title + description). Each fold trains on the
  remaining examples and rows *and* on every topic's ``description`` and ``seed_examples``, which
  are never test items: they define the topic (the seed examples are the report's one-to-four-word
  phrases, not applications), so a taxonomy without them does not exist. Both sources are pooled
  because neither is enough alone (the bundled dataset has 9 to 20 rows per topic; the examples
  are written by the taxonomy's authors, not by applicants), and the scores are also given per
  source.
- **Held-out**: a file with columns ``text`` and ``topic`` (optionally ``style``) scored by a
  model trained on all the material (or by a given fitted model), per style as well.
- **Baselines**, trained on exactly the same material in every fold: keyword rules from the
  taxonomy (:class:`~kompred.modeling.topic.KeywordTopicRules`) and word TF-IDF (spaCy tokens
  without stop words) + logistic regression (:class:`WordTfidfBaseline`).

Metrics: macro-F1, accuracy, and per-topic precision and recall, each with a percentile bootstrap
95 % confidence interval over the test items (resampled items; with repeated CV the metric is the
mean over repeats for each resample, so the interval reflects which items were sampled, not
which folds were drawn). The classifier is scored on its first-ranked topic (``topic_first``):
``"osäker"`` is a presentation choice that depends on ``threshold``; the held-out result also
reports the share that would be ``"osäker"`` and the accuracy of the rest.
"""

from __future__ import annotations

import os
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import StratifiedKFold
from sklearn.utils.validation import check_is_fitted
from threadpoolctl import threadpool_limits

from ...exceptions import NotEnoughDataError, ValidationError
from ...taxonomy import Taxonomy, load_taxonomy
from ...text import word_vectorizer
from .classifier import (
    OSAKER,
    KeywordTopicRules,
    TopicClassifier,
    _check_labels,
    _extend_taxonomy_examples,
    application_texts,
    in_training_material,
)

__all__ = ["METHOD_LABELS", "MethodScores", "TopicEvaluation", "WordTfidfBaseline",
           "evaluate_topics", "score_predictions"]

#: Display names of the methods compared, in display order.
METHOD_LABELS = {
    "model": "TopicClassifier (char+word TF-IDF, LR)",
    "keywords": "Keyword rules (taxonomy keywords)",
    "word_tfidf": "Word TF-IDF + LR (baseline)",
}


# ------------------------------------------------------------------------------------------------
# Word TF-IDF baseline
# ------------------------------------------------------------------------------------------------


class WordTfidfBaseline(ClassifierMixin, BaseEstimator):
    """Baseline: word TF-IDF (spaCy Swedish tokens, no stop words) + logistic regression.

    Trained like :class:`~kompred.modeling.topic.TopicClassifier` on the taxonomy's texts
    (descriptions, seed examples, examples) plus labelled texts, with balanced classes, but
    without character n-grams, abbreviation expansion or the å/ä/ö-folded copies.
    """

    def __init__(self, *, taxonomy: str | os.PathLike | Taxonomy = "default", C: float = 10.0):
        self.taxonomy = taxonomy
        self.C = C

    def fit(self, X: Any = None, y: Any = None) -> WordTfidfBaseline:
        taxonomy = load_taxonomy(self.taxonomy)
        texts = [] if X is None else application_texts(X)
        labels = _check_labels([] if y is None else y, len(texts), taxonomy) if texts else []
        train_x = [s for t in taxonomy.topics for s in t.training_texts()] + texts
        train_y = [t.id for t in taxonomy.topics for _ in t.training_texts()] + labels
        self.vectorizer_ = word_vectorizer()
        F = self.vectorizer_.fit_transform(train_x)
        with threadpool_limits(limits=1, user_api="blas"):
            self.model_ = LogisticRegression(C=self.C, class_weight="balanced", max_iter=3000)
            self.model_.fit(F, train_y)
        self.classes_ = np.asarray(taxonomy.topic_ids, dtype=object)
        return self

    def predict(self, X: Any) -> np.ndarray:
        check_is_fitted(self, "model_")
        texts = application_texts(X)
        return self.model_.predict(self.vectorizer_.transform(texts)).astype(object)


# ------------------------------------------------------------------------------------------------
# Results
# ------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class MethodScores:
    """Scores of one method on one evaluation (CV or held-out).

    ``per_topic`` has one row per topic: precision, recall, f1 (each the mean over repeats),
    ``*_lo``/``*_hi`` bootstrap bounds for precision and recall, and ``support`` (test items).
    ``confusion`` counts true (rows) × predicted (columns) over all repeats; ``per_group`` holds
    macro-F1 and accuracy per style (held-out) or per source (CV).
    """

    macro_f1: float
    macro_f1_ci: tuple[float, float]
    accuracy: float
    accuracy_ci: tuple[float, float]
    per_topic: pd.DataFrame
    confusion: pd.DataFrame
    per_group: pd.DataFrame | None = None
    repeat_macro_f1: tuple[float, ...] = ()

    def to_json_dict(self) -> dict:
        return {
            "macro_f1": _r(self.macro_f1), "macro_f1_ci95": [_r(v) for v in self.macro_f1_ci],
            "accuracy": _r(self.accuracy), "accuracy_ci95": [_r(v) for v in self.accuracy_ci],
            "macro_f1_per_repeat": [_r(v) for v in self.repeat_macro_f1],
            "per_topic": _frame_records(self.per_topic),
            "confusion": {str(k): {str(c): int(v) for c, v in row.items()}
                          for k, row in self.confusion.to_dict("index").items()},
            "per_group": None if self.per_group is None else _frame_records(self.per_group),
        }


@dataclass(frozen=True)
class TopicEvaluation:
    """Everything :func:`evaluate_topics` measured; formatted by :mod:`kompred.report._topic`."""

    taxonomy_id: str
    taxonomy_version: str
    topics: tuple[str, ...]
    cv: dict[str, MethodScores] | None
    cv_design: dict | None
    heldout: dict[str, MethodScores] | None
    heldout_info: dict | None
    n_bootstrap: int
    random_state: int
    seconds: float
    methods: tuple[str, ...] = field(default=tuple(METHOD_LABELS))

    def to_json_dict(self) -> dict:
        """A JSON-ready document (``kompred evaluate --json``)."""
        return {
            "taxonomy": {"id": self.taxonomy_id, "version": self.taxonomy_version,
                         "topics": list(self.topics)},
            "methods": {m: METHOD_LABELS[m] for m in self.methods},
            "cross_validation": None if self.cv is None else {
                "design": self.cv_design, **{m: s.to_json_dict() for m, s in self.cv.items()}},
            "heldout": None if self.heldout is None else {
                "info": self.heldout_info, **{m: s.to_json_dict() for m, s in self.heldout.items()}},
            "bootstrap_resamples": self.n_bootstrap,
            "random_state": self.random_state,
            "seconds": round(self.seconds, 1),
        }


def _r(x: float) -> float | None:
    return None if x is None or not np.isfinite(x) else round(float(x), 4)


def _frame_records(frame: pd.DataFrame) -> list[dict]:
    out = []
    for key, row in frame.iterrows():
        rec = {frame.index.name or "key": str(key)}
        for c, v in row.items():
            rec[str(c)] = int(v) if isinstance(v, int | np.integer) else _r(float(v))
        out.append(rec)
    return out


# ------------------------------------------------------------------------------------------------
# Metrics with bootstrap intervals
# ------------------------------------------------------------------------------------------------


def _per_class(conf: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Precision, recall, F1 per class from confusion matrices (..., k, k+1) (last col = other)."""
    tp = np.diagonal(conf[..., :k, :k], axis1=-2, axis2=-1)
    pred = conf[..., :k, :k].sum(axis=-2)
    true = conf.sum(axis=-1)
    with np.errstate(invalid="ignore", divide="ignore"):
        precision = np.where(pred > 0, tp / np.where(pred > 0, pred, 1), np.nan)
        recall = np.where(true > 0, tp / np.where(true > 0, true, 1), np.nan)
        denom = precision + recall
        f1 = np.where(denom > 0, 2 * precision * recall / np.where(denom > 0, denom, 1), 0.0)
    f1 = np.where(true > 0, np.nan_to_num(f1), np.nan)
    return precision, recall, f1


def score_predictions(y_true: Any, y_pred: Any, topics: tuple[str, ...] | list[str], *,
                      groups: Any = None, n_bootstrap: int = 1000,
                      random_state: int = 0) -> MethodScores:
    """Macro-F1, accuracy and per-topic precision/recall with bootstrap 95 % intervals.

    Parameters
    ----------
    y_true : sequence of str, length n
    y_pred : sequence of str (n,) or array (n_repeats, n)
        Predictions; values outside ``topics`` (e.g. ``"osäker"``) count as wrong.
    topics : sequence of str
        The classes, in display order. Macro averages are over topics with test items.
    groups : sequence, optional
        A group per item (style, source); gives ``per_group``.
    n_bootstrap : int
        Bootstrap resamples of the items (0: no intervals).

    Returns
    -------
    MethodScores

    Examples
    --------
    >>> s = score_predictions(["a", "a", "b", "b"], ["a", "b", "b", "b"], ["a", "b"], n_bootstrap=0)
    >>> round(s.macro_f1, 3), s.accuracy
    (0.733, 0.75)
    """
    topics = list(topics)
    k = len(topics)
    index = {t: i for i, t in enumerate(topics)}
    yt = np.array([index.get(str(v), -1) for v in y_true])
    if (yt < 0).any():
        bad = sorted({str(v) for v, i in zip(y_true, yt, strict=True) if i < 0})
        raise ValidationError(f"true label(s) {bad} are not topics {topics}")
    preds = np.asarray(y_pred, dtype=object)
    if preds.ndim == 1:
        preds = preds[None, :]
    yp = np.vectorize(lambda v: index.get(str(v), k), otypes=[int])(preds) if preds.size else \
        np.zeros(preds.shape, dtype=int)
    n_rep, n = yp.shape
    codes = yt[None, :] * (k + 1) + yp  # (R, n)

    def confusions(weights: np.ndarray) -> np.ndarray:
        # weights (B, n) -> confusion (B, R, k, k+1)
        out = np.empty((weights.shape[0], n_rep, k, k + 1))
        for r in range(n_rep):
            for b in range(weights.shape[0]):
                out[b, r] = np.bincount(codes[r], weights=weights[b], minlength=k * (k + 1)).reshape(k, k + 1)
        return out

    conf = confusions(np.ones((1, n)))[0]  # (R, k, k+1)
    precision, recall, f1 = _per_class(conf, k)  # (R, k)
    macro = np.nanmean(f1, axis=1)  # (R,)
    acc = np.trace(conf[:, :, :k], axis1=1, axis2=2) / n
    macro_ci = acc_ci = (np.nan, np.nan)
    p_lo = p_hi = r_lo = r_hi = np.full(k, np.nan)
    if n_bootstrap and n:
        rng = np.random.default_rng(random_state)
        w = rng.multinomial(n, np.full(n, 1.0 / n), size=n_bootstrap).astype(float)
        bconf = confusions(w)  # (B, R, k, k+1)
        bp, br, bf = _per_class(bconf, k)  # (B, R, k)
        with np.errstate(invalid="ignore"), _quiet():
            bmacro = np.nanmean(np.nanmean(bf, axis=2), axis=1)
            bacc = (np.trace(bconf[..., :k], axis1=2, axis2=3) / n).mean(axis=1)
            bp_m, br_m = np.nanmean(bp, axis=1), np.nanmean(br, axis=1)  # (B, k)
            macro_ci = tuple(np.nanpercentile(bmacro, [2.5, 97.5]))
            acc_ci = tuple(np.percentile(bacc, [2.5, 97.5]))
            p_lo, p_hi = np.nanpercentile(bp_m, [2.5, 97.5], axis=0)
            r_lo, r_hi = np.nanpercentile(br_m, [2.5, 97.5], axis=0)
    with _quiet():
        per_topic = pd.DataFrame({
            "precision": np.nanmean(precision, axis=0), "precision_lo": p_lo, "precision_hi": p_hi,
            "recall": np.nanmean(recall, axis=0), "recall_lo": r_lo, "recall_hi": r_hi,
            "f1": np.nanmean(f1, axis=0), "support": np.bincount(yt, minlength=k).astype(int),
        }, index=pd.Index(topics, name="topic"))
    labels_pred = [*topics, OSAKER] if (yp == k).any() else topics
    confusion = pd.DataFrame(conf.sum(axis=0)[:, :len(labels_pred)].astype(int),
                             index=pd.Index(topics, name="true"), columns=labels_pred)
    per_group = None
    if groups is not None:
        g = np.asarray([str(v) for v in groups], dtype=object)
        rows = {}
        for name in pd.unique(g):
            sel = g == name
            sub = score_predictions(np.asarray(y_true, dtype=object)[sel], preds[:, sel], topics,
                                    n_bootstrap=n_bootstrap, random_state=random_state)
            rows[name] = {"n": int(sel.sum()), "macro_f1": sub.macro_f1, "macro_f1_lo": sub.macro_f1_ci[0],
                          "macro_f1_hi": sub.macro_f1_ci[1], "accuracy": sub.accuracy}
        per_group = pd.DataFrame.from_dict(rows, orient="index")
        per_group.index.name = "group"
    return MethodScores(
        macro_f1=float(np.mean(macro)), macro_f1_ci=(float(macro_ci[0]), float(macro_ci[1])),
        accuracy=float(np.mean(acc)), accuracy_ci=(float(acc_ci[0]), float(acc_ci[1])),
        per_topic=per_topic, confusion=confusion, per_group=per_group,
        repeat_macro_f1=tuple(float(v) for v in macro),
    )


class _quiet:
    """Silence numpy's 'mean of empty slice' warnings for topics absent from a resample."""

    def __enter__(self):
        import warnings

        self._cm = warnings.catch_warnings()
        self._cm.__enter__()
        warnings.simplefilter("ignore", RuntimeWarning)
        return self

    def __exit__(self, *exc):
        return self._cm.__exit__(*exc)


# ------------------------------------------------------------------------------------------------
# Evaluation
# ------------------------------------------------------------------------------------------------


def _factories(taxonomy_params: dict | None = None) -> dict:
    params = dict(taxonomy_params or {})
    # Calibration and the language check never change the first-ranked topic, so the CV folds
    # skip them (five times faster).
    return {
        "model": lambda tax: TopicClassifier(**{**params, "taxonomy": tax, "calibration_cv": 0,
                                               "check_language": False}),
        "keywords": lambda tax: KeywordTopicRules(taxonomy=tax),
        "word_tfidf": lambda tax: WordTfidfBaseline(taxonomy=tax),
    }


def _predict_first(est, texts: list[str]) -> np.ndarray:
    if isinstance(est, TopicClassifier):
        first = est.predict_details(texts)["topic_first"]
        return first.fillna(OSAKER).to_numpy(dtype=object)
    return np.asarray(est.predict(texts), dtype=object)


def _labelled_data(data: Any, taxonomy: Taxonomy) -> tuple[list[str], list[str], str]:
    """Texts and labels of the labelled applications used besides the taxonomy."""
    if data is None or data is False:
        return [], [], "none"
    if isinstance(data, str) and data == "bundled":
        from ...datasets import load_stockholm

        frame, name = load_stockholm(), "bundled dataset (datasets/stockholm_2021_2023.csv)"
    elif isinstance(data, pd.DataFrame):
        frame, name = data, "table"
    else:
        from ...io import read_applications

        frame, name = read_applications(data, require=("description", "topic")), str(data)
    if "topic" not in frame.columns:
        raise ValidationError(f"{name}: expected a 'topic' column with hand labels")
    frame = frame[frame["topic"].notna() & (frame["topic"].astype(str).str.strip() != "")]
    texts = application_texts(frame[[c for c in ("title", "description") if c in frame.columns]]
                              if "description" in frame.columns else frame.iloc[:, :1])
    labels = _check_labels(frame["topic"], len(texts), taxonomy)
    return texts, labels, name


def _read_heldout(heldout: Any) -> tuple[pd.DataFrame, str]:
    if isinstance(heldout, pd.DataFrame):
        frame, name = heldout, "table"
    else:
        path = Path(heldout)
        if not path.exists():
            from ...exceptions import InputFileError

            raise InputFileError(f"held-out file {path} does not exist")
        frame, name = pd.read_csv(path, keep_default_na=False, dtype=str), str(path)
    missing = [c for c in ("text", "topic") if c not in frame.columns]
    if missing:
        raise ValidationError(f"{name}: expected columns 'text' and 'topic'; missing {missing}, got "
                              f"{[str(c) for c in frame.columns]}")
    return frame, name


def evaluate_topics(taxonomy: str | os.PathLike | Taxonomy = "default", *,
                    data: Any = "auto", heldout: Any = None, model: TopicClassifier | None = None,
                    cv: bool = True, n_splits: int = 5, n_repeats: int = 5, n_bootstrap: int = 1000,
                    model_params: dict | None = None, random_state: int = 0) -> TopicEvaluation:
    """Evaluate the topic classifier and two baselines by cross-validation and on held-out texts.

    Parameters
    ----------
    taxonomy : str, path or Taxonomy, default "default"
    data : "auto", "bundled", path, DataFrame or None
        Labelled applications (a ``topic`` column) used with the taxonomy's examples. ``"auto"``
        uses the bundled dataset when the taxonomy is the default one (its labels are the default
        topics) and nothing otherwise.
    heldout : path or DataFrame, optional
        Columns ``text``, ``topic`` (and optionally ``style``). Never used for training. Rows
        whose text (normalized) is also in the training material (a taxonomy example or seed
        example, or a labelled text) are not scored; ``heldout_info["excluded_in_training"]``
        counts them and ``heldout_info["excluded_texts"]`` lists them.
    model : TopicClassifier, optional
        A fitted classifier to score on ``heldout`` (default: one trained on all the material).
    cv : bool, default True
        Run the cross-validation.
    n_splits, n_repeats : int, default 5, 5
        Repeated stratified k-fold design.
    n_bootstrap : int, default 1000
        Bootstrap resamples for the 95 % intervals.
    model_params : dict, optional
        Parameters for :class:`~kompred.modeling.topic.TopicClassifier` (besides ``taxonomy``).
    random_state : int, default 0

    Returns
    -------
    TopicEvaluation
    """
    start = time.perf_counter()
    tax = load_taxonomy(taxonomy)
    if isinstance(data, str) and data == "auto":
        data = "bundled" if tax.id == load_taxonomy("default").id else None
    texts, labels, data_name = _labelled_data(data, tax)
    topics = tax.topic_ids
    factories = _factories(model_params)
    cv_scores = cv_design = None
    if cv:
        if n_splits < 2 or n_repeats < 1:
            raise ValidationError(f"expected n_splits >= 2 and n_repeats >= 1; got {n_splits}, {n_repeats}")
        pool = [(s, t.id, "taxonomy example") for t in tax.topics for s in t.examples]
        pool += [(s, lab, "labelled application") for s, lab in zip(texts, labels, strict=True)]
        pool_x = np.array([p[0] for p in pool], dtype=object)
        pool_y = np.array([p[1] for p in pool], dtype=object)
        pool_src = np.array([p[2] for p in pool], dtype=object)
        counts = pd.Series(pool_y).value_counts()
        if len(pool) == 0 or counts.reindex(list(topics)).fillna(0).min() < n_splits:
            raise NotEnoughDataError(
                f"cross-validation with {n_splits} folds needs at least {n_splits} examples or "
                f"labelled texts per topic; got {counts.reindex(list(topics)).fillna(0).astype(int).to_dict()}")
        strata = np.array([f"{y}|{s}" for y, s in zip(pool_y, pool_src, strict=True)], dtype=object)
        if pd.Series(strata).value_counts().min() < n_splits:
            strata = pool_y
        preds = {m: np.empty((n_repeats, len(pool)), dtype=object) for m in factories}
        for r in range(n_repeats):
            folds = StratifiedKFold(n_splits=n_splits, shuffle=True, random_state=random_state + r)
            for train, test in folds.split(pool_x, strata):
                examples: dict[str, list[str]] = {}
                for i in train:
                    if pool_src[i] == "taxonomy example":
                        examples.setdefault(pool_y[i], []).append(pool_x[i])
                fold_tax = _extend_taxonomy_examples(tax, examples)
                lab = [i for i in train if pool_src[i] != "taxonomy example"]
                x_tr = pool_x[lab].tolist() if lab else None
                y_tr = pool_y[lab].tolist() if lab else None
                for m, make in factories.items():
                    est = make(fold_tax).fit(x_tr, y_tr)
                    preds[m][r, test] = _predict_first(est, pool_x[test].tolist())
        cv_scores = {m: score_predictions(pool_y, preds[m], topics, groups=pool_src,
                                          n_bootstrap=n_bootstrap, random_state=random_state)
                     for m in factories}
        cv_design = {
            "n_splits": n_splits, "n_repeats": n_repeats, "n_items": len(pool),
            "n_taxonomy_examples": int((pool_src == "taxonomy example").sum()),
            "n_labelled_applications": int((pool_src == "labelled application").sum()),
            "labelled_source": data_name,
            "always_in_training": "each topic's description and seed_examples",
            "per_topic_items": {t: int(counts.get(t, 0)) for t in topics},
        }
    ho_scores = ho_info = None
    if heldout is not None:
        frame, ho_name = _read_heldout(heldout)
        # a held-out text that is also training material measures memory, not generalization
        in_training = in_training_material(frame["text"], tax, texts)
        excluded_texts = frame.loc[in_training, "text"].tolist()
        n_read = len(frame)
        frame = frame.loc[~in_training].reset_index(drop=True)
        if frame.empty:
            raise ValidationError(f"{ho_name}: every held-out text is also in the training material")
        y_true = _check_labels(frame["topic"], len(frame), tax)
        ho_texts = application_texts(frame["text"])
        if model is not None:
            check_is_fitted(model, "model_")
            if tuple(model.classes_) != tuple(topics):
                raise ValidationError(f"the given model predicts topics {list(model.classes_)}, but "
                                      f"taxonomy {tax.id!r} has {list(topics)}; pass the model's taxonomy")
        fitted = {}
        for m, make in factories.items():
            if m == "model":
                fitted[m] = model if model is not None else TopicClassifier(
                    **{**(model_params or {}), "taxonomy": tax}).fit(texts or None, labels or None)
            else:
                fitted[m] = make(tax).fit(texts or None, labels or None)
        groups = frame["style"].tolist() if "style" in frame.columns else None
        ho_scores = {}
        for m, est in fitted.items():
            ho_scores[m] = score_predictions(y_true, _predict_first(est, ho_texts), topics, groups=groups,
                                             n_bootstrap=n_bootstrap, random_state=random_state)
        details = fitted["model"].predict_details(ho_texts)
        confident = details["topic"] != OSAKER
        ho_info = {
            "file": ho_name, "rows": len(frame), "rows_read": n_read,
            "excluded_in_training": len(excluded_texts), "excluded_texts": excluded_texts,
            "labelled_source": data_name,
            "model_source": "trained here on the taxonomy + labelled source" if model is None
            else "given fitted model",
            "threshold": float(fitted["model"].threshold),
            "share_osaker": float((~confident).mean()),
            "accuracy_when_not_osaker": float((details.loc[confident, "topic"].to_numpy()
                                               == np.asarray(y_true, dtype=object)[confident.to_numpy()]).mean())
            if confident.any() else float("nan"),
            "mean_confidence": float(details["topic_confidence"].mean()),
            "styles": sorted(set(groups)) if groups is not None else None,
        }
    if cv_scores is None and ho_scores is None:
        raise ValidationError("nothing to evaluate: cv=False and no held-out file")
    return TopicEvaluation(
        taxonomy_id=tax.id, taxonomy_version=tax.version, topics=tuple(topics), cv=cv_scores,
        cv_design=cv_design, heldout=ho_scores, heldout_info=ho_info, n_bootstrap=n_bootstrap,
        random_state=random_state, seconds=time.perf_counter() - start,
    )
