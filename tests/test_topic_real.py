"""The real-text evaluation of the topic classifier: split file, loader checks, scores, CLI."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest
from conftest import shared_file

from kompred.cli import main
from kompred.exceptions import InputFileError, ValidationError
from kompred.modeling.topic import TopicClassifier
from kompred.modeling.topic.real import (
    compare_real_synthetic,
    cross_validate_real,
    default_split_path,
    format_real_table,
    load_real_topics,
    real_folds,
    score_cross_validated,
    score_texts,
    text_sha1,
    trained_on,
    url_group,
    wilson_interval,
)


@pytest.fixture(scope="module")
def zero_label_model():
    return TopicClassifier(calibration_cv=0).fit()


def _corpus(tmp_path, rows):
    """A tiny corpus and a matching split file (all texts are this test's own)."""
    frame = pd.DataFrame(rows, columns=["id", "text", "topic", "topics_ok", "url"])
    corpus = tmp_path / "real.csv"
    frame.to_csv(corpus, index=False)
    split = pd.DataFrame({"id": frame["id"], "url_group": frame["url"].map(url_group),
                          "split": ["dev", "sealed"][: len(frame)] + ["dev"] * (len(frame) - 2),
                          "text_sha1": frame["text"].map(text_sha1)})
    split_path = tmp_path / "split.csv"
    split.to_csv(split_path, index=False)
    return corpus, split_path


ROWS = [
    ("t-1", "Kommunen utbildar tio barnskötare till förskollärare.", "yrkesutbildning",
     "yrkesutbildning", "https://example.se/a"),
    ("t-2", "Personalen får HLR-utbildning.", "blandat", "blandat", "https://example.se/b"),
    ("t-3", "Språkombud utbildas i hemtjänsten.", "språk", "språk|blandat", "https://example.se/c"),
]


def test_wilson_interval_known_values_and_edges():
    assert wilson_interval(45, 50) == (0.7864, 0.9565)
    lo, hi = wilson_interval(0, 10)
    assert lo == 0.0 and 0.25 < hi < 0.35
    lo, hi = wilson_interval(10, 10)
    assert hi == 1.0 and 0.65 < lo < 0.75
    assert all(v != v for v in wilson_interval(0, 0))  # nan


def test_url_group_joins_query_variants_and_www():
    assert url_group("https://www.a.se/x/y/?section=subpages") == url_group("http://a.se/x/y")
    assert url_group("https://a.se/x") != url_group("https://a.se/y")


def test_load_real_topics_reads_labels_and_split(tmp_path):
    corpus, split = _corpus(tmp_path, ROWS)
    out = load_real_topics(corpus, split_file=split)
    assert out["id"].tolist() == ["t-1", "t-2", "t-3"]
    assert out["topics_ok"].tolist() == [("yrkesutbildning",), ("blandat",), ("språk", "blandat")]
    assert out["split"].tolist() == ["dev", "sealed", "dev"]


@pytest.mark.parametrize(("change", "message"), [
    (lambda rows: rows[:1] + [("t-2", "Ändrad text.", "blandat", "blandat", "https://e.se/b")]
     + rows[2:], "row 2 (t-2), column 'text'"),
    (lambda rows: rows + [("t-9", "Ny text.", "blandat", "blandat", "https://e.se/z")],
     "row 4, column 'id'"),
    (lambda rows: rows[:2] + [("t-3", "Språkombud utbildas i hemtjänsten.", "svenska", "svenska",
                               "https://example.se/c")], "row 3 (t-3), column 'topic'"),
    (lambda rows: rows[:2] + [("t-3", "Språkombud utbildas i hemtjänsten.", "språk", "språk|x",
                               "https://example.se/c")], "column 'topics_ok'"),
])
def test_load_real_topics_names_row_and_column_of_bad_input(tmp_path, change, message):
    corpus, split = _corpus(tmp_path, ROWS)
    frame = pd.DataFrame(change(ROWS), columns=["id", "text", "topic", "topics_ok", "url"])
    frame.to_csv(corpus, index=False)
    with pytest.raises(ValidationError, match=message.replace("(", r"\(").replace(")", r"\)")):
        load_real_topics(corpus, split_file=split)


def test_load_real_topics_missing_file_says_where_to_look(tmp_path):
    with pytest.raises(InputFileError, match="KOMPRED_SHARED"):
        load_real_topics(tmp_path / "nope.csv", split_file=default_split_path())


def test_score_texts_strict_lenient_and_osaker(zero_label_model):
    texts = ["Yrkessvenska för undersköterskor", "Körkort för hemtjänstens personal"]
    s = score_texts(zero_label_model, texts, ["språk", "bemötande"],
                    [("språk",), ("bemötande", "blandat", "yrkesutbildning")], n_bootstrap=50)
    assert s.n == 2
    assert s.accuracy == 0.5  # the second text is not bemötande
    assert s.lenient_accuracy == 1.0  # ... but it is one of its acceptable labels
    assert s.details["acceptable"].all() and not s.details["right"].all()
    assert "| texts | real | 2 |" in format_real_table([s])


def test_committed_split_is_by_source_and_matches_the_corpus():
    split = pd.read_csv(default_split_path(), keep_default_na=False)
    assert split["id"].is_unique
    assert set(split["split"]) == {"dev", "sealed"}
    # a source page never has texts on both sides, so near-duplicates cannot leak
    assert split.groupby("url_group")["split"].nunique().max() == 1
    assert 0.3 < (split["split"] == "sealed").mean() < 0.5
    path = shared_file("corpora", "real_insatser_dev.csv")
    real = load_real_topics(path)  # raises if a text changed or an id is missing
    assert len(real) == len(split)
    assert "text" not in split.columns  # the committed file carries ids and hashes, never texts


def test_compare_real_synthetic_and_cli(tmp_path, capsys, zero_label_model):
    path = shared_file("corpora", "real_insatser_dev.csv")
    rows = compare_real_synthetic(zero_label_model, real=path, n_bootstrap=20)
    assert [r.name for r in rows] == ["synthetic held-out (topics_heldout.csv)", "real dev"]
    assert rows[1].n == (pd.read_csv(default_split_path())["split"] == "dev").sum()
    assert 0.0 <= rows[1].accuracy <= 1.0 and rows[0].n > 250
    code = main(["evaluate", "--real", str(path), "--sealed", "--bootstrap", "20",
                 "--json", str(tmp_path / "r.json")])
    out = capsys.readouterr().out
    assert code == 0
    assert "| real dev | real |" in out and "| real sealed | real |" in out and "synthetic" in out
    doc = json.loads((tmp_path / "r.json").read_text())
    assert [d["set"] for d in doc["sets"]][1:] == ["real dev", "real sealed", "real all"]


def test_cli_real_missing_corpus_is_a_clear_error(tmp_path, capsys):
    code = main(["evaluate", "--real", str(tmp_path / "missing.csv"), "--bootstrap", "10"])
    assert code == 2
    assert "does not exist" in capsys.readouterr().err


# ------------------------------------------------------------------------------------------------
# Labelling conventions (taxonomy v3; v4 adds examples, not conventions) and what the classifier
# does with them
# ------------------------------------------------------------------------------------------------


def test_conventions_are_written_for_every_topic():
    from kompred.taxonomy import load_taxonomy

    tax = load_taxonomy("default")
    assert tax.version == "4"
    readme = (default_split_path().parents[2] / "src" / "kompred" / "taxonomies"
              / "README.md").read_text(encoding="utf-8")
    section = readme.split("## Labelling conventions", 1)[1].split("\n## ", 1)[0]
    for tid in tax.topic_ids:
        assert f"| `{tid}` |" in section
    # licences are blandat since v3: no körkort example is left under yrkesutbildning
    assert not any("körkort" in e.lower() and "ykb" not in e.lower()
                   for e in tax["yrkesutbildning"].examples)
    assert any("körkort" in e.lower() for e in tax["blandat"].examples)
    assert "körkort" in tax["blandat"].keywords and "körkort" not in tax["yrkesutbildning"].keywords


def test_heldout_korkort_rows_follow_the_v3_convention():
    heldout = pd.read_csv(default_split_path().parent / "topics_heldout.csv", keep_default_na=False)
    korkort = heldout[heldout["text"].str.contains("körkort", case=False)
                      & ~heldout["text"].str.contains("YKB")]
    assert len(korkort) >= 1
    assert set(korkort["topic"]) == {"blandat"}


@pytest.mark.parametrize(("text", "topic"), [
    # the misses the issue names, each in its own wording
    ("Fem förskoleassistenter får utbilda sig till barnskötare på arbetstid.", "yrkesutbildning"),
    ("25 nya undersköterskor i hemtjänsten, alla tidigare vårdbiträden.", "yrkesutbildning"),
    ("Kommunen vidareutbildar sina socialsekreterare i socialrätt.", "yrkesutbildning"),
    ("Hemtjänstens personal får ta körkort på arbetstid.", "blandat"),
])
def test_zero_label_model_follows_the_conventions_on_issue_examples(zero_label_model, text, topic):
    assert zero_label_model.predict_details([text])["topic_first"].iloc[0] == topic


# ------------------------------------------------------------------------------------------------
# Compound splitting
# ------------------------------------------------------------------------------------------------


def test_split_compound_needs_both_parts_known():
    from kompred.modeling.topic.compounds import build_prefixes, split_compound

    vocab = frozenset({"demens", "utbildning", "team"})
    assert split_compound("demensutbildningen", vocab) == ("demens", "utbildningen")
    assert split_compound("demensteamet", vocab) == ("demens", "teamet")
    assert split_compound("vävstolsutbildning", vocab) is None  # modifier unknown
    assert split_compound("demensvård", vocab) is None  # too short to try
    assert split_compound("ledarskapsutbildning", vocab, build_prefixes({"ledarskapet"})) == \
        ("ledarskap", "utbildning")


def test_classifier_split_compounds_option(zero_label_model):
    from sklearn.base import clone

    assert zero_label_model.split_compounds is False
    assert zero_label_model.compound_vocabulary_ is None
    clf = clone(zero_label_model).set_params(split_compounds=True).fit()
    assert "utbildning" in clf.compound_vocabulary_
    p = clf.predict_proba(["Förflyttningsutbildning för omvårdnadspersonalen"])
    assert p.shape == (1, 5) and abs(p.sum() - 1) < 1e-6
    assert clf.classes_[p.argmax()] == "blandat"  # förflyttning is work environment


# ------------------------------------------------------------------------------------------------
# Job-title lexicon (training towards an occupation)
# ------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(("text", "marked"), [
    ("sex fastighetsskötare vidareutbildar sig till drifttekniker", True),
    ("elva vårdbiträden har läst till undersköterskor", True),
    ("barnskötare som vill bli förskollärare får studera på arbetstid", True),
    ("åtta nyblivna undersköterskor fick sina bevis", True),
    ("från barnskötare till förskollärare på tre år", True),
    ("kursen riktar sig till undersköterskor och sjuksköterskor", False),
    ("undersköterskorna har gått en kurs i palliativ vård", False),
    ("stöd till barnskötare i förskolan", False),
    ("utbildningen till silviasyster ger spetskompetens i demensvård", False),
])
def test_occupation_marks(text, marked):
    from kompred.modeling.topic.occupations import occupation_marks

    assert bool(occupation_marks(text)) is marked


