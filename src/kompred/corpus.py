"""One prepared table of applications, shared by every analysis: :func:`prepare` -> :class:`Corpus`.

A ``Corpus`` holds the table and computes, each once and only when first asked for, what the
analyses share: the normalized texts, their char n-gram TF-IDF matrix, the top-k neighbour graph,
the word matrix that names shared terms, and the cross-fitted content scores. Divergent pairs and
groups, the handler and period effects, the inconsistency index and ``kompred report`` all take a
``Corpus`` (or a DataFrame, which they prepare themselves), so a report on 100,000 rows vectorizes,
searches and fits the content model once instead of once per analysis.

``counts`` records how often each expensive step ran; it is how the tests check "once".

Examples
--------
>>> import pandas as pd
>>> import kompred
>>> apps = pd.DataFrame({
...     "id": ["A", "B", "C", "D"],
...     "title": ["Demens", "Demens", "Yrkessvenska", "Yrkessvenska"],
...     "description": ["Kurs om demenssjukdom."] * 2 + ["Språkstöd i köket."] * 2,
...     "decision": ["beviljad", "avslag", "beviljad", "beviljad"]})
>>> corpus = kompred.prepare(apps)
>>> pairs = kompred.find_divergent_pairs(corpus)
>>> pairs[["id_a", "id_b"]].values.tolist()
[['A', 'B']]
>>> dict(corpus.counts)
{'texts': 1, 'vectorize': 1, 'neighbours': 1, 'content_model': 1, 'word_vectorize': 1}
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Sequence
from functools import cached_property
from typing import Any

import numpy as np
import pandas as pd
import scipy.sparse as sp
from scipy.special import expit

from ._argcheck import (
    _check_fraction,
    _check_frame,
    _check_ids,
    _check_positive_int,
    _columns_arg,
    _decisions,
    _rng_seed,
    _text_columns_in,
)
from .exceptions import ValidationError
from .modeling.content import _content_logits
from .render.numbers import fill
from .schema import GRANTED, UNKNOWN
from .text.graph import _fold_groups
from .text.neighbours import METHODS, _char_matrix, _texts, nearest_neighbors
from .text.vectorize import word_matrix

__all__ = ["Corpus", "as_corpus", "prepare", "unpack"]

#: Neighbours kept per application in the shared graph (pairs and groups may ask for more).
DEFAULT_K = 10
#: Near-duplicates at or above this cosine share a cross-fitting fold in the content model, so a
#: copy of an application never predicts it (the setting validated in
#: evaluation/README_consistency.md).
DEFAULT_GROUP_SIMILARITY = 0.9


class Corpus:
    """A table of applications prepared once for the consistency analyses.

    Build one with :func:`prepare`. Attributes are computed lazily on first use and cached.

    Parameters
    ----------
    apps : DataFrame
        The canonical table (:func:`kompred.read_applications`).
    text_columns : sequence of str, default ("title", "description")
        A missing ``title`` is skipped.
    decision_column, id_column : str
    k : int, default 10
        Neighbours per application in the shared graph.
    method : {"auto", "exact", "approx", "ivf"}
        Neighbour search (:func:`kompred.nearest_neighbors`).
    nuisance_columns : "auto", str, sequence of str or None
        Columns the content model adjusts for and then holds at their average (so the score
        reflects content, not the period it was decided in). "auto": ``agreement`` when it has
        at least two values.
    group_similarity : float or None, default 0.9
        Near-duplicates kept in one cross-fitting fold; None: plain stratified folds.
    n_splits : int, default 5
    C : float, default 1.0
        Inverse regularization strength of the content model.
    random_state : int or None, default 0
    progress : callable or None
        Called with a short Swedish message as each expensive step starts.

    Attributes
    ----------
    counts : collections.Counter
        How many times each expensive step ran (texts, vectorize, neighbours, content_model,
        word_vectorize).
    """

    def __init__(self, apps: pd.DataFrame, *, text_columns: Sequence[str] = ("title", "description"),
                 decision_column: str = "decision", id_column: str = "id", k: int = DEFAULT_K,
                 method: str = "auto", nuisance_columns: Any = "auto",
                 group_similarity: float | None = DEFAULT_GROUP_SIMILARITY, n_splits: int = 5,
                 C: float = 1.0, random_state: int | None = 0,
                 progress: Callable[[str], None] | None = None) -> None:
        if not isinstance(apps, pd.DataFrame):
            raise ValidationError(f"expected apps to be a pandas DataFrame; got {type(apps).__name__}")
        self.table = apps
        self._text_request = _columns_arg("text_columns", text_columns)
        self.text_columns = _text_columns_in(apps, self._text_request, required=False)
        self.decision_column = decision_column
        self.id_column = id_column
        self.k = _check_positive_int("k", k)
        if method not in METHODS:
            raise ValidationError(f"expected method to be one of {', '.join(map(repr, METHODS))}; "
                                  f"got {method!r}")
        self.method = method
        self._nuisance_arg = nuisance_columns
        if group_similarity is not None:
            _check_fraction("group_similarity", group_similarity)
        self.group_similarity = group_similarity
        self.n_splits = _check_positive_int("n_splits", n_splits, minimum=2)
        self.C = C
        self.seed = _rng_seed(random_state)
        self.progress = progress
        self.counts: Counter = Counter()
        self._neighbours: tuple[np.ndarray, np.ndarray] | None = None
        self._content: dict[tuple, np.ndarray] = {}

    def __len__(self) -> int:
        return len(self.table)

    def __repr__(self) -> str:
        done = ", ".join(self.counts) or "nothing yet"
        return f"<Corpus: {len(self)} applications; computed: {done}>"

    def _say(self, message: str) -> None:
        if self.progress is not None:
            self.progress(message)

    # ------------------------------------------------------------------ table-level facts
    @cached_property
    def ids(self) -> np.ndarray:
        """Application ids as strings (unique and present, else a ValidationError)."""
        _check_frame(self.table, [self.id_column])
        return _check_ids(self.table, self.id_column)

    @cached_property
    def decisions(self) -> np.ndarray:
        """Decision codes (object array of beviljad/avslag/okänd)."""
        _check_frame(self.table, [self.decision_column])
        return _decisions(self.table, self.decision_column)

    @cached_property
    def nuisance_columns(self) -> tuple[str, ...]:
        """The columns the content model adjusts for (resolved from ``nuisance_columns``)."""
        arg = self._nuisance_arg
        if isinstance(arg, str) and arg == "auto":
            col = self.table.get("agreement")
            return ("agreement",) if col is not None and col.nunique(dropna=True) > 1 else ()
        cols = _columns_arg("nuisance_columns", arg)
        _check_frame(self.table, cols)
        return cols

    # ------------------------------------------------------------------ text
    def _need_text(self) -> None:
        # a SchemaError naming the missing text column (a missing title alone is fine)
        _text_columns_in(self.table, self._text_request, required=True)

    @cached_property
    def texts(self) -> list[str]:
        """Normalized "title. description" texts, one per row."""
        self._need_text()
        self._say(fill("texter: {n:,} ansökningar", "sv", n=len(self)))
        self.counts["texts"] += 1
        return _texts(self.table, self.text_columns)

    @cached_property
    def X(self) -> sp.csr_matrix:
        """Row-normalized char_wb 2–5 TF-IDF of :attr:`texts` (float32)."""
        texts = self.texts
        self.counts["vectorize"] += 1
        return _char_matrix(texts)

    @cached_property
    def words(self) -> tuple[sp.csr_matrix | None, np.ndarray]:
        """Word TF-IDF matrix and its vocabulary, for naming shared and differing terms."""
        texts = self.texts
        self.counts["word_vectorize"] += 1
        return word_matrix(texts)

    def neighbours(self, k: int | None = None) -> tuple[np.ndarray, np.ndarray]:
        """Indices and cosine similarities of each row's ``k`` nearest other rows (best first).

        The graph is searched once, with the largest ``k`` asked for so far; smaller ``k`` are
        its first columns.
        """
        k = self.k if k is None else _check_positive_int("k", k)
        if self._neighbours is None or self._neighbours[0].shape[1] < min(k, len(self) - 1):
            kk = max(k, self.k)
            X = self.X
            self._say(f"söker de {kk} mest lika för varje ansökan")
            self.counts["neighbours"] += 1
            self._neighbours = nearest_neighbors(X, k=kk, method=self.method,
                                                 random_state=self.seed)
        idx, sim = self._neighbours
        return idx[:, :k], sim[:, :k]

    @property
    def idx(self) -> np.ndarray:
        """Neighbour indices of the shared graph (``k`` columns)."""
        return self.neighbours()[0]

    @property
    def sim(self) -> np.ndarray:
        """Neighbour similarities of the shared graph (``k`` columns)."""
        return self.neighbours()[1]

    # ------------------------------------------------------------------ content model
    @property
    def content_scores(self) -> np.ndarray:
        """Cross-fitted P(beviljad | content), one per row, with the corpus' own settings."""
        return self.content_scores_with()

    def content_scores_with(self, nuisance_columns: Sequence[str] | None = None,
                            nuisance_values: dict[str, Any] | None = None) -> np.ndarray:
        """Cross-fitted content scores adjusting for other nuisance columns (cached per setting).

        ``nuisance_values`` adds nuisance columns that are not in the table (name -> one value
        per row), e.g. periods derived from dates.
        """
        cols = self.nuisance_columns if nuisance_columns is None else \
            _columns_arg("nuisance_columns", nuisance_columns)
        extra = dict(nuisance_values or {})
        key = (cols, tuple((name, tuple(pd.Series(v, dtype=object).tolist()))
                           for name, v in sorted(extra.items())))
        if key in self._content:
            return self._content[key]
        table = self.table.assign(**{n: pd.array(v, dtype="str") for n, v in extra.items()}) \
            if extra else self.table
        _check_frame(table, [*cols, *extra])
        decisions = self.decisions
        labelled = decisions != UNKNOWN
        y = (decisions == GRANTED).astype(int)
        groups = None
        if self.group_similarity is not None and self.text_columns:
            idx, sim = self.neighbours()
            groups = _fold_groups(len(self), idx, sim, self.group_similarity, self.n_splits)
        X = self.X if self.text_columns else None
        self._say(f"innehållsmodell ({self.n_splits} omgångar korsvalidering)")
        self.counts["content_model"] += 1
        logits = _content_logits(table, y, labelled, X_text=X, text_columns=self.text_columns,
                                 nuisance_columns=(*cols, *extra), groups=groups,
                                 n_splits=self.n_splits, C=self.C, seed=self.seed)
        self._content[key] = expit(logits)
        return self._content[key]


def prepare(apps: pd.DataFrame, **options: Any) -> Corpus:
    """Prepare a table once for every consistency analysis (see :class:`Corpus` for options).

    Nothing is computed yet: texts, vectors, neighbours and content scores are computed on first
    use and then shared.
    """
    return Corpus(apps, **options)


def as_corpus(apps: Any, **options: Any) -> Corpus:
    """``apps`` itself when it is a Corpus (``options`` are then ignored), else ``prepare(apps)``."""
    if isinstance(apps, Corpus):
        return apps
    if not isinstance(apps, pd.DataFrame):
        raise ValidationError(
            f"expected apps to be a pandas DataFrame or a kompred Corpus; got {type(apps).__name__}")
    return Corpus(apps, **options)


def unpack(apps: Any, text_columns: Any, decision_column: str
           ) -> tuple[Corpus | None, pd.DataFrame, Any, str]:
    """(corpus or None, table, text columns, decision column) for a DataFrame or a Corpus.

    A Corpus brings its own table and columns; a DataFrame keeps the caller's.
    """
    if isinstance(apps, Corpus):
        return apps, apps.table, apps.text_columns, apps.decision_column
    return None, apps, text_columns, decision_column
