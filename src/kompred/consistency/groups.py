"""Divergent groups: clusters of near-identical insatser with mixed decisions."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd
import scipy.sparse as sp

from .._argcheck import (
    _check_fraction,
    _check_positive_int,
)
from ..modeling.content import _LARGE_ROWS
from ..privacy import redact_frame
from ..schema import (
    GRANTED,
    UNKNOWN,
)
from ..text.graph import _capped_groups, _edges
from .pairs import _corpus_of, _good_terms, _prepare, _scores_for, _top_terms

#: Groups whose members' rows are copied to float64 at once in :func:`_group_stats` (a copy of
#: the whole matrix was 860 MB at 100,000 texts).
_GROUP_CHUNK = 4096


def _one_group_stats(members: np.ndarray, X: sp.csr_matrix, W: sp.csr_matrix | None,
                     ok: np.ndarray, n_terms: int, names: np.ndarray) -> tuple[float, str]:
    """A group's mean pairwise cosine and its top terms (the mean word weight, ties: lower
    column first), one group at a time."""
    Xm = X[members]
    S = (Xm @ Xm.T).toarray() if len(members) <= 2000 else None
    if S is not None:
        iu = np.triu_indices(len(members), 1)
        mean_sim = float(S[iu].mean())
    else:
        mean_sim = float("nan")
    terms = ""
    if W is not None:
        w = np.asarray(W[members].mean(axis=0)).ravel() * ok
        top = np.lexsort((np.arange(len(w)), -w))[:n_terms]
        terms = ", ".join(names[t] for t in top if w[t] > 0)
    return mean_sim, terms


def _group_stats(groups: list[np.ndarray], X: sp.csr_matrix, W: sp.csr_matrix | None,
                 ok: np.ndarray, n_terms: int, names: np.ndarray
                 ) -> tuple[np.ndarray, list[str]]:
    """:func:`_one_group_stats` of every group at once (large tables).

    Two sparse products with a group-by-row indicator instead of three per group (16,817
    groups of 100,000 texts: 59 s). The mean pairwise cosine of unit rows is
    (‖Σ x‖² − Σ ‖x‖²) / (m(m − 1)), in float64, where the loop sums float32 products one pair at
    a time: the two agree within 1e-5 (tests/test_fast_analysis.py). The mean word weights are
    the loop's: each weight scaled by 1/m in the matrix's dtype, summed in member order.
    """
    if not groups:
        return np.empty(0), []
    sizes = np.array([len(m) for m in groups])
    rows = np.repeat(np.arange(len(groups)), sizes)
    cols = np.concatenate(groups)
    shape = (len(groups), X.shape[0])
    total, own = np.empty(len(groups)), np.empty(len(groups))
    bounds = np.r_[0, np.cumsum(sizes)]
    for g0 in range(0, len(groups), _GROUP_CHUNK):  # members' rows in float64, chunk by chunk
        g1 = min(g0 + _GROUP_CHUNK, len(groups))
        Xc = X[cols[bounds[g0]:bounds[g1]]].astype(np.float64)
        local = rows[bounds[g0]:bounds[g1]] - g0
        ones = sp.csr_matrix((np.ones(len(local)), (local, np.arange(len(local)))),
                             shape=(g1 - g0, Xc.shape[0]))
        sums = ones @ Xc
        total[g0:g1] = np.asarray(sums.multiply(sums).sum(axis=1)).ravel()
        own[g0:g1] = ones @ np.asarray(Xc.multiply(Xc).sum(axis=1)).ravel()
    mean_sim = np.where(sizes <= 2000, (total - own) / (sizes * (sizes - 1.0)), np.nan)
    if W is None:
        return mean_sim, [""] * len(groups)
    scale = (1.0 / sizes).astype(W.dtype)  # as W[members] * (1 / m) is, in W's dtype
    means = sp.csr_matrix((scale[rows], (rows, cols)), shape=shape, dtype=W.dtype) @ W
    means = sp.csr_matrix(means.multiply(ok.astype(W.dtype)[None, :]))
    return mean_sim, _top_terms(means, names, n_terms) if n_terms else [""] * len(groups)


def find_divergent_groups(apps: pd.DataFrame, *,
                          text_columns: Sequence[str] = ("title", "description"),
                          decision_column: str = "decision", id_column: str = "id",
                          handler_column: str = "handler", topic_column: str = "topic",
                          similarity: float = 0.7, k: int = 10, min_size: int = 2,
                          max_size: int = 50,
                          include_uniform: bool = False, content_scores: Any = None,
                          n_terms: int = 6, method: str = "auto",
                          random_state: int | None = 0) -> pd.DataFrame:
    """Clusters of near-identical insatser, and which of them got mixed decisions.

    Groups come from the kNN graph (char n-gram cosine, ``k`` neighbours per application)
    restricted to edges with similarity >= ``similarity``, by single linkage in order of
    decreasing similarity, skipping any merge that would make a group larger than ``max_size``
    (plain connected components chain A~B, B~C... into one giant group on templated texts).
    Single linkage can still join A and C through B, so each group also reports its smallest
    within-group link and its mean pairwise similarity; raise ``similarity`` for tighter groups.

    Parameters
    ----------
    apps : DataFrame
    similarity : float, default 0.7
        Edge threshold.
    min_size : int, default 2
        Smallest group (counting decided applications) returned.
    max_size : int, default 50
        Largest group built.
    include_uniform : bool, default False
        Also return groups whose decisions all agree.
    content_scores : None, str or array-like
        As in :func:`find_divergent_pairs`; gives ``expected_rate``.
    Other parameters as in :func:`find_divergent_pairs`.

    Returns
    -------
    DataFrame
        One row per group, mixed groups first (most minority decisions, then largest):
        ``group``, ``size``, ``n_granted``, ``n_rejected``, ``n_unknown``, ``approval_rate``,
        ``expected_rate`` (mean content probability), ``mean_similarity``,
        ``min_link_similarity``, ``members`` (ids), ``granted_ids``, ``rejected_ids``,
        ``handlers``, ``handlers_granting``, ``handlers_rejecting``, ``n_handlers``,
        ``topics``, ``top_terms`` (comma-separated). Personnummer in the ids, handlers and
        topics are redacted, as in :func:`find_divergent_pairs`.
    """
    k = _check_positive_int("k", k)
    corpus = _corpus_of(apps, text_columns=text_columns, decision_column=decision_column,
                        id_column=id_column, k=k, method=method, random_state=random_state)
    apps = corpus.table
    similarity = _check_fraction("similarity", similarity)
    min_size = _check_positive_int("min_size", min_size, minimum=2)
    max_size = _check_positive_int("max_size", max_size, minimum=2)
    prep = _prepare(corpus, k)
    p = _scores_for(corpus, content_scores)
    a, b, s = _edges(prep.idx, prep.sim, similarity)
    n = len(apps)
    labels = _capped_groups(n, a, b, s, cap=max_size)
    dec = prep.decisions
    handlers = (apps[handler_column].astype(object).to_numpy() if handler_column in apps.columns
                else np.full(n, None, dtype=object))
    topics = (apps[topic_column].astype(object).to_numpy() if topic_column in apps.columns
              else np.full(n, None, dtype=object))
    W, names = prep.words
    ok = _good_terms(names) if W is not None else np.empty(0, dtype=bool)
    edge_min = pd.Series(s, dtype=float).groupby(labels[a]).min() if len(a) else pd.Series(
        dtype=float)
    order = np.argsort(labels, kind="stable")
    bounds = np.flatnonzero(np.diff(labels[order])) + 1
    # which groups are reported: enough decided members, mixed decisions (or every group)
    n_dec = np.bincount(labels, weights=dec != UNKNOWN)
    n_yes = np.bincount(labels, weights=dec == GRANTED)
    wanted = (n_dec >= min_size) & (include_uniform | ((n_yes > 0) & (n_yes < n_dec)))
    groups = [m for m in np.split(order, bounds) if wanted[labels[m[0]]]]
    stats = _group_stats(groups, prep.X, W, ok, n_terms, names) if n > _LARGE_ROWS else None
    rows = []
    for j, members in enumerate(groups):
        decided = members[dec[members] != UNKNOWN]
        g = dec[decided] == GRANTED
        if stats is not None:
            mean_sim, terms = float(stats[0][j]), stats[1][j]
        else:
            mean_sim, terms = _one_group_stats(members, prep.X, W, ok, n_terms, names)
        hs = [h for h in handlers[decided] if isinstance(h, str)]
        h_yes = sorted({h for h, gi in zip(handlers[decided], g, strict=True)
                        if isinstance(h, str) and gi})
        h_no = sorted({h for h, gi in zip(handlers[decided], g, strict=True)
                       if isinstance(h, str) and not gi})
        label = int(labels[members[0]])
        rows.append({
            "group": label,
            "size": len(members),
            "n_granted": int(g.sum()),
            "n_rejected": int(len(g) - g.sum()),
            "n_unknown": int(len(members) - len(decided)),
            "approval_rate": float(g.mean()),
            "expected_rate": float(p[decided].mean()),
            "mean_similarity": mean_sim,
            "min_link_similarity": float(edge_min.get(label, float("nan"))),
            "members": ", ".join(prep.ids[members]),
            "granted_ids": ", ".join(prep.ids[decided[g]]),
            "rejected_ids": ", ".join(prep.ids[decided[~g]]),
            "handlers": ", ".join(sorted(set(hs))),
            "handlers_granting": ", ".join(h_yes),
            "handlers_rejecting": ", ".join(h_no),
            "n_handlers": len(set(hs)),
            "topics": ", ".join(sorted({str(t) for t in topics[members] if isinstance(t, str)})),
            "top_terms": terms,
        })
    cols = ["group", "size", "n_granted", "n_rejected", "n_unknown", "approval_rate",
            "expected_rate", "mean_similarity", "min_link_similarity", "members", "granted_ids",
            "rejected_ids", "handlers", "handlers_granting", "handlers_rejecting", "n_handlers",
            "topics", "top_terms"]
    out = pd.DataFrame(rows, columns=cols)
    if len(out):
        minority = np.minimum(out["n_granted"], out["n_rejected"])
        out = out.assign(_m=minority).sort_values(["_m", "size", "group"],
                                                  ascending=[False, False, True])
        out = out.drop(columns="_m").reset_index(drop=True)
        out["group"] = np.arange(1, len(out) + 1)
    for c in ("members", "granted_ids", "rejected_ids", "handlers", "handlers_granting",
              "handlers_rejecting", "topics", "top_terms"):
        out[c] = pd.array(out[c].tolist(), dtype="str")
    # ids and handlers come from the table as written: a personnummer in one must not leave here
    return redact_frame(out)