def test_mark_occupations_option_adds_the_mark_in_training_and_prediction(zero_label_model):
    from sklearn.base import clone

    from kompred.modeling.topic.classifier import _prepare_text
    from kompred.modeling.topic.occupations import MARK

    assert zero_label_model.mark_occupations is False
    text = "Tolv vårdbiträden läser till undersköterska."
    assert MARK in _prepare_text(text, max_chars=5000, expand=True, occupations=True)
    assert MARK not in _prepare_text(text, max_chars=5000, expand=True)
    clf = clone(zero_label_model).set_params(mark_occupations=True).fit()
    assert clf.predict_details([text])["topic_first"].iloc[0] == "yrkesutbildning"


def test_models_saved_without_the_lexicon_load_without_it(zero_label_model):
    state = zero_label_model.__getstate__()
    state.pop("mark_occupations")
    old = TopicClassifier.__new__(TopicClassifier)
    old.__setstate__(state)
    assert old.mark_occupations is False
    texts = ["Yrkessvenska för undersköterskor", "Fem vårdbiträden läser till undersköterska."]
    assert list(old.predict(texts)) == list(zero_label_model.predict(texts))


# ------------------------------------------------------------------------------------------------
# The osäker threshold, out of fold
# ------------------------------------------------------------------------------------------------


