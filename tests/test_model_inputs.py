"""A trained model remembers its column mapping and input schema, as a user meets it on the CLI.

The training file uses its own headers (none of them kompred's names or aliases) and has no
agreement column, so the agreement must be derived from the mapped date: scored without the
mapping, the date and the agreement would be read as missing and the probabilities would move.
"""

from __future__ import annotations

import json
import subprocess
import sys
import warnings

import pandas as pd
import pytest

from kompred import SchemaError, SmallDataWarning
from kompred.cli import main
from kompred.datasets import stockholm_path
from kompred.scoring import load_scorer, score_file

OWN_HEADERS = {"id": "Ref", "description": "Vad_ska_goras", "decision": "Utslag",
               "submitted": "Lämnad"}
MAPPING = ["--id-column", "Ref", "--text-column", "Vad_ska_goras", "--decision-column", "Utslag",
           "--date-column", "Lämnad"]


def _own_layout() -> pd.DataFrame:
    raw = pd.read_csv(stockholm_path(), dtype=str, keep_default_na=False)
    raw = raw.drop(columns=["agreement", "topic", "handler", "decision_date", "granted_sek"])
    return raw.rename(columns=OWN_HEADERS)


@pytest.fixture(scope="module")
def trained(tmp_path_factory):
    root = tmp_path_factory.mktemp("inputs")
    raw = _own_layout()
    train_csv, new_csv = root / "2021_2023.csv", root / "nya.csv"
    raw.to_csv(train_csv, index=False, sep=";")
    # "next year's file": the same layout, other rows (the 2023 ones, ids changed), as XLSX
    new = raw[raw["Lämnad"].str.startswith("2023")].copy()
    new["Ref"] = new["Ref"].str.replace("STH", "NY", regex=False)
    new.to_excel(new_csv.with_suffix(".xlsx"), index=False)
    model = root / "modell"
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", SmallDataWarning)  # 73 decisions: expected
        assert main(["train", str(train_csv), "--out", str(model), *MAPPING]) == 0
    return root, model, new_csv.with_suffix(".xlsx"), len(new)


def _score_cli(*args: str) -> subprocess.CompletedProcess:
    # a separate process, as a user's second command is: nothing survives from training
    return subprocess.run([sys.executable, "-m", "kompred.cli", "score", *args, "--no-progress",
                           "--reasons", "0"], capture_output=True, text=True, timeout=600)


def test_model_metadata_holds_mapping_schema_and_period(trained):
    _, model, _, _ = trained
    meta = json.loads((model / "grant" / "metadata.json").read_text(encoding="utf-8"))
    inputs = meta["inputs"]
    assert inputs["columns"] == {"Ref": "id", "Vad_ska_goras": "description", "Utslag": "decision",
                                 "Lämnad": "submitted"}
    by_name = {i["name"]: i for i in inputs["inputs"]}
    assert by_name["submitted"]["kind"] == "date" and by_name["submitted"]["role"] is not None
    assert by_name["agreement"]["role"] == "categorical"  # derived from the mapped date
    assert by_name["cost_sek"]["missing_share"] == 0.0
    dates = _own_layout()["Lämnad"]
    assert inputs["period"] == {"first": dates.min(), "last": dates.max()}


def test_score_without_options_uses_the_stored_mapping(trained):
    root, model, new, n = trained
    plain, repeated = root / "utan.csv", root / "med.csv"
    done = _score_cli(str(new), "--model", str(model), "-o", str(plain))
    assert done.returncode == 0, done.stderr
    assert "Traceback" not in done.stderr and "VARNING" not in done.stderr
    assert main(["score", str(new), "--model", str(model), "-o", str(repeated), "--no-progress",
                 "--reasons", "0", "--id-column", "Ref", "--text-column", "Vad_ska_goras",
                 "--date-column", "Lämnad"]) == 0
    a = pd.read_csv(plain, encoding="utf-8-sig")
    b = pd.read_csv(repeated, encoding="utf-8-sig")
    assert len(a) == len(b) == n
    assert a["status"].str.startswith("ok").all()
    pd.testing.assert_series_equal(a["grant_probability"], b["grant_probability"])
    # and the stored date mapping matters: without it the date (so the agreement) is lost
    scorer = load_scorer(model)
    scorer.inputs = None
    lost = score_file(new, root / "utan_mappning.csv", scorer=scorer, reasons=0,
                      columns={"Vad_ska_goras": "description", "Ref": "id"})
    c = pd.read_csv(root / "utan_mappning.csv", encoding="utf-8-sig")
    assert (c["grant_probability"] - a["grant_probability"]).abs().max() > 0.01
    assert any("not in the table" in n for n in lost.notes)


