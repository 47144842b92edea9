"""Tests for kompred.modeling.grant (GrantModel and its parts) and kompred.report._grant."""

from __future__ import annotations

import warnings

import joblib
import numpy as np
import pandas as pd
import pytest
from sklearn.base import clone
from sklearn.exceptions import NotFittedError as SklearnNotFittedError
from sklearn.metrics import roc_auc_score
from sklearn.utils.estimator_checks import parametrize_with_checks

from kompred.exceptions import (
    ApplicationTableError,
    DataQualityWarning,
    NotFittedError,
    SchemaError,
    SmallDataWarning,
    ValidationError,
)
from kompred.modeling.grant import (
    ApplicationFeaturizer,
    BootstrapLogisticClassifier,
    GrantModel,
    Reason,
    evaluate_grant_model,
    expected_calibration_error,
    grant_metrics,
    reliability_table,
)
from kompred.text import normalize_text


def _quiet_fit(model, X, y=None):
    """Fit while ignoring kompred's small-data warnings (tested separately)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", SmallDataWarning)
        return model.fit(X, y)


@pytest.fixture(scope="module")
def sim():
    from kompred.datasets import simulate

    train = simulate(600, handler_sd=0.0, seed=11).applications
    test = simulate(1500, handler_sd=0.0, seed=12).applications
    return train, test


@pytest.fixture(scope="module")
def fitted(sim):
    train, _ = sim
    return _quiet_fit(GrantModel(n_bootstrap=15, random_state=0), train)


def _toy(n=60, seed=0):
    """A non-canonical table: Swedish headers, one leaky and one handler column."""
    rng = np.random.default_rng(seed)
    good = ["Yrkessvenska för undersköterskor", "Validering till barnskötare",
            "Utbildning till stödassistent"]
    bad = ["Föreläsning om motivation", "Inspirationsdag för all personal",
           "Årlig uppdatering i brandskydd"]
    rows = []
    for i in range(n):
        granted = rng.random() < 0.5
        text = rng.choice(good if granted else bad)
        rows.append({
            "Ärende": f"A-{i:03d}",
            "Text": str(text),
            "Område": str(rng.choice(["vård", "skola", "omsorg"])),
            "Kostnad": float(rng.integers(10, 100) * 1000),
            "Handläggare": str(rng.choice(["H1", "H2"])),
            "Beviljat belopp": 50000.0 if granted else np.nan,
            "Beslut": "Beviljad" if granted else "Avslag",
        })
    return pd.DataFrame(rows)


# -- the numeric classifier: scikit-learn's estimator contract ----------------------------------

@parametrize_with_checks([BootstrapLogisticClassifier(n_bootstrap=3, random_state=0)])
def test_bootstrap_classifier_sklearn_contract(estimator, check):
    check(estimator)


def test_bootstrap_classifier_interval_contains_point():
    rng = np.random.default_rng(0)
    X = rng.normal(size=(300, 4))
    y = (X[:, 0] + rng.normal(size=300) > 0).astype(int)
    clf = BootstrapLogisticClassifier(n_bootstrap=20, random_state=0).fit(X, y)
    low, high = clf.predict_interval(X, level=0.9)
    p = clf.predict_proba(X)[:, 1]
    assert np.all(low <= p) and np.all(p <= high)
    assert clf.bootstrap_coef_.shape == (20, 1, 4)


# -- GrantModel: estimator contract ------------------------------------------------------------

def test_clone_keeps_params_and_drops_fit():
    m = GrantModel(text_column="Text", decision_column="Beslut", C=0.5, n_bootstrap=4)
    c = clone(m)
    assert c.get_params() == m.get_params()
    assert not hasattr(c, "classifier_")


def test_not_fitted_error():
    m = GrantModel()
    df = pd.DataFrame({"description": ["Kurs i yrkessvenska"]})
    with pytest.raises(NotFittedError):
        m.predict_proba(df)
    with pytest.raises(SklearnNotFittedError):  # also the scikit-learn error
        m.predict_interval(df)


def test_joblib_round_trip(fitted, sim, tmp_path):
    _, test = sim
    path = tmp_path / "grant.joblib"
    joblib.dump(fitted, path)
    loaded = joblib.load(path)
    head = test.head(50)
    np.testing.assert_array_equal(loaded.predict_proba(head), fitted.predict_proba(head))
    pd.testing.assert_frame_equal(loaded.predict_interval(head), fitted.predict_interval(head))


def test_predict_proba_shape_and_classes(fitted, sim):
    _, test = sim
    p = fitted.predict_proba(test.head(7))
    assert p.shape == (7, 2)
    np.testing.assert_allclose(p.sum(axis=1), 1.0)
    assert list(fitted.classes_) == ["avslag", "beviljad"]
    assert set(fitted.predict(test.head(20))) <= {"avslag", "beviljad"}


def test_leaky_and_identifying_columns_are_not_features(fitted):
    used = set(fitted.columns_["categorical"]) | set(fitted.columns_["numeric"]) | set(
        fitted.columns_["history"])
    for leaky in ("id", "handler", "decision", "decision_date", "granted_sek", "submitted"):
        assert leaky not in used
    assert {"insats_form", "topic"} <= set(fitted.columns_["categorical"])
    assert "cost_sek" in fitted.columns_["numeric"]
    assert "cost_sek" in fitted.columns_["cost"] and fitted.columns_["participants"]


# -- learnability and calibration ---------------------------------------------------------------

def test_learns_simulated_process(fitted, sim):
    _, test = sim
    y = (test["decision"] == "beviljad").to_numpy()
    p = fitted.predict_proba(test)[:, 1]
    auc = roc_auc_score(y, p)
    assert auc > 0.70, auc
    assert fitted.calibration_ is not None  # 600 decisions: calibrated
    assert expected_calibration_error(y, p) < 0.08
    assert fitted.score(test) == pytest.approx(auc)


# -- column mapping on a non-canonical table ----------------------------------------------------

def test_column_mapping_non_canonical_table():
    df = _toy(80)
    m = GrantModel(text_column="Text", title_column=None, id_column="Ärende",
                   decision_column="Beslut", n_bootstrap=5, random_state=0)
    _quiet_fit(m, df)
    assert m.columns_["categorical"] == ["Område"]
    assert m.columns_["numeric"] == ["Kostnad"]
    # Swedish headers meaning handler and granted amount are never features
    assert "Handläggare" in m.excluded_columns_ and "Beviljat belopp" in m.excluded_columns_
    assert "Ärende" not in m.excluded_columns_  # the id column is reserved, not a feature
    p = m.predict_proba(df)[:, 1]
    y = (df["Beslut"] == "Beviljad").to_numpy()
    assert roc_auc_score(y, p) > 0.9
    # scoring needs only the text column (others count as missing, with a warning)
    with pytest.warns(DataQualityWarning, match="not in the table"):
        out = m.predict_interval(df[["Text"]].head(3))
    assert list(out.columns) == ["grant_probability", "grant_low", "grant_high"]


def test_decisions_as_one_zero_and_y_argument():
    df = _toy(60)
    y01 = (df["Beslut"] == "Beviljad").astype(int)
    a = _quiet_fit(GrantModel(text_column="Text", decision_column="Beslut", n_bootstrap=0,
                              random_state=0), df.assign(Beslut=y01))
    b = _quiet_fit(GrantModel(text_column="Text", decision_column="Beslut", n_bootstrap=0,
                              random_state=0), df.drop(columns="Beslut"), y01.to_numpy())
    np.testing.assert_allclose(a.predict_proba(df), b.predict_proba(df))


def test_leakage_guard_warns_and_drops_perfect_predictor():
    df = _toy(60)
    df["Etikett"] = np.where(df["Beslut"] == "Beviljad", "klar-A", "klar-B")
    m = GrantModel(text_column="Text", decision_column="Beslut", n_bootstrap=0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", SmallDataWarning)
        with pytest.warns(DataQualityWarning, match="Etikett"):
            m.fit(df)
    assert "Etikett" in m.excluded_columns_
    assert "Etikett" not in m.columns_["categorical"]


def test_missing_text_column_is_a_clear_error():
    df = _toy(30)
    with pytest.raises(SchemaError, match="text column 'description' not found"):
        GrantModel(decision_column="Beslut").fit(df)


# -- unknown decisions --------------------------------------------------------------------------

def test_unknown_decisions_raise_naming_rows():
    df = _toy(60)
    df.loc[3, "Beslut"] = "okänd"
    df.loc[7, "Beslut"] = np.nan
    m = GrantModel(text_column="Text", decision_column="Beslut", id_column="Ärende")
    with pytest.raises(ValidationError, match=r"2 row\(s\).*A-003.*A-007"):
        m.fit(df)


def test_unknown_decisions_excluded_on_request():
    df = _toy(60)
    df.loc[3, "Beslut"] = "okänd"
    m = GrantModel(text_column="Text", decision_column="Beslut", id_column="Ärende",
                   unknown_decision="exclude", n_bootstrap=0)
    _quiet_fit(m, df)
    assert m.n_train_ == 59
    assert len(m.excluded_rows_) == 1 and "A-003" in m.excluded_rows_[0]
    assert len(m.predict_interval(df)) == len(df)  # every input row comes back


def test_unrecognised_decision_value_is_an_error():
    df = _toy(40)
    df.loc[5, "Beslut"] = "kanske"
    with pytest.raises(ApplicationTableError, match="kanske"):
        GrantModel(text_column="Text", decision_column="Beslut").fit(df)


# -- intervals ----------------------------------------------------------------------------------

def test_expected_rate_shifts_level_keeps_ranking(fitted, sim):
    train, test = sim
    base = fitted.predict_proba(test)[:, 1]
    shifted = clone(fitted).set_params(expected_rate=0.3)
    # set_params on a clone drops the fit, so shift the fitted model itself and restore it
    assert not hasattr(shifted, "classifier_")
    try:
        fitted.set_params(expected_rate=0.3)
        p = fitted.predict_proba(test)[:, 1]
        ref = fitted.predict_proba(train)[:, 1]
        iv = fitted.predict_interval(test.head(50))
        shift = fitted.rate_shift_
    finally:
        fitted.set_params(expected_rate=None)
    assert shift < 0
    # the training rows are now granted at the expected rate on average (out of fold, so
    # the in-sample mean is close rather than equal)
    assert abs(ref.mean() - 0.3) < 0.05
    assert p.mean() < base.mean() - 0.2
    # one constant on the log-odds scale: ranking unchanged
    logit = np.log(p / (1 - p)) - np.log(base / (1 - base))
    np.testing.assert_allclose(logit, shift, atol=1e-8)
    assert (iv["grant_low"] <= iv["grant_probability"]).all()
    assert (iv["grant_probability"] <= iv["grant_high"]).all()
    np.testing.assert_allclose(fitted.predict_proba(test)[:, 1], base)


@pytest.mark.parametrize("rate", [0, 1, 1.5, -0.1, "0.3", True])
def test_expected_rate_must_be_a_rate(fitted, sim, rate):
    _, test = sim
    try:
        fitted.set_params(expected_rate=rate)
        with pytest.raises(ValidationError, match="expected_rate"):
            fitted.predict_proba(test.head(3))
    finally:
        fitted.set_params(expected_rate=None)


def test_intervals_contain_point_and_widen_with_less_data(sim, fitted):
    train, test = sim
    small = _quiet_fit(GrantModel(n_bootstrap=15, calibration="none", random_state=0),
                       train.head(120))
    big = _quiet_fit(GrantModel(n_bootstrap=15, calibration="none", random_state=0), train)
    head = test.head(200)
    for model in (small, big, fitted):
        iv = model.predict_interval(head, level=0.9)
        assert iv.index.equals(head.index)
        assert (iv["grant_low"] <= iv["grant_probability"]).all()
        assert (iv["grant_probability"] <= iv["grant_high"]).all()
        assert iv.to_numpy().min() >= 0 and iv.to_numpy().max() <= 1
    width = {name: (m.predict_interval(head)["grant_high"] - m.predict_interval(head)["grant_low"])
             .mean() for name, m in (("small", small), ("big", big))}
    assert width["small"] > 1.3 * width["big"], width
    wide = big.predict_interval(head, level=0.95)
    narrow = big.predict_interval(head, level=0.5)
    assert ((wide["grant_high"] - wide["grant_low"]) >= (narrow["grant_high"] - narrow["grant_low"])
            - 1e-12).all()


# -- explanations -------------------------------------------------------------------------------

def test_explain_words_occur_in_text(fitted, sim):
    _, test = sim
    head = test.head(25)
    reasons = fitted.explain(head, top=8)
    assert len(reasons) == len(head)
    n_text = 0
    for (_, row), rs in zip(head.iterrows(), reasons, strict=True):
        assert 0 < len(rs) <= 8
        assert all(isinstance(r, Reason) and r.direction in ("höjer", "sänker") for r in rs)
        assert all((r.contribution > 0) == (r.direction == "höjer") for r in rs)
        contributions = [abs(r.contribution) for r in rs]
        assert contributions == sorted(contributions, reverse=True)
        words = {w.strip(".,:;!?()") for w in
                 normalize_text(f"{row['title']}. {row['description']}").split()}
        for r in rs:
            if r.kind == "text":
                n_text += 1
                word = r.label.split("'")[1]
                assert r.label == f"ordet '{word}' i texten"
                assert word in words, (word, row["description"])
    assert n_text > 0


def test_explain_form_reason_in_plain_swedish():
    df = _toy(80)
    df["Form"] = np.where(df["Text"].str.contains("Föreläsning|Inspirationsdag"), "föreläsning",
                          "utbildning")
    df = df.rename(columns={"Form": "insats_form"})
    m = _quiet_fit(GrantModel(text_column="Text", decision_column="Beslut", n_bootstrap=0), df)
    lecture = df[df["insats_form"] == "föreläsning"].head(1)
    labels = [str(r) for r in m.explain(lecture, top=10)[0]]
    assert "insatsform är föreläsning (engångsinsats): sänker" in labels


# -- small data ---------------------------------------------------------------------------------

def test_small_data_warning_on_stockholm_table():
    from kompred.datasets import load_stockholm

    apps = load_stockholm()
    assert len(apps) == 73
    m = GrantModel(n_bootstrap=5, random_state=0)
    with pytest.warns(SmallDataWarning) as record:
        m.fit(apps)
    assert any("indicative only" in str(w.message) for w in record)
    assert any("indicative only" in w for w in m.warnings_)
    assert m.calibration_ is None  # too few decisions to calibrate
    assert any("not calibrated" in w for w in m.warnings_)


def test_evaluation_warns_on_small_data():
    df = _toy(70)
    m = GrantModel(text_column="Text", decision_column="Beslut", n_bootstrap=0)
    with pytest.warns(SmallDataWarning):
        res = evaluate_grant_model(m, df, cv=3, n_repeats=1, n_boot=50)
    assert any("indicative only" in w for w in res.warnings)


# -- evaluation and metrics ---------------------------------------------------------------------

def test_evaluate_cv_and_time_split(sim):
    train, _ = sim
    data = train.head(400).assign(year=lambda d: d["submitted"].dt.year)
    m = GrantModel(n_bootstrap=0, random_state=0)
    with pytest.warns(SmallDataWarning, match="the test period has only"):
        res = evaluate_grant_model(m, data, cv=3, n_repeats=1, time_column="year", n_boot=100)
    met = res.metrics
    assert set(met["split"]) == {"cv", "time"}
    assert set(met["model"]) == {"kompred", "majority", "prior"}
    assert set(met["metric"]) == {"auc", "brier", "log_loss", "ece"}
    # (the ECE is biased upwards in small samples, so its percentile interval may sit above it)
    ok = met[(met["model"] == "kompred") & met["metric"].isin(["auc", "brier"])]
    assert ((ok["ci_low"] <= ok["estimate"]) & (ok["estimate"] <= ok["ci_high"])).all()
    auc = met.set_index(["split", "model", "metric"])["estimate"]
    assert auc[("cv", "kompred", "auc")] > 0.65
    assert auc[("cv", "prior", "auc")] == pytest.approx(0.5, abs=0.05)
    assert auc[("time", "majority", "auc")] == 0.5
    assert res.predictions["cv_probability"].notna().all()
    assert res.predictions["time_probability"].notna().sum() == (data["year"] == data["year"].max()).sum()
    assert not hasattr(m, "classifier_")  # the template is not fitted


def test_ece_and_reliability_table():
    y = np.array([0, 1, 1, 0])
    p = np.array([0.2, 0.8, 0.6, 0.4])
    assert expected_calibration_error(y, p) == pytest.approx(0.3)
    assert expected_calibration_error([1, 0], [1.0, 0.0]) == 0.0  # p = 1 falls in the last bin
    t = reliability_table(y, p, n_bins=5)
    assert t["n"].sum() == 4 and len(t) == 5
    m = grant_metrics(y, p, n_boot=20)
    assert list(m.index) == ["auc", "brier", "log_loss", "ece"]


# -- history features ---------------------------------------------------------------------------

def test_history_uses_only_earlier_decisions():
    df = pd.DataFrame({
        "description": ["kurs"] * 6,
        "provider": ["A", "A", "A", "B", "B", "A"],
        "year": [2020, 2021, 2022, 2020, 2021, 2021],
    })
    y = np.array([1, 0, 1, 0, 0, 1])
    f = ApplicationFeaturizer(history_columns=["provider"], time_column="year",
                              history_smoothing=1.0).fit(df, y)
    n, k, _ = f._history_stats(df, "provider")
    # a row sees only decisions of its provider from strictly earlier years
    np.testing.assert_array_equal(n, [0, 1, 3, 0, 1, 1])
    np.testing.assert_array_equal(k, [0, 1, 2, 0, 0, 1])
    new = pd.DataFrame({"description": ["kurs"], "provider": ["a "], "year": [2030]})
    n, k, _ = f._history_stats(new, "provider")  # a new application sees all training rows
    assert (n[0], k[0]) == (4, 3)
    Z1 = f.transform(df)
    Z2 = ApplicationFeaturizer(history_columns=["provider"], time_column="year",
                               history_smoothing=1.0).fit_transform(df, y)
    np.testing.assert_allclose(Z1.toarray(), Z2.toarray())


def test_featurizer_feature_map_traces_sources():
    df = pd.DataFrame({"description": ["Yrkessvenska", "Föreläsning", None],
                       "insats_form": ["utbildning", "föreläsning", None],
                       "cost_sek": [50000.0, np.nan, 1000.0], "participants": [5, 10, 2]})
    f = ApplicationFeaturizer(extra_text_columns=(), categorical_columns=["insats_form"],
                              numeric_columns=["cost_sek"], cost_column="cost_sek",
                              participants_column="participants", min_category_count=1,
                              text_min_df=1)
    Z = f.fit_transform(df)
    assert Z.shape == (3, len(f.get_feature_names_out()))
    fm = f.feature_map_.set_index("name")
    assert fm.loc["cat:insats_form=föreläsning", "column"] == "insats_form"
    assert fm.loc["cat:insats_form=saknas", "kind"] == "missing"
    assert fm.loc["num:cost_sek:saknas", "kind"] == "numeric_missing"
    assert fm.loc["num:kostnad per deltagare", "kind"] == "numeric"
    assert (fm.iloc[f.text_slice_]["kind"] == "text").all()
    unseen = f.transform(pd.DataFrame({"description": ["x"], "insats_form": ["okänd form"]}))
    assert unseen[0, list(f.feature_names_out_).index("cat:insats_form=övrigt")] == 1


# -- MYH (real decisions): column mapping on another programme's table ---------------------------

def test_myh_table_column_mapping(myh_path):
    myh = pd.read_csv(myh_path)
    sub = myh[myh["year"].isin([2022, 2023])].sample(600, random_state=0)
    m = GrantModel(text_column="text", title_column=None, decision_column="approved",
                   time_column="year", n_bootstrap=0, random_state=0)
    _quiet_fit(m, sub)
    assert "beslut" in m.excluded_columns_  # the printed decision: leakage
    assert "source" in m.excluded_columns_ and "kind" in m.excluded_columns_
    assert "utbildningsomrade" in m.columns_["categorical"]
    assert "anordnare" in m.columns_["history"]


# -- report formatting --------------------------------------------------------------------------

def test_report_formatting_and_plot(fitted, sim):
    import matplotlib.pyplot as plt

    from kompred.report._grant import (
        format_evaluation,
        format_interval,
        format_metric_table,
        format_reasons,
        plot_reliability,
    )

    _, test = sim
    head = test.head(3)
    line = format_reasons(fitted.explain(head, top=3)[0])
    assert line.count(";") == 2 and ("höjer" in line or "sänker" in line)
    assert format_interval(fitted.predict_interval(head)).str.match(r"\d,\d\d \(\d,\d\d–\d,\d\d\)").all()
    y = (test["decision"] == "beviljad").to_numpy()
    p = fitted.predict_proba(test)[:, 1]
    table = format_metric_table({"kompred": grant_metrics(y, p, n_boot=20)})
    assert "AUC" in table and "kompred" in table
    ax = plot_reliability(y, p)
    assert ax.get_xlabel().startswith("predicerad")
    plt.close(ax.figure)
    data = test.head(300).assign(year=lambda d: d["submitted"].dt.year)
    res = evaluate_grant_model(GrantModel(n_bootstrap=0), data, cv=3, n_repeats=1, n_boot=20)
    assert "Korsvalidering" in format_evaluation(res)


def test_numbers_read_as_text_are_numeric_features():
    # read_applications keeps non-canonical CSV columns as text; numbers in them are numbers
    rng = np.random.default_rng(0)
    points = rng.integers(100, 2500, 120)
    df = pd.DataFrame({
        "description": ["Utbildning i yrkessvenska", "Kurs i dokumentation"] * 60,
        "poang": [f"{p:,}".replace(",", " ") + ",0" for p in points],   # "1 200,0" style
        "postnummer": ["0" + str(x) for x in rng.integers(1000, 9999, 120)],
        "decision": np.where(points + rng.normal(0, 500, 120) > 1200, "beviljad", "avslag"),
    })
    m = _quiet_fit(GrantModel(n_bootstrap=0, random_state=0), df)
    assert "poang" in m.columns_["numeric"]
    assert "postnummer" not in m.columns_["numeric"]  # a leading zero marks a code
    z = m.featurizer_.transform(df.head(3))
    assert np.isfinite(z.toarray()).all()


def _similar_table(n_rounds=6):
    """Three kinds of insats, each applied for once a year; one is always granted."""
    rows = []
    texts = {"yrkessvenska": "Yrkessvenska för undersköterskor i hemtjänsten, tio veckor",
             "föreläsning": "Inspirationsföreläsning om arbetsglädje för all personal en eftermiddag",
             "validering": "Validering av barnskötare mot yrkesrollen med kompletterande kurs"}
    granted = {"yrkessvenska": 1, "föreläsning": 0, "validering": 1}
    for year in range(2015, 2015 + n_rounds):
        for kind, text in texts.items():
            for unit in range(4):
                rows.append({"description": f"{text}, förvaltning {unit}", "year": year,
                             "decision": "beviljad" if granted[kind] else "avslag"})
    return pd.DataFrame(rows)


def test_similar_feature_uses_only_earlier_decisions():
    df = _similar_table(3)
    y = (df["decision"] == "beviljad").astype(int).to_numpy()
    f = ApplicationFeaturizer(extra_text_columns=(), time_column="year", similar_k=10)
    Z = f.fit_transform(df, y)
    col = list(f.feature_names_out_).index("sim:rate")
    values = Z[:, col].toarray().ravel()
    first_year = (df["year"] == 2015).to_numpy()
    assert np.allclose(values[first_year], 0)  # nothing was decided before them
    later = ~first_year
    assert (values[later & (y == 1)] > 0).all() and (values[later & (y == 0)] < 0).all()
    # a new application sees every training decision
    new = pd.DataFrame({"description": ["Inspirationsföreläsning om arbetsglädje, förvaltning 9"],
                        "year": [2030]})
    assert f.transform(new)[0, col] < 0


def test_similar_feature_without_times_never_sees_its_own_decision():
    from kompred.modeling.grant.features import _similar_neighbours

    df = _similar_table(2).drop(columns="year")
    y = (df["decision"] == "beviljad").astype(int).to_numpy()
    f = ApplicationFeaturizer(extra_text_columns=(), similar_k=10).fit(df, y)
    R = f.similar_["R"]
    t = np.full(len(df), np.nan)
    folds = np.arange(len(df)) % 5
    idx, sims = _similar_neighbours(R, t, folds, R, t, folds, 10)
    rows = np.arange(len(df))[:, None]
    assert not (idx == rows).any()  # never itself
    assert ((idx < 0) | (folds[np.maximum(idx, 0)] != folds[:, None])).all()  # other folds only
    assert (sims[idx >= 0] >= 0.2).all() and (idx >= 0).any()
    # new rows (no fold) may match every training row, near-copies first
    jdx, jsims = _similar_neighbours(R[:1], t[:1], None, R, t, None, 3)
    assert jdx[0, 0] == 0 and jsims[0, 0] == pytest.approx(1.0, abs=1e-5)


def test_grant_model_similar_reason_names_the_closest_earlier_application(tmp_path):
    df = _similar_table(6)
    m = _quiet_fit(GrantModel(title_column=None, time_column="year", similar_k=10,
                              n_bootstrap=0, random_state=0), df)
    assert "sim:rate" in m.featurizer_.feature_names_out_
    draft = pd.DataFrame({"description": ["Yrkessvenska för undersköterskor i hemtjänsten"],
                          "year": [2030]})
    reasons = m.explain(draft, top=20)[0]
    similar = [r for r in reasons if r.kind == "similar_rate"]
    assert len(similar) == 1 and similar[0].direction == "höjer"
    assert "liknar tidigare beviljade ansökningar" in similar[0].label
    assert "yrkessvenska" in similar[0].label
    joblib.dump(m, tmp_path / "m.joblib")
    back = joblib.load(tmp_path / "m.joblib")
    np.testing.assert_allclose(back.predict_proba(draft), m.predict_proba(draft))