def test_unsure_table_counts_both_sides():
    from kompred.modeling.topic import unsure_table

    rows = unsure_table([0.95, 0.7, 0.55, 0.45, 0.3], [True, True, False, False, True],
                        thresholds=(0.5, 0.6))
    assert rows[0] == {"threshold": 0.5, "share_osaker": 0.4, "accuracy_sure": pytest.approx(2 / 3, abs=1e-4),
                       "accuracy_osaker": 0.5}
    assert rows[1]["share_osaker"] == 0.6 and rows[1]["accuracy_sure"] == 1.0
    assert unsure_table([0.9], [True], thresholds=(0.5,))[0]["accuracy_osaker"] is None


def test_training_summary_has_the_out_of_fold_unsure_table(zero_label_model):
    from sklearn.base import clone

    assert zero_label_model.training_summary_["unsure_cv"] is None  # calibration_cv=0
    clf = clone(zero_label_model).set_params(calibration_cv=3).fit()
    rows = clf.training_summary_["unsure_cv"]
    shares = [r["share_osaker"] for r in rows]
    assert shares == sorted(shares) and 0 <= shares[0] and shares[-1] <= 1
    assert all(r["accuracy_sure"] is None or 0 <= r["accuracy_sure"] <= 1 for r in rows)


# ------------------------------------------------------------------------------------------------
# The extended taxonomy follows the default's redefined topics
# ------------------------------------------------------------------------------------------------


