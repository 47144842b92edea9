"""Tests of kompred.consistency (divergent pairs/groups, handler and period effects)."""

from __future__ import annotations

import json
import math

import numpy as np
import pandas as pd
import pytest
import scipy.sparse as sp
from scipy import integrate
from scipy.special import expit

from kompred import consistency as C
from kompred.consistency import mixed
from kompred.exceptions import SchemaError, ValidationError
from kompred.text import neighbours

# ---------------------------------------------------------------------------------------------
# small hand-made tables
# ---------------------------------------------------------------------------------------------

DEMENS = ("Vi vill utbilda 20 undersköterskor i bemötande av personer med demenssjukdom. "
          "Utbildningen omfattar tre dagar och ges av en extern utbildningsaktör.")
DEMENS_NEAR = ("Vi vill utbilda 25 undersköterskor i hemtjänsten i bemötande av personer med demenssjukdom. "
               "Utbildningen omfattar två dagar och ges av extern utbildningsaktör.")
UNRELATED = [
    "Kurs i yrkessvenska för kökspersonal på skolorna, två timmar i veckan under ett år.",
    "Validering av barnskötare mot yrkesrollen, med kompletterande utbildning på Komvux.",
    "Ledarutvecklingsprogram för enhetschefer med fokus på förändringsledning och coachning.",
    "Klimatsmart mat: inspirationsdag för måltidsbiträden om vegetariska menyer.",
    "Digital mognad: grundkurs i stadens kontorsprogram och e-post för administratörer.",
    "Fotvård inom vård och omsorg för personal i hemtjänsten, fyra halvdagar.",
]


def table(descriptions, decisions, **extra) -> pd.DataFrame:
    n = len(descriptions)
    data = {"id": [f"A{i:02d}" for i in range(n)], "title": [""] * n,
            "description": descriptions, "decision": decisions}
    data.update(extra)
    return pd.DataFrame(data)


def test_exact_duplicates_with_split_decisions_are_found():
    apps = table([DEMENS, DEMENS, *UNRELATED], ["beviljad", "avslag"] + ["beviljad"] * 6)
    pairs = C.find_divergent_pairs(apps)
    assert len(pairs) == 1
    row = pairs.iloc[0]
    assert {row["id_a"], row["id_b"]} == {"A00", "A01"}
    assert row["similarity"] == pytest.approx(1.0, abs=1e-5)
    assert {row["decision_a"], row["decision_b"]} == {"beviljad", "avslag"}
    assert 0 < row["divergence_score"] <= 1
    assert "demenssjukdom" in row["shared_terms"]


def test_near_duplicates_are_found_and_fields_compared():
    apps = table([DEMENS, DEMENS_NEAR, *UNRELATED], ["avslag", "beviljad"] + ["avslag"] * 6,
                 cost_sek=[100_000.0, 150_000.0] + [50_000.0] * 6,
                 unit=["Farsta sdf", "Farsta sdf"] + ["Järva sdf"] * 6)
    pairs = C.find_divergent_pairs(apps)
    assert len(pairs) == 1
    row = pairs.iloc[0]
    assert 0.5 <= row["similarity"] < 1.0
    assert "cost_sek" in row["differing_fields"] and "unit" in row["same_fields"]
    assert {row["cost_sek_a"], row["cost_sek_b"]} == {100_000.0, 150_000.0}
    assert row["terms_only_a"] or row["terms_only_b"]


def test_no_pairs_for_unrelated_texts_or_agreeing_decisions():
    unrelated = table(UNRELATED, ["beviljad", "avslag"] * 3)
    assert len(C.find_divergent_pairs(unrelated)) == 0
    agreeing = table([DEMENS, DEMENS_NEAR, *UNRELATED], ["beviljad"] * 8)
    assert len(C.find_divergent_pairs(agreeing)) == 0
    both = C.find_divergent_pairs(agreeing, include_agreeing=True)
    assert len(both) >= 1 and not both["split"].any()
    assert (both["divergence_score"] == 0).all()


def test_unknown_decisions_are_not_paired():
    apps = table([DEMENS, DEMENS, *UNRELATED], ["beviljad", None] + ["avslag"] * 6)
    assert len(C.find_divergent_pairs(apps)) == 0


