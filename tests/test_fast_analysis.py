"""The large-table paths of the consistency analysis agree with the algorithms they replaced.

Above ``_LARGE_ROWS`` rows some steps of ``kompred report``'s analysis take faster paths. Where a
path gives the same result, it is compared exactly; where it converges to the same optimum by
another route (the content model's solver), it is compared within the solver's tolerance with the
previous algorithm, which is kept here as the specification. Small tables never take these paths.
"""

from __future__ import annotations

import numpy as np
import pytest
import scipy.sparse as sp

from kompred import prepare, simulate
from kompred.modeling import content as M
from kompred.modeling._newton import logistic_newton_pcg
from kompred.schema import GRANTED


@pytest.fixture(scope="module")
def large_table():
    """A fixed simulated table just above the large-table threshold."""
    return simulate(M._LARGE_ROWS + 500, seed=11).applications


def reference_fit(X, y, C):
    """The content model's fit before issue 13's solver: scikit-learn's Newton-CG."""
    from sklearn.linear_model import LogisticRegression

    model = LogisticRegression(C=C, solver="newton-cg", max_iter=1000).fit(X, y)
    return model.coef_.ravel(), float(model.intercept_[0]), 0


def _gradient(X, y, w, b, C):
    from scipy.special import expit

    r = (expit(X @ w + b) - y) / X.shape[0]
    return np.r_[X.T @ r + w / (C * X.shape[0]), r.sum()]


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_newton_pcg_meets_scikit_learns_criterion_and_solution(large_table, dtype):
    corpus = prepare(large_table)
    X = corpus.X.astype(dtype)
    y = (corpus.decisions == GRANTED).astype(int)
    w, b, iters = logistic_newton_pcg(X, y, C=1.0)
    assert 0 < iters < 100
    # the same stopping rule as scikit-learn's newton-cg: max |gradient| <= 1e-4
    assert np.abs(_gradient(X.astype(np.float64), y, w.astype(np.float64), b, 1.0)).max() < 1.2e-4
    w_ref, b_ref, _ = reference_fit(X, y, 1.0)
    logit, logit_ref = X @ w + b, X @ w_ref + b_ref
    assert np.abs(logit - logit_ref).max() < 0.05
    assert np.corrcoef(logit, logit_ref)[0, 1] > 0.9999


def test_newton_pcg_fits_a_separable_corner_without_failing():
    X = sp.csr_matrix(np.array([[1.0, 0.0], [1.0, 0.0], [0.0, 1.0], [0.0, 1.0]]))
    y = np.array([1, 1, 0, 0])
    w, b, _ = logistic_newton_pcg(X, y, C=1.0)
    w_ref, b_ref, _ = reference_fit(X, y, 1.0)
    assert np.allclose(X @ w + b, X @ w_ref + b_ref, atol=1e-3)


def test_content_logits_agree_with_the_scikit_learn_solver(large_table, monkeypatch):
    corpus = prepare(large_table)
    fast = corpus.content_scores.copy()
    monkeypatch.setattr(M, "logistic_newton_pcg", reference_fit)
    slow = prepare(large_table).content_scores
    logit = np.log(fast / (1 - fast))
    logit_ref = np.log(slow / (1 - slow))
    assert np.abs(logit - logit_ref).max() < 0.05
    # and it is not the same function by accident: the solvers' paths differ
    assert not np.array_equal(fast, slow)


def test_hstack_rows_is_scipys_hstack():
    rng = np.random.default_rng(0)
    A = sp.random(300, 200, density=0.05, format="csr", random_state=rng, dtype=np.float32)
    B = sp.random(300, 7, density=0.3, format="csr", random_state=rng)
    empty = sp.csr_matrix((300, 0))
    for blocks in ([A, B, empty], [A, B], [A, empty], [empty, B], [B, A, B]):
        for dtype in (np.float32, np.float64):
            ref = sp.hstack(blocks, format="csr", dtype=dtype)
            got = M._hstack_rows(blocks, dtype)
            assert got.shape == ref.shape and got.dtype == ref.dtype
            assert np.array_equal(got.indptr, ref.indptr)
            assert np.array_equal(got.indices, ref.indices)
            assert np.array_equal(got.data, ref.data)


def test_same_pairs_is_the_per_pair_comparison():
    import pandas as pd

    from kompred.consistency.pairs import _same, _same_pairs

    values = np.array([None, float("nan"), pd.NA, pd.NaT, 1, 1.0, True, 2.5, "1", "a", "a ",
                       pd.Timestamp("2022-10-01"), pd.Timestamp("2022-10-01").to_pydatetime(),
                       np.float64("nan"), 0.0, -0.0, "", "∅"], dtype=object)
    i, j = np.meshgrid(np.arange(len(values)), np.arange(len(values)))
    a, b = i.ravel(), j.ravel()
    want = [_same(values[x], values[y]) for x, y in zip(a, b, strict=True)]
    assert _same_pairs(values, a, b).tolist() == want
    unhashable = np.array([[1], [1], None], dtype=object)
    assert _same_pairs(unhashable, np.array([0, 0, 2]), np.array([1, 2, 2])).tolist() == \
        [True, False, True]


