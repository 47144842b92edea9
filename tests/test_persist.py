"""Safe model files: skops with a trusted-type list, inspection, old joblib folders, the CLI."""

from __future__ import annotations

import json
import os
import shutil
import warnings

import joblib
import numpy as np
import pandas as pd
import pytest

from kompred import (
    GrantModel,
    InputFileError,
    KompredWarning,
    ModelError,
    SmallDataWarning,
    UntrustedModelError,
)
from kompred.cli import main
from kompred.datasets import load_stockholm, simulate, stockholm_path
from kompred.modeling.persist import (
    TRUSTED_TYPES,
    bundled_model_path,
    convert_model,
    inspect_model,
    load_model,
    save_model,
)
from kompred.scoring import load_scorer


def _fit(model, data):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", SmallDataWarning)
        return model.fit(data)


@pytest.fixture(scope="module")
def rich():
    """A grant model with every optional part: history, similar decisions, calibration."""
    sim = simulate(400, handler_sd=0.0, seed=3).applications
    model = GrantModel(n_bootstrap=4, similar_k=3, history_columns=("provider",),
                       calibration="sigmoid", random_state=0)
    return _fit(model, sim), sim


def test_skops_round_trip_is_exact_and_needs_no_trust(rich, tmp_path):
    model, sim = rich
    save_model(model, tmp_path / "g", training_data=sim)
    assert not (tmp_path / "g" / "model.joblib").exists()
    info = inspect_model(tmp_path / "g")
    assert info["format"] == "skops" and info["untrusted_types"] == [] and info["sha256_ok"]
    assert "kompred.modeling.grant.GrantModel" in info["types"]
    back = load_model(tmp_path / "g", expected=GrantModel)
    pd.testing.assert_frame_equal(back.predict_interval(sim), model.predict_interval(sim))
    assert [[str(r) for r in rs] for rs in back.explain(sim.head(5))] == \
        [[str(r) for r in rs] for rs in model.explain(sim.head(5))]
    meta = json.loads((tmp_path / "g" / "metadata.json").read_text(encoding="utf-8"))
    assert meta["format"] == "skops" and meta["training_rows"] == 400
    assert {"kompred_version", "sklearn_version", "skops_version", "training_data_sha256"} <= set(meta)


def test_bundled_models_are_skops_and_load_without_trust():
    for name in ("grant", "topic"):
        folder = bundled_model_path(name)
        assert (folder / "model.skops").exists() and not (folder / "model.joblib").exists()
        assert inspect_model(folder)["untrusted_types"] == []
    scorer = load_scorer()
    assert scorer.grant_model is not None and scorer.topic_model is not None
    assert scorer.inputs["columns"] == {}  # trained on kompred's own column names


@pytest.fixture(scope="module")
def injected(tmp_path_factory):
    """A model folder whose grant model carries a reference to os.system."""
    apps = load_stockholm()
    model = _fit(GrantModel(n_bootstrap=2, random_state=0), apps)
    model.hook_ = os.system  # what a hostile file would name: a callable outside the list
    folder = tmp_path_factory.mktemp("injected")
    save_model(model, folder / "grant", training_data=apps)
    return folder


def test_an_injected_type_is_refused_through_the_api(injected):
    name = f"{os.system.__module__}.system"
    assert name not in TRUSTED_TYPES
    with pytest.raises(UntrustedModelError, match=name) as err:
        load_model(injected / "grant")
    assert "kompred model inspect" in str(err.value) and "--trust" in str(err.value)
    with pytest.raises(UntrustedModelError, match=name):
        load_scorer(injected)
    assert inspect_model(injected / "grant")["untrusted_types"] == [name]
    # trusting it, after reading the list, loads it (the named function is not called)
    assert load_model(injected / "grant", trusted=[name]).hook_ is os.system
    assert load_scorer(injected, trusted=True).grant_model.hook_ is os.system


def test_an_injected_type_is_refused_through_the_cli(injected, tmp_path, capsys):
    out = tmp_path / "ut.csv"
    for command in (["score", str(stockholm_path()), "--model", str(injected), "-o", str(out),
                     "--no-progress"], ["check", "--text", "Kurs i yrkessvenska", "--model",
                                        str(injected)]):
        assert main(command) == 2
        err = capsys.readouterr().err
        assert "not on kompred's trusted list" in err and "system" in err and "--trust" in err
        assert "Traceback" not in err
    assert not out.exists()
    assert main(["model", "inspect", str(injected)]) == 0
    shown = capsys.readouterr().out
    assert "NOT on kompred's trusted list: " in shown and "system" in shown
    assert main(["score", str(stockholm_path()), "--model", str(injected), "-o", str(out),
                 "--no-progress", "--reasons", "0", "--trust"]) == 0
    assert len(pd.read_csv(out, encoding="utf-8-sig")) == 73


