"""The handler-effect verdict follows its test; design_power simulates the test as run."""

from __future__ import annotations

import json
import math
import pickle

import numpy as np
import pytest
from scipy.special import expit

from kompred import consistency as C
from kompred.consistency.power import (
    PowerEstimate,
    content_r2,
    simulate_power,
    wilson_interval,
)
from kompred.exceptions import ValidationError
from kompred.render.consistency import format_p


def _he(n, handlers, sd, seed, n_perm=199):
    from kompred._simulate import simulate

    sim = simulate(n, n_handlers=handlers, handler_sd=sd, seed=seed)
    p = expit(sim.truth["logit_content"].to_numpy())
    return C.handler_effect(sim.applications, content_scores=p, n_permutations=n_perm,
                            random_state=seed)


def _assert_verdict_follows_p(res):
    gated = res.conclusion in ("too_few_handlers", "too_few_decisions")
    if not gated:
        assert (res.conclusion == "handler_dependence") == (res.p_value < res.alpha), res
    if res.conclusion == "handler_dependence":
        assert res.p_value < 0.05 and res.enough_data
        if res.ci_low <= 0:  # looks contradictory to a reader: the text says what each means
            assert "does not contradict" in res.reason and "motsäger inte" in res.reason_sv
    elif not gated and res.ci_low > 0:
        assert "does not contradict" in res.reason


def test_verdict_follows_the_p_value_on_a_small_batch():
    for n, h, sd, seed in ((200, 10, 0.0, 1), (200, 10, 1.0, 2), (240, 8, 0.5, 3)):
        res = _he(n, h, sd, seed)
        _assert_verdict_follows_p(res)
        assert res.decision_rule == C.DECISION_RULE and "p < 0.05" in res.decision_rule
        assert f"p = {format_p(res.p_value)}" in res.reason


@pytest.mark.slow
def test_verdict_and_p_value_agree_on_every_data_set_of_a_fixed_batch():
    seen = set()
    for seed in range(1, 16):
        for n, h, sd in ((200, 10, 0.0), (300, 6, 0.5), (300, 10, 0.5), (250, 5, 0.8)):
            res = _he(n, h, sd, 100 + seed, n_perm=299)
            _assert_verdict_follows_p(res)
            seen.add(res.conclusion)
    # the batch exercises both sides of the rule
    assert "handler_dependence" in seen and seen & {"inconclusive", "no_material_dependence"}


def test_p_value_text_never_rounds_across_the_level():
    assert format_p(0.04998) == "0.0499"
    assert format_p(0.0123) == "0.012"
    assert format_p(0.05) == "0.050"
    assert format_p(float("nan")) == "not computed"


def test_no_permutations_means_no_verdict():
    res = _he(200, 10, 1.0, 2, n_perm=0)
    assert math.isnan(res.p_value)
    assert res.conclusion == "inconclusive" and not res.enough_data
    assert "no permutation test" in res.reason


def test_low_power_is_said_in_both_languages():
    res = _he(140, 7, 0.0, 4)
    assert res.design_power < 0.8
    assert "weak evidence" in res.reason and "svagt belägg" in res.reason_sv
    lo, hi = res.design_power_ci
    assert lo <= res.design_power <= hi
    assert f"{100 * lo:.0f}–{100 * hi:.0f} %" in res.reason
    d = res.to_dict()
    assert d["design_power"] == pytest.approx(res.design_power)
    json.dumps(d)


def test_wilson_interval_and_learning_curve():
    lo, hi = wilson_interval(0, 50)
    assert lo == 0.0 and 0 < hi < 0.1
    lo, hi = wilson_interval(25, 50)
    assert lo == pytest.approx(1 - hi)
    assert 0 < content_r2(100) < content_r2(1000) < 1


def test_content_r2_follows_the_content_strength_the_data_show():
    # weakly predictable content is learned less well from the same number of decisions
    assert content_r2(300, 0.3) < content_r2(300, 1.2) < content_r2(300, 4.0)
    assert content_r2(100, 0.5) < content_r2(1000, 0.5) < 1
    rng = np.random.default_rng(4)
    weak = expit(rng.normal(0.8, 0.5, 400))  # calibrated logits with variance 0.25
    by_spread = simulate_power([40] * 10, weak, n_draws=1500, random_state=5)
    assert by_spread.content_r2 == pytest.approx(content_r2(400, float(np.var(np.log(
        weak / (1 - weak))))))
    assert by_spread.content_r2 < content_r2(400)  # below the curve of the simulator's content
    curve = simulate_power([40] * 10, weak, n_draws=1500, random_state=5,
                           content_r2=content_r2(400))
    assert by_spread < curve  # more unseen content, less power


def test_random_intercept_fit_converges_at_large_handler_sd(monkeypatch):
    from kompred.consistency import mixed

    rng = np.random.default_rng(8)
    G, m = 20, 100
    g = np.repeat(np.arange(G), m)
    x = rng.normal(size=G * m)
    y = (rng.random(G * m) < expit(0.3 + x + 2.0 * rng.normal(size=G)[g])).astype(float)
    X = np.column_stack([np.ones(G * m), x])
    model = mixed._RandomIntercept(y, X, g, G)
    calls = []
    real = model.score_info
    monkeypatch.setattr(model, "score_info", lambda *a, **k: calls.append(1) or real(*a, **k))
    beta, ll, _ = model.fit_beta(2.0, np.zeros(2))
    _, grad, _ = real(beta, 2.0)
    assert np.max(np.abs(grad)) < 1e-5  # the maximum, not where the iterations ran out
    assert len(calls) < 25
    for d in (np.array([1e-3, 0]), np.array([0, 1e-3])):  # and no better point nearby
        assert real(beta + d, 2.0)[0] <= ll + 1e-9 and real(beta - d, 2.0)[0] <= ll + 1e-9