def test_a_renamed_mapped_column_is_a_clear_error(trained):
    root, model, new, n = trained
    renamed = root / "omdöpt.xlsx"
    pd.read_excel(new).rename(columns={"Lämnad": "Lämnad datum"}).to_excel(renamed, index=False)
    done = _score_cli(str(renamed), "--model", str(model), "-o", str(root / "x.csv"))
    assert done.returncode == 2 and "Traceback" not in done.stderr
    err = done.stderr
    assert str(renamed) in err and "'Lämnad'" in err and "'submitted'" in err
    assert "did you mean 'Lämnad datum'" in err and "--date-column" in err
    assert not (root / "x.csv").exists()
    # the option given at scoring overrides the stored mapping
    out = root / "ok.csv"
    assert main(["score", str(renamed), "--model", str(model), "-o", str(out), "--no-progress",
                 "--reasons", "0", "--date-column", "Lämnad datum"]) == 0
    assert len(pd.read_csv(out, encoding="utf-8-sig")) == n


def test_a_dropped_input_is_named_loudly_and_strict_fails(trained, capsys):
    root, model, new, n = trained
    dropped = root / "utan_form.xlsx"
    pd.read_excel(new).drop(columns=["insats_form"]).to_excel(dropped, index=False)
    out = root / "utan_form.csv"
    assert main(["score", str(dropped), "--model", str(model), "-o", str(out), "--no-progress",
                 "--reasons", "0"]) == 0
    err = capsys.readouterr().err
    assert "VARNING: input 'insats_form' (category) is not in the table" in err
    assert "'saknas'" in err and "cost_sek" not in err  # only the missing input is named
    assert len(pd.read_csv(out, encoding="utf-8-sig")) == n
    out.unlink()
    assert main(["score", str(dropped), "--model", str(model), "-o", str(out), "--no-progress",
                 "--strict"]) == 2
    assert "insats_form" in capsys.readouterr().err and not out.exists()


def test_an_input_missing_far_more_often_than_in_training_is_reported(trained):
    root, model, new, n = trained
    blanked = root / "tomma_kostnader.xlsx"
    frame = pd.read_excel(new)
    half = len(frame) // 2
    frame.loc[frame.index[:half], "cost_sek"] = None
    frame.to_excel(blanked, index=False)
    summary = score_file(blanked, root / "tk.csv", scorer=load_scorer(model), reasons=0)
    assert len(summary.missing_inputs) == 1
    assert summary.missing_inputs[0].startswith(
        f"input 'cost_sek' (float) is missing in {half / n:.0%} of the rows: in training it was "
        "missing in 0%; filled with the training mean")
    with pytest.raises(SchemaError, match="cost_sek"):
        score_file(blanked, root / "tk2.csv", scorer=load_scorer(model), reasons=0, strict=True)
    assert not (root / "tk2.csv").exists()


def test_check_reads_a_draft_in_the_models_layout_without_options(trained, tmp_path):
    # the HR officer's draft comes in the same spreadsheet layout the model was trained on
    _, model, _, _ = trained
    draft = tmp_path / "utkast.csv"
    pd.DataFrame({"Ref": ["U-1"], "Vad_ska_goras": [
        "Utbildning i lågaffektivt bemötande för 20 undersköterskor i hemtjänsten."],
        "Lämnad": ["2022-10-03"]}).to_csv(draft, index=False)
    done = subprocess.run([sys.executable, "-m", "kompred.cli", "check", str(draft), "--model",
                           str(model), "--json", str(tmp_path / "svar.json"), "--no-color"],
                          capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr
    answer = json.loads((tmp_path / "svar.json").read_text(encoding="utf-8"))
    assert "lågaffektivt bemötande" in answer["text"]
    assert answer["agreement"] == "KOM-KR-2022"  # the mapped date was read
    assert answer["grant_probability"] is not None
