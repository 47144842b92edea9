"""Batch scoring: every row back in order, status column, formats, chunking, redaction."""

from __future__ import annotations

import re
import warnings

import numpy as np
import pandas as pd
import pytest

from kompred import (
    DataQualityWarning,
    InputFileError,
    SmallDataWarning,
    UntrustedModelError,
    ValidationError,
)
from kompred.cli import main
from kompred.datasets import load_stockholm, stockholm_path
from kompred.scoring import SCORE_COLUMNS, load_scorer, score_applications, score_file

PNR = "811218-9876"  # a valid test number (date and Luhn checksum)


@pytest.fixture(scope="module")
def model_dir(tmp_path_factory):
    out = tmp_path_factory.mktemp("modell")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", SmallDataWarning)  # 73 decisions: the warning is expected
        assert main(["train", str(stockholm_path()), "--out", str(out)]) == 0
    return out


@pytest.fixture(scope="module")
def scorer(model_dir):
    return load_scorer(model_dir, trusted=True)


def test_train_writes_model_folder(model_dir):
    names = {p.name for p in model_dir.iterdir()}
    assert {"grant", "topic", "reference.csv"} <= names
    ref = pd.read_csv(model_dir / "reference.csv")
    assert len(ref) == 73 and "handler" not in ref.columns  # no handler names leave training


def test_a_trained_folder_loads_without_trust_but_not_with_a_foreign_type(model_dir, tmp_path):
    import shutil

    assert load_scorer(model_dir).grant_model is not None  # kompred's own types only
    # a folder whose file names a type outside the list (here: written into its schema by hand)
    import json
    import zipfile

    folder = tmp_path / "m"
    shutil.copytree(model_dir, folder)
    path = folder / "grant" / "model.skops"
    with zipfile.ZipFile(path) as zf:
        files = {n: zf.read(n) for n in zf.namelist()}
    schema = json.loads(files["schema.json"])
    schema["__module__"], schema["__class__"] = "subprocess", "Popen"
    files["schema.json"] = json.dumps(schema).encode()
    with zipfile.ZipFile(path, "w") as zf:
        for n, data in files.items():
            zf.writestr(n, data)
    meta = json.loads((folder / "grant" / "metadata.json").read_text(encoding="utf-8"))
    meta["model_sha256"] = None  # an attacker rewrites the checksum too
    (folder / "grant" / "metadata.json").write_text(json.dumps(meta), encoding="utf-8")
    with pytest.raises(UntrustedModelError, match="subprocess.Popen"):
        load_scorer(folder)


def test_score_applications_adds_columns_to_every_row(scorer):
    apps = load_stockholm().head(10)
    out = score_applications(apps, scorer)
    assert list(out.index) == list(apps.index)
    for col in SCORE_COLUMNS:
        assert col in out.columns
    assert out["topic_label"].tolist() == apps["topic"].tolist()  # the hand label is kept aside
    p, lo, hi = out["grant_probability"], out["grant_low"], out["grant_high"]
    assert ((lo <= p) & (p <= hi) & (lo >= 0) & (hi <= 1)).all()
    assert (out["grant_reasons"].str.len() > 0).all()
    # the reference holds these very applications: none is listed as similar to itself
    assert not any(i in s.split(";") for s, i in zip(out["similar_ids"], apps["id"], strict=True))
    assert (out["similar_ids"].str.len() > 0).any()
    assert (out["status"] == "ok").all()


def test_empty_text_and_personnummer(scorer):
    apps = pd.DataFrame({"id": ["a", "b", "c"], "description": [
        "Yrkessvenska för undersköterskor, 20 deltagare, Komvux", "   ",
        f"Barnskötarutbildning för Kim {PNR} och kollegor"]})
    from kompred.io import validate_applications

    out = score_applications(validate_applications(apps), scorer)
    assert out["status"].tolist() == ["ok", "ej bedömd: tom text", "ok; personnummer maskerat"]
    assert np.isnan(out["grant_probability"].iloc[1]) and out["topic"].iloc[1] == "osäker"
    assert PNR not in out.to_csv()


