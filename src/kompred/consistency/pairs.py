"""Divergent pairs: near-identical applications with different decisions."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
import scipy.sparse as sp

from .._argcheck import (
    _check_fraction,
    _check_frame,
    _check_positive_int,
    _columns_arg,
    _content_probabilities,
)
from .._intervals import wilson_interval
from ..corpus import Corpus, as_corpus
from ..exceptions import ValidationError
from ..privacy import redact_frame
from ..schema import (
    UNKNOWN,
    is_missing,
)
from ..text.graph import _edges

_DEFAULT_FIELDS = ("insats_form", "provider_type", "provider", "cost_sek", "participants",
                   "employer", "unit", "submitted", "agreement", "handler")


def _good_terms(names: np.ndarray) -> np.ndarray:
    return np.array([len(t) >= 3 and t.isalpha() for t in names], dtype=bool)


def _top_terms(M: sp.csr_matrix, names: np.ndarray, top: int) -> list[str]:
    """Each row's ``top`` terms by weight (ties: lower column first), joined with ", "."""
    M = sp.csr_matrix(M)
    if M.shape[0] == 0:
        return []
    M.eliminate_zeros()
    rows = np.repeat(np.arange(M.shape[0]), np.diff(M.indptr))
    if M.data.dtype == np.float32 and M.shape[0] < 2**31 and bool(np.all(M.data > 0)):
        # one stable sort of an int64 key (row, then weight descending; the bits of a positive
        # float32 order as the float does) instead of a three-key lexsort: 0.8 s against 3.4 s
        # for the 6 million shared terms of 634,809 pairs; ties keep the lower column first
        M.sort_indices()
        desc = np.uint32(0xFFFFFFFF) - M.data.view(np.uint32)
        order = np.argsort((rows.astype(np.int64) << 32) | desc.astype(np.int64), kind="stable")
    else:
        order = np.lexsort((M.indices, -M.data, rows))
    rank = np.arange(len(order)) - M.indptr[rows[order]]
    keep = order[rank < top]  # still grouped by row, best first
    words = names[M.indices[keep]].tolist()
    ends = np.cumsum(np.minimum(np.diff(M.indptr), top))
    return [", ".join(words[s:e]) for s, e in zip(np.r_[0, ends[:-1]], ends, strict=True)]


def _pair_terms(W: sp.csr_matrix | None, names: np.ndarray, ok: np.ndarray, a: np.ndarray,
                b: np.ndarray, top: int) -> tuple[list[str], list[str], list[str]]:
    """Shared terms (the smaller weight of the two), terms of a only and of b only, per pair.

    All pairs at once with sparse products (a loop over pairs took ~0.2 ms each: 19 s for
    the 100,000 pairs of 20,000 texts); the weights are positive, so min(A, B) is nonzero
    exactly where both texts have the term.
    """
    if W is None or len(a) == 0:
        return [""] * len(a), [""] * len(a), [""] * len(a)
    cols = np.flatnonzero(ok)
    V = sp.csr_matrix(W[:, cols])
    A, B = V[np.asarray(a)], V[np.asarray(b)]
    common = A.minimum(B)
    shared = common.astype(bool)
    only_a = A - A.multiply(shared)
    only_b = B - B.multiply(shared)
    kept = names[cols]
    return (_top_terms(common, kept, top), _top_terms(only_a, kept, top),
            _top_terms(only_b, kept, top))


def _same(u: Any, v: Any) -> bool:
    um, vm = is_missing(u), is_missing(v)
    if um or vm:
        return um and vm
    try:
        return bool(u == v)
    except (TypeError, ValueError):
        return False


