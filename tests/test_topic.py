"""Contract and behaviour tests for kompred.modeling.topic (and its evaluation/report/CLI)."""

from __future__ import annotations

import json
import math

import numpy as np
import pandas as pd
import pytest
from sklearn.base import clone
from sklearn.exceptions import NotFittedError as SklearnNotFittedError
from sklearn.metrics import f1_score

from kompred.exceptions import ModelError, NotFittedError, ValidationError
from kompred.modeling.persist import bundled_model_path, load_model, save_model
from kompred.modeling.topic import (
    DETAIL_COLUMNS,
    OSAKER,
    KeywordTopicRules,
    TopicClassifier,
    application_texts,
    load_default_topic_model,
)
from kompred.taxonomy import load_taxonomy

DEFAULT_TOPICS = ("yrkesutbildning", "språk", "bemötande", "blandat", "äldre")


@pytest.fixture(scope="module")
def clf() -> TopicClassifier:
    """Zero-label classifier on the default taxonomy (fitted once for the module)."""
    return TopicClassifier().fit()


# --------------------------------------------------------------------------- sklearn contract


def test_init_only_stores_params_and_clone_is_unfitted(clf):
    est = TopicClassifier(threshold=0.3, C=3.0, ngram_range=(3, 4), example_weight=2.0)
    params = est.get_params()
    assert params["threshold"] == 0.3 and params["C"] == 3.0 and params["ngram_range"] == (3, 4)
    assert not [k for k in vars(est) if k.endswith("_")]
    twin = clone(clf)
    assert twin.get_params() == clf.get_params()
    assert not hasattr(twin, "model_") and not hasattr(twin, "classes_")
    with pytest.raises(TypeError):
        TopicClassifier("default")  # keyword-only


def test_not_fitted_raises_kompred_error():
    est = TopicClassifier()
    for method in (est.predict, est.predict_proba, est.predict_details):
        with pytest.raises(NotFittedError, match="not fitted"):
            method(["Yrkessvenska"])
    # it is also scikit-learn's NotFittedError and kompred's ModelError
    with pytest.raises(SklearnNotFittedError):
        est.predict(["x"])
    assert issubclass(NotFittedError, ModelError)


def test_classes_follow_taxonomy_order_and_proba_rows_sum_to_one(clf):
    assert tuple(clf.classes_) == DEFAULT_TOPICS == load_taxonomy("default").topic_ids
    texts = ["Yrkessvenska för undersköterskor", "Palliativ vård", "", "Klimatsmart mat i skolköken"]
    proba = clf.predict_proba(texts)
    assert proba.shape == (4, 5)
    np.testing.assert_allclose(proba.sum(axis=1), 1.0, atol=1e-9)
    assert (proba >= 0).all()
    # the first-ranked topic is the column with the highest probability
    details = clf.predict_details(texts)
    assert details.loc[0, "topic_first"] == clf.classes_[np.argmax(proba[0])]
    assert 0.05 <= clf.temperature_ <= 20


def test_save_load_round_trip_gives_identical_predictions(clf, tmp_path):
    texts = ["Lågaffektivt bemötande för LSS-personal", "Fotvård inom vård och omsorg",
             "Kurs i Excel", "Barnskötarutbildning"]
    save_model(clf, tmp_path / "topic")
    loaded = load_model(tmp_path / "topic", trusted=True, expected=TopicClassifier)
    np.testing.assert_array_equal(loaded.predict_proba(texts), clf.predict_proba(texts))
    pd.testing.assert_frame_equal(loaded.predict_details(texts), clf.predict_details(texts))
    assert (tmp_path / "topic" / "model.skops").stat().st_size < 5_000_000


# --------------------------------------------------------------------------- zero labels


@pytest.mark.parametrize("text, topic", [
    ("Yrkessvenska för undersköterskor", "språk"),
    ("Barnskötarutbildning", "yrkesutbildning"),
    ("Lågaffektivt bemötande för personal på gruppbostad", "bemötande"),
    ("Psykisk ohälsa hos äldre", "äldre"),
    ("Otillåten påverkan – utbildning för handläggare", "blandat"),
])
def test_zero_label_fit_gets_easy_texts_right(clf, text, topic):
    assert clf.predict([text])[0] == topic


def test_zero_label_fit_accepts_none_and_empty_lists():
    a = TopicClassifier(calibration_cv=0).fit(None)
    b = TopicClassifier(calibration_cv=0).fit([], [])
    texts = ["Språkombud i hemtjänsten", "Demensvård och BPSD"]
    np.testing.assert_allclose(a.predict_proba(texts), b.predict_proba(texts))
    assert a.training_summary_["n_labelled"] == 0 and a.temperature_ == 1.0


