"""ApplicationFeaturizer: an application table as a sparse matrix with traceable features."""

from __future__ import annotations

import numpy as np
import pandas as pd
import scipy.sparse as sp
from sklearn.base import BaseEstimator, TransformerMixin
from sklearn.utils import check_random_state

from ..._compact import pack_state, unpack_state
from ...exceptions import (
    SchemaError,
    ValidationError,
)
from ...text import TextFeaturizer
from ...text.neighbours import top_k_similar
from ._common import (
    _COST_PER_PARTICIPANT,
    _MISSING,
    _OTHER,
    MIN_MINORITY,
    _as_float,
    _check_fitted,
    _clean_key,
    _logit,
    _time_values,
)

_SIMILAR_MIN = 0.2  # neighbours below this cosine say nothing about the application


def _similar_neighbours(Q: sp.csr_matrix, q_time: np.ndarray, q_fold: np.ndarray | None,
                        R: sp.csr_matrix, r_time: np.ndarray, r_fold: np.ndarray | None,
                        k: int) -> tuple[np.ndarray, np.ndarray]:
    """The ``k`` most similar allowed reference rows of each query row: (indices, cosines).

    Allowed: reference rows decided strictly earlier than the query when both times are known,
    otherwise reference rows in another fold (``q_fold``/``r_fold``; None: every row). Missing
    neighbours have index -1 and cosine 0. Rows of Q and R are L2-normalized TF-IDF vectors.
    """
    if Q.shape[0] == 0 or R.shape[0] == 0:
        k = max(1, min(k, R.shape[0]))
        return np.full((Q.shape[0], k), -1, dtype=np.int64), np.zeros((Q.shape[0], k))
    r_known = ~np.isnan(r_time)

    def allowed(start: int, stop: int) -> np.ndarray:
        qt = q_time[start:stop]
        both = ~np.isnan(qt)[:, None] & r_known[None, :]
        ok = np.where(both, r_time[None, :] < qt[:, None], True)
        if q_fold is not None and r_fold is not None:
            ok &= np.where(both, True, q_fold[start:stop, None] != r_fold[None, :])
        return ok

    return top_k_similar(Q, R, k, allowed=allowed, min_similarity=_SIMILAR_MIN)


def _similar_log_odds(idx: np.ndarray, sims: np.ndarray, y_ref: np.ndarray, prior: float,
                      smoothing: float) -> np.ndarray:
    """Similarity-weighted approval rate of the neighbours, smoothed towards ``prior``, as
    log-odds relative to ``prior`` (0 without neighbours)."""
    granted = np.where(idx >= 0, y_ref[np.maximum(idx, 0)], 0.0)
    rate = ((sims * granted).sum(axis=1) + smoothing * prior) / (sims.sum(axis=1) + smoothing)
    return _logit(rate) - _logit(np.full(len(rate), prior))


# what ApplicationFeaturizer's state packs for model files (see kompred._compact)
_PACKED = {"strings": ("feature_names_out_",), "string_columns": ("feature_map_",)}