def _old_joblib_folder(model, folder):
    """A folder as kompred 0.1 wrote it: model.joblib and its metadata."""
    import hashlib

    folder.mkdir(parents=True)
    joblib.dump(model, folder / "model.joblib", compress=3)
    digest = hashlib.sha256((folder / "model.joblib").read_bytes()).hexdigest()
    meta = {"kompred_version": "0.1.0", "model_class": "kompred.modeling.grant.GrantModel",
            "model_sha256": digest, "kind": "grant", "created": "2026-01-01T00:00:00Z"}
    import sklearn

    meta["sklearn_version"] = sklearn.__version__
    (folder / "metadata.json").write_text(json.dumps(meta), encoding="utf-8")
    return folder


def test_an_old_joblib_folder_needs_trust_and_converts(rich, tmp_path, capsys):
    model, sim = rich
    folder = _old_joblib_folder(model, tmp_path / "m" / "grant")
    with pytest.raises(UntrustedModelError, match="kompred model convert"):
        load_model(folder)
    with pytest.warns(KompredWarning, match="old joblib"):
        assert isinstance(load_model(folder, trusted=True), GrantModel)
    assert main(["model", "convert", str(tmp_path / "m")]) == 2
    assert "--trust" in capsys.readouterr().err
    assert main(["model", "convert", str(tmp_path / "m"), "--trust"]) == 0
    assert (folder / "model.skops").exists() and not (folder / "model.joblib").exists()
    back = load_model(folder)  # now without any trust
    np.testing.assert_array_equal(back.predict_proba(sim), model.predict_proba(sim))
    meta = json.loads((folder / "metadata.json").read_text(encoding="utf-8"))
    assert meta["kind"] == "grant" and meta["converted_from"]["format"] == "joblib"
    with pytest.raises(Exception, match="no model.joblib"):
        convert_model(folder, trusted=True)


def test_a_changed_file_and_another_version_are_caught(rich, tmp_path):
    model, _ = rich
    folder = save_model(model, tmp_path / "g")
    meta_path = folder / "metadata.json"
    meta = json.loads(meta_path.read_text(encoding="utf-8"))
    meta_path.write_text(json.dumps({**meta, "kompred_version": "0.0.1"}), encoding="utf-8")
    with pytest.warns(KompredWarning, match="kompred 0.0.1"):
        load_model(folder)
    copy = tmp_path / "h"
    shutil.copytree(folder, copy)
    with open(copy / "model.skops", "ab") as fh:
        fh.write(b"\0")
    with pytest.raises(ModelError, match="does not match the checksum"):
        load_model(copy)
    (copy / "model.skops").write_bytes(b"not a zip")
    meta_path = copy / "metadata.json"
    meta_path.write_text(json.dumps({**meta, "model_sha256": None}), encoding="utf-8")
    with pytest.raises(ModelError, match="not a readable skops model file"):
        load_model(copy)


# ------------------------------------------------------------------ compact layout (issue 13: load time)
def _schema(folder) -> dict:
    import zipfile

    with zipfile.ZipFile(folder / "model.skops") as zf:
        return json.loads(zf.read("schema.json"))


def _nodes(node) -> int:
    """Nodes skops builds and audits on load (every dict with a __loader__)."""
    if isinstance(node, dict):
        return ("__loader__" in node) + sum(_nodes(v) for v in node.values())
    if isinstance(node, list):
        return sum(_nodes(v) for v in node)
    return 0


@pytest.fixture
def old_layout():
    """save_model as kompred wrote files before the compact layout (nothing packed)."""
    import kompred._compact as compact

    def write(model, folder, **kw):
        with pytest.MonkeyPatch.context() as mp:
            mp.setattr(compact, "pack_strings", lambda values: values)
            mp.setattr(compact, "pack_vectorizer", lambda vectorizer: vectorizer)
            return save_model(model, folder, **kw)

    return write


