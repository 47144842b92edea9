"""GrantModel: the calibrated probability of a grant, its interval and its reasons."""

from __future__ import annotations

import math
import time
import warnings

import numpy as np
import pandas as pd
import scipy.sparse as sp
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import roc_auc_score
from sklearn.model_selection import StratifiedKFold
from sklearn.utils import check_random_state

from ...exceptions import (
    ApplicationTableError,
    DataQualityWarning,
    NotEnoughDataError,
    NotFittedError,
    Problem,
    SchemaError,
    SmallDataWarning,
    ValidationError,
)
from ...render.numbers import format_number
from ...schema import canonical_column, parse_decisions
from ...text import words_from_char_ngrams
from ...text.explain import batch_word_values, batch_words_from_char_ngrams
from ._common import (
    _NEVER_FEATURES,
    _SOLVER,
    _VALUE_HINTS,
    MIN_CALIBRATION,
    MIN_DECISIONS,
    MIN_MINORITY,
    NEGATIVE,
    POSITIVE,
    _as_float,
    _check_fitted,
    _check_rate,
    _clean_key,
    _label,
    _line,
    _numbers_as_text,
    _rate_shift,
    _row_names,
    _sigmoid,
)
from .bootstrap import BootstrapLogisticClassifier
from .evaluation import GrantEvaluation, evaluate_grant_model
from .features import ApplicationFeaturizer, _similar_log_odds, _similar_neighbours
from .reasons import Reason