class ApplicationFeaturizer(TransformerMixin, BaseEstimator):
    """Turn an application table into a sparse numeric matrix with traceable features.

    Parameters
    ----------
    text_column : str or None
        The main text column, turned into character n-gram TF-IDF (``char_wb`` 2–5, sublinear
        tf) by :class:`kompred.text.TextFeaturizer`. None: no text features.
    extra_text_columns : sequence of str
        Columns put before the text (e.g. the title); absent columns are skipped.
    categorical_columns : sequence of str
        One-hot encoded. Values seen fewer than ``min_category_count`` times, and values unseen
        in training, go to an ``övrigt`` level; missing values to a ``saknas`` level. Matching
        ignores case and surrounding/repeated whitespace.
    numeric_columns : sequence of str
        Standardized (mean 0, sd 1 on the training rows, clipped to ±5). A non-negative column
        with skewness above 1 is first transformed with ``log1p``. Missing values are imputed
        with the training mean and flagged by an indicator feature when training had any.
    cost_column, participants_column : str or None
        When both are given, ``log1p(cost / participants)`` is added as a numeric feature
        ("kostnad per deltagare").
    history_columns : sequence of str
        Time-aware target encoding. For each column, two features: the entity's smoothed approval
        rate among decisions made *strictly before* the row's time (as log-odds relative to the
        overall earlier rate), and ``log1p`` of the number of such earlier decisions. At fit time
        each training row sees only earlier training rows (its own label is never used); at
        transform time a row sees the training rows earlier than its own time, which for a new
        application is every training row. Needs ``time_column`` and ``y``.
    time_column : str or None
        Dates or years used to order decisions for ``history_columns``. A row with a missing
        time sees all training rows.
    min_category_count : int
        Minimum count of a categorical value to get its own feature.
    text_min_df : int
        Minimum number of training texts an n-gram must occur in.
    text_weight : float
        Multiplier for the text block; with an L2 penalty it sets how strongly the text is
        regularized relative to the structured features.
    history_smoothing : float
        Pseudo-count pulling an entity's rate towards the overall earlier rate.
    exclude_history_rates : sequence of str
        History columns whose rate feature is switched off (all zeros); their count feature
        stays. :class:`GrantModel` switches off a rate whose weight comes out negative.
    column_labels : dict or None
        Plain-Swedish labels for columns, used in feature labels and explanations.
    similar_k : int
        With k > 0 (and a text column and ``y``), one more feature: how similar earlier
        applications were decided. The k most similar training applications (char n-gram
        cosine ≥ 0.2) give a similarity-weighted approval rate, smoothed towards the overall rate
        with ``similar_smoothing`` pseudo-decisions, as log-odds relative to it. Only decisions
        made strictly earlier count (like ``history_columns``); without times, a training row
        sees the other four of five folds, so its own decision never counts.
    similar_smoothing : float
        Pseudo-count of that rate.

    Attributes
    ----------
    feature_names_out_ : ndarray of str
        Machine names (``cat:col=value``, ``num:col``, ``num:col:saknas``, ``hist:col:rate``,
        ``hist:col:count``, ``sim:rate``, ``text:ngram``).
    feature_map_ : DataFrame
        One row per feature: ``name``, ``kind`` (``category``, ``other``, ``missing``,
        ``numeric``, ``numeric_missing``, ``history_rate``, ``history_count``, ``text``),
        ``column`` (source column), ``value`` (level or n-gram).
    text_slice_ : slice
        Position of the text block in the output.

    Examples
    --------
    >>> import pandas as pd
    >>> df = pd.DataFrame({"description": ["Yrkessvenska för undersköterskor", "Föreläsning om stress"],
    ...                    "insats_form": ["utbildning", "föreläsning"], "cost_sek": [50000.0, None]})
    >>> f = ApplicationFeaturizer(extra_text_columns=(), categorical_columns=["insats_form"],
    ...                           numeric_columns=["cost_sek"], min_category_count=1, text_min_df=1)
    >>> Z = f.fit_transform(df)
    >>> Z.shape[0], "cat:insats_form=föreläsning" in f.feature_names_out_
    (2, True)
    """

    def __init__(self, *, text_column="description", extra_text_columns=("title",),
                 categorical_columns=(),
                 numeric_columns=(), cost_column=None, participants_column=None,
                 history_columns=(), time_column=None, min_category_count=2, text_min_df=2,
                 text_weight=1.0, history_smoothing=10.0, exclude_history_rates=(),
                 column_labels=None, similar_k=0, similar_smoothing=5.0):
        self.text_column = text_column
        self.extra_text_columns = extra_text_columns
        self.categorical_columns = categorical_columns
        self.numeric_columns = numeric_columns
        self.cost_column = cost_column
        self.participants_column = participants_column
        self.history_columns = history_columns
        self.time_column = time_column
        self.min_category_count = min_category_count
        self.text_min_df = text_min_df
        self.text_weight = text_weight
        self.history_smoothing = history_smoothing
        self.exclude_history_rates = exclude_history_rates
        self.column_labels = column_labels
        self.similar_k = similar_k
        self.similar_smoothing = similar_smoothing

    # -- pieces ------------------------------------------------------------------------------

    def _text_frame(self, X: pd.DataFrame) -> pd.DataFrame:
        """The text columns of X; a missing main text column counts as empty text."""
        cols = {c: X[c] for c in self.extra_text_columns_ if c in X.columns}
        cols[self.text_column] = (X[self.text_column] if self.text_column in X.columns
                                  else pd.Series([None] * len(X), index=X.index, dtype=object))
        return pd.DataFrame(cols, index=X.index)

    def texts(self, X: pd.DataFrame) -> list[str]:
        """The normalized texts the n-gram features are made from, one per row."""
        _check_fitted(self, "feature_names_out_")
        if self.text_ is None:
            return [""] * len(X)
        return self.text_.prepare_texts(self._text_frame(X))

    def _numeric_raw(self, X: pd.DataFrame, col: str) -> np.ndarray:
        if col == _COST_PER_PARTICIPANT:
            if self.cost_column not in X.columns or self.participants_column not in X.columns:
                return np.full(len(X), np.nan)
            cost = _as_float(X[self.cost_column])
            n = _as_float(X[self.participants_column])
            with np.errstate(divide="ignore", invalid="ignore"):
                out = np.where((n > 0) & (cost >= 0), cost / n, np.nan)
            return out
        if col not in X.columns:
            return np.full(len(X), np.nan)
        return _as_float(X[col])

    def _history_stats(self, X: pd.DataFrame, col: str) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """For each row of X: (n earlier decisions of its entity, k granted, prior rate)."""
        table = self.history_tables_[col]
        keys = (X[col].map(_clean_key) if col in X.columns
                else pd.Series([None] * len(X), index=X.index))
        t = (_time_values(X[self.time_column]) if self.time_column in X.columns
             else np.full(len(X), np.nan))
        n_out = np.zeros(len(X))
        k_out = np.zeros(len(X))
        # prior: the overall approval rate of training decisions earlier than the row
        gt, gcum_n, gcum_k = self.history_global_
        idx = np.searchsorted(gt, np.where(np.isnan(t), np.inf, t), side="left")
        if len(gt):
            n_prior = np.where(idx > 0, gcum_n[np.maximum(idx - 1, 0)], 0.0)
            k_prior = np.where(idx > 0, gcum_k[np.maximum(idx - 1, 0)], 0.0)
        else:
            n_prior = k_prior = np.zeros(len(X))
        prior = np.where(n_prior >= MIN_MINORITY, (k_prior + 1.0) / (n_prior + 2.0), self.base_rate_)
        key_arr = keys.to_numpy(dtype=object)
        for i, key in enumerate(key_arr):
            if key is None or key not in table:
                continue
            et, ecum_n, ecum_k = table[key]
            j = np.searchsorted(et, np.inf if np.isnan(t[i]) else t[i], side="left")
            if j > 0:
                n_out[i] = ecum_n[j - 1]
                k_out[i] = ecum_k[j - 1]
        return n_out, k_out, prior

    def _history_features(self, X: pd.DataFrame, col: str) -> tuple[np.ndarray, np.ndarray]:
        n, k, prior = self._history_stats(X, col)
        m = float(self.history_smoothing)
        rate = (k + m * prior) / (n + m)
        return _logit(rate) - _logit(prior), np.log1p(n)

    # -- fit / transform ---------------------------------------------------------------------

    def fit(self, X, y=None):
        """Learn vocabularies, levels, scales and history tables from ``X`` (and ``y``)."""
        self._fit(X, y)
        self._fit_similar = None
        return self

    def fit_transform(self, X, y=None, **fit_params):
        """Fit, then transform the training rows (history uses only earlier rows).

        Gives the same matrix as ``fit(X, y).transform(X)``, with one pass over the texts,
        except for the ``similar_k`` feature: here each training row is described without its
        own decision (earlier rows, or other folds when times are missing).
        """
        text_matrix = self._fit(X, y)
        try:
            return self._transform(X, text_matrix)
        finally:
            self._fit_similar = None

    def _fit(self, X, y):
        if not isinstance(X, pd.DataFrame):
            raise ValidationError(f"expected a pandas DataFrame, got {type(X).__name__}")
        self.extra_text_columns_ = [c for c in (self.extra_text_columns or ())
                                    if c in X.columns and c != self.text_column]
        self.text_columns_ = self.extra_text_columns_ + (
            [self.text_column] if self.text_column is not None and self.text_column in X.columns
            else [])
        self.categorical_columns_ = list(self.categorical_columns or ())
        numeric = list(self.numeric_columns or ())
        if (self.cost_column and self.participants_column and self.cost_column in X.columns
                and self.participants_column in X.columns):
            numeric.append(_COST_PER_PARTICIPANT)
        self.numeric_columns_ = numeric
        self.history_columns_ = list(self.history_columns or ())
        missing = [c for c in self.categorical_columns_ + list(self.numeric_columns or ())
                   + self.history_columns_ if c not in X.columns]
        if missing:
            raise SchemaError(f"columns {missing} not found; the table has {list(X.columns)}")

        names: list[str] = []
        rows: list[tuple[str, str, str, str]] = []

        # categoricals
        self.levels_ = {}
        for col in self.categorical_columns_:
            keys = X[col].map(_clean_key)
            counts = keys.value_counts()
            kept = counts[counts >= self.min_category_count]
            levels = sorted(kept.index, key=lambda v: (-kept[v], v))
            display = {}
            for key, raw in zip(keys, X[col], strict=True):
                if key in kept.index and key not in display:
                    display[key] = " ".join(str(raw).split())
            self.levels_[col] = {lvl: i for i, lvl in enumerate(levels)}
            for lvl in levels:
                names.append(f"cat:{col}={display[lvl]}")
                rows.append((names[-1], "category", col, display[lvl]))
            names.append(f"cat:{col}={_OTHER}")
            rows.append((names[-1], "other", col, _OTHER))
            names.append(f"cat:{col}={_MISSING}")
            rows.append((names[-1], "missing", col, _MISSING))

        # numerics
        self.numeric_params_ = {}
        for col in self.numeric_columns_:
            raw = self._numeric_raw(X, col)
            ok = ~np.isnan(raw)
            use_log = False
            if ok.sum() >= 3 and np.nanmin(raw) >= 0:
                vals = raw[ok]
                sd = vals.std()
                if sd > 0 and np.mean((vals - vals.mean()) ** 3) / sd ** 3 > 1:
                    use_log = True
            if col == _COST_PER_PARTICIPANT:
                use_log = True
            tr = np.log1p(np.maximum(raw, 0)) if use_log else raw
            mean = float(np.nanmean(tr)) if ok.any() else 0.0
            sd = float(np.nanstd(tr)) if ok.any() else 1.0
            sd = sd if sd > 0 else 1.0
            has_missing = bool((~ok).any())
            self.numeric_params_[col] = (use_log, mean, sd, has_missing)
            names.append(f"num:{col}")
            rows.append((names[-1], "numeric", col, ""))
            if has_missing:
                names.append(f"num:{col}:{_MISSING}")
                rows.append((names[-1], "numeric_missing", col, _MISSING))

        # history
        self.history_tables_ = {}
        if self.history_columns_:
            if y is None:
                raise ValidationError("history_columns need the decisions (y) at fit time")
            if not self.time_column or self.time_column not in X.columns:
                raise SchemaError(
                    f"history_columns need a time column to order decisions; got "
                    f"time_column={self.time_column!r} and columns {list(X.columns)}")
            yv = np.asarray(y, dtype=float)
            t = _time_values(X[self.time_column])
            self.base_rate_ = float(np.clip(yv.mean(), 0.01, 0.99))
            known = ~np.isnan(t)
            order = np.argsort(t[known], kind="stable")
            tk, yk = t[known][order], yv[known][order]
            ut, first = np.unique(tk, return_index=True)
            cum_n = np.cumsum(np.ones_like(yk))
            cum_k = np.cumsum(yk)
            last = np.r_[first[1:], len(tk)] - 1
            self.history_global_ = (ut, cum_n[last] if len(tk) else cum_n,
                                    cum_k[last] if len(tk) else cum_k)
            for col in self.history_columns_:
                frame = pd.DataFrame({"key": X[col].map(_clean_key).to_numpy(dtype=object),
                                      "t": t, "y": yv})
                frame = frame[frame["key"].notna() & ~np.isnan(frame["t"].to_numpy())]
                grouped = frame.groupby(["key", "t"], sort=True)["y"].agg(["count", "sum"])
                table = {}
                for key, sub in grouped.groupby(level=0, sort=False):
                    table[key] = (sub.index.get_level_values(1).to_numpy(dtype=float),
                                  np.cumsum(sub["count"].to_numpy(dtype=float)),
                                  np.cumsum(sub["sum"].to_numpy(dtype=float)))
                self.history_tables_[col] = table
            self.history_scale_ = {}
            for col in self.history_columns_:
                rate, count = self._history_features(X, col)
                self.history_scale_[col] = (float(rate.std()) or 1.0, float(count.mean()),
                                            float(count.std()) or 1.0)
                names.append(f"hist:{col}:rate")
                rows.append((names[-1], "history_rate", col, ""))
                names.append(f"hist:{col}:count")
                rows.append((names[-1], "history_count", col, ""))
        else:
            self.base_rate_ = float(np.clip(np.mean(y), 0.01, 0.99)) if y is not None else 0.5

        # text
        self.text_ = None
        text_matrix = None
        if self.text_column is not None and self.text_column in X.columns:
            frame = self._text_frame(X)
            n_docs = int(frame.notna().any(axis=1).sum())
            min_df = self.text_min_df if n_docs >= 5 * self.text_min_df else 1
            text = TextFeaturizer(text_column=self.text_column,
                                  extra_text_columns=tuple(self.extra_text_columns_),
                                  min_df=min_df)
            try:
                text_matrix = text.fit_transform(frame)
            except ValueError:  # every text empty: no text features
                text = None
            self.text_ = text

        # how similar earlier applications were decided
        self.similar_ = None
        self._fit_similar = None
        if self.similar_k and text_matrix is not None and y is not None:
            yv = np.asarray(y, dtype=float)
            t = (_time_values(X[self.time_column]) if self.time_column and
                 self.time_column in X.columns else np.full(len(X), np.nan))
            folds = check_random_state(0).permutation(len(X)) % 5
            R = sp.csr_matrix(text_matrix, dtype=np.float32)
            prior = float(np.clip(yv.mean(), 0.01, 0.99))
            idx, sims = _similar_neighbours(R, t, folds, R, t, folds, int(self.similar_k))
            values = _similar_log_odds(idx, sims, yv, prior, float(self.similar_smoothing))
            texts = self.text_.prepare_texts(self._text_frame(X))
            self.similar_ = {"R": R, "y": yv, "t": t, "prior": prior,
                             "scale": float(values.std()) or 1.0,
                             "texts": np.array([x[:70] for x in texts], dtype=object)}
            self._fit_similar = values
            names.append("sim:rate")
            rows.append(("sim:rate", "similar_rate", "+".join(self.text_columns_), ""))
        n_before_text = len(names)
        if self.text_ is not None:
            vocab = self.text_.get_feature_names_out()
            source = "+".join(self.text_columns_)
            names.extend(f"text:{g}" for g in vocab)
            rows.extend((f"text:{g}", "text", source, g) for g in vocab)
        self.text_slice_ = slice(n_before_text, len(names))
        self.feature_names_out_ = np.asarray(names, dtype=object)
        self.feature_map_ = pd.DataFrame(rows, columns=["name", "kind", "column", "value"])
        self.n_features_out_ = len(names)
        return text_matrix

    def transform(self, X):
        """Transform a table into a CSR matrix of ``n_features_out_`` columns."""
        _check_fitted(self, "feature_names_out_")
        if not isinstance(X, pd.DataFrame):
            raise ValidationError(f"expected a pandas DataFrame, got {type(X).__name__}")
        return self._transform(X, None)

    def transform_with_texts(self, X) -> tuple[sp.csr_matrix, list[str]]:
        """``(transform(X), texts(X))``, the texts prepared once for both."""
        texts = self.texts(X)
        return self._transform(X, None, texts), texts

    def _transform(self, X, text_matrix, texts=None):
        n = len(X)
        blocks = []
        for col in self.categorical_columns_:
            levels = self.levels_[col]
            k = len(levels)
            if col in X.columns:
                keys = X[col].map(_clean_key).to_numpy(dtype=object)
            else:
                keys = np.full(n, None, dtype=object)
            idx = np.array([k + 1 if key is None else levels.get(key, k) for key in keys],
                           dtype=np.int64)
            blocks.append(sp.csr_matrix((np.ones(n), (np.arange(n), idx)), shape=(n, k + 2)))
        num_cols = []
        for col in self.numeric_columns_:
            use_log, mean, sd, has_missing = self.numeric_params_[col]
            raw = self._numeric_raw(X, col)
            tr = np.log1p(np.maximum(raw, 0)) if use_log else raw
            z = np.clip((tr - mean) / sd, -5, 5)
            miss = np.isnan(z)
            num_cols.append(np.where(miss, 0.0, z))
            if has_missing:
                num_cols.append(miss.astype(float))
        # getattr: models pickled before this parameter existed still load and predict
        off = set(getattr(self, "exclude_history_rates", ()) or ())
        for col in self.history_columns_:
            rate, count = self._history_features(X, col)
            rate_sd, count_mean, count_sd = self.history_scale_[col]
            num_cols.append(np.zeros(n) if col in off else np.clip(rate / rate_sd, -5, 5))
            num_cols.append(np.clip((count - count_mean) / count_sd, -5, 5))
        T = None
        if self.text_ is not None:
            T = (text_matrix if text_matrix is not None else
                 self.text_.transform(self._text_frame(X)) if texts is None else
                 self.text_.transform_prepared(texts))
        similar = getattr(self, "similar_", None)
        if similar is not None:
            if text_matrix is not None and getattr(self, "_fit_similar", None) is not None:
                values = self._fit_similar  # the training rows, each without its own decision
            else:
                values = self._similar_values(X, T)[0]
            num_cols.append(np.clip(values / similar["scale"], -5, 5))
        if num_cols:
            blocks.append(sp.csr_matrix(np.column_stack(num_cols)))
        if T is not None:
            if self.text_weight != 1.0:
                T = T * float(self.text_weight)
            blocks.append(T)
        if not blocks:
            return sp.csr_matrix((n, 0))
        return sp.hstack(blocks, format="csr", dtype=np.float64)

    def _similar_values(self, X: pd.DataFrame, T: sp.csr_matrix | None = None):
        """For new rows: (log-odds feature, neighbour indices, cosines) against the training rows
        decided earlier than each row (all of them when the row has no time)."""
        similar = self.similar_
        if T is None:
            T = self.text_.transform(self._text_frame(X))
        t = (_time_values(X[self.time_column]) if self.time_column and
             self.time_column in X.columns else np.full(len(X), np.nan))
        idx, sims = _similar_neighbours(sp.csr_matrix(T, dtype=np.float32), t, None,
                                        similar["R"], similar["t"], None, int(self.similar_k))
        values = _similar_log_odds(idx, sims, similar["y"], similar["prior"],
                                   float(self.similar_smoothing))
        return values, idx, sims

    # Safe model files (skops) cannot hold a DataFrame: the feature map travels as plain
    # columns, and its columns and the feature names as string arrays, which load in
    # milliseconds where a list of thousands of strings takes a second (_compact)
    def __getstate__(self):
        state = super().__getstate__()
        fmap = state.get("feature_map_")
        if isinstance(fmap, pd.DataFrame):
            state = {**state, "feature_map_": {str(c): fmap[c].tolist() for c in fmap.columns}}
        return pack_state(state, **_PACKED)

    def __setstate__(self, state):
        state = unpack_state(state, **_PACKED, object_arrays=("feature_names_out_",))
        fmap = state.get("feature_map_")
        if isinstance(fmap, dict):
            state = {**state, "feature_map_": pd.DataFrame(fmap, columns=list(fmap))}
        super().__setstate__(state)

    def get_feature_names_out(self, input_features=None):
        """Names of the output features (see ``feature_map_`` for their sources)."""
        _check_fitted(self, "feature_names_out_")
        return self.feature_names_out_.copy()