def test_divergent_groups_report_members_and_handlers():
    apps = table([DEMENS, DEMENS, DEMENS_NEAR, *UNRELATED],
                 ["beviljad", "avslag", "beviljad"] + ["beviljad"] * 6,
                 handler=["H1", "H2", "H3"] + ["H1"] * 6)
    groups = C.find_divergent_groups(apps, similarity=0.6)
    assert len(groups) == 1
    g = groups.iloc[0]
    assert g["size"] == 3 and g["n_granted"] == 2 and g["n_rejected"] == 1
    assert g["handlers_rejecting"] == "H2" and g["handlers_granting"] == "H1, H3"
    assert set(g["members"].split(", ")) == {"A00", "A01", "A02"}


# ---------------------------------------------------------------------------------------------
# chunked kNN
# ---------------------------------------------------------------------------------------------


def brute(X, k):
    from sklearn.preprocessing import normalize

    Xn = normalize(sp.csr_matrix(X, dtype=np.float64))
    S = (Xn @ Xn.T).toarray()
    np.fill_diagonal(S, -np.inf)
    return np.sort(S, axis=1)[:, ::-1][:, :k]


def test_chunked_exact_knn_equals_brute_force(monkeypatch):
    rng = np.random.default_rng(0)
    X = sp.random(300, 80, density=0.1, random_state=1, format="csr")
    X.data = rng.random(X.nnz)
    ref = brute(X, 7)
    idx0, sim0 = C.nearest_neighbors(X, k=7, method="exact")
    monkeypatch.setattr(neighbours, "_CHUNK_BUDGET", 300 * 37)  # force ~9 chunks
    idx, sim = C.nearest_neighbors(X, k=7, method="exact")
    assert np.allclose(sim, ref, atol=1e-5)
    assert np.array_equal(idx, idx0) and np.allclose(sim, sim0)
    assert not (idx == np.arange(300)[:, None]).any()  # never its own neighbour


def test_exact_knn_dense_common_part_plus_sparse_rest_is_the_full_product(monkeypatch):
    # n-grams with skewed document frequencies, as in text: a few in most rows, most rare
    rng = np.random.default_rng(5)
    n, d = 400, 3000
    df_share = 0.9 / np.arange(1, d + 1) ** 0.8
    dense = (rng.random((n, d)) < df_share) * rng.random((n, d))
    X = sp.csr_matrix(dense, dtype=np.float32)
    from sklearn.preprocessing import normalize

    Xn = normalize(X).astype(np.float32)
    D, R = neighbours._dense_common(Xn, budget=n * 40)  # at most 40 dense columns
    assert 0 < D.shape[1] <= 40 and R.nnz > 0
    full = (Xn @ Xn.T).toarray()
    off = ~np.eye(n, dtype=bool)  # n-grams of one row only (left out) count on the diagonal only
    assert np.allclose((D @ D.T + (R @ R.T).toarray())[off], full[off], atol=1e-5)
    ref = brute(X, 9)
    monkeypatch.setattr(neighbours, "_DENSE_BUDGET", n * 40)
    monkeypatch.setattr(neighbours, "_CHUNK_BUDGET", n * 50)  # and several chunks
    idx, sim = C.nearest_neighbors(X, k=9, method="exact")
    assert np.allclose(sim, ref, atol=1e-5)
    S = full.copy()
    np.fill_diagonal(S, -np.inf)
    assert np.allclose(np.take_along_axis(S, idx, axis=1), sim, atol=1e-5)


def test_topk_threshold_path_equals_argpartition():
    rng = np.random.default_rng(3)
    S = rng.random((20, 30_000)).astype(np.float32)
    idx, vals = neighbours._topk_dense(S, 12)  # wide: pre-filtered by a sampled threshold
    ref = np.sort(S, axis=1)[:, ::-1][:, :12]
    assert np.array_equal(vals, ref)
    assert np.array_equal(np.take_along_axis(S, idx, axis=1), vals)