def test_labelled_texts_are_added_and_labels_may_be_names():
    texts = ["Truckkort för vaktmästarna", "Kurs i hjärt-lungräddning för fritidsledare"]
    est = TopicClassifier(calibration_cv=0).fit(texts, ["Fortbildning yrkesutbildning", "BLANDAT"])
    assert est.training_summary_["n_labelled"] == 2


def test_unknown_label_error_names_the_label():
    with pytest.raises(ValidationError, match=r"'hälsa'.*expected one of"):
        TopicClassifier(calibration_cv=0).fit(["Stresshantering", "Yrkessvenska"], ["hälsa", "språk"])
    with pytest.raises(ValidationError, match="one label per text"):
        TopicClassifier(calibration_cv=0).fit(["a", "b"], ["språk"])
    with pytest.raises(ValidationError, match="no labels"):
        TopicClassifier(calibration_cv=0).fit(["Yrkessvenska"])
    with pytest.raises(ValidationError, match="no label"):
        TopicClassifier(calibration_cv=0).fit(["Yrkessvenska", "SFI"], ["språk", None])


def test_invalid_params_are_reported():
    with pytest.raises(ValidationError, match="threshold"):
        TopicClassifier(threshold=1.5).fit()
    with pytest.raises(ValidationError, match="ngram_range"):
        TopicClassifier(ngram_range=(5, 2)).fit()


# --------------------------------------------------------------------------- osäker and input edge cases


def test_threshold_gives_osaker_naming_two_topics(clf):
    strict = clone(clf).set_params(threshold=0.999999).fit()
    d = strict.predict_details(["Utbildning för personalen i äldreomsorgen om kommunikation"])
    row = d.iloc[0]
    assert row["topic"] == OSAKER
    assert row["topic_reason"].startswith("låg säkerhet: ")
    assert row["topic_first"] in row["topic_reason"] and row["topic_second"] in row["topic_reason"]
    assert row["topic_first"] != row["topic_second"]
    assert row["topic_confidence"] >= row["topic_second_confidence"]


def test_predict_details_columns_dtypes_and_index(clf):
    s = pd.Series(["Yrkessvenska för usk", "Kurs i Excel för ekonomer"], index=[10, 42])
    d = clf.predict_details(s)
    assert tuple(d.columns) == DETAIL_COLUMNS
    assert list(d.index) == [10, 42]
    assert str(d["is_swedish"].dtype) == "boolean"
    assert d["topic_confidence"].between(0, 1).all()
    assert d["topic_reason"].isna().all()  # confident answers need no reason
    assert list(clf.predict(s)) == list(d["topic"])


@pytest.mark.parametrize("empty", ["", "   \n\t ", None, float("nan"), pd.NA, " -- 123 "])
def test_empty_text_is_osaker_with_reason_not_a_crash(clf, empty):
    d = clf.predict_details(["Barnskötarutbildning", empty])
    assert d.loc[1, "topic"] == OSAKER and d.loc[1, "topic_reason"] == "tom text"
    assert pd.isna(d.loc[1, "topic_first"]) and math.isnan(d.loc[1, "topic_confidence"])
    assert d.loc[0, "topic"] == "yrkesutbildning"
    np.testing.assert_allclose(clf.predict_proba([empty])[0], 0.2)


def test_only_empty_texts_and_empty_input(clf):
    assert list(clf.predict(["", " "])) == [OSAKER, OSAKER]
    d = clf.predict_details([])
    assert len(d) == 0 and tuple(d.columns) == DETAIL_COLUMNS
    assert clf.predict_proba([]).shape == (0, 5)


def test_english_text_is_flagged(clf):
    d = clf.predict_details(["We apply for funding to train our home care staff in dementia care "
                             "and communication with relatives."])
    row = d.iloc[0]
    assert row["is_swedish"] == False  # noqa: E712 (a pandas boolean, not a Python bool)
    assert row["topic"] == OSAKER
    assert row["topic_reason"] == "texten verkar inte vara svenska (en)"
    assert row["topic_first"] in DEFAULT_TOPICS  # the best guess is still given


def test_short_swedish_title_is_not_flagged(clf):
    d = clf.predict_details(["SFI för lokalvårdare", "Utbildning i lågaffektivt bemötande för personalen"])
    assert pd.isna(d.loc[0, "is_swedish"])  # too short to tell: not flagged
    assert d.loc[1, "is_swedish"] == True  # noqa: E712
    assert (d["topic"] != OSAKER).all()


