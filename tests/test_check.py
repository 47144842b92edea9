"""The pre-submission check: API, formats and the CLI's promise on personnummer."""

from __future__ import annotations

import json
import warnings

import pytest

from kompred import SmallDataWarning, ValidationError
from kompred.check import check_application
from kompred.cli import main
from kompred.datasets import stockholm_path
from kompred.report._check import check_to_html, check_to_json, check_to_markdown, check_to_terminal
from kompred.scoring import load_scorer

PNR = "811218-9876"
DRAFT = ("Vi vill bjuda in en föreläsare en eftermiddag om palliativ vård för personalen på vårt "
         f"äldreboende. Kontaktperson {PNR}. Kostnad 40 000 kr, ca 60 deltagare.")


@pytest.fixture(scope="module")
def model_dir(tmp_path_factory):
    out = tmp_path_factory.mktemp("modell")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", SmallDataWarning)
        assert main(["train", str(stockholm_path()), "--out", str(out)]) == 0
    return out


@pytest.fixture(scope="module")
def result(model_dir):
    return check_application(DRAFT, scorer=load_scorer(model_dir, trusted=True))


def test_lecture_and_personnummer_warned(result):
    codes = {w["code"] for w in result.warnings}
    assert {"one_off_lecture", "personnummer"} <= codes
    assert result.topic == "äldre"
    assert 0 <= result.grant_low <= result.grant_probability <= result.grant_high <= 1
    assert len(result.similar) == 5
    assert result.similar[0].title.lower().startswith("föreläsning om palliativ vård")


def test_no_personnummer_and_no_handler_in_any_output(result):
    outputs = [check_to_terminal(result), check_to_terminal(result, color=False), check_to_markdown(result),
               check_to_html(result), check_to_json(result), repr(result)]
    for text in outputs:
        assert PNR not in text and PNR.replace("-", "") not in text
        assert "H0" not in text and "handler" not in text.lower()


def test_json_document_keys(result):
    doc = json.loads(check_to_json(result))
    assert {"topic", "grant_probability", "similar", "warnings"} <= set(doc)
    assert isinstance(doc["similar"], list) and isinstance(doc["warnings"], list)
    assert all(set(w) == {"code", "message"} for w in doc["warnings"])


def test_cli_check_json(tmp_path, model_dir, capsys):
    out = tmp_path / "out.json"
    assert main(["check", "--text", DRAFT, "--json", str(out), "--model", str(model_dir), "--no-color"]) == 0
    printed = capsys.readouterr().out
    doc = json.loads(out.read_text(encoding="utf-8"))
    assert {"one_off_lecture", "personnummer"} <= {w["code"] for w in doc["warnings"]}
    assert PNR not in printed and PNR not in out.read_text(encoding="utf-8")


def test_cli_check_pauses_the_collector_only_while_it_runs(tmp_path, model_dir, monkeypatch):
    import contextlib
    import gc

    from kompred.cli import _common

    seen = []
    real = _common.collector_paused

    @contextlib.contextmanager
    def spy():
        with real():
            seen.append(gc.isenabled())
            yield

    monkeypatch.setattr("kompred.cli._check.collector_paused", spy)
    assert gc.isenabled()
    assert main(["check", "--text", DRAFT, "--model", str(model_dir), "--no-color"]) == 0
    assert seen == [False] and gc.isenabled()
    gc.disable()  # a caller that had it off keeps it off
    try:
        with real():
            assert not gc.isenabled()
        assert not gc.isenabled()
    finally:
        gc.enable()


def test_the_console_script_runs_a_check_in_a_new_process(tmp_path):
    import subprocess
    import sys

    out = tmp_path / "out.json"
    done = subprocess.run([sys.executable, "-m", "kompred.cli", "check", "--text", DRAFT, "--json",
                           str(out), "--no-color"], capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    assert PNR not in done.stdout and json.loads(out.read_text(encoding="utf-8"))["topic"]


def test_text_file_and_one_row_table(tmp_path, model_dir):
    scorer = load_scorer(model_dir, trusted=True)
    txt = tmp_path / "utkast.txt"
    txt.write_text("Yrkessvenska för undersköterskor, 20 deltagare, tio veckor via Komvux.", encoding="utf-8")
    assert check_application(application=txt, scorer=scorer).topic == "språk"
    table = tmp_path / "rad.csv"
    table.write_text("Rubrik;Beskrivning;Kostnad (kr);Antal deltagare\nBarnskötare;Barnskötarutbildning "
                     "för 12 outbildade barnskötare;600 000;12\n", encoding="utf-8")
    r = check_application(application=table, scorer=scorer)
    assert r.topic == "yrkesutbildning" and r.title == "Barnskötare"
    two = tmp_path / "tva.csv"
    two.write_text("Beskrivning\na\nb\n", encoding="utf-8")
    with pytest.raises(ValidationError, match="one application"):
        check_application(application=two, scorer=scorer)


def test_needs_input():
    with pytest.raises(ValidationError, match="needs a text"):
        check_application()


def test_similar_applications_without_titles_show_their_text_redacted():
    import pandas as pd

    from kompred.scoring import Scorer

    reference = pd.DataFrame({
        "id": ["R1", "R2", "R3"],
        "description": [f"Föreläsning om palliativ vård för äldreboendets personal, kontakt {PNR}",
                        "Yrkessvenska för undersköterskor", "Truckkort för vaktmästare"],
        "decision": ["avslag", "beviljad", "beviljad"],
    })
    result = check_application(DRAFT, scorer=Scorer(reference=reference))
    top = result.similar[0]
    assert top.id == "R1" and top.title.startswith("Föreläsning om palliativ vård")
    assert PNR not in top.title and PNR not in check_to_json(result)