def test_pairs_fields_and_terms_equal_the_per_pair_loop():
    """The vectorised same/differing fields and topic of a pairs table, on a simulated table."""
    import pandas as pd

    from kompred import find_divergent_pairs
    from kompred.consistency.pairs import _same

    apps = simulate(400, seed=4).applications
    apps.loc[apps.index[::9], "provider"] = None
    apps.loc[apps.index[::13], "topic"] = None
    pairs = find_divergent_pairs(apps, include_agreeing=True, min_similarity=0.2)
    assert len(pairs) > 100
    fields = [f for f in ("insats_form", "provider_type", "provider", "cost_sek", "participants",
                          "employer", "unit", "submitted", "agreement", "handler")
              if f in apps.columns]
    by_id = apps.set_index("id")
    same_f, diff_f, topics = [], [], []
    for ia, ib in zip(pairs["id_a"], pairs["id_b"], strict=True):
        ra, rb = by_id.loc[ia], by_id.loc[ib]
        sf = [f for f in fields if _same(ra[f], rb[f])]
        same_f.append(", ".join(sf))
        diff_f.append(", ".join(f for f in fields if f not in sf))
        ta, tb = ra["topic"], rb["topic"]
        topics.append(ta if _same(ta, tb) else f"{ta} / {tb}")
    assert pairs["same_fields"].tolist() == same_f
    assert pairs["differing_fields"].tolist() == diff_f
    assert pairs["topic"].tolist() == pd.array(topics, dtype="str").tolist()


def test_group_stats_at_once_agree_with_the_loop_over_groups(monkeypatch):
    """Large tables compute the groups' similarity and terms in two products: the same terms,
    the same mean similarity within 1e-5."""
    import pandas as pd

    from kompred import find_divergent_groups
    from kompred.consistency import groups as GR

    apps = simulate(1500, seed=8).applications
    corpus = prepare(apps)
    slow = find_divergent_groups(corpus, similarity=0.5, include_uniform=True)
    monkeypatch.setattr(GR, "_LARGE_ROWS", 100)
    fast = find_divergent_groups(corpus, similarity=0.5, include_uniform=True)
    assert len(slow) > 30
    pd.testing.assert_frame_equal(fast.drop(columns="mean_similarity"),
                                  slow.drop(columns="mean_similarity"))
    assert np.allclose(fast["mean_similarity"], slow["mean_similarity"], rtol=0, atol=1e-5)
    assert not fast["mean_similarity"].isna().any()
    monkeypatch.setattr(GR, "_GROUP_CHUNK", 7)  # the members' rows in several chunks
    pd.testing.assert_frame_equal(find_divergent_groups(corpus, similarity=0.5,
                                                        include_uniform=True), fast)


@pytest.mark.parametrize("effect", [0.0, 0.02, 0.2])
def test_permutation_pvalue_of_large_tables_agrees_within_monte_carlo_error(effect, monkeypatch):
    """Residuals permuted in linear time (large tables) against labels permuted by sorting random
    keys (small tables): the same test, other random permutations, so the p-values agree within
    the Monte Carlo error of 2,000 permutations (4 standard errors, at least 0.01)."""
    from kompred.consistency import handlers as H

    rng = np.random.default_rng(5)
    n, G = 3000, 12
    g, strata = rng.integers(0, G, n), rng.integers(0, 3, n)
    resid = rng.normal(size=n) + effect * (g - G / 2) / G + 0.3 * strata
    monkeypatch.setattr(H, "_LARGE_ROWS", 10**9)
    slow = H._permutation_pvalue(resid, g, G, strata, 2000, 0)
    monkeypatch.setattr(H, "_LARGE_ROWS", 100)
    fast = H._permutation_pvalue(resid, g, G, strata, 2000, 0)
    assert fast != slow or effect == 0.2
    assert abs(fast - slow) <= max(0.01, 4 * np.sqrt(slow * (1 - slow) / 2000))
    # the statistic is permuted within strata: a stratum effect alone is no handler effect
    assert (fast > 0.01) == (slow > 0.01)


def test_handler_effect_of_a_large_table_is_the_same_with_the_power_beside_it(monkeypatch):
    """The power simulation and the permutation test run in a thread beside the model fit on
    large tables: the same result as one after the other."""
    from kompred import handler_effect
    from kompred.consistency import handlers as H

    apps = simulate(600, n_handlers=8, handler_sd=0.6, seed=2).applications
    scores = np.clip(np.random.default_rng(0).uniform(0.2, 0.9, len(apps)), 0, 1)
    one = handler_effect(apps, content_scores=scores, n_permutations=200).to_dict()
    monkeypatch.setattr(H, "_LARGE_ROWS", 100)
    monkeypatch.setattr(H, "_permutation_pvalue_large",
                        lambda resid, g, G, strata, n_perm, block, t_obs, rng: one["p_value"])
    both = handler_effect(apps, content_scores=scores, n_permutations=200).to_dict()
    assert both["design_power"] == one["design_power"]
    assert both == one


def test_word_matrix_is_the_word_vectorizers_fit_transform():
    import unicodedata

    from kompred.text.neighbours import _texts
    from kompred.text.vectorize import word_matrix, word_vectorizer

    apps = simulate(300, seed=6).applications
    texts = _texts(apps, ("title", "description"))
    texts += ["", "   ", "t.ex. 2 dagar (Demens)!", unicodedata.normalize("NFD", "Kurs för äldre"),
              "och i för", "Kurs  för\täldre\nvård"]
    W, names = word_matrix(texts)
    vec = word_vectorizer(min_df=1)
    ref = vec.fit_transform(texts).tocsr()
    ref.sort_indices()
    assert names.tolist() == vec.get_feature_names_out().tolist()
    assert W.dtype == ref.dtype and W.shape == ref.shape
    assert np.array_equal(W.indptr, ref.indptr) and np.array_equal(W.indices, ref.indices)
    assert np.array_equal(W.data, ref.data)


def test_topics_in_chunks_are_the_topics_of_the_whole_table(monkeypatch):
    import pandas as pd

    from kompred import analysis as A

    apps = simulate(120, seed=9).applications
    apps.loc[apps.index[5], "description"] = ""
    whole = A._topics(apps)
    monkeypatch.setattr(A, "TOPIC_CHUNK_ROWS", 50)
    pd.testing.assert_frame_equal(A._topics(apps), whole)
