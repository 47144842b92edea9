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

from kompred import GrantModel, KompredWarning, ModelError, SmallDataWarning, UntrustedModelError
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