def test_pack_strings_is_exact_or_not_done():
    from kompred._compact import pack_strings

    packed = pack_strings(["a", "bå", "c d"])
    assert packed.dtype.kind == "U" and packed.tolist() == ["a", "bå", "c d"]
    assert pack_strings(np.array(["x", "y"], dtype=object)).dtype.kind == "U"
    for kept in (["a\0", "b"], ["a", 1], [], ["a", None], "text", {"a": 1}):
        assert pack_strings(kept) is kept  # NumPy would drop the NUL; not all str; nothing to pack


def test_packing_a_vectorizer_leaves_the_fitted_one_alone():
    from sklearn.feature_extraction.text import TfidfVectorizer

    from kompred._compact import pack_vectorizer, unpack_vectorizer

    vec = TfidfVectorizer(analyzer="char_wb", ngram_range=(2, 3)).fit(["kurs i svenska", "HLR-kurs"])
    vocabulary = dict(vec.vocabulary_)
    packed = pack_vectorizer(vec)
    assert vec.vocabulary_ == vocabulary and packed is not vec and not hasattr(packed, "vocabulary_")
    assert unpack_vectorizer(packed).vocabulary_ == vocabulary
    np.testing.assert_array_equal(packed.transform(["kurs"]).toarray(), vec.transform(["kurs"]).toarray())


def test_compact_files_hold_the_same_models_in_far_fewer_nodes(rich, tmp_path, old_layout):
    import pickle

    model, sim = rich
    topic = load_model(bundled_model_path("topic"))
    texts = sim["description"].head(40).tolist()
    for name, m in (("grant", model), ("topic", topic)):
        old_layout(m, tmp_path / "old" / name)
        save_model(m, tmp_path / "new" / name)
        old, new = _nodes(_schema(tmp_path / "old" / name)), _nodes(_schema(tmp_path / "new" / name))
        assert new * 10 < old, (name, old, new)  # thousands of strings -> one array each
        for folder in (tmp_path / "old" / name, tmp_path / "new" / name):  # both layouts load
            back = load_model(folder)
            if name == "grant":
                pd.testing.assert_frame_equal(back.predict_interval(sim), m.predict_interval(sim))
                f, g = back.featurizer_, m.featurizer_
                assert f.feature_names_out_.dtype == object
                np.testing.assert_array_equal(f.feature_names_out_, g.feature_names_out_)
                pd.testing.assert_frame_equal(f.feature_map_, g.feature_map_)
                assert f.text_.vectorizer_.vocabulary_ == g.text_.vectorizer_.vocabulary_
            else:
                np.testing.assert_array_equal(back.predict_proba(texts), m.predict_proba(texts))
                assert [v.vocabulary_ for v in back.vectorizers_] == [v.vocabulary_ for v in m.vectorizers_]
    # pickle (and so copy and joblib) take the same path and give the same model back
    again = pickle.loads(pickle.dumps(topic))
    np.testing.assert_array_equal(again.predict_proba(texts), topic.predict_proba(texts))
    assert all(isinstance(v.vocabulary_, dict) for v in topic.vectorizers_)  # the original untouched


def test_rewrite_model_keeps_the_metadata_and_the_trust_rules(rich, tmp_path, old_layout, injected,
                                                              capsys):
    from kompred.modeling.persist import rewrite_model

    model, sim = rich
    folder = old_layout(model, tmp_path / "m" / "grant", training_data=sim, extra={"kind": "grant"})
    before = json.loads((folder / "metadata.json").read_text(encoding="utf-8"))
    nodes = _nodes(_schema(folder))
    assert main(["model", "convert", str(tmp_path / "m")]) == 0
    assert "rewritten" in capsys.readouterr().out
    meta = json.loads((folder / "metadata.json").read_text(encoding="utf-8"))
    assert meta["training_data_sha256"] == before["training_data_sha256"] and meta["kind"] == "grant"
    assert meta["rewritten_from"]["model_sha256"] == before["model_sha256"] != meta["model_sha256"]
    assert inspect_model(folder)["sha256_ok"] and _nodes(_schema(folder)) * 10 < nodes
    pd.testing.assert_frame_equal(load_model(folder).predict_interval(sim), model.predict_interval(sim))
    # a file with a type outside the list is not loaded to be rewritten, unless trusted
    with pytest.raises(UntrustedModelError, match="system"):
        rewrite_model(injected / "grant")
    with pytest.raises(InputFileError, match="no model.skops"):
        rewrite_model(tmp_path / "nowhere")


def test_bundled_grant_model_is_in_the_compact_layout():
    # the shipped file loads without the per-string walk (issue 13: default models <= 0.5 s)
    assert _nodes(_schema(bundled_model_path("grant"))) < 2000