def _same_pairs(values: np.ndarray, a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """``_same(values[i], values[j])`` for every pair (i, j) of ``zip(a, b)``, as an array.

    Missing values (None, NaN, NA, NaT) are equal only to each other; other values are equal
    when ``==`` says so, which for hashable cell values is what ``pandas.factorize`` groups by.
    A Python call per pair and field took 24 s for the 634,809 pairs of 100,000 texts.
    """
    values = np.asarray(values, dtype=object)
    a, b = np.asarray(a, dtype=np.int64), np.asarray(b, dtype=np.int64)
    missing = np.fromiter(map(is_missing, values), dtype=bool, count=len(values))
    try:
        codes = pd.factorize(np.where(missing, None, values), use_na_sentinel=True)[0]
    except TypeError:  # an unhashable cell: one comparison per pair
        return np.array([_same(values[i], values[j]) for i, j in zip(a, b, strict=True)],
                        dtype=bool)
    ma, mb = missing[a], missing[b]
    return np.where(ma | mb, ma & mb, codes[a] == codes[b])


def _field_lists(apps: pd.DataFrame, fields: Sequence[str], a: np.ndarray, b: np.ndarray
                 ) -> tuple[list[str], list[str]]:
    """The pairs' ``same_fields`` and ``differing_fields`` (comma-separated, in field order)."""
    if not fields:
        return [""] * len(a), [""] * len(a)
    same = np.column_stack([_same_pairs(apps[f].to_numpy(dtype=object), a, b) for f in fields])
    # few distinct patterns of equal fields: join the names once per pattern
    patterns, which = np.unique(same, axis=0, return_inverse=True)
    same_names = [", ".join(f for f, eq in zip(fields, row, strict=True) if eq)
                  for row in patterns]
    diff_names = [", ".join(f for f, eq in zip(fields, row, strict=True) if not eq)
                  for row in patterns]
    which = which.ravel()
    return [same_names[k] for k in which], [diff_names[k] for k in which]


@dataclass(frozen=True)
class _Prepared:
    """What an analysis reads off a :class:`~kompred.corpus.Corpus`, with its own ``k``."""

    corpus: Corpus
    idx: np.ndarray
    sim: np.ndarray

    @property
    def ids(self) -> np.ndarray:
        return self.corpus.ids

    @property
    def decisions(self) -> np.ndarray:
        return self.corpus.decisions

    @property
    def X(self) -> sp.csr_matrix:
        return self.corpus.X

    @property
    def words(self) -> tuple[sp.csr_matrix | None, np.ndarray]:
        return self.corpus.words


def _prepare(corpus: Corpus, k: int) -> _Prepared:
    corpus._need_text()
    _check_frame(corpus.table, [corpus.id_column, corpus.decision_column])
    corpus.ids  # noqa: B018 - validates the ids before any expensive step
    corpus.decisions  # noqa: B018
    return _Prepared(corpus, *corpus.neighbours(k))


def _scores_for(corpus: Corpus, content_scores: Any) -> np.ndarray:
    """The user's content scores when given, else the corpus' cross-fitted ones."""
    if content_scores is not None:
        return _content_probabilities(corpus.table, content_scores)
    return corpus.content_scores


def _corpus_of(apps: Any, *, text_columns: Any, decision_column: str, id_column: str, k: int,
               method: str, random_state: Any, progress: Any = None) -> Corpus:
    return as_corpus(apps, text_columns=text_columns, decision_column=decision_column,
                     id_column=id_column, k=k, method=method, random_state=random_state,
                     progress=progress)


def find_divergent_pairs(apps: pd.DataFrame, *,
                         text_columns: Sequence[str] = ("title", "description"),
                         decision_column: str = "decision", id_column: str = "id",
                         k: int = 10, min_similarity: float = 0.5,
                         content_scores: Any = None, include_agreeing: bool = False,
                         fields: Sequence[str] | None = None, topic_column: str = "topic",
                         n_terms: int = 6, similarity_power: float = 4.0,
                         method: str = "auto",
                         random_state: int | None = 0,
                         progress: Callable[[str], None] | None = None) -> pd.DataFrame:
    """Pairs of near-identical applications, ranked by how surprising their split decision is.

    Similarity is the cosine of char_wb 2–5 TF-IDF vectors of the normalized text columns
    (robust to Swedish compounds and inflection: "demenssjukdom" matches "demens"). Candidate
    pairs are each application's ``k`` nearest neighbours (chunked search, memory linear in N:
    see :func:`nearest_neighbors`) with similarity >= ``min_similarity``.

    ``divergence_score = similarity ** similarity_power × P(same decision | content)`` where
    ``P(same) = p_a·p_b + (1 − p_a)·(1 − p_b)`` and ``p`` is the cross-fitted content-model
    probability of "beviljad" (:func:`cross_fitted_content_scores`; near-duplicates are kept in
    the same fold, so a pair's own decisions do not inform its expectation). P(same) is the
    chance that the two decisions agree if each were drawn independently at its content
    probability (0.5 to 1): high when the model confidently expects both granted or both
    rejected, lower in the model's grey zone or when the two differ in what the model weighs
    (e.g. cost per participant). The similarity is raised to ``similarity_power`` (default 4)
    because applications in the same domain reach char n-gram cosines of 0.5–0.7 without being
    the same insats, while a split between near-identical texts is surprising however unsure
    the content model is: 0.9⁴ = 0.66 against 0.7⁴ = 0.24, so near-identical pairs come first
    and P(same) orders pairs of similar similarity (on 20 planted near-identical split pairs
    among 2,000 simulated applications, power 4 ranks them 1–43 among 4,300 split pairs, power
    1 ranks half of them below 300; evaluation/README_consistency.md). The score is in [0, 1];
    agreeing pairs (``include_agreeing=True``) get 0.

    Parameters
    ----------
    apps : DataFrame
        Needs ``id_column``, ``decision_column`` and the text columns.
    text_columns : sequence of str, default ("title", "description")
    decision_column, id_column : str
    k : int, default 10
        Neighbours searched per application.
    min_similarity : float, default 0.5
    content_scores : None, str or array-like
        P(beviljad | content) per row (a column name or an array), e.g. cross-fitted
        :class:`~kompred.modeling.grant.GrantModel` probabilities. None: the built-in content
        model.
    include_agreeing : bool, default False
        Also return pairs with the same decision (for :func:`agreement_by_similarity`).
    fields : sequence of str or None
        Structured fields compared per pair (``<field>_a``, ``<field>_b`` columns). Default:
        those of insats_form, provider_type, provider, cost_sek, participants, employer, unit,
        submitted, agreement, handler that are present.
    topic_column : str, default "topic"
    n_terms : int, default 6
        Words listed in ``shared_terms``/``terms_only_a``/``terms_only_b`` (word TF-IDF weight:
        the smaller of the two weights for shared words).
    similarity_power : float, default 4.0
        Exponent of the similarity in ``divergence_score`` (1: plain product).
    method : {"auto", "exact", "approx", "ivf"}
    random_state : int or None, default 0
    progress : callable or None
        Called with a short Swedish message as each stage starts (texts, neighbour search,
        content model, pairs); nothing is printed by this function itself.

    Returns
    -------
    DataFrame
        One row per pair, sorted by ``divergence_score`` (desc) then similarity: ``id_a``,
        ``id_b``, ``similarity``, ``decision_a``, ``decision_b``, ``split``, ``p_a``, ``p_b``,
        ``p_same``, ``divergence_score``, ``topic`` (the shared topic, or "a / b"),
        ``shared_terms``, ``terms_only_a``, ``terms_only_b``, ``same_fields``,
        ``differing_fields`` (comma-separated names) and ``<field>_a``, ``<field>_b`` for each
        field. Applications without a decision (``okänd``/missing) are not paired: a pair needs
        two decisions to diverge.

    Examples
    --------
    >>> apps = pd.DataFrame({
    ...     "id": ["A", "B", "C"],
    ...     "title": ["Utbildning i demens", "Utbildning i demens", "Yrkessvenska"],
    ...     "description": ["Kurs om demenssjukdom för undersköterskor."] * 2
    ...                    + ["Språkstöd för kökspersonal."],
    ...     "decision": ["beviljad", "avslag", "beviljad"]})
    >>> pairs = find_divergent_pairs(apps)
    >>> pairs[["id_a", "id_b", "decision_a", "decision_b"]].values.tolist()
    [['A', 'B', 'beviljad', 'avslag']]
    >>> round(float(pairs["similarity"].iloc[0]), 3)
    1.0
    """
    k = _check_positive_int("k", k)
    corpus = _corpus_of(apps, text_columns=text_columns, decision_column=decision_column,
                        id_column=id_column, k=k, method=method, random_state=random_state,
                        progress=progress)
    apps = corpus.table
    min_similarity = _check_fraction("min_similarity", min_similarity)
    n_terms = _check_positive_int("n_terms", n_terms, minimum=0)
    if fields is None:
        fields = tuple(f for f in _DEFAULT_FIELDS if f in apps.columns)
    else:
        fields = _columns_arg("fields", fields)
        _check_frame(apps, fields)
    if not isinstance(similarity_power, int | float) or not similarity_power > 0:
        raise ValidationError(f"expected similarity_power to be a positive number; "
                              f"got {similarity_power!r}")
    prep = _prepare(corpus, k)
    p = _scores_for(corpus, content_scores)
    if progress is not None:
        progress("jämför par")
    return _pairs_frame(apps, prep, p, min_similarity=min_similarity,
                        include_agreeing=include_agreeing, fields=fields,
                        topic_column=topic_column, n_terms=n_terms,
                        similarity_power=float(similarity_power))


def _pairs_frame(apps: pd.DataFrame, prep: _Prepared, p: np.ndarray, *, min_similarity: float,
                 include_agreeing: bool, fields: Sequence[str], topic_column: str,
                 n_terms: int, similarity_power: float = 4.0) -> pd.DataFrame:
    a, b, s = _edges(prep.idx, prep.sim, min_similarity)
    dec = prep.decisions
    known = (dec[a] != UNKNOWN) & (dec[b] != UNKNOWN)
    split = dec[a] != dec[b]
    keep = known & (split | include_agreeing)
    a, b, s, split = a[keep], b[keep], s[keep], split[keep]
    pa, pb = p[a], p[b]
    p_same = pa * pb + (1 - pa) * (1 - pb)
    score = np.where(split, s.astype(float) ** similarity_power * p_same, 0.0)
    order = np.lexsort((b, a, -s, -score))
    a, b, s, split, pa, pb, p_same, score = (x[order] for x in (a, b, s, split, pa, pb, p_same,
                                                                 score))
    out = pd.DataFrame({
        "id_a": pd.array(prep.ids[a], dtype="str"),
        "id_b": pd.array(prep.ids[b], dtype="str"),
        "similarity": s.astype(float),
        "decision_a": pd.array(dec[a], dtype="str"),
        "decision_b": pd.array(dec[b], dtype="str"),
        "split": split,
        "p_a": pa, "p_b": pb, "p_same": p_same,
        "divergence_score": score,
    })
    if topic_column in apps.columns:
        t = apps[topic_column].astype(object).to_numpy()
        same_topic = _same_pairs(t, a, b)
        out["topic"] = pd.array([ta if same else f"{ta} / {tb}" for ta, tb, same
                                 in zip(t[a], t[b], same_topic, strict=True)], dtype="str")
    else:
        out["topic"] = pd.array([None] * len(a), dtype="str")
    W, names = prep.words if len(a) and n_terms else (None, np.empty(0))
    ok = _good_terms(names) if W is not None else np.empty(0, dtype=bool)
    shared, only_a, only_b = _pair_terms(W, names, ok, a, b, n_terms)
    out["shared_terms"] = pd.array(shared, dtype="str")
    out["terms_only_a"] = pd.array(only_a, dtype="str")
    out["terms_only_b"] = pd.array(only_b, dtype="str")
    same_f, diff_f = _field_lists(apps, fields, a, b)
    out["same_fields"] = pd.array(same_f, dtype="str")
    out["differing_fields"] = pd.array(diff_f, dtype="str")
    for f in fields:
        col = apps[f].reset_index(drop=True)
        out[f"{f}_a"] = col.iloc[a].reset_index(drop=True)
        out[f"{f}_b"] = col.iloc[b].reset_index(drop=True)
    # the compared fields come from the table as written (a provider may be a sole trader,
    # whose organisation number is a personnummer)
    return redact_frame(out.reset_index(drop=True))


def agreement_by_similarity(pairs: pd.DataFrame, *, bins: Sequence[float] | int = 10
                            ) -> pd.DataFrame:
    """Share of pairs decided alike, by similarity bin, against the content model's expectation.

    Parameters
    ----------
    pairs : DataFrame
        From ``find_divergent_pairs(..., include_agreeing=True)`` (needs ``similarity``,
        ``split`` and ``p_same``).
    bins : int or sequence of float, default 10
        Number of equal-width bins between the smallest similarity and 1, or the bin edges.

    Returns
    -------
    DataFrame
        ``bin_low``, ``bin_high``, ``n_pairs``, ``observed_same`` (share with the same decision),
        ``observed_low``/``observed_high`` (Wilson 95 % interval), ``expected_same`` (mean of
        ``p_same``: decisions independent given content).
    """
    _check_frame(pairs, ["similarity", "split", "p_same"], what="pairs")
    s = pairs["similarity"].to_numpy(dtype=float)
    if isinstance(bins, int):
        lo = float(np.floor(s.min() * 20) / 20) if len(s) else 0.0
        edges = np.linspace(lo, 1.0, _check_positive_int("bins", bins) + 1)
    else:
        edges = np.asarray(bins, dtype=float)
    which = np.clip(np.searchsorted(edges, s, side="right") - 1, 0, len(edges) - 2)
    same = ~pairs["split"].to_numpy(dtype=bool)
    ps = pairs["p_same"].to_numpy(dtype=float)
    rows = []
    for j in range(len(edges) - 1):
        m = which == j
        nj = int(m.sum())
        obs = float(same[m].mean()) if nj else float("nan")
        lo_, hi_ = wilson_interval(int(same[m].sum()), nj)
        rows.append((edges[j], edges[j + 1], nj, obs, lo_, hi_,
                     float(ps[m].mean()) if nj else float("nan")))
    return pd.DataFrame(rows, columns=["bin_low", "bin_high", "n_pairs", "observed_same",
                                       "observed_low", "observed_high", "expected_same"])