class GrantModel(ClassifierMixin, BaseEstimator):
    """P(beviljad) for applications in any grant programme's table, with intervals and reasons.

    Parameters
    ----------
    text_column, title_column : str or None
        Free-text columns, joined for the character n-gram features. A missing ``title_column``
        is skipped; a missing ``text_column`` is an error (set it to None to use no text).
    id_column : str or None
        Identifies rows in messages; never a feature.
    decision_column : str
        Where ``fit`` finds the decision when ``y`` is None. Accepted values: ``beviljad``/
        ``avslag`` and their aliases (``Ej beviljad``, ``Ja``/``Nej``, ``1``/``0``, ``True``/
        ``False``, see :func:`kompred.schema.normalize_decision`).
    categorical_columns, numeric_columns : sequence of str or None
        None infers them from the dtypes of the remaining columns: numbers are numeric, strings,
        categories and booleans categorical. Never inferred: the id, text, decision and time
        columns, dates, anything whose header means decision, decision date, granted amount,
        handler or dates (Swedish aliases included), near-unique identifiers, constant columns,
        long free text, and columns that alone predict the decision almost perfectly (a
        :class:`~kompred.exceptions.DataQualityWarning` names them). See ``columns_`` and
        ``excluded_columns_`` after fitting.
    cost_column, participants_column : str or None
        When both are present, ``log`` cost per participant is added.
    history_columns : sequence of str
        Entities (e.g. provider, employer) whose earlier approval rate is a feature, computed
        only from decisions earlier than the row (see :class:`ApplicationFeaturizer`).
    time_column : str or None
        Dates or years ordering the decisions, needed by ``history_columns``. None uses
        ``submitted`` when the table has it. The time column itself is not a feature.
    max_onehot_levels : int or None
        An *inferred* categorical column with more distinct values than this (units, providers,
        municipalities) is encoded by its time-aware approval history, like
        ``history_columns``, instead of one-hot: one smoothed rate instead of hundreds of
        weakly estimated level effects. Needs a time column; without one, or with None, such
        columns stay one-hot.
    exclude_columns : sequence of str
        Further columns never to use.
    unknown_decision : {"raise", "exclude"}
        Rows whose decision is unknown (``okänd``, empty): ``raise`` names them in an error;
        ``exclude`` leaves them out of training and lists them in ``excluded_rows_``.
    C : float
        Inverse L2 penalty strength.
    text_weight : float
        Relative weight of the text block (see :class:`ApplicationFeaturizer`).
    min_category_count : int
        Minimum count of a categorical value to get its own feature.
    n_bootstrap : int
        Bootstrap refits for :meth:`predict_interval`.
    calibration : {"auto", "sigmoid", "none"}
        ``auto`` fits a sigmoid (Platt) map on 5-fold out-of-fold scores when there are at least
        ``MIN_CALIBRATION`` decisions and ``MIN_MINORITY`` of each class, otherwise none (with a
        :class:`~kompred.exceptions.SmallDataWarning`).
    similar_k : int
        0 (default): off. With k > 0, one more feature: how the k most similar earlier
        applications (char n-gram cosine ≥ 0.2) were decided, similarity-weighted and smoothed
        (see :class:`ApplicationFeaturizer`). Its reason reads "liknar tidigare beviljade
        ansökningar (… närmast: '…')". Refitted inside every calibration fold.
    expected_rate : float or None
        The approval rate you expect in the round being scored, when you know it (e.g. from the
        fund's remaining budget) and it differs from the training years. Every log-odds is
        shifted by one constant so that the *training* applications would be granted at this
        rate on average (a prior shift: the ranking, the intervals' widths on the log-odds
        scale and the reasons stay the same). It only affects prediction, so it can be set on
        a fitted model with ``set_params(expected_rate=...)``. None: no shift. A wrong guess
        makes calibration worse, not better.
    random_state : int or None

    Attributes
    ----------
    classes_ : ndarray
        ``["avslag", "beviljad"]``; ``predict_proba[:, 1]`` is P(beviljad).
    featurizer_ : ApplicationFeaturizer
    classifier_ : BootstrapLogisticClassifier
    calibration_ : tuple (slope, intercept) or None
        The Platt map applied to the classifier's log-odds.
    columns_ : dict
        The columns actually used, by role.
    excluded_columns_ : dict
        Columns not used, with the reason.
    excluded_rows_ : list of str
        Rows left out of training (``unknown_decision="exclude"``).
    dropped_history_rates_ : list of str
        History columns whose earlier-approval-rate feature was switched off because its
        weight came out negative (an entity's past approvals never count against it).
    n_train_, base_rate_ : int, float
    reference_logits_ : ndarray
        Calibrated log-odds of the training rows (out of fold when calibrated); the reference
        that ``expected_rate`` shifts against.
    rate_shift_ : float
        The log-odds shift that ``expected_rate`` currently implies (0 without it).
    warnings_ : list of str
        Everything the data were too weak to support, in plain words.
    fit_seconds_ : float

    Examples
    --------
    >>> import pandas as pd
    >>> import warnings
    >>> df = pd.DataFrame({
    ...     "Text": ["Yrkessvenska för undersköterskor", "Föreläsning om motivation"] * 20,
    ...     "Beslut": ["Beviljad", "Avslag"] * 20})
    >>> m = GrantModel(text_column="Text", decision_column="Beslut", n_bootstrap=5, random_state=0)
    >>> with warnings.catch_warnings():
    ...     warnings.simplefilter("ignore")
    ...     _ = m.fit(df)
    >>> float(m.predict_proba(df.head(1))[0, 1]) > 0.5
    True
    """

    def __init__(self, *, text_column="description", title_column="title", id_column="id",
                 decision_column="decision", categorical_columns=None, numeric_columns=None,
                 cost_column="cost_sek", participants_column="participants", history_columns=(),
                 time_column=None, max_onehot_levels=20, exclude_columns=(),
                 unknown_decision="raise", C=1.0, text_weight=1.0, min_category_count=2,
                 n_bootstrap=30, calibration="auto", expected_rate=None, similar_k=0,
                 random_state=None):
        self.text_column = text_column
        self.title_column = title_column
        self.id_column = id_column
        self.decision_column = decision_column
        self.categorical_columns = categorical_columns
        self.numeric_columns = numeric_columns
        self.cost_column = cost_column
        self.participants_column = participants_column
        self.history_columns = history_columns
        self.time_column = time_column
        self.max_onehot_levels = max_onehot_levels
        self.exclude_columns = exclude_columns
        self.unknown_decision = unknown_decision
        self.C = C
        self.text_weight = text_weight
        self.min_category_count = min_category_count
        self.n_bootstrap = n_bootstrap
        self.calibration = calibration
        self.expected_rate = expected_rate
        self.similar_k = similar_k
        self.random_state = random_state

    # -- validation --------------------------------------------------------------------------

    def _check_frame(self, X) -> pd.DataFrame:
        if not isinstance(X, pd.DataFrame):
            raise ValidationError(
                f"expected a pandas DataFrame of applications, got {type(X).__name__}")
        if X.columns.duplicated().any():
            dup = list(X.columns[X.columns.duplicated()])
            raise SchemaError(f"duplicated columns {dup}")
        return X

    def _decisions(self, X: pd.DataFrame, y) -> tuple[np.ndarray, np.ndarray]:
        """(y as 1/0 floats with NaN for unknown, raw values) or an error naming bad rows."""
        if y is None:
            if self.decision_column not in X.columns:
                raise SchemaError(
                    f"no decisions: y is None and the decision column {self.decision_column!r} "
                    f"is not in the table (columns: {list(X.columns)})")
            raw = X[self.decision_column]
            column = self.decision_column
        else:
            raw = pd.Series(np.asarray(y, dtype=object).ravel() if not isinstance(y, pd.Series)
                            else y.to_numpy(dtype=object), index=X.index)
            column = "y"
            if len(raw) != len(X):
                raise ValidationError(f"y has {len(raw)} values, X has {len(X)} rows")
        codes, bad = parse_decisions(raw)
        out = np.where(codes == POSITIVE, 1.0, np.where(codes == NEGATIVE, 0.0, np.nan))
        problems = [Problem(_line(X, i), column, f"decision {v!r} not recognised", v,
                            "expected beviljad/avslag or 1/0") for i, v in bad]
        if problems:
            raise ApplicationTableError(problems)
        return out, raw.to_numpy(dtype=object)

    def _resolve_columns(self, X: pd.DataFrame, y: np.ndarray) -> tuple[dict, dict, list[str]]:
        """Decide which column plays which role; returns (columns, excluded, warnings)."""
        notes: list[str] = []
        if self.text_column is not None and self.text_column not in X.columns:
            raise SchemaError(
                f"text column {self.text_column!r} not found; the table has {list(X.columns)} "
                f"(set text_column=... to the column holding the application text, or None)")
        time_col = self.time_column
        if time_col is None and "submitted" in X.columns:
            time_col = "submitted"
        if time_col is not None and time_col not in X.columns:
            raise SchemaError(f"time column {time_col!r} not found; the table has {list(X.columns)}")
        text_cols = [c for c in (self.title_column, self.text_column)
                     if c is not None and c in X.columns]
        reserved = {c for c in (self.text_column, self.title_column, self.id_column,
                                self.decision_column, time_col) if c is not None}
        user_excluded = set(self.exclude_columns or ())
        excluded: dict[str, str] = {}
        explicit_cat = self.categorical_columns is not None
        explicit_num = self.numeric_columns is not None
        history = list(self.history_columns or ())
        for c in history + list(self.categorical_columns or ()) + list(self.numeric_columns or ()):
            if c not in X.columns:
                raise SchemaError(f"column {c!r} not found; the table has {list(X.columns)}")
        cats = list(self.categorical_columns) if explicit_cat else []
        nums = list(self.numeric_columns) if explicit_num else []
        if not (explicit_cat and explicit_num):
            n = len(X)
            for c in X.columns:
                if c in reserved or c in cats or c in nums or c in history:
                    continue
                if c in user_excluded:
                    excluded[c] = "listed in exclude_columns"
                    continue
                canon = canonical_column(str(c))
                s = X[c]
                if canon in _NEVER_FEATURES:
                    excluded[c] = f"the header means {canon!r}: {_NEVER_FEATURES[canon]}"
                    continue
                if pd.api.types.is_datetime64_any_dtype(s):
                    excluded[c] = "a date"
                    continue
                n_unique = s.nunique(dropna=True)
                if n_unique <= 1:
                    excluded[c] = "constant or empty"
                    continue
                is_num = ((pd.api.types.is_numeric_dtype(s) and not pd.api.types.is_bool_dtype(s))
                          or _numbers_as_text(s))
                if is_num:
                    if explicit_num:
                        continue
                    nums.append(c)
                else:
                    if explicit_cat:
                        continue
                    if n >= 20 and n_unique > 0.5 * n:
                        excluded[c] = "nearly unique per row (an identifier or free text)"
                        continue
                    mean_len = s.dropna().astype(str).str.len().mean()
                    if mean_len > 60:
                        excluded[c] = "long free text (name it as text_column to use it)"
                        continue
                    if (time_col is not None and self.max_onehot_levels is not None
                            and s.map(_clean_key).nunique() > self.max_onehot_levels):
                        history.append(c)
                    else:
                        cats.append(c)
            # leakage guard on inferred columns
            known = ~np.isnan(y)
            if known.sum() >= 20 and 0 < np.nansum(y) < known.sum():
                for c in list(cats if not explicit_cat else []) + list(nums if not explicit_num else []):
                    if _separates_perfectly(X[c][known], y[known]):
                        excluded[c] = "predicts the decision almost perfectly on its own (leakage?)"
                        notes.append(f"column {c!r} was left out: on its own it predicts the "
                                     f"decision almost perfectly, which suggests it is recorded "
                                     f"after the decision; list it explicitly to use it anyway")
                        if c in cats:
                            cats.remove(c)
                        else:
                            nums.remove(c)
        cost = self.cost_column if self.cost_column in X.columns else None
        part = self.participants_column if self.participants_column in X.columns else None
        columns = {"text": text_cols, "categorical": cats, "numeric": nums, "history": history,
                   "time": time_col, "cost": cost, "participants": part}
        return columns, excluded, notes

    # -- fitting -----------------------------------------------------------------------------

    def _make_featurizer(self, columns: dict) -> ApplicationFeaturizer:
        return ApplicationFeaturizer(
            text_column=self.text_column,
            extra_text_columns=tuple(c for c in columns["text"] if c != self.text_column),
            categorical_columns=tuple(columns["categorical"]),
            numeric_columns=tuple(columns["numeric"]), cost_column=columns["cost"],
            participants_column=columns["participants"],
            history_columns=tuple(columns["history"]), time_column=columns["time"],
            min_category_count=self.min_category_count, text_weight=self.text_weight,
            similar_k=int(getattr(self, "similar_k", 0) or 0))

    def fit(self, X, y=None):
        """Fit on a table of applications.

        Parameters
        ----------
        X : DataFrame
            One row per application.
        y : array-like or None
            Decisions (``beviljad``/``avslag`` or 1/0). None reads ``decision_column``.
        """
        start = time.perf_counter()
        X = self._check_frame(X)
        if self.calibration not in ("auto", "sigmoid", "none"):
            raise ValidationError(
                f"calibration must be 'auto', 'sigmoid' or 'none', got {self.calibration!r}")
        if self.unknown_decision not in ("raise", "exclude"):
            raise ValidationError(
                f"unknown_decision must be 'raise' or 'exclude', got {self.unknown_decision!r}")
        _check_rate(self.expected_rate)
        yv, _ = self._decisions(X, y)
        unknown = np.flatnonzero(np.isnan(yv))
        self.excluded_rows_ = []
        if len(unknown):
            names = _row_names(X, self.id_column, unknown)
            if self.unknown_decision == "raise":
                shown = ", ".join(names[:20]) + (" ..." if len(names) > 20 else "")
                raise ValidationError(
                    f"{len(unknown)} row(s) have no known decision (okänd or empty), so they "
                    f"cannot be used to train: {shown}. Remove them, or pass "
                    f"unknown_decision='exclude' to leave them out of training.")
            self.excluded_rows_ = names
        keep = ~np.isnan(yv)
        Xt = X.iloc[np.flatnonzero(keep)]
        yt = yv[keep].astype(int)
        n_pos = int(yt.sum())
        n_neg = len(yt) - n_pos
        if n_pos == 0 or n_neg == 0:
            raise NotEnoughDataError(
                f"need both granted and rejected applications to train; got {n_pos} beviljad "
                f"and {n_neg} avslag")
        columns, excluded, notes = self._resolve_columns(Xt, yt.astype(float))
        self.columns_ = columns
        self.excluded_columns_ = excluded
        self.warnings_ = []
        for note in notes:
            self.warnings_.append(note)
            warnings.warn(note, DataQualityWarning, stacklevel=2)
        if len(yt) < MIN_DECISIONS or min(n_pos, n_neg) < MIN_MINORITY:
            msg = (f"only {len(yt)} decisions ({n_pos} beviljad, {n_neg} avslag); a reliable "
                   f"model needs at least {MIN_DECISIONS} decisions and {MIN_MINORITY} of each: "
                   f"wide intervals, treat the probabilities as indicative only")
            self.warnings_.append(msg)
            warnings.warn(msg, SmallDataWarning, stacklevel=2)

        self.featurizer_ = self._make_featurizer(columns)
        Z = self.featurizer_.fit_transform(Xt, yt)
        Z = self._drop_negative_history_rates(Z, yt)
        self.classifier_ = BootstrapLogisticClassifier(
            C=self.C, n_bootstrap=self.n_bootstrap, random_state=self.random_state).fit(Z, yt)

        self.calibration_ = None
        enough = len(yt) >= MIN_CALIBRATION and min(n_pos, n_neg) >= MIN_MINORITY
        if self.calibration == "sigmoid" or (self.calibration == "auto" and enough):
            if min(n_pos, n_neg) < 5:
                raise NotEnoughDataError(
                    f"calibration='sigmoid' needs at least 5 decisions of each kind; got "
                    f"{n_pos} beviljad and {n_neg} avslag")
            scores = self._out_of_fold_scores(Xt, yt, columns, Z)
            platt = LogisticRegression(C=1e4, max_iter=1000).fit(scores.reshape(-1, 1), yt)
            self.calibration_ = (float(platt.coef_[0, 0]), float(platt.intercept_[0]))
            self.reference_logits_ = self._calibrate(scores)
        elif self.calibration == "auto":
            msg = (f"probabilities are not calibrated: calibration needs at least "
                   f"{MIN_CALIBRATION} decisions with {MIN_MINORITY} of each kind, got {len(yt)} "
                   f"({n_pos} beviljad, {n_neg} avslag)")
            self.warnings_.append(msg)
            warnings.warn(msg, SmallDataWarning, stacklevel=2)
        if self.calibration_ is None:
            self.reference_logits_ = self.classifier_.decision_function(Z)

        self.classes_ = np.array([NEGATIVE, POSITIVE], dtype=object)
        self.n_train_ = len(yt)
        self.base_rate_ = float(yt.mean())
        self.feature_names_in_ = np.asarray(X.columns, dtype=object)
        self.n_features_in_ = X.shape[1]
        self.fit_seconds_ = time.perf_counter() - start
        return self

    def _drop_negative_history_rates(self, Z: sp.csr_matrix, y: np.ndarray) -> sp.csr_matrix:
        """Switch off history-rate features whose weight comes out negative.

        An entity's earlier approval rate should never count against it; a negative weight is
        noise or collinearity with the entity's one-hot levels, and would give reasons such as
        "0 av 4 beviljade: höjer". The rates are checked in one fit of the point model.
        """
        self.dropped_history_rates_ = []
        if not self.columns_["history"]:
            return Z
        probe = LogisticRegression(C=self.C, max_iter=2000, solver=_SOLVER).fit(Z, y)
        position = {name: j for j, name in enumerate(self.featurizer_.feature_names_out_)}
        negative = [c for c in self.columns_["history"]
                    if probe.coef_[0, position[f"hist:{c}:rate"]] < 0]
        if not negative:
            return Z
        self.dropped_history_rates_ = negative
        self.featurizer_.set_params(exclude_history_rates=tuple(negative))
        mask = np.ones(Z.shape[1])
        mask[[position[f"hist:{c}:rate"] for c in negative]] = 0.0
        return (Z @ sp.diags(mask)).tocsr()

    def _out_of_fold_scores(self, X: pd.DataFrame, y: np.ndarray, columns: dict,
                            Z: sp.csr_matrix) -> np.ndarray:
        """Uncalibrated log-odds of each row from a model that did not see its label (5-fold).

        The structured features (levels, scales, history) are refitted in every fold; the text
        block of ``Z`` (vocabulary and idf from all rows, which uses no labels) is reused, so
        the texts are analysed only once.
        """
        n_splits = int(min(5, np.bincount(y).min()))
        seed = check_random_state(self.random_state).randint(2**31 - 1)
        folds = StratifiedKFold(n_splits=n_splits, shuffle=True, random_state=seed)
        text_block = Z[:, self.featurizer_.text_slice_]
        similar = getattr(self.featurizer_, "similar_", None)
        if similar is not None:
            T = sp.csr_matrix(text_block, dtype=np.float32)
            t_all = similar["t"]
            k, m = int(self.featurizer_.similar_k), float(self.featurizer_.similar_smoothing)
        scores = np.zeros(len(y))
        for train, test in folds.split(np.zeros(len(y)), y):
            structured = ApplicationFeaturizer(
                text_column=None, extra_text_columns=(),
                categorical_columns=tuple(columns["categorical"]),
                numeric_columns=tuple(columns["numeric"]), cost_column=columns["cost"],
                participants_column=columns["participants"],
                history_columns=tuple(columns["history"]), time_column=columns["time"],
                min_category_count=self.min_category_count,
                exclude_history_rates=tuple(self.dropped_history_rates_))
            extra_tr, extra_te = [], []
            if similar is not None:
                # refitted in every fold: the held-out rows' decisions never inform it
                prior = float(np.clip(y[train].mean(), 0.01, 0.99))
                inner = check_random_state(0).permutation(len(train)) % 5
                i_tr, s_tr = _similar_neighbours(T[train], t_all[train], inner, T[train],
                                                 t_all[train], inner, k)
                v_tr = _similar_log_odds(i_tr, s_tr, y[train].astype(float), prior, m)
                i_te, s_te = _similar_neighbours(T[test], t_all[test], None, T[train],
                                                 t_all[train], None, k)
                v_te = _similar_log_odds(i_te, s_te, y[train].astype(float), prior, m)
                scale = float(v_tr.std()) or 1.0
                extra_tr = [sp.csr_matrix(np.clip(v_tr / scale, -5, 5).reshape(-1, 1))]
                extra_te = [sp.csr_matrix(np.clip(v_te / scale, -5, 5).reshape(-1, 1))]
            Ztr = sp.hstack([structured.fit_transform(X.iloc[train], y[train]), *extra_tr,
                             text_block[train]], format="csr")
            Zte = sp.hstack([structured.transform(X.iloc[test]), *extra_te, text_block[test]],
                            format="csr")
            clf = LogisticRegression(C=self.C, max_iter=2000, solver=_SOLVER).fit(Ztr, y[train])
            scores[test] = clf.decision_function(Zte)
        return scores

    # -- prediction --------------------------------------------------------------------------

    def _features(self, X, *, with_texts: bool = False):
        """The feature matrix of ``X`` (and, ``with_texts``, the prepared texts as well)."""
        _check_fitted(self, "classifier_")
        X = self._check_frame(X)
        needed = set(self.columns_["categorical"]) | set(self.columns_["numeric"]) | \
            set(self.columns_["history"]) | set(self.columns_["text"])
        absent = sorted(c for c in needed if c not in X.columns)
        if absent:
            warnings.warn(f"columns {absent} are not in the table; treated as missing",
                          DataQualityWarning, stacklevel=3)
        if with_texts:
            return self.featurizer_.transform_with_texts(X)
        return self.featurizer_.transform(X)

    def _calibrate(self, scores: np.ndarray) -> np.ndarray:
        if self.calibration_ is None:
            return scores
        a, b = self.calibration_
        return a * scores + b

    @property
    def rate_shift_(self) -> float:
        _check_fitted(self, "classifier_")
        # models saved before expected_rate existed lack the attribute: no shift
        rate = getattr(self, "expected_rate", None)
        _check_rate(rate)
        if rate is None:
            return 0.0
        ref = getattr(self, "reference_logits_", None)
        if ref is None:
            raise NotFittedError("this model was saved before expected_rate existed; refit it "
                                 "to use expected_rate")
        return _rate_shift(np.asarray(ref, dtype=float), float(rate))

    def _log_odds(self, scores: np.ndarray) -> np.ndarray:
        # Calibration, then the prior shift to expected_rate (0 when it is None).
        return self._calibrate(scores) + self.rate_shift_

    def decision_function(self, X):
        """Calibrated log-odds of being granted, shape ``(n,)``."""
        Z = self._features(X)
        return self._log_odds(self.classifier_.decision_function(Z))

    def predict_proba(self, X):
        """Probabilities, shape ``(n, 2)``: columns ``avslag``, ``beviljad``."""
        p = _sigmoid(self.decision_function(X))
        return np.column_stack([1 - p, p])

    def predict(self, X):
        """``beviljad`` where P(beviljad) ≥ 0.5, else ``avslag``."""
        return np.where(self.predict_proba(X)[:, 1] >= 0.5, POSITIVE, NEGATIVE).astype(object)

    def predict_interval(self, X, *, level=0.9) -> pd.DataFrame:
        """Point probability with a bootstrap interval for each row.

        Returns
        -------
        DataFrame
            Indexed like ``X``: ``grant_probability``, ``grant_low``, ``grant_high``. The interval
            is the bootstrap percentile interval of the (calibrated) probability, widened where
            needed to contain the point estimate; with ``n_bootstrap=0`` it is the point itself.
        """
        if not 0 < level < 1:
            raise ValidationError(f"level must be between 0 and 1, got {level}")
        return self._interval_from(self._features(X), X.index, level)

    def predict_interval_explained(self, X, *, top=3, level=0.9
                                   ) -> tuple[pd.DataFrame, list[list[Reason]]]:
        """``predict_interval(X, level=level)`` and ``explain(X, top=top)`` from one pass.

        The same results as the two calls, with the features of ``X`` computed once (batch
        scoring spends a third of its time there otherwise).
        """
        if not 0 < level < 1:
            raise ValidationError(f"level must be between 0 and 1, got {level}")
        Z, texts = self._features(X, with_texts=True)
        return self._interval_from(Z, X.index, level), self._explain_from(Z, X, top, texts)

    def _interval_from(self, Z, index, level) -> pd.DataFrame:
        point = _sigmoid(self._log_odds(self.classifier_.decision_function(Z)))
        boot = self.classifier_.bootstrap_decision_function(Z)
        if boot.shape[0]:
            samples = _sigmoid(self._log_odds(boot))
            a = (1 - level) / 2
            low = np.minimum(np.quantile(samples, a, axis=0), point)
            high = np.maximum(np.quantile(samples, 1 - a, axis=0), point)
        else:
            low, high = point.copy(), point.copy()
        return pd.DataFrame({"grant_probability": point, "grant_low": low, "grant_high": high},
                            index=index)

    def score(self, X, y=None, sample_weight=None):
        """ROC AUC of P(beviljad) against the decisions (``y`` or ``decision_column``)."""
        X = self._check_frame(X)
        yv, _ = self._decisions(X, y)
        keep = ~np.isnan(yv)
        p = self.predict_proba(X.iloc[np.flatnonzero(keep)])[:, 1]
        return float(roc_auc_score(yv[keep], p, sample_weight=None if sample_weight is None
                                   else np.asarray(sample_weight)[keep]))

    def evaluate(self, X, y=None, **kwargs) -> GrantEvaluation:
        """Model-level metrics for this configuration; see :func:`evaluate_grant_model`."""
        return evaluate_grant_model(self, X, y, **kwargs)

    # -- explanation -------------------------------------------------------------------------

    def explain(self, X, *, top=5) -> list[list[Reason]]:
        """The ``top`` strongest reasons behind each row's probability.

        Each feature's contribution is its coefficient times its value, on the calibrated
        log-odds scale. Text contributions come from character n-grams and are summed back to
        the whole words of the row's own text, so every text reason names a word that occurs in
        the text. A text reason says only that the word's n-grams weigh for or against a grant
        in this model, nothing more.

        Returns
        -------
        list of list of Reason
            One list per row of ``X``, strongest first.
        """
        return self._explain_from(self._features(X), X, top)

    def _explain_from(self, Z, X, top, texts=None) -> list[list[Reason]]:
        coef = self.classifier_.coef_.ravel()
        slope = self.calibration_[0] if self.calibration_ is not None else 1.0
        if sp.isspmatrix_csr(Z) and Z.has_canonical_format:
            # Z.multiply(coef): the same products on Z's own structure, without a COO copy
            C = sp.csr_matrix((Z.data * coef[Z.indices], Z.indices, Z.indptr), shape=Z.shape)
            C = C * slope
        else:
            C = Z.multiply(coef.reshape(1, -1)).tocsr() * slope
        fmap = self.featurizer_.feature_map_
        kinds = fmap["kind"].to_numpy()
        cols = fmap["column"].to_numpy()
        values = fmap["value"].to_numpy()
        text_slice = self.featurizer_.text_slice_
        texts = self.featurizer_.texts(X) if texts is None else texts
        hist = {col: self.featurizer_._history_stats(X, col) for col in self.columns_["history"]}
        if getattr(self.featurizer_, "similar_", None) is not None:
            hist["__similar__"] = self.featurizer_._similar_values(X)
        # numeric columns read once for the whole batch (one row at a time was most of the time)
        hist["__numeric__"] = {col: self.featurizer_._numeric_raw(X, col)
                               for col in set(cols[kinds == "numeric"])}
        is_text = np.zeros(Z.shape[1], dtype=bool)
        is_text[text_slice] = True
        text_ = getattr(self.featurizer_, "text_", None)
        if text_ is not None and is_text.any() and C.has_canonical_format \
                and np.isfinite(C.data).all():
            found = batch_word_values(text_.vectorizer_, texts, C[:, text_slice])
            if found is not None:
                return self._top_reasons(C, X, top, found, is_text, hist, (kinds, cols, values))
        # the word values of every row in one sparse pass (None: the per-row function)
        batch_words = (batch_words_from_char_ngrams(text_.vectorizer_, texts, C[:, text_slice])
                       if text_ is not None and is_text.any() else None)
        out = []
        for i in range(Z.shape[0]):
            start, end = C.indptr[i], C.indptr[i + 1]
            idx, contrib = C.indices[start:end], C.data[start:end]
            nonzero = contrib != 0
            text_part = nonzero & is_text[idx]
            reasons: list[Reason] = []
            ngrams: dict[str, float] = {}
            if C.has_canonical_format:  # one entry per n-gram: a dict in one step
                ngrams = dict(zip(values[idx[text_part]].tolist(),
                                  contrib[text_part].tolist(), strict=True))
            else:
                for j, c in zip(idx[text_part], contrib[text_part].tolist(), strict=True):
                    ngrams[values[j]] = ngrams.get(values[j], 0.0) + c
            other = nonzero & ~text_part
            for j, c in zip(idx[other], contrib[other], strict=True):
                label = self._feature_label(X, i, kinds[j], cols[j], values[j], hist)
                reasons.append(Reason(label, "höjer" if c > 0 else "sänker", float(c),
                                      kinds[j], cols[j]))
            if ngrams:
                words = (batch_words[i] if batch_words is not None
                         else words_from_char_ngrams(texts[i], ngrams))
                text_col = "+".join(self.columns_["text"])
                for word, c in words.items():
                    if c == 0:
                        continue
                    reasons.append(Reason(f"ordet '{word}' i texten", "höjer" if c > 0 else "sänker",
                                          float(c), "text", text_col))
            reasons.sort(key=lambda r: -abs(r.contribution))
            out.append([r for r in reasons if abs(r.contribution) >= 1e-4][:top])
        return out

    def _top_reasons(self, C, X, top, words_found, is_text, hist, fmap) -> list[list[Reason]]:
        """:meth:`_explain_from`'s loop for the whole batch: the candidates of every row (its
        non-text features in column order, then its words in order of appearance) sorted by
        strength with one stable lexsort, and labels made only for the ``top`` kept."""
        kinds, cols, values = fmap
        ptr, words, word_vals = words_found
        n = C.shape[0]
        f_row = np.repeat(np.arange(n, dtype=np.int64), np.diff(C.indptr))
        other = ~is_text[C.indices] & (C.data != 0)
        w_row = np.repeat(np.arange(n, dtype=np.int64), np.diff(ptr))
        row = np.concatenate([f_row[other], w_row])
        val = np.concatenate([C.data[other], word_vals])
        # what each candidate is: >= 0 a column of C, < 0 the word at -1 - position in words
        what = np.concatenate([C.indices[other].astype(np.int64),
                               -1 - np.arange(len(word_vals), dtype=np.int64)])
        # ties keep the per-row list's order: features before words, each in its own order
        group = np.concatenate([np.zeros(int(other.sum()), dtype=np.int8),
                                np.ones(len(word_vals), dtype=np.int8)])
        keep = np.abs(val) >= 1e-4
        row, val, what, group = row[keep], val[keep], what[keep], group[keep]
        seq = np.arange(len(row))
        order = np.lexsort((seq, group, -np.abs(val), row))
        row, val, what = row[order], val[order], what[order]
        starts = np.searchsorted(row, np.arange(n))
        rank = np.arange(len(row)) - starts[row]
        pick = rank < top
        out: list[list[Reason]] = [[] for _ in range(n)]
        text_col = "+".join(self.columns_["text"])
        for i, c, j in zip(row[pick].tolist(), val[pick].tolist(), what[pick].tolist(),
                           strict=True):
            direction = "höjer" if c > 0 else "sänker"
            if j < 0:
                out[i].append(Reason(f"ordet '{words[-1 - j]}' i texten", direction, c, "text",
                                     text_col))
            else:
                label = self._feature_label(X, i, kinds[j], cols[j], values[j], hist)
                out[i].append(Reason(label, direction, c, kinds[j], cols[j]))
        return out

    def _feature_label(self, X, i, kind, col, value, hist) -> str:
        lab = _label(col)
        if kind == "category":
            v = _VALUE_HINTS.get(str(value).casefold(), value)
            return f"{lab} är {v}"
        if kind == "other":
            raw = X[col].iloc[i] if col in X.columns else None
            return f"{lab} '{raw!s}' är ny eller sällsynt i träningsdata"
        if kind in ("missing", "numeric_missing"):
            return f"{lab} saknas"
        if kind == "numeric":
            numeric = hist.get("__numeric__", {})
            raw = (numeric[col][i] if col in numeric
                   else self.featurizer_._numeric_raw(X.iloc[[i]], col)[0])
            use_log, mean, _, _ = self.featurizer_.numeric_params_[col]
            typical = math.expm1(mean) if use_log else mean
            rel = "högre" if (np.log1p(max(raw, 0)) if use_log else raw) > mean else "lägre"
            return f"{lab} {format_number(raw)} ({rel} än typiskt {format_number(typical)})"
        if kind in ("history_rate", "history_count"):
            n, k, _prior = hist[col]
            entity = X[col].iloc[i] if col in X.columns else None
            if _clean_key(entity) is None:
                return f"{lab} saknas (ingen historik)"
            if kind == "history_rate":
                if n[i] == 0:
                    return f"{lab} '{entity}' har inga tidigare beslut"
                return (f"tidigare beslut för {lab} '{entity}': {int(k[i])} av {int(n[i])} "
                        f"beviljade")
            return f"antal tidigare ansökningar från {lab} '{entity}': {int(n[i])}"
        if kind == "similar_rate":
            values, idx, _sims = hist["__similar__"]
            similar = self.featurizer_.similar_
            found = idx[i][idx[i] >= 0]
            if not len(found):
                return "inga tidigare liknande ansökningar"
            granted = similar["y"][found]
            n_yes = int(granted.sum())
            # granted more or less often than applications overall: that is what the feature says
            wanted = 1.0 if values[i] >= 0 else 0.0
            match = np.flatnonzero(granted == wanted)
            example = similar["texts"][found[match[0] if len(match) else 0]]
            word = "beviljade" if wanted else "avslagna"
            return (f"liknar tidigare {word} ansökningar ({n_yes} av {len(found)} liknande "
                    f"beviljade, mot {100 * similar['prior']:.0f} % av alla; närmast: '{example}')")
        return f"{lab}: {value}"


def _separates_perfectly(s: pd.Series, y: np.ndarray) -> bool:
    """True when one column alone nearly determines the decision (AUC or purity ≥ 0.99)."""
    if (pd.api.types.is_numeric_dtype(s) and not pd.api.types.is_bool_dtype(s)) \
            or _numbers_as_text(s):
        v = _as_float(s)
        ok = ~np.isnan(v)
        if ok.sum() < 20 or len(np.unique(y[ok])) < 2:
            return False
        auc = roc_auc_score(y[ok], v[ok])
        return max(auc, 1 - auc) >= 0.99
    keys = s.map(_clean_key)
    if keys.nunique() > 20:
        return False
    frame = pd.DataFrame({"k": keys.fillna("\0").to_numpy(), "y": y})
    majority = frame.groupby("k")["y"].agg(lambda v: max(v.sum(), len(v) - v.sum())).sum()
    return majority / len(frame) >= 0.99