def test_approximate_knn_finds_near_duplicates_with_exact_similarities():
    texts = [f"utbildning nummer {i} om ämne {w}" for i, w in
             enumerate(np.random.default_rng(0).choice(
                 ["demens", "bemötande", "språk", "ledarskap", "kost", "fotvård"], 400))]
    texts = [t.replace("0", "noll").replace("1", "ett") for t in texts]
    X = neighbours._char_matrix(texts)
    ie, se = C.nearest_neighbors(X, k=5, method="exact")
    ia, sa = C.nearest_neighbors(X, k=5, method="approx", n_components=16, n_common=64)
    recall = np.mean([len(set(ie[i]) & set(ia[i])) / 5 for i in range(len(texts))])
    assert recall > 0.9
    from sklearn.preprocessing import normalize

    exact = neighbours._rowwise_dot(normalize(X).astype(np.float32),
                           np.repeat(np.arange(len(texts)), 5), ia.ravel())
    assert np.allclose(exact.reshape(-1, 5), sa, atol=1e-4)


# ---------------------------------------------------------------------------------------------
# random-intercept likelihood
# ---------------------------------------------------------------------------------------------


def test_adaptive_quadrature_matches_numerical_integration():
    rng = np.random.default_rng(2)
    n, G = 60, 4
    g = rng.integers(0, G, n)
    X = np.column_stack([np.ones(n), rng.normal(size=n)])
    y = (rng.random(n) < 0.6).astype(float)
    beta, sigma = np.array([0.3, 0.8]), 0.9
    model = mixed._RandomIntercept(y, X, g, G)
    eta = X @ beta
    ref = 0.0
    for h in range(G):
        m = g == h

        def f(z, m=m):
            t = eta[m] + sigma * z
            return math.exp(float(np.sum(y[m] * t - np.logaddexp(0, t)))) * math.exp(
                -z * z / 2) / math.sqrt(2 * math.pi)

        ref += math.log(integrate.quad(f, -12, 12, epsabs=1e-14)[0])
    assert model.loglik(beta, sigma) == pytest.approx(ref, abs=1e-6)
    # sigma = 0 is the ordinary logistic likelihood
    plain = float(np.sum(y * eta - np.logaddexp(0, eta)))
    assert model.loglik(beta, 0.0) == pytest.approx(plain, abs=1e-10)


def test_louis_information_matches_the_numerical_hessian():
    rng = np.random.default_rng(4)
    n, G = 200, 8
    g = rng.integers(0, G, n)
    X = np.column_stack([np.ones(n), rng.normal(size=n)])
    y = (rng.random(n) < expit(0.5 + 0.7 * X[:, 1] + rng.normal(0, 0.8, G)[g])).astype(float)
    model = mixed._RandomIntercept(y, X, g, G)
    beta, sigma, h = np.array([0.4, 0.6]), 0.8, 1e-4
    H = np.empty((2, 2))
    for i in range(2):
        for j in range(2):
            e_i, e_j = np.eye(2)[i] * h, np.eye(2)[j] * h
            H[i, j] = (model.loglik(beta + e_i + e_j, sigma) - model.loglik(beta + e_i - e_j, sigma)
                       - model.loglik(beta - e_i + e_j, sigma)
                       + model.loglik(beta - e_i - e_j, sigma)) / (4 * h * h)
    assert np.allclose(model.louis_info(beta, sigma), -H, rtol=2e-3, atol=1e-2)


def test_flip_rate_is_zero_without_handler_variation_and_grows_with_it():
    eta = np.linspace(-2, 2, 50)
    assert mixed._flip_rate(eta, 0.0) == 0.0
    assert 0 < mixed._flip_rate(eta, 0.3) < mixed._flip_rate(eta, 1.0) < 1


# ---------------------------------------------------------------------------------------------
# handler effect
# ---------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def sim_large_effect():
    from kompred._simulate import simulate

    return simulate(600, n_handlers=10, handler_sd=1.5, seed=3)


def test_handler_effect_detects_a_large_planted_effect(sim_large_effect):
    sim = sim_large_effect
    p = expit(sim.truth["logit_content"].to_numpy())
    res = C.handler_effect(sim.applications, content_scores=p, n_permutations=499)
    assert res.enough_data and res.conclusion == "handler_dependence"
    assert res.p_value < 0.01
    assert res.ci_low > 0 and res.ci_low < 1.5 < res.ci_high
    assert 0 < res.flip_rate_ci[0] <= res.flip_rate <= res.flip_rate_ci[1] < 1
    assert res.median_odds_ratio == pytest.approx(
        math.exp(math.sqrt(2) * res.handler_sd * 0.6744897501960817))
    assert res.icc == pytest.approx(res.handler_sd**2 / (res.handler_sd**2 + math.pi**2 / 3))
    per = res.per_handler
    assert len(per) == 10 and per["n"].sum() == 600
    true = sim.handler_effects.reindex(per["handler"]).to_numpy()
    assert np.corrcoef(true, per["effect"])[0, 1] > 0.8