def test_very_long_text_is_truncated_and_classified(clf):
    head = "Yrkessvenska för undersköterskor med annat modersmål. "
    long_text = head + "Vi vill stärka språket i dokumentationen. " * 20_000  # ~850,000 characters
    d = clf.predict_details([long_text])
    assert d.loc[0, "topic"] == "språk"


def test_dataframe_input_joins_title_and_description(clf):
    apps = pd.DataFrame({"title": ["Fotvård", None],
                         "description": ["Utbildning i fotvård inom vård och omsorg.", "Klimatsmart mat"]})
    assert application_texts(apps) == ["Fotvård. Utbildning i fotvård inom vård och omsorg.",
                                       "Klimatsmart mat"]
    assert list(clf.predict(apps)) == ["äldre", "blandat"]
    with pytest.raises(ValidationError, match="single str"):
        clf.predict("Yrkessvenska")
    with pytest.raises(ValidationError, match="str or missing"):
        clf.predict([1, 2])


# --------------------------------------------------------------------------- taxonomy as data


def test_adding_a_topic_to_a_taxonomy_file_changes_predictions(tmp_path):
    path = tmp_path / "med_korkort.toml"
    path.write_text('''
[taxonomy]
id = "test-korkort"
extends = "default"
version = "1"

[[topic]]
id = "körkort"
name = "Körkort"
description = "Körkortsutbildning för medarbetare som behöver körkort i tjänsten."
examples = [
  "Körkort B för hemtjänstpersonal",
  "Körkortsutbildning för medarbetare i hemtjänsten som saknar körkort",
  "Vi söker medel för körkortslektioner och uppkörning för fem undersköterskor",
  "Teoriprov och körlektioner, B-behörighet, för personal i hemsjukvården",
  "Körkort krävs i tjänsten – trafikskola för tre medarbetare",
]
''', encoding="utf-8")
    texts = ["Körkortsutbildning för två medarbetare i hemtjänsten",
             "Körlektioner och uppkörning för personalen i hemtjänst"]
    base = TopicClassifier(calibration_cv=0).fit()
    extended = TopicClassifier(taxonomy=path, calibration_cv=0).fit()
    assert "körkort" not in base.classes_ and extended.classes_[-1] == "körkort"
    assert "körkort" not in set(base.predict(texts))
    assert list(extended.predict(texts)) == ["körkort", "körkort"]
    # the other topics still work
    assert extended.predict(["Yrkessvenska för undersköterskor"])[0] == "språk"


def test_extended_bundled_taxonomy_fits():
    est = TopicClassifier(taxonomy="extended", calibration_cv=0).fit()
    assert len(est.classes_) == len(load_taxonomy("extended").topics)
    assert est.predict(["Stresshantering och återhämtning för medarbetare"])[0] == "hälsa"


# --------------------------------------------------------------------------- baselines and evaluation


def test_keyword_baseline_sanity():
    rules = KeywordTopicRules().fit()
    texts = ["Yrkessvenska för vårdbiträden", "Lågaffektivt bemötande i skolan", "Palliativ vård",
             "Inspirationsdag för alla", ""]
    assert list(rules.predict(texts)) == ["språk", "bemötande", "äldre", "blandat", "blandat"]
    counts = rules.match_counts(texts)
    assert counts.shape == (5, 5) and counts[-2:].sum() == 0
    with pytest.raises(NotFittedError):
        KeywordTopicRules().predict(["x"])


def test_score_predictions_matches_sklearn():
    from kompred.modeling.topic.evaluation import score_predictions

    rng = np.random.default_rng(1)
    y = rng.choice(list(DEFAULT_TOPICS), 120)
    p = np.where(rng.random(120) < 0.7, y, rng.choice(list(DEFAULT_TOPICS), 120))
    s = score_predictions(y, p, DEFAULT_TOPICS, n_bootstrap=200)
    assert s.macro_f1 == pytest.approx(f1_score(y, p, average="macro"))
    assert s.macro_f1_ci[0] <= s.macro_f1 <= s.macro_f1_ci[1]
    assert s.confusion.to_numpy().sum() == 120
    # an answer outside the topics (osäker) counts as wrong and gets its own column
    s2 = score_predictions(["språk", "äldre"], ["språk", OSAKER], ["språk", "äldre"], n_bootstrap=0)
    assert s2.accuracy == 0.5 and OSAKER in s2.confusion.columns