@pytest.mark.parametrize("suffix", [".csv", ".xlsx", ".parquet"])
def test_score_file_formats_keep_every_row(tmp_path, scorer, suffix):
    raw = pd.DataFrame({
        "Ärende": [f"N-{i}" for i in range(7)],
        "Beskrivning": ["Lågaffektivt bemötande för personal på LSS-boende", "",
                        "=HYPERLINK(\"http://x\")", "Föreläsning om palliativ vård en eftermiddag",
                        "Yrkessvenska för usk", "Digital mognad i hemtjänsten", "Fotvård för usk"],
        "Kostnad (kr)": ["120 000", "5000", "10", "tjugo", "80000", "", "30000"],
        "Antal deltagare": ["12", "", "1", "60", "10", "", "8"],
    })
    src = tmp_path / f"in{suffix}"
    if suffix == ".csv":
        raw.to_csv(src, index=False, sep=";", encoding="cp1252")
    elif suffix == ".xlsx":
        raw.to_excel(src, index=False)
    else:
        raw.to_parquet(src, index=False)
    out_path = tmp_path / f"ut{suffix}"
    summary = score_file(src, out_path, scorer=scorer, chunksize=3)
    back = {".csv": lambda p: pd.read_csv(p, encoding="utf-8-sig", keep_default_na=False),
            ".xlsx": pd.read_excel, ".parquet": pd.read_parquet}[suffix](out_path)
    assert summary.rows == 7 and len(back) == 7
    assert back["Ärende"].tolist() == raw["Ärende"].tolist()  # same rows, same order
    assert back["status"].iloc[1] == "ej bedömd: tom text"
    assert back["status"].iloc[3].startswith("fel i raden: cost_sek: cannot read 'tjugo'")
    if suffix == ".csv":  # formula injection defused for Excel
        assert back["Beskrivning"].iloc[2].startswith("'=")
    if suffix == ".xlsx":  # (the input cell was a real formula; the output holds no formula at all)
        from openpyxl import load_workbook

        ws = load_workbook(out_path).active
        assert not any(c.data_type == "f" for row in ws.iter_rows() for c in row)
    assert summary.not_scored == (3 if suffix == ".xlsx" else 2)  # the xlsx formula cell has no text


def test_cli_score_expected_rate_lowers_every_probability(tmp_path, model_dir):
    plain, shifted = tmp_path / "plain.csv", tmp_path / "shifted.csv"
    for out, extra in ((plain, []), (shifted, ["--expected-rate", "0.3"])):
        assert main(["score", str(stockholm_path()), "--model", str(model_dir), "-o", str(out),
                     "--no-progress", "--reasons", "0", *extra]) == 0
    a = pd.read_csv(plain, encoding="utf-8-sig")["grant_probability"]
    b = pd.read_csv(shifted, encoding="utf-8-sig")["grant_probability"]
    assert len(a) == len(b) == 73
    assert (b <= a).all() and (b < a).mean() > 0.9
    # one shift on the log-odds scale for every row; probabilities are rounded to 3 decimals,
    # so compare where rounding moves the log-odds by less than 0.006
    mid = (a > 0.1) & (a < 0.9) & (b > 0.1) & (b < 0.9)
    diff = np.log(b[mid] / (1 - b[mid])) - np.log(a[mid] / (1 - a[mid]))
    assert mid.sum() >= 10 and float(diff.max() - diff.min()) < 0.03


@pytest.mark.parametrize("rate", ["1.2", "0"])
def test_load_scorer_rejects_impossible_expected_rate(model_dir, rate):
    with pytest.raises(ValidationError, match="expected_rate"):
        load_scorer(model_dir, trusted=True, expected_rate=float(rate))


def test_score_file_refuses_to_overwrite_input(tmp_path, scorer):
    src = tmp_path / "a.csv"
    pd.DataFrame({"Beskrivning": ["x"]}).to_csv(src, index=False)
    with pytest.raises(InputFileError, match="overwrite the input"):
        score_file(src, src, scorer=scorer)


def test_cli_score_with_model(tmp_path, model_dir, capsys):
    out = tmp_path / "scored.csv"
    assert main(["score", str(stockholm_path()), "--model", str(model_dir), "-o", str(out),
                 "--no-progress"]) == 0
    back = pd.read_csv(out, encoding="utf-8-sig")
    assert len(back) == 73
    for col in ("grant_probability", "grant_low", "grant_high", "grant_reasons", "topic", "topic_confidence"):
        assert back[col].notna().all(), col
    printed = capsys.readouterr().out
    assert "73 rader lästa" in printed
    # the Swedish summary writes decimal commas: the seconds and the mean probability
    assert re.search(r"\(\d+,\d s\)", printed) and re.search(r"beviljande: 0,\d\d", printed)


def test_cli_train_similar_k_gives_the_similar_decisions_reason(tmp_path):
    out = tmp_path / "m"
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", SmallDataWarning)
        assert main(["train", str(stockholm_path()), "--out", str(out), "--similar-k", "5"]) == 0
    scorer = load_scorer(out, trusted=True)
    assert scorer.grant_model.similar_k == 5
    draft = pd.DataFrame({"description": ["Lågaffektivt bemötande för personal på gruppbostäder"]})
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DataQualityWarning)  # a draft has few of the columns
        labels = [r.label for r in scorer.grant_model.explain(draft, top=50)[0]]
    assert any(label.startswith("liknar tidigare") for label in labels)