def test_handler_effect_with_the_built_in_content_model(sim_large_effect):
    res = C.handler_effect(sim_large_effect.applications, n_permutations=199)
    assert res.enough_data and res.p_value < 0.05 and res.ci_low > 0
    assert res.strata == ("agreement",)
    assert 0 < res.content_slope


def test_not_enough_data_for_few_handlers_or_few_decisions():
    from kompred._simulate import simulate

    few_handlers = simulate(200, n_handlers=3, handler_sd=1.0, seed=5).applications
    p = np.full(200, 0.7)
    res = C.handler_effect(few_handlers, content_scores=p, n_permutations=99)
    assert not res.enough_data and res.conclusion == "too_few_handlers"
    assert "3" in res.reason and "handläggare" in res.reason_sv
    few_decisions = simulate(40, n_handlers=8, handler_sd=1.0, seed=5).applications
    res = C.handler_effect(few_decisions, content_scores=np.full(40, 0.7), n_permutations=99)
    assert not res.enough_data and res.conclusion == "too_few_decisions"
    tiny = table([DEMENS, DEMENS_NEAR, *UNRELATED], ["beviljad", "avslag"] * 4,
                 handler=["H1", "H2"] * 4)
    res = C.handler_effect(tiny, n_permutations=99)
    assert not res.enough_data and res.n_handlers == 2


def test_handler_effect_without_variation_is_not_a_finding():
    from kompred._simulate import simulate

    sim = simulate(500, n_handlers=10, handler_sd=0.0, seed=11)
    res = C.handler_effect(sim.applications, content_scores=expit(sim.truth["logit_content"]),
                           n_permutations=299)
    assert res.conclusion in ("inconclusive", "no_material_dependence")
    assert res.ci_low == 0.0


def _simulated_q_power(counts, rates, sd, reps, seed):
    """Power of Cochran's Q with the content known, by direct simulation (independent of kompred).

    Each handler's effect is estimated by one-step scoring from 0 with the content as offset,
    u_h = S_h / I_h, and Q = Σ I_h (u_h − ū_w)² is compared with χ²(G − 1).
    """
    from scipy import stats

    rng = np.random.default_rng(seed)
    g = np.repeat(np.arange(len(counts)), counts)
    logit = np.log(rates / (1 - rates))
    info = np.bincount(g, weights=rates * (1 - rates))
    crit = stats.chi2.ppf(0.95, len(counts) - 1)
    hits = 0
    for _ in range(reps):
        u = rng.normal(0.0, sd, len(counts))
        y = rng.random(len(g)) < expit(logit + u[g])
        est = np.bincount(g, weights=y - rates) / info
        ubar = (info * est).sum() / info.sum()
        hits += ((info * (est - ubar) ** 2).sum() > crit)
    return hits / reps


@pytest.mark.parametrize("counts", [[50] * 10, [10] * 7, [20] * 20, [30, 80, 15, 60, 45]])
def test_design_power_agrees_with_direct_simulation(counts):
    rng = np.random.default_rng(1)
    rates = expit(rng.normal(1.0, 1.0, sum(counts)))  # content spread around a rate near 0.7
    # content known (content_r2=1): the same question as the oracle Q test simulated here
    approx = C.design_power(counts, handler_sd=0.5, approval_rate=rates, random_state=2,
                            content_r2=1.0)
    simulated = _simulated_q_power(np.array(counts), rates, 0.5, reps=1500, seed=3)
    # Monte Carlo error: ±0.025 (simulation) and ±0.02 (design_power)
    assert abs(approx - simulated) <= 0.05
    # the content model's blind spot (default content_r2 < 1) can only cost power
    assert C.design_power(counts, handler_sd=0.5, approval_rate=rates, random_state=2) < approx