def test_extended_keeps_every_default_example_of_the_topics_it_redefines():
    import tomllib

    from kompred.taxonomy import load_taxonomy

    base = load_taxonomy("default")
    ext = load_taxonomy("extended")
    own = tomllib.loads((default_split_path().parents[2] / "src" / "kompred" / "taxonomies"
                         / "extended.toml").read_text(encoding="utf-8"))
    redefined = {t["id"] for t in own["topic"]} & set(base.topic_ids)
    assert redefined == {"yrkesutbildning", "bemötande", "blandat"}
    where: dict[str, list[str]] = {}
    for t in ext.topics:
        for e in t.examples:
            where.setdefault(e, []).append(t.id)
    assert all(len(v) == 1 for v in where.values()), "an example is under two topics"
    missing = [e for tid in redefined for e in base[tid].examples if e not in where]
    assert not missing, f"default examples not copied into extended.toml: {missing[:3]}"
    # the v3 conventions: TAKK and truckkort are blandat there too
    assert not any("takk" in e.lower() for e in ext["bemötande"].examples)
    assert not any("truckkort" in e.lower() for e in ext["yrkesutbildning"].examples)
    assert "takk" in ext["blandat"].keywords and "takk" not in ext["bemötande"].keywords


# --------------------------------------------------------------------- real texts in training (CV)

# A fake "real" set, this test's own texts: words no synthetic text has ("zyxwo", "qvarpl").
FAKE_REAL = pd.DataFrame({
    "id": [f"f-{i}" for i in range(10)],
    "text": [f"Kommunen ger {n} zyxwokurs i qvarplteknik för personalen." for n in
             ("tio", "tolv", "femton", "tjugo", "trettio", "fyra", "sex", "åtta", "nio", "elva")],
    "topic": ["blandat", "bemötande"] * 5,
    "topics_ok": [("blandat",), ("bemötande",)] * 5,
    "url_group": [f"example.se/{i // 2}" for i in range(10)],  # two texts per source page
    "split": ["dev", "sealed"] * 5,
})


def _vocabulary(model):
    return [set(v.vocabulary_) for v in model.vectorizers_ if v is not None]


def test_extra_texts_add_no_string_to_the_vocabulary():
    base = TopicClassifier(calibration_cv=0, split_compounds=True).fit()
    clf = TopicClassifier(calibration_cv=0, split_compounds=True).fit(
        extra_X=FAKE_REAL["text"], extra_y=FAKE_REAL["topic"])
    assert _vocabulary(clf) == _vocabulary(base)
    assert clf.compound_vocabulary_ == base.compound_vocabulary_
    assert not any("zyxw" in t or "qvarp" in t for vocab in _vocabulary(clf) for t in vocab)
    # the same texts as ordinary labelled texts do enter it: the test can fail
    plain = TopicClassifier(calibration_cv=0).fit(FAKE_REAL["text"], FAKE_REAL["topic"])
    assert any("zyxw" in t for vocab in _vocabulary(plain) for t in vocab)
    assert np.allclose(clf.vectorizers_[0].idf_, base.vectorizers_[0].idf_)
    assert clf.training_summary_["n_extra"] == 10 and len(clf.extra_sha1_) == 10