def test_evaluate_topics_small_run_and_report(tmp_path):
    from kompred.modeling.topic.evaluation import evaluate_topics
    from kompred.report._topic import format_topic_evaluation, write_topic_evaluation

    heldout = pd.DataFrame({
        "text": ["Yrkessvenska för kökspersonal", "Undersköterskeutbildning för vårdbiträden",
                 "MI för socialsekreterare", "Brandskydd för vaktmästare", "Fallprevention på säbo",
                 "SFI på arbetstid"],
        "topic": ["språk", "yrkesutbildning", "bemötande", "blandat", "äldre", "språk"],
        "style": ["title"] * 6,
    })
    ev = evaluate_topics("default", heldout=heldout, n_splits=3, n_repeats=1, n_bootstrap=50)
    assert set(ev.cv) == set(ev.heldout) == {"model", "keywords", "word_tfidf"}
    assert 0.7 < ev.cv["model"].macro_f1 <= 1
    assert ev.cv_design["n_labelled_applications"] == 73
    assert list(ev.heldout["model"].per_group.index) == ["title"]
    text = format_topic_evaluation(ev)
    assert "Cross-validation" in text and "Held-out per style" in text and "Keyword rules" in text
    files = write_topic_evaluation(ev, tmp_path / "out")
    names = {f.name for f in files}
    assert {"topic_evaluation.md", "topic_evaluation.json", "topic_confusion_cv.png",
            "topic_confusion_heldout.png"} <= names
    doc = json.loads((tmp_path / "out" / "topic_evaluation.json").read_text(encoding="utf-8"))
    assert doc["heldout"]["model"]["macro_f1"] is not None


def test_heldout_texts_that_are_training_material_are_not_scored():
    from kompred.modeling.topic.evaluation import evaluate_topics
    from kompred.report._topic import format_topic_evaluation

    heldout = pd.DataFrame({
        # the first is one of default.toml's seed examples, with other case and spacing
        "text": ["ÄLDRE  och sexualitet", "Yrkessvenska för kökspersonal", "MI för socialsekreterare",
                 "Brandskydd för vaktmästare", "Fallprevention på säbo"],
        "topic": ["äldre", "språk", "bemötande", "blandat", "äldre"],
    })
    ev = evaluate_topics("default", heldout=heldout, cv=False, n_bootstrap=20)
    info = ev.heldout_info
    assert info["rows_read"] == 5 and info["rows"] == 4 and info["excluded_in_training"] == 1
    assert info["excluded_texts"] == ["ÄLDRE  och sexualitet"]
    assert int(ev.heldout["model"].per_topic["support"].sum()) == 4
    assert "1 of the file's 5 texts are also in the training material" in format_topic_evaluation(ev)
    only_seen = heldout.iloc[:1]
    with pytest.raises(ValidationError, match="every held-out text"):
        evaluate_topics("default", heldout=only_seen, cv=False, n_bootstrap=0)


def test_evaluate_rejects_heldout_labels_outside_taxonomy():
    from kompred.modeling.topic.evaluation import evaluate_topics

    bad = pd.DataFrame({"text": ["Stress"], "topic": ["hälsa"]})
    with pytest.raises(ValidationError, match="hälsa"):
        evaluate_topics(heldout=bad, cv=False, n_bootstrap=0)


def test_cli_evaluate_heldout_only(tmp_path, capsys):
    from kompred.cli import main

    path = tmp_path / "ho.csv"
    pd.DataFrame({"text": ["Yrkessvenska för usk", "Demensvård och BPSD", "Konflikthantering",
                           "Klimatsmart mat", "Barnskötarutbildning"],
                  "topic": ["språk", "äldre", "bemötande", "blandat", "yrkesutbildning"]}).to_csv(path, index=False)
    code = main(["evaluate", "--no-cv", "--heldout", str(path), "--bootstrap", "20",
                 "--json", str(tmp_path / "ev.json")])
    out = capsys.readouterr().out
    assert code == 0 and "Held-out" in out and "TopicClassifier" in out
    assert json.loads((tmp_path / "ev.json").read_text(encoding="utf-8"))["cross_validation"] is None


# --------------------------------------------------------------------------- bundled default model


def test_bundled_default_model_loads_and_predicts():
    folder = bundled_model_path("topic")
    if not (folder / "model.skops").exists():
        pytest.skip(f"{folder} has no model.skops: run 'kompred train' to create the default topic model")
    model = load_default_topic_model()
    assert isinstance(model, TopicClassifier)
    assert tuple(model.classes_) == DEFAULT_TOPICS
    assert list(model.predict(["Yrkessvenska för undersköterskor", "Barnskötarutbildning"])) == [
        "språk", "yrkesutbildning"]
    meta = json.loads((folder / "metadata.json").read_text(encoding="utf-8"))
    assert meta["taxonomy_id"] == load_taxonomy("default").id
    # the shipped model is retrained whenever the default taxonomy's version changes
    assert meta["taxonomy_version"] == load_taxonomy("default").version