def test_design_power_grows_with_data_and_effect_and_validates():
    assert C.design_power([10] * 7) < C.design_power([50] * 7) < C.design_power([200] * 7)
    assert C.design_power([50] * 10, handler_sd=0.2) < C.design_power([50] * 10, handler_sd=0.8)
    spread = expit(np.random.default_rng(0).normal(1.0, 1.5, 500))
    assert C.design_power([50] * 10, approval_rate=spread) < C.design_power([50] * 10)
    assert C.design_power([50] * 10) == C.design_power([50] * 10)  # seeded
    for bad in (50, [50], [0, 10], [1.5, 3], "x"):
        with pytest.raises(ValidationError, match="decisions_per_handler|at least 2"):
            C.design_power(bad)
    with pytest.raises(ValidationError, match="approval_rate"):
        C.design_power([5, 5], approval_rate=[0.5] * 9)
    with pytest.raises(ValidationError, match="handler_sd"):
        C.design_power([5, 5], handler_sd=0)


def test_handler_effect_reports_its_design_power():
    from kompred._simulate import simulate

    sim = simulate(140, n_handlers=7, handler_sd=0.0, seed=4)
    res = C.handler_effect(sim.applications, content_scores=expit(sim.truth["logit_content"]),
                           n_permutations=99)
    assert not res.enough_data
    assert 0 < res.design_power < 0.5 and res.power_sd == 0.5
    assert f"{100 * res.design_power:.0f} %" in res.reason
    assert f"{100 * res.design_power:.0f} %" in res.reason_sv
    assert res.to_dict()["design_power"] == pytest.approx(res.design_power)


def test_results_are_deterministic_for_a_fixed_seed(sim_large_effect):
    apps = sim_large_effect.applications.iloc[:250]
    a = C.handler_effect(apps, n_permutations=199, random_state=7)
    b = C.handler_effect(apps, n_permutations=199, random_state=7)
    assert a.to_dict() == b.to_dict()
    p1 = C.find_divergent_pairs(apps, random_state=1)
    p2 = C.find_divergent_pairs(apps, random_state=1)
    pd.testing.assert_frame_equal(p1, p2)


def test_to_dict_is_json_ready(sim_large_effect):
    sim = sim_large_effect
    res = C.handler_effect(sim.applications, content_scores=expit(sim.truth["logit_content"]),
                           n_permutations=99)
    d = res.to_dict()
    for key in ("handler_sd", "ci_low", "ci_high", "p_value", "flip_rate", "enough_data",
                "icc", "icc_ci", "median_odds_ratio", "mor_ci", "flip_rate_ci", "reason",
                "reason_sv", "n_handlers", "n_decisions", "per_handler"):
        assert key in d
    json.dumps(d, allow_nan=False)
    assert isinstance(d["per_handler"], list) and "shrunken_rate" in d["per_handler"][0]


# ---------------------------------------------------------------------------------------------
# period effect and inconsistency index
# ---------------------------------------------------------------------------------------------


def test_period_effect_recovers_a_planted_period_effect():
    from kompred._simulate import simulate

    sim = simulate(1500, n_handlers=0, period_effect=-1.0, seed=4)
    p = expit(sim.truth["logit_content"].to_numpy())
    res = C.period_effect(sim.applications, content_scores=p)
    assert res.reference == "KOM-KR-2020" and res.comparison == "KOM-KR-2022"
    assert res.ci_low < -1.0 < res.ci_high and res.p_value < 0.001
    assert not res.handler_adjusted and res.enough_data
    assert list(res.per_period["period"]) == ["KOM-KR-2020", "KOM-KR-2022"]
    derived = C.period_effect(sim.applications.drop(columns="agreement"), content_scores=p)
    assert derived.log_odds_diff == pytest.approx(res.log_odds_diff)
    assert derived.reference == "före 2022-10-01"
    json.dumps(res.to_dict(), allow_nan=False)