def test_power_estimate_is_a_float_with_its_interval():
    est = simulate_power([30] * 6, 0.6, handler_sd=0.5, n_draws=400, random_state=1)
    assert isinstance(est, float) and isinstance(est, PowerEstimate)
    assert est.ci_low <= est <= est.ci_high and est.n_draws == 400
    assert est.power == est.rejections / 400
    back = pickle.loads(pickle.dumps(est))
    assert back == est and back.ci_high == est.ci_high
    assert json.loads(json.dumps({"p": est}))["p"] == pytest.approx(est.power)
    assert simulate_power([30] * 6, 0.6, n_draws=400, random_state=1) == est  # seeded


def test_size_is_the_level_and_blind_content_costs_power():
    rng = np.random.default_rng(0)
    rates = expit(rng.normal(1.0, 1.2, 500))
    size = simulate_power([50] * 10, rates, handler_sd=0.0, n_draws=3000, random_state=2)
    assert size.ci_low <= 0.05 <= size.ci_high or abs(size - 0.05) < 0.015
    known = simulate_power([50] * 10, rates, content_r2=1.0, n_draws=2000, random_state=3)
    blind = simulate_power([50] * 10, rates, content_r2=0.5, n_draws=2000, random_state=3)
    assert blind < known
    assert C.design_power([20] * 10, n_draws=1000) < C.design_power([60] * 10, n_draws=1000)


def _direct_permutation_power(counts, rates, sd, reps, n_perm, seed):
    """The content-known test by brute force: refit, permute labels, count p < 0.05."""
    from sklearn.linear_model import LogisticRegression

    rng = np.random.default_rng(seed)
    g = np.repeat(np.arange(len(counts)), counts)
    c = np.log(rates / (1 - rates))[:, None]
    hits = 0
    for _ in range(reps):
        u = rng.normal(0, sd, len(counts))
        y = (rng.random(len(g)) < expit(c[:, 0] + u[g])).astype(int)
        p0 = LogisticRegression(C=1e8, max_iter=1000).fit(c, y).predict_proba(c)[:, 1]
        r = y - p0
        t = (np.bincount(g, weights=r) ** 2).sum()
        perm = np.array([(np.bincount(rng.permutation(g), weights=r) ** 2).sum()
                         for _ in range(n_perm)])
        hits += (1 + (perm >= t).sum()) / (1 + n_perm) < 0.05
    return hits / reps


@pytest.mark.slow
def test_simulated_power_matches_a_brute_force_permutation_test():
    counts = [25, 40, 30, 45, 20, 40]
    rates = expit(np.random.default_rng(5).normal(0.8, 1.0, sum(counts)))
    est = simulate_power(counts, rates, handler_sd=0.7, content_r2=1.0, n_draws=3000,
                         random_state=6)
    direct = _direct_permutation_power(np.array(counts), rates, 0.7, reps=400, n_perm=199,
                                       seed=7)
    assert abs(est - direct) <= 0.07  # Monte Carlo: ±0.05 (direct), ±0.02 (est)


def test_simulate_power_validates():
    with pytest.raises(ValidationError, match="at least 2 handlers"):
        simulate_power([10], 0.5)
    with pytest.raises(ValidationError, match="probabilities"):
        simulate_power([10, 10], [0.5] * 5)
    with pytest.raises(ValidationError, match="probabilities"):
        simulate_power([2, 2], [0.5, 1.0, 0.5, 0.5])
    with pytest.raises(ValidationError, match="handler_sd"):
        simulate_power([5, 5], 0.5, handler_sd=-1)
    with pytest.raises(ValidationError, match="content_r2"):
        simulate_power([5, 5], 0.5, content_r2=0)


def test_planning_power_spreads_one_approval_rate_over_content():
    """One approval rate is an average: decisions spread around it lower the power (issue 16)."""
    import kompred
    from kompred.exceptions import ValidationError

    alike = kompred.design_power([50] * 10, content_sd=0, n_draws=1000)
    spread = kompred.design_power([50] * 10, n_draws=1000)
    assert spread.ci_high < alike.ci_low
    with pytest.raises(ValidationError, match="content_sd"):
        kompred.design_power([50] * 10, content_sd=-1)


def test_simulated_power_stops_once_it_is_surely_near_one():
    from kompred.consistency.power import SURE_POWER, simulate_power

    sure = simulate_power([2000] * 10, 0.7, handler_sd=0.5, n_draws=2000)
    assert sure.ci_low > SURE_POWER and 300 < sure.n_draws < 2000
    assert sure.rejections <= sure.n_draws
    unsure = simulate_power([50] * 10, 0.7, handler_sd=0.5, n_draws=600)
    assert unsure.n_draws == 600 and unsure.ci_low < SURE_POWER
