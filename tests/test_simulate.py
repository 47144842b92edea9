"""Tests for kompred._simulate.simulate: a known process with the truth beside the data."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from scipy.special import expit
from sklearn.metrics import roc_auc_score

from kompred._simulate import SimulatedApplications, simulate

CANONICAL = [
    "id", "employer", "unit", "agreement", "fund_period", "submitted", "title", "description",
    "insats_form", "provider_type", "provider", "cost_sek", "participants", "period_start",
    "period_end", "decision", "decision_date", "granted_sek", "handler", "topic",
]
TRUTH = ["id", "p_true", "logit_content", "handler_effect", "period_effect", "logit_true"]
DATE_COLS = ["submitted", "period_start", "period_end", "decision_date"]
STR_COLS = [c for c in CANONICAL if c not in DATE_COLS + ["cost_sek", "participants", "granted_sek"]]

# Keyword patterns for the three text signals (the fragments that carry them).
SIGNAL_PATTERNS = {
    "has_forflyttning": r"(?i)kompetensförflyttning|behörighet|ny roll|nya arbetsuppgifter",
    "has_routine": r"(?i)årlig uppdatering|repetition|obligatoriska introduktion|APT",
    "has_need": r"(?i)pension|rekryteringsbehov|nya krav",
}


@pytest.fixture(scope="module")
def sim() -> SimulatedApplications:
    return simulate(3000, seed=11)


@pytest.fixture(scope="module")
def big() -> SimulatedApplications:
    return simulate(40_000, seed=5)


# ---- determinism -------------------------------------------------------------------------


def test_same_seed_gives_equal_output():
    a = simulate(400, seed=123)
    b = simulate(400, seed=123)
    pd.testing.assert_frame_equal(a.applications, b.applications)
    pd.testing.assert_frame_equal(a.truth, b.truth)
    pd.testing.assert_series_equal(a.handler_effects, b.handler_effects)
    assert a.params == b.params


def test_different_seeds_give_different_output():
    a = simulate(400, seed=1)
    b = simulate(400, seed=2)
    assert not a.applications["description"].equals(b.applications["description"])
    assert (a.applications["decision"] != b.applications["decision"]).any()
    assert not np.allclose(a.handler_effects.to_numpy(), b.handler_effects.to_numpy())


def test_seed_none_is_reproducible_from_recorded_entropy():
    a = simulate(200, seed=None)
    assert a.params["seed"] is None
    b = simulate(200, seed=a.params["entropy"])
    pd.testing.assert_frame_equal(a.applications, b.applications)


def test_same_seed_shares_content_across_handler_settings():
    # Separate random streams: content and text do not depend on handler_sd.
    a = simulate(300, seed=7, handler_sd=0.0)
    b = simulate(300, seed=7, handler_sd=1.0)
    cols = ["description", "title", "cost_sek", "submitted", "handler"]
    pd.testing.assert_frame_equal(a.applications[cols], b.applications[cols])
    assert not a.truth["p_true"].equals(b.truth["p_true"])


# ---- shape and schema --------------------------------------------------------------------


def test_columns_and_dtypes(sim):
    apps = sim.applications
    assert list(apps.columns) == CANONICAL
    assert len(apps) == 3000
    for col in DATE_COLS:
        assert apps[col].dtype == "datetime64[ns]", col
    for col in STR_COLS:
        assert apps[col].dtype == "str", col
    assert apps["participants"].dtype == "Int64"
    assert apps["cost_sek"].dtype == "float64"
    assert apps["granted_sek"].dtype == "float64"
    assert apps.drop(columns=["granted_sek"]).notna().all().all()


def test_truth_lines_up_with_applications(sim):
    assert list(sim.truth.columns[:6]) == TRUTH
    for col in ["has_forflyttning", "has_routine", "has_need"]:
        assert sim.truth[col].dtype == bool
    assert sim.truth["id"].tolist() == sim.applications["id"].tolist()
    assert sim.applications["id"].is_unique


def test_ids_and_handler_pseudonyms(sim):
    apps = sim.applications
    assert apps["id"].iloc[0] == "SIM-000001"
    assert apps["id"].iloc[-1] == "SIM-003000"
    assert sorted(apps["handler"].unique()) == [f"H{i:02d}" for i in range(1, 9)]
    assert list(sim.handler_effects.index) == [f"H{i:02d}" for i in range(1, 9)]


def test_enumerated_values(sim):
    apps = sim.applications
    assert set(apps["decision"]) == {"beviljad", "avslag"}
    assert set(apps["agreement"]) == {"KOM-KR-2020", "KOM-KR-2022"}
    assert set(apps["fund_period"]) == {"2021-2023", "2024-2026"}
    assert set(apps["insats_form"]) == {
        "utbildning", "validering", "handledning", "föreläsning", "annan"}
    assert set(apps["provider_type"]) == {"omställningsfonden", "egen regi", "extern leverantör"}
    assert set(apps["topic"]) == {"yrkesutbildning", "språk", "bemötande", "blandat", "äldre"}
    assert apps["employer"].nunique() == 12
    assert "Skärholmens sdf" in set(apps["unit"])


def test_granted_amounts(sim):
    apps = sim.applications
    granted = apps["decision"] == "beviljad"
    assert apps.loc[~granted, "granted_sek"].isna().all()
    g = apps.loc[granted]
    assert g["granted_sek"].notna().all()
    assert (g["granted_sek"] > 0).all()
    assert (g["granted_sek"] <= g["cost_sek"]).all()
    assert (g["granted_sek"] < g["cost_sek"]).any()  # some grants are reduced
    assert (apps["cost_sek"] > 0).all() and (apps["participants"] >= 1).all()


def test_dates_and_agreement(sim):
    apps = sim.applications
    assert apps["submitted"].min() >= pd.Timestamp("2021-01-01")
    assert apps["submitted"].max() <= pd.Timestamp("2024-12-31")
    new = apps["submitted"] >= pd.Timestamp("2022-10-01")
    assert ((apps["agreement"] == "KOM-KR-2022") == new).all()
    later = apps["submitted"] >= pd.Timestamp("2024-01-01")
    assert ((apps["fund_period"] == "2024-2026") == later).all()
    assert (apps["decision_date"] > apps["submitted"]).all()
    assert (apps["period_start"] > apps["decision_date"]).all()
    assert (apps["period_end"] >= apps["period_start"]).all()
    lectures = apps["insats_form"] == "föreläsning"
    assert (apps.loc[lectures, "period_end"] == apps.loc[lectures, "period_start"]).all()


# ---- truth -------------------------------------------------------------------------------


def test_truth_is_internally_consistent(sim):
    t = sim.truth
    assert ((t["p_true"] > 0) & (t["p_true"] < 1)).all()
    parts = t["logit_content"] + t["handler_effect"] + t["period_effect"]
    np.testing.assert_allclose(t["logit_true"], parts, rtol=0, atol=1e-12)
    np.testing.assert_allclose(t["p_true"], expit(t["logit_true"]), rtol=0, atol=1e-12)


def test_handler_and_period_effects_match_rows(sim):
    apps, t = sim.applications, sim.truth
    expected = sim.handler_effects.reindex(apps["handler"]).to_numpy()
    np.testing.assert_array_equal(t["handler_effect"].to_numpy(), expected)
    new = (apps["agreement"] == "KOM-KR-2022").to_numpy()
    assert (t.loc[new, "period_effect"] == sim.params["period_effect"]).all()
    assert (t.loc[~new, "period_effect"] == 0).all()


def test_log_cost_ratio_is_recoverable_from_columns(sim):
    apps, p = sim.applications, sim.params
    median = (apps["topic"].map(p["cost_median_topic"]).astype(float)
              * apps["insats_form"].map(p["cost_form_multiplier"]).astype(float))
    ratio = np.log(apps["cost_sek"] / apps["participants"].astype(float) / median)
    np.testing.assert_allclose(sim.truth["log_cost_ratio"], ratio, atol=1e-9)


def test_content_logit_follows_documented_coefficients(sim):
    apps, t, p = sim.applications, sim.truth, sim.params
    expected = (p["intercept"]
                + apps["topic"].map(p["topic_effects"]).astype(float)
                + apps["insats_form"].map(p["form_effects"]).astype(float)
                + p["cost_effect"] * t["log_cost_ratio"]
                + sum(p["text_effects"][k] * t[k] for k in p["text_effects"]))
    np.testing.assert_allclose(t["logit_content"], expected, atol=1e-9)


def test_oracle_auc_matches_sklearn(sim):
    y = sim.applications["decision"] == "beviljad"
    expected = roc_auc_score(y, sim.truth["p_true"])
    assert sim.oracle_auc() == pytest.approx(expected)
    assert 0.7 < sim.oracle_auc() < 0.95


def test_oracle_auc_is_nan_with_one_class():
    one = simulate(1, seed=0)
    assert len(one.applications) == 1
    assert np.isnan(one.oracle_auc())


# ---- handlers ----------------------------------------------------------------------------


def test_handler_effects_have_the_requested_sd_and_are_not_centred():
    s = simulate(50, n_handlers=4000, handler_sd=0.5, seed=3)
    effects = s.handler_effects
    assert len(effects) == 4000
    assert effects.index[0] == "H0001"
    assert effects.std(ddof=1) == pytest.approx(0.5, abs=0.03)
    assert abs(effects.mean()) < 0.03
    few = simulate(50, n_handlers=5, handler_sd=0.5, seed=3).handler_effects
    assert abs(few.mean()) > 1e-6  # iid draws, not centred


def test_handler_sd_zero_gives_zero_effects():
    s = simulate(500, handler_sd=0.0, seed=4)
    assert (s.handler_effects == 0).all()
    assert (s.truth["handler_effect"] == 0).all()
    assert s.applications["handler"].notna().all()


def test_no_handlers_gives_missing_handler_column():
    s = simulate(300, n_handlers=0, seed=4)
    handler = s.applications["handler"]
    assert handler.dtype == "str"
    assert handler.isna().all()
    assert len(s.handler_effects) == 0
    assert (s.truth["handler_effect"] == 0).all()


def test_handlers_are_assigned_independently_of_content(big):
    apps = big.applications
    share = pd.crosstab(apps["topic"], apps["handler"], normalize="index")
    assert (share.sub(1 / 8).abs() < 0.03).all().all()


# ---- process properties ------------------------------------------------------------------


@pytest.mark.parametrize(("base_rate", "kwargs"), [
    (0.7, {"n_handlers": 0}),
    (0.3, {"n_handlers": 0, "period_effect": 0.0}),
    (0.7, {"n_handlers": 400, "handler_sd": 0.5}),
])
def test_approval_rate_is_near_base_rate(base_rate, kwargs):
    s = simulate(60_000, base_rate=base_rate, seed=8, **kwargs)
    rate = (s.applications["decision"] == "beviljad").mean()
    assert rate == pytest.approx(base_rate, abs=0.015)
    assert s.truth["p_true"].mean() == pytest.approx(base_rate, abs=0.015)


def test_intercept_depends_on_parameters_not_seed():
    a = simulate(50, seed=1).params["intercept"]
    b = simulate(5000, seed=2).params["intercept"]
    c = simulate(50, seed=1, base_rate=0.5).params["intercept"]
    assert a == b
    assert c < a


def test_lectures_are_granted_less_often_than_training(big):
    apps = big.applications
    rate = (apps["decision"] == "beviljad").groupby(apps["insats_form"]).mean()
    assert rate["föreläsning"] < rate["utbildning"] - 0.2


def test_period_effect_lowers_approval_under_new_agreement():
    s = simulate(40_000, seed=9, n_handlers=0, period_effect=-1.0)
    t = s.truth
    new = s.applications["agreement"] == "KOM-KR-2022"
    assert t.loc[new, "p_true"].mean() < t.loc[~new, "p_true"].mean() - 0.1
    # content does not depend on the period
    assert t.loc[new, "logit_content"].mean() == pytest.approx(
        t.loc[~new, "logit_content"].mean(), abs=0.05)


def test_topic_mix_is_close_to_seed_tally(big):
    share = big.applications["topic"].value_counts(normalize=True)
    tally = pd.Series({"yrkesutbildning": 9, "språk": 8, "bemötande": 13, "blandat": 14,
                       "äldre": 9})
    assert (share.reindex(tally.index) - tally / tally.sum()).abs().max() < 0.02


# ---- text --------------------------------------------------------------------------------


def test_descriptions_are_nonempty_varied_and_swedish(sim):
    desc = sim.applications["description"]
    assert (desc.str.len() > 150).all()
    assert desc.nunique() > 0.95 * len(desc)
    assert desc.str.contains(r"[åäö]").mean() > 0.99
    for word in [" och ", " för ", "insats"]:
        assert desc.str.contains(word, case=False, regex=False).mean() > 0.5, word
    assert not desc.str.contains("  ", regex=False).any()
    assert desc.str.endswith(".").all()
    titles = sim.applications["title"]
    assert titles.nunique() > 50
    assert (titles.str.len() < 80).all()


def test_text_signals_are_readable_from_the_description(sim):
    desc = sim.applications["description"]
    for flag, pattern in SIGNAL_PATTERNS.items():
        found = desc.str.contains(pattern, regex=True).to_numpy()
        np.testing.assert_array_equal(found, sim.truth[flag].to_numpy(), err_msg=flag)
        assert 0.05 < found.mean() < 0.95, flag


def test_title_form_and_provider_appear_consistently(sim):
    apps = sim.applications
    # The title's subject (after the form prefix) is named in the description.
    subject = apps["title"].str.replace(
        r"^(Utbildning till|Validering mot yrkesrollen som|Handledning inför rollen som|"
        r"Föreläsning om rollen som|Arbetsplatslärande mot rollen som|Utbildning i|"
        r"Validering inom|Handledning i|Föreläsning om|Kompetensinsats inom) ", "", regex=True)
    assert all(s in d for s, d in zip(subject, apps["description"], strict=True))
    lectures = apps["insats_form"] == "föreläsning"
    assert apps.loc[lectures, "title"].str.startswith("Föreläsning").all()
    assert apps.loc[lectures, "description"].str.contains("föreläsning", case=False).all()
    ext = apps["provider_type"] == "extern leverantör"
    assert all(p in d for p, d in zip(apps.loc[ext, "provider"], apps.loc[ext, "description"],
                                      strict=True))
    assert (apps.loc[apps["provider_type"] == "omställningsfonden", "provider"]
            == "Omställningsfonden").all()
    own = apps["provider_type"] == "egen regi"
    assert (apps.loc[own, "provider"] == apps.loc[own, "employer"]).all()


def test_routine_wording_is_more_common_for_lectures(big):
    t, apps = big.truth, big.applications
    routine = t["has_routine"].groupby(apps["insats_form"]).mean()
    assert routine["föreläsning"] > routine["validering"] + 0.2


# ---- arguments ---------------------------------------------------------------------------


@pytest.mark.parametrize(("kwargs", "match"), [
    ({"n": 0}, r"n must be an integer >= 1; got 0"),
    ({"n": 10.0}, r"n must be an integer >= 1; got 10\.0"),
    ({"n": True}, r"n must be an integer"),
    ({"n": "100"}, r"n must be an integer .*got '100'"),
    ({"n": 10, "n_handlers": -1}, r"n_handlers must be an integer >= 0; got -1"),
    ({"n": 10, "n_handlers": 2.5}, r"n_handlers must be an integer"),
    ({"n": 10, "handler_sd": -0.1}, r"handler_sd must be >= 0; got -0\.1"),
    ({"n": 10, "handler_sd": float("nan")}, r"handler_sd must be a finite number; got nan"),
    ({"n": 10, "handler_sd": "0.5"}, r"handler_sd must be a finite number"),
    ({"n": 10, "period_effect": float("inf")}, r"period_effect must be a finite number"),
    ({"n": 10, "base_rate": 0.0}, r"base_rate must be strictly between 0 and 1; got 0\.0"),
    ({"n": 10, "base_rate": 1.0}, r"base_rate must be strictly between 0 and 1; got 1\.0"),
    ({"n": 10, "seed": -1}, r"seed must be an integer >= 0; got -1"),
    ({"n": 10, "seed": 1.5}, r"seed must be an integer"),
])
def test_invalid_arguments_raise_value_error(kwargs, match):
    with pytest.raises(ValueError, match=match):
        simulate(**kwargs)


def test_numpy_integers_are_accepted():
    s = simulate(np.int64(20), n_handlers=np.int32(3), seed=np.uint8(4))
    assert len(s.applications) == 20
    assert s.applications["handler"].nunique() <= 3


def test_repr_is_short(sim):
    text = repr(sim)
    assert text.startswith("SimulatedApplications(n=3000")
    assert len(text) < 120


# ---- scale -------------------------------------------------------------------------------


def test_runs_at_one_hundred_thousand_rows():
    s = simulate(100_000, seed=0)
    assert s.applications.shape == (100_000, 20)
    assert s.truth.shape[0] == 100_000
    assert s.applications["id"].iloc[-1] == "SIM-100000"
