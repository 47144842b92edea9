"""The content-only model, cross-fitted: P(beviljad | what was applied for)."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from .._argcheck import _check_frame, _columns_arg, _text_columns_in
from ..corpus import Corpus


def cross_fitted_content_scores(apps: pd.DataFrame, *,
                                text_columns: Sequence[str] = ("title", "description"),
                                decision_column: str = "decision",
                                nuisance_columns: Sequence[str] | str | None = None,
                                group_similarity: float | None = 0.9,
                                n_splits: int = 5, C: float = 1.0,
                                random_state: int | None = 0) -> np.ndarray:
    """Cross-fitted probability of "beviljad" from content alone, one per row.

    The model: char_wb 2–5 TF-IDF of the text columns (normalized, joined "title. description"),
    one-hot ``insats_form``/``provider_type``/``topic`` (those present) and the standardized
    log cost per participant (``cost_sek / participants``), in an L2-penalized logistic
    regression. The unsupervised parts (vocabulary, idf, scaling) are fitted on all rows; the
    regression is fitted K times, each time predicting the held-out fold only, so an
    application's own decision never predicts itself. Near-duplicates (char n-gram cosine >=
    ``group_similarity``) are kept in the same fold (grouped most similar first, in groups of at
    most 50 so that templated texts do not chain into one giant group), so a copy of an
    application does not predict it either. Rows whose decision is unknown are predicted by a model fitted on all decided rows.

    ``nuisance_columns`` (e.g. ``"agreement"``) enter the regression as one-hot columns and are
    then removed from the score (held at their average effect), so the score reflects content
    and not, say, the period in which similar texts were decided.

    Parameters
    ----------
    apps : DataFrame
        Needs the text columns and ``decision_column``.
    text_columns : sequence of str
    decision_column : str
    nuisance_columns : str or sequence of str or None
    group_similarity : float or None, default 0.9
        None: plain stratified folds.
    n_splits : int, default 5
        Reduced to the size of the smaller class when that is smaller.
    C : float, default 1.0
        Inverse regularization strength.
    random_state : int or None, default 0

    Returns
    -------
    ndarray of float, shape (len(apps),)
        P(beviljad | content). With fewer than two decisions of each kind the (smoothed)
        overall approval rate for every row.
    """
    text_columns = _columns_arg("text_columns", text_columns)
    text_columns = _text_columns_in(apps, text_columns)
    nuisance = _columns_arg("nuisance_columns", nuisance_columns)
    _check_frame(apps, [*text_columns, decision_column, *nuisance])
    corpus = Corpus(apps, text_columns=text_columns, decision_column=decision_column,
                    nuisance_columns=nuisance, group_similarity=group_similarity,
                    n_splits=n_splits, C=C, random_state=random_state)
    return corpus.content_scores.copy()
