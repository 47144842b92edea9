"""Feature extraction: char n-gram and word TF-IDF factories and the TextFeaturizer transformer."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import numpy as np
import pandas as pd
import scipy.sparse as sp
from sklearn.base import BaseEstimator, TransformerMixin
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.utils.validation import check_is_fitted

from .._compact import pack_state, unpack_state
from ..exceptions import ValidationError, WrongTypeError
from ..schema import join_texts
from .normalize import TextCleaner
from .tokens import content_tokens

# --------------------------------------------------------------------------------------------
# Vectorizers
# --------------------------------------------------------------------------------------------


def char_ngram_vectorizer(**overrides: Any) -> TfidfVectorizer:
    """Return an unfitted character n-gram TF-IDF vectorizer with kompred's measured defaults.

    Defaults: ``analyzer="char_wb"``, ``ngram_range=(2, 5)``, ``sublinear_tf=True``,
    ``min_df=1``, ``lowercase=True``, ``strip_accents=None`` (å, ä and ö tell words apart) and
    ``dtype=numpy.float32``. char_wb 2–5 with sublinear tf ranked Swedish paraphrases best of the
    representations measured (13/15 top-1), because n-grams match parts of compounds
    ("demenssjukdom" shares "demen", "emens" with "demens").

    Parameters
    ----------
    **overrides
        Any :class:`~sklearn.feature_extraction.text.TfidfVectorizer` parameter.

    Examples
    --------
    >>> vec = char_ngram_vectorizer(min_df=2)
    >>> vec.analyzer, vec.ngram_range, vec.min_df
    ('char_wb', (2, 5), 2)
    """
    params: dict[str, Any] = {
        "analyzer": "char_wb",
        "ngram_range": (2, 5),
        "sublinear_tf": True,
        "min_df": 1,
        "lowercase": True,
        "strip_accents": None,
        "dtype": np.float32,
    }
    params.update(overrides)
    return TfidfVectorizer(**params)


def word_vectorizer(**overrides: Any) -> TfidfVectorizer:
    """Return an unfitted word TF-IDF vectorizer (the baseline to compare char n-grams with).

    Tokens come from :func:`content_tokens` (spaCy's Swedish tokenizer, lowercased, no
    punctuation, without ``STOP_WORDS``). It is a module-level function, so fitted pipelines pickle.

    Examples
    --------
    >>> vec = word_vectorizer().fit(["Utbildning i demens", "Kurs i yrkessvenska för personalen"])
    >>> vec.get_feature_names_out().tolist()
    ['demens', 'kurs', 'personalen', 'utbildning', 'yrkessvenska']
    """
    params: dict[str, Any] = {
        "tokenizer": content_tokens,
        "token_pattern": None,
        "lowercase": False,  # content_tokens lowercases
        "sublinear_tf": True,
        "min_df": 1,
        "strip_accents": None,
        "dtype": np.float32,
    }
    params.update(overrides)
    return TfidfVectorizer(**params)


# --------------------------------------------------------------------------------------------
# TextFeaturizer
# --------------------------------------------------------------------------------------------


def _join_parts(parts: Iterable[str]) -> str:
    return join_texts(*parts)


class TextFeaturizer(TransformerMixin, BaseEstimator):
    """Character n-gram TF-IDF features for applications (title + description).

    Takes a DataFrame of applications (or 1-D texts), joins the extra text columns and the text
    column into one text per row (``"title. description"``), normalizes it with
    :func:`normalize_text` and returns char_wb TF-IDF features as a sparse CSR matrix.

    Parameters
    ----------
    text_column : str, default "description"
        Column holding the main text; required when ``X`` is a DataFrame.
    extra_text_columns : sequence of str, default ("title",)
        Columns put before the text column. A column missing from ``X`` is treated as empty
        (only the description is needed to score).
    ngram_range : (int, int), default (2, 5)
    max_features : int or None, default None
    min_df : int or float, default 1
    sublinear_tf : bool, default True
        Passed on to :func:`char_ngram_vectorizer`.

    Attributes
    ----------
    vectorizer_ : TfidfVectorizer
        The fitted vectorizer.
    feature_names_in_ : ndarray of str
        The columns used, when fitted on a DataFrame (not set for 1-D input).
    n_features_in_ : int
        Number of input columns used (1 for 1-D input).

    Examples
    --------
    >>> df = pd.DataFrame({"title": ["Demens", "Yrkessvenska"],
    ...                    "description": ["Utbildning om demenssjukdom.", "Kurs i svenska."]})
    >>> feat = TextFeaturizer().fit(df)
    >>> feat.prepare_texts(df)
    ['demens. utbildning om demenssjukdom.', 'yrkessvenska. kurs i svenska.']
    >>> X = feat.transform(df)
    >>> X.shape[0], X.format, X.dtype
    (2, 'csr', dtype('float32'))
    """

    def __init__(
        self,
        *,
        text_column: str = "description",
        extra_text_columns: tuple[str, ...] = ("title",),
        ngram_range: tuple[int, int] = (2, 5),
        max_features: int | None = None,
        min_df: int | float = 1,
        sublinear_tf: bool = True,
    ):
        self.text_column = text_column
        self.extra_text_columns = extra_text_columns
        self.ngram_range = ngram_range
        self.max_features = max_features
        self.min_df = min_df
        self.sublinear_tf = sublinear_tf

    # -- input ------------------------------------------------------------------------------

    def _extra_columns(self) -> list[str]:
        extra = self.extra_text_columns
        if extra is None:
            return []
        if isinstance(extra, str):
            return [extra]
        extra = list(extra)
        if not all(isinstance(c, str) for c in extra):
            raise WrongTypeError(f"expected extra_text_columns to be column names (str); got {extra!r}")
        return extra

    def _used_columns(self, X: pd.DataFrame) -> list[str]:
        if not isinstance(self.text_column, str):
            raise WrongTypeError(
                f"expected text_column to be a str; got {type(self.text_column).__name__}"
            )
        if self.text_column not in X.columns:
            raise ValidationError(
                f"expected a text column {self.text_column!r} in X; got columns "
                f"{[str(c) for c in X.columns][:20]}"
            )
        return [c for c in self._extra_columns() if c in X.columns] + [self.text_column]

    def prepare_texts(self, X: Any) -> list[str]:
        """Return the normalized texts that the vectorizer sees, one per row of ``X``.

        Needs no fitting. Use it to explain a prediction with :func:`words_from_char_ngrams`.

        Parameters
        ----------
        X : DataFrame, or list/array/Series of str

        Returns
        -------
        list of str
        """
        cleaner = TextCleaner()
        if isinstance(X, pd.DataFrame):
            columns = [
                cleaner.transform(X[c].reset_index(drop=True)) for c in self._used_columns(X)
            ]
            return [_join_parts(parts) for parts in zip(*columns, strict=True)]
        return cleaner.transform(X).tolist()

    # -- sklearn API ------------------------------------------------------------------------

    def _set_input_attributes(self, X: Any) -> None:
        if isinstance(X, pd.DataFrame):
            self.feature_names_in_ = np.asarray(self._used_columns(X), dtype=object)
            self.n_features_in_ = len(self.feature_names_in_)
        else:
            if hasattr(self, "feature_names_in_"):
                del self.feature_names_in_
            self.n_features_in_ = 1

    def fit(self, X: Any, y: Any = None) -> TextFeaturizer:
        """Learn the n-gram vocabulary and idf weights.

        Parameters
        ----------
        X : DataFrame with ``text_column``, or list/array/Series of str
        y : ignored

        Returns
        -------
        self
        """
        self.fit_transform(X)
        return self

    def fit_transform(self, X: Any, y: Any = None, **fit_params: Any):
        """Fit and return the features of ``X`` (faster than ``fit(X).transform(X)``).

        Returns
        -------
        scipy.sparse.csr_matrix of float32, shape (n_samples, n_features)
        """
        texts = self.prepare_texts(X)
        if not any(texts):
            raise ValidationError(
                f"expected at least one non-empty text to fit on; got {len(texts)} texts, "
                "all empty or missing"
            )
        vectorizer = char_ngram_vectorizer(
            ngram_range=tuple(self.ngram_range),
            max_features=self.max_features,
            min_df=self.min_df,
            sublinear_tf=self.sublinear_tf,
        )
        features = vectorizer.fit_transform(texts)
        self.vectorizer_ = vectorizer
        self._set_input_attributes(X)
        return features.tocsr()

    def transform(self, X: Any):
        """Return the char n-gram TF-IDF features of ``X``.

        Empty or missing texts give all-zero rows; n-grams not seen in fitting are ignored.

        Returns
        -------
        scipy.sparse.csr_matrix of float32, shape (n_samples, n_features)
        """
        check_is_fitted(self, "vectorizer_")
        return self.transform_prepared(self.prepare_texts(X))

    def transform_prepared(self, texts: list[str]):
        """:meth:`transform` of texts :meth:`prepare_texts` made (list of str)."""
        check_is_fitted(self, "vectorizer_")
        from ._fastchar import char_wb_transform

        return char_wb_transform(self.vectorizer_, texts).tocsr()

    def get_feature_names_out(self, input_features: Any = None) -> np.ndarray:
        """Return the character n-grams, one per output column."""
        check_is_fitted(self, "vectorizer_")
        return self.vectorizer_.get_feature_names_out()

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.string = True
        tags.input_tags.one_d_array = True
        return tags

    # the vocabulary travels as one string array: a model file loads in milliseconds (_compact)
    def __getstate__(self):
        return pack_state(super().__getstate__(), vectorizers=("vectorizer_",))

    def __setstate__(self, state):
        super().__setstate__(unpack_state(state, vectorizers=("vectorizer_",)))


def _given_tokens(tokens: list[str]) -> list[str]:
    return tokens


def word_matrix(texts: list[str]) -> tuple[sp.csr_matrix | None, np.ndarray]:
    """Word TF-IDF of texts (rows sorted) and the vocabulary; (None, empty) for no words.

    The texts are tokenized chunk by chunk (:func:`._fastwords.content_tokens_many`) and the
    vectorizer fitted on the token lists: the matrix and vocabulary of
    ``word_vectorizer(min_df=1).fit_transform(texts)`` (``tests/test_fast_analysis.py``), at
    100,000 texts without a spaCy call per text.
    """
    try:
        vec = word_vectorizer(min_df=1)
        if isinstance(texts, list) and all(isinstance(t, str) for t in texts):
            from ._fastwords import content_tokens_many

            vec.set_params(analyzer=_given_tokens, tokenizer=None)
            W = vec.fit_transform(content_tokens_many(texts)).tocsr()
        else:
            W = vec.fit_transform(texts).tocsr()
    except ValueError:  # empty vocabulary
        return None, np.empty(0, dtype=object)
    names = vec.get_feature_names_out()
    W.sort_indices()
    return W, names