def test_inconsistency_index_compares_with_the_content_expectation():
    from kompred._simulate import simulate

    apps = simulate(400, n_handlers=0, seed=8).applications
    res = C.inconsistency_index(apps, min_similarity=0.7, n_bootstrap=200)
    assert res.n_pairs > 20 and res.enough_data
    assert 0 <= res.observed_split <= 1 and 0 < res.expected_split < 1
    assert res.ratio_ci[0] <= res.ratio <= res.ratio_ci[1]
    tiny = C.inconsistency_index(table([DEMENS, DEMENS, *UNRELATED],
                                       ["beviljad", "avslag"] * 4))
    assert not tiny.enough_data and tiny.n_pairs == 1


# ---------------------------------------------------------------------------------------------
# validation at the edge
# ---------------------------------------------------------------------------------------------


def test_missing_columns_are_named():
    apps = table([DEMENS, DEMENS], ["beviljad", "avslag"]).drop(columns="decision")
    with pytest.raises(SchemaError, match="'decision'"):
        C.find_divergent_pairs(apps)
    with pytest.raises(SchemaError, match="'handler'"):
        C.handler_effect(table([DEMENS], ["beviljad"]))
    with pytest.raises(SchemaError, match="'beskrivning'"):
        C.find_divergent_groups(table([DEMENS], ["avslag"]),
                                text_columns=("title", "beskrivning"))
    with pytest.raises(SchemaError, match="'submitted'"):
        C.period_effect(table([DEMENS], ["avslag"]), content_scores=[0.5])


def test_bad_inputs_are_rejected_with_clear_messages():
    apps = table([DEMENS, DEMENS_NEAR], ["beviljad", "kanske"])
    with pytest.raises(ValidationError, match="kanske"):
        C.find_divergent_pairs(apps)
    dup = table([DEMENS, DEMENS_NEAR], ["beviljad", "avslag"]).assign(id=["X", "X"])
    with pytest.raises(ValidationError, match="unique"):
        C.find_divergent_pairs(dup)
    ok = table([DEMENS, DEMENS_NEAR], ["beviljad", "avslag"])
    with pytest.raises(ValidationError, match="one value per row"):
        C.find_divergent_pairs(ok, content_scores=[0.5])
    with pytest.raises(ValidationError, match=r"\[0, 1\]"):
        C.find_divergent_pairs(ok, content_scores=[0.5, 2.0])
    with pytest.raises(ValidationError, match="min_similarity"):
        C.find_divergent_pairs(ok, min_similarity=1.5)
    with pytest.raises(ValidationError, match="DataFrame"):
        C.find_divergent_pairs([DEMENS])


def test_content_scores_are_cross_fitted_and_may_be_a_column():
    from kompred._simulate import simulate

    apps = simulate(300, n_handlers=0, seed=9).applications
    p = C.cross_fitted_content_scores(apps)
    assert p.shape == (300,) and ((p > 0) & (p < 1)).all()
    y = (apps["decision"] == "beviljad").to_numpy()
    assert p[y].mean() > p[~y].mean()
    pairs = C.find_divergent_pairs(apps.assign(score=p), content_scores="score")
    assert len(pairs) > 0


# ---------------------------------------------------------------------------------------------
# plots and text
# ---------------------------------------------------------------------------------------------


def test_plots_return_figures(sim_large_effect):
    from matplotlib.figure import Figure

    from kompred.report._consistency import (
        format_handler_effect,
        format_pairs,
        funnel_plot,
        similarity_agreement_plot,
    )

    apps = sim_large_effect.applications.iloc[:300]
    res = C.handler_effect(apps, content_scores=np.full(300, 0.7), n_permutations=99)
    assert isinstance(funnel_plot(res), Figure)
    pairs = C.find_divergent_pairs(apps, include_agreeing=True, min_similarity=0.6)
    assert isinstance(similarity_agreement_plot(pairs), Figure)
    table_ = C.agreement_by_similarity(pairs, bins=5)
    assert table_["n_pairs"].sum() == len(pairs)
    assert format_pairs(pairs[pairs["split"]], top=3).count("\n") == 4
    assert "handläggare" in format_handler_effect(res, lang="sv").lower()


# ---------------------------------------------------------------------------------------------
# the bundled Stockholm data
# ---------------------------------------------------------------------------------------------

PLANTED = [("STH-2021-010", "STH-2023-007"), ("STH-2021-008", "STH-2023-019"),
           ("STH-2022-001", "STH-2023-010"), ("STH-2021-002", "STH-2023-030")]