def test_extra_texts_train_the_weights_and_their_weight_matters():
    base = TopicClassifier(calibration_cv=0).fit()
    fits = {w: TopicClassifier(calibration_cv=0).fit(extra_X=FAKE_REAL["text"],
                                                    extra_y=FAKE_REAL["topic"], extra_weight=w)
            for w in (0.0, 1.0, 5.0)}
    assert np.allclose(fits[0.0].model_.coef_, base.model_.coef_)  # weight 0: as if absent
    assert not np.allclose(fits[1.0].model_.coef_, base.model_.coef_)
    assert not np.allclose(fits[5.0].model_.coef_, fits[1.0].model_.coef_)
    per_text = TopicClassifier(calibration_cv=0).fit(
        extra_X=FAKE_REAL["text"], extra_y=FAKE_REAL["topic"], extra_weight=[1.0] * 10)
    assert np.allclose(per_text.model_.coef_, fits[1.0].model_.coef_)


@pytest.mark.parametrize(("kwargs", "message"), [
    ({"extra_X": ["Kurs i HLR"]}, "no labels extra_y"),
    ({"extra_y": ["blandat"]}, "no texts extra_X"),
    ({"extra_X": ["Kurs i HLR"], "extra_y": ["blandat"], "extra_weight": [1, 2]}, "one per"),
    ({"extra_X": ["Kurs i HLR"], "extra_y": ["blandat"], "extra_weight": -1}, ">= 0"),
    ({"extra_X": ["Kurs i HLR"], "extra_y": ["okänt"]}, "not in taxonomy"),
])
def test_extra_texts_bad_input_is_named(kwargs, message):
    with pytest.raises(ValidationError, match=message):
        TopicClassifier(calibration_cv=0).fit(**kwargs)


def test_cross_validate_real_never_scores_a_text_with_a_model_that_saw_it():
    seen = []

    def fit(train):
        seen.append(set(train["id"]))
        return TopicClassifier(calibration_cv=0).fit(extra_X=train["text"], extra_y=train["topic"])

    oof = cross_validate_real(FAKE_REAL, fit, n_splits=5, random_state=3)
    assert len(seen) == 5 and oof["id"].tolist() == FAKE_REAL["id"].tolist()
    for k, train_ids in enumerate(seen):
        test = oof.loc[oof["fold"] == k]
        assert train_ids.isdisjoint(test["id"])
        # a source page is never on both sides of a fold
        assert set(FAKE_REAL.loc[FAKE_REAL["id"].isin(train_ids), "url_group"]).isdisjoint(
            test["url_group"])
    rows = score_cross_validated(oof, n_bootstrap=0)
    assert [r.name for r in rows] == ["real all", "real dev", "real sealed"]
    assert [r.n for r in rows] == [10, 5, 5]

    def leaky(train):  # trains on every text, test fold included
        return TopicClassifier(calibration_cv=0).fit(extra_X=FAKE_REAL["text"],
                                                     extra_y=FAKE_REAL["topic"])

    with pytest.raises(ValidationError, match="trained on"):
        cross_validate_real(FAKE_REAL, leaky)


def test_real_folds_seed_14_reproduces_the_split_file():
    path = shared_file("corpora", "real_insatser_dev.csv")
    real = load_real_topics(path)
    fold = real_folds(real, random_state=14)
    assert ((fold < 2) == (real["split"] == "sealed")).all()


def test_compare_real_synthetic_leaves_out_texts_the_model_trained_on(tmp_path):
    corpus, split = _corpus(tmp_path, ROWS)
    real = load_real_topics(corpus, split_file=split)
    clf = TopicClassifier(calibration_cv=0).fit(extra_X=real["text"][:1], extra_y=real["topic"][:1])
    assert trained_on(clf, real["text"]).tolist() == [True, False, False]
    rows = compare_real_synthetic(clf, real=real, heldout=False, include_sealed=True,
                                  n_bootstrap=0)
    dev, sealed, every = rows
    assert (dev.n, dev.n_in_training) == (1, 1)  # t-1 (dev) is not scored
    assert (every.n, every.n_in_training) == (2, 1)
    everything = TopicClassifier(calibration_cv=0).fit(extra_X=real["text"], extra_y=real["topic"])
    rows = compare_real_synthetic(everything, real=real, heldout=False, n_bootstrap=0)
    assert rows[0].n == 0 and "not scored" in format_real_table(rows)
