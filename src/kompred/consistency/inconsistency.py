"""Inconsistency index: split decisions among near-duplicates when there is no handler column."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd

from .._argcheck import (
    _check_fraction,
    _check_positive_int,
    _rng_seed,
)
from ..schema import (
    UNKNOWN,
)
from ..text.graph import _components, _edges
from .pairs import _corpus_of, _prepare, _scores_for
from .results import InconsistencyResult


def inconsistency_index(apps: pd.DataFrame, *,
                        text_columns: Sequence[str] = ("title", "description"),
                        decision_column: str = "decision", id_column: str = "id",
                        min_similarity: float = 0.8, k: int = 10, content_scores: Any = None,
                        n_bootstrap: int = 1000, min_pairs: int = 20, method: str = "auto",
                        random_state: int | None = 0) -> InconsistencyResult:
    """Split decisions among near-duplicates, against what the content model expects.

    For when there is no handler column. Pairs: the kNN graph's pairs of decided applications
    with char n-gram cosine >= ``min_similarity``. ``observed_split`` is the share of pairs with
    different decisions; ``expected_split`` = mean over pairs of p_a(1−p_b) + p_b(1−p_a), the
    split share if the two decisions were independent draws at the cross-fitted content
    probabilities. Their ratio is 1 when nothing beyond the content model makes near-identical
    applications agree; well below 1 when they are decided consistently. The intervals are a
    cluster bootstrap over the connected components of the pair graph (pairs that share an
    application are resampled together). ``enough_data`` is False with fewer than
    ``min_pairs`` pairs or fewer than 10 clusters.

    Returns
    -------
    InconsistencyResult
    """
    corpus = _corpus_of(apps, text_columns=text_columns, decision_column=decision_column,
                        id_column=id_column, k=_check_positive_int("k", k), method=method,
                        random_state=random_state)
    apps = corpus.table
    min_similarity = _check_fraction("min_similarity", min_similarity)
    n_bootstrap = _check_positive_int("n_bootstrap", n_bootstrap, minimum=0)
    seed = _rng_seed(random_state)
    prep = _prepare(corpus, k)
    p = _scores_for(corpus, content_scores)
    a, b, _ = _edges(prep.idx, prep.sim, min_similarity)
    dec = prep.decisions
    keep = (dec[a] != UNKNOWN) & (dec[b] != UNKNOWN)
    a, b = a[keep], b[keep]
    n_dec = int((dec != UNKNOWN).sum())
    nan = float("nan")
    if len(a) == 0:
        return InconsistencyResult(nan, (nan, nan), nan, nan, (nan, nan), 0, 0, n_dec,
                                   min_similarity, False, {"code": "no_pairs"})
    split = (dec[a] != dec[b]).astype(float)
    exp_split = p[a] * (1 - p[b]) + p[b] * (1 - p[a])
    labels = _components(len(apps), a, b)[a]
    _, cl = np.unique(labels, return_inverse=True)
    C = int(cl.max()) + 1
    obs, expd = float(split.mean()), float(exp_split.mean())
    ratio = obs / expd if expd > 0 else nan
    obs_ci, ratio_ci = (nan, nan), (nan, nan)
    if n_bootstrap and C >= 2:
        rng = np.random.default_rng(seed)
        s_c = np.bincount(cl, weights=split, minlength=C)
        e_c = np.bincount(cl, weights=exp_split, minlength=C)
        m_c = np.bincount(cl, minlength=C).astype(float)
        W = rng.multinomial(C, np.full(C, 1.0 / C), size=n_bootstrap).astype(float)
        bs_s, bs_e, bs_m = W @ s_c, W @ e_c, W @ m_c
        o_b = bs_s / bs_m
        r_b = np.where(bs_e > 0, bs_s / np.maximum(bs_e, 1e-300), np.nan)
        obs_ci = tuple(float(v) for v in np.nanquantile(o_b, [0.025, 0.975]))
        ratio_ci = tuple(float(v) for v in np.nanquantile(r_b, [0.025, 0.975]))
    enough = not (len(a) < min_pairs or C < 10)
    values = {"code": "measured" if enough else "too_few_pairs", "n_pairs": int(len(a)),
              "n_clusters": C}
    return InconsistencyResult(obs, obs_ci, expd, ratio, ratio_ci, int(len(a)), C, n_dec,
                               min_similarity, enough, values)