@pytest.fixture(scope="module")
def stockholm():
    from kompred.datasets import stockholm_path

    if not stockholm_path().exists():
        pytest.skip(f"{stockholm_path()} not found: the bundled Stockholm dataset is absent")
    from kompred.datasets import load_stockholm

    return load_stockholm()


def test_stockholm_divergent_pairs_are_in_the_top_ten(stockholm):
    pairs = C.find_divergent_pairs(stockholm).head(10)
    found = {frozenset(p) for p in zip(pairs["id_a"], pairs["id_b"], strict=True)}
    for a, b in PLANTED:
        assert frozenset((a, b)) in found, (a, b)
    top = pairs[pairs["shared_terms"].str.contains("demens|lågaffektivt", regex=True)]
    assert len(top) >= 4
    assert (top["handler_a"] != top["handler_b"]).all()


def test_stockholm_handler_analysis_says_what_73_decisions_cannot_show(stockholm):
    res = C.handler_effect(stockholm, n_permutations=999)
    assert res.n_decisions == 73 and res.n_handlers == 7
    assert not res.enough_data and res.conclusion == "too_few_decisions"
    assert "73 decisions" in res.reason and "73 beslut" in res.reason_sv
    assert math.isfinite(res.handler_sd) and res.ci_high > res.handler_sd  # still reported
    json.dumps(res.to_dict(), allow_nan=False)


def test_a_table_without_title_uses_its_description():
    apps = table([DEMENS, DEMENS_NEAR, *UNRELATED],
                 ["beviljad", "avslag"] + ["beviljad"] * len(UNRELATED)).drop(columns="title")
    pairs = C.find_divergent_pairs(apps)
    assert len(pairs) == 1
    assert {pairs["id_a"].iloc[0], pairs["id_b"].iloc[0]} == {"A00", "A01"}
    with pytest.raises(SchemaError, match="'description'"):
        C.find_divergent_pairs(apps.drop(columns="description"))


def test_progress_messages_come_through_the_callback_only(capsys):
    apps = table([DEMENS, DEMENS_NEAR, *UNRELATED], ["beviljad", "avslag"] * 4)
    messages: list[str] = []
    C.find_divergent_pairs(apps, progress=messages.append)
    assert len(messages) == 4 and messages[0].startswith("texter: 8")
    assert capsys.readouterr().out == ""  # computation never prints


def test_content_folds_of_a_large_table_keep_groups_together_and_stratify():
    from kompred.modeling.content import _LARGE_ROWS, _fold_ids

    rng = np.random.default_rng(0)
    n = _LARGE_ROWS + 1500
    groups = rng.integers(0, n // 3, n)  # near-duplicate groups of about three rows
    y = (rng.random(n) < 0.25).astype(int)
    folds = _fold_ids(y, groups, 5, seed=0)
    assert set(np.unique(folds)) == set(range(5))
    for gid in np.unique(groups):  # a group never straddles two folds
        assert len(np.unique(folds[groups == gid])) == 1
    rates = [y[folds == f].mean() for f in range(5)]
    assert max(rates) - min(rates) < 0.03  # whole groups dealt at random: 0.054 here
    assert np.array_equal(folds, _fold_ids(y, groups, 5, seed=0))  # seeded


def test_content_model_of_a_large_table_fits_in_float32_threads_within_the_solver_tolerance(monkeypatch):
    from sklearn.linear_model import LogisticRegression

    from kompred._simulate import simulate
    from kompred.modeling import content as M

    apps = simulate(2600, n_handlers=8, handler_sd=1.0, seed=3).applications
    y = (apps["decision"] == "beviljad").to_numpy().astype(int)
    assert len(y) > M._LARGE_ROWS
    labelled = np.ones(len(y), dtype=bool)
    X = M._char_matrix(M._texts(apps, ("title", "description")))
    kw = dict(X_text=X, text_columns=("title", "description"), nuisance_columns=(),
              groups=None, n_splits=3, C=1.0, seed=0)
    dtypes: list = []
    real_fit = LogisticRegression.fit
    real_newton = M.logistic_newton_pcg

    def spy(self, X, y, *args, **kwargs):
        dtypes.append(X.dtype)
        return real_fit(self, X, y, *args, **kwargs)

    def spy_newton(X, y, **kwargs):  # the large-table solver (modeling/_newton.py)
        dtypes.append(X.dtype)
        return real_newton(X, y, **kwargs)

    monkeypatch.setattr(LogisticRegression, "fit", spy)
    monkeypatch.setattr(M, "logistic_newton_pcg", spy_newton)
    monkeypatch.setattr(M, "_cores", lambda: 2)
    fast = M._content_logits(apps, y, labelled, **kw)
    assert set(dtypes) == {np.dtype(np.float32)}
    monkeypatch.setattr(M, "_cores", lambda: 1)  # one fit after the other: the same logits
    assert np.array_equal(M._content_logits(apps, y, labelled, **kw), fast)
    monkeypatch.setattr(M, "_LARGE_ROWS", len(y) + 1)  # the small-table path: float64
    dtypes.clear()
    slow = M._content_logits(apps, y, labelled, **kw)
    assert set(dtypes) == {np.dtype(np.float64)}
    assert fast.dtype == slow.dtype == np.float64
    assert np.abs(fast - slow).max() < 0.1
    assert np.corrcoef(fast, slow)[0, 1] > 0.999


def test_strata_codes_number_the_joined_values_in_sorted_order():
    from kompred.consistency.handlers import _strata_codes

    apps = pd.DataFrame({"a": ["x y", "x", None, "x", "x y", "2021"],
                         "b": pd.array(["a | b", "a", "a", "ab", "a", None], dtype="str")})
    codes, D = _strata_codes(apps, ("a", "b"))
    joined = ["x y | a | b", "x | a", "∅ | a", "x | ab", "x y | a", "2021 | ∅"]
    expected = np.unique(joined, return_inverse=True)[1]  # the row-wise join's numbering
    assert codes.tolist() == expected.tolist() and codes.dtype == np.int64
    assert D.shape == (6, 5) and (D.sum(axis=1) == (codes > 0)).all()


def _reference_pair_terms(W, names, ok, a, b, top):
    """The per-pair algorithm the batch one replaced, kept as its specification."""
    ia = W.indices[W.indptr[a]:W.indptr[a + 1]]
    wa = W.data[W.indptr[a]:W.indptr[a + 1]]
    ib = W.indices[W.indptr[b]:W.indptr[b + 1]]
    wb = W.data[W.indptr[b]:W.indptr[b + 1]]
    ka, kb = ok[ia], ok[ib]
    ia, wa, ib, wb = ia[ka], wa[ka], ib[kb], wb[kb]
    common, pa, pb = np.intersect1d(ia, ib, assume_unique=True, return_indices=True)
    wc = np.minimum(wa[pa], wb[pb])

    def best(ids, w):
        order = np.lexsort((ids, -w))[:top]
        return ", ".join(names[ids[order]].tolist())

    only_a = ~np.isin(ia, common)
    only_b = ~np.isin(ib, common)
    return best(common, wc), best(ia[only_a], wa[only_a]), best(ib[only_b], wb[only_b])


@pytest.mark.parametrize("top", [1, 3, 8])
def test_pair_terms_of_all_pairs_at_once_equal_the_per_pair_terms(top):
    from kompred._simulate import simulate
    from kompred.consistency.pairs import _good_terms, _pair_terms
    from kompred.text.neighbours import _texts
    from kompred.text.vectorize import word_matrix

    apps = simulate(300, n_handlers=5, handler_sd=1.0, seed=11).applications
    W, names = word_matrix(_texts(apps, ("title", "description")))
    W = W.tocsr()
    W.data[::7] = np.ceil(W.data[::7] * 10) / 10  # ties in weight: the lower column first
    ok = _good_terms(names)
    rng = np.random.default_rng(0)
    a, b = rng.integers(0, 300, 2000), rng.integers(0, 300, 2000)
    a[:3], b[:3] = [0, 1, 2], [0, 1, 2]  # a text with itself: everything shared
    got = _pair_terms(W, names, ok, a, b, top)
    want = [_reference_pair_terms(W, names, ok, i, j, top) for i, j in zip(a, b, strict=True)]
    assert list(zip(*got, strict=True)) == want
    assert _pair_terms(None, names, ok, a[:2], b[:2], top) == (["", ""], ["", ""], ["", ""])
