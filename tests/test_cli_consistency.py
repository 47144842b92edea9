"""`kompred consistency` and `kompred handlers` on the bundled data."""

from __future__ import annotations

import json

import pandas as pd
import pytest

from kompred.cli import main
from kompred.datasets import load_stockholm, stockholm_path


def test_consistency_top_ten_has_the_seeds_two_divergent_insats_types(tmp_path, capsys):
    out = tmp_path / "pairs.csv"
    assert main(["consistency", str(stockholm_path()), "-o", str(out), "--groups",
                 str(tmp_path / "groups.csv"), "--plot", str(tmp_path / "p.png")]) == 0
    pairs = pd.read_csv(out, encoding="utf-8-sig").head(10)
    text = load_stockholm().set_index("id")
    words = (text["title"] + " " + text["description"]).str.lower()

    def kinds(row):
        both = words[row.id_a] + " " + words[row.id_b]
        return {"demens" if "demens" in both else None, "lågaffektiv" if "lågaffektiv" in both else None}

    found = set().union(*(kinds(r) for r in pairs.itertuples())) - {None}
    assert found == {"demens", "lågaffektiv"}
    assert (pairs["decision_a"] != pairs["decision_b"]).all()
    assert (tmp_path / "p.png").stat().st_size > 0
    assert "par med olika beslut" in capsys.readouterr().out


def test_handlers_json_keys_and_honest_answer(tmp_path):
    out = tmp_path / "h.json"
    assert main(["handlers", str(stockholm_path()), "--json", str(out), "--permutations", "500",
                 "--plot", str(tmp_path / "f.png")]) == 0
    doc = json.loads(out.read_text(encoding="utf-8"))
    assert {"handler_sd", "ci_low", "ci_high", "p_value", "flip_rate", "enough_data"} <= set(doc)
    assert doc["enough_data"] is False  # 73 decisions over 7 handlers cannot settle it
    assert doc["ci_low"] < doc["handler_sd"] < doc["ci_high"]
    assert "period_effect" in doc


def test_handlers_without_handler_column(tmp_path, capsys):
    src = tmp_path / "utan.csv"
    load_stockholm().drop(columns=["handler"]).to_csv(src, index=False)
    out = tmp_path / "h.json"
    assert main(["handlers", str(src), "--json", str(out)]) == 0
    doc = json.loads(out.read_text(encoding="utf-8"))
    assert doc["enough_data"] is False and "inconsistency_index" in doc
    printed = capsys.readouterr().out
    assert "| Andel med olika beslut |" in printed and "{'observed_split'" not in printed


def test_consistency_on_a_table_with_one_text_column_and_years(tmp_path, capsys):
    # a non-canonical table: one free-text column, a year instead of a date, no title
    apps = load_stockholm()
    src = tmp_path / "annan.csv"
    pd.DataFrame({"Nr": apps["id"], "Vad": apps["description"], "Utfall": apps["decision"],
                  "År": apps["submitted"].dt.year}).to_csv(src, index=False, sep=";")
    pairs = tmp_path / "par.csv"
    assert main(["consistency", str(src), "-o", str(pairs), "--text-column", "Vad",
                 "--decision-column", "Utfall", "--id-column", "Nr", "--date-column", "År"]) == 0
    got = pd.read_csv(pairs, encoding="utf-8-sig")
    assert len(got) >= 1 and set(got["decision_a"]) | set(got["decision_b"]) <= {"beviljad", "avslag"}
    assert main(["handlers", str(src), "--text-column", "Vad", "--decision-column", "Utfall",
                 "--id-column", "Nr", "--date-column", "År"]) == 0
    printed = capsys.readouterr().out
    # the year 2022 straddles 2022-10-01: those rows are counted out of the period comparison
    n_2022 = int((apps["submitted"].dt.year == 2022).sum())
    assert f"{n_2022} ansökningar är inte med" in printed


def test_pairs_file_is_the_same_with_and_without_the_plot(tmp_path):
    plain, with_plot = tmp_path / "a.csv", tmp_path / "b.csv"
    assert main(["consistency", str(stockholm_path()), "-o", str(plain), "--no-progress"]) == 0
    assert main(["consistency", str(stockholm_path()), "-o", str(with_plot), "--no-progress",
                 "--plot", str(tmp_path / "p.png")]) == 0
    pd.testing.assert_frame_equal(pd.read_csv(plain, encoding="utf-8-sig"),
                                  pd.read_csv(with_plot, encoding="utf-8-sig"))


def test_an_unexpected_error_is_one_line_unless_debug(monkeypatch, capsys):
    # a bug (not bad input) gets a one-line message and exit 3; --debug shows the traceback
    import kompred.cli._report as report_cli
    from kompred.cli import main

    def boom(args):
        raise RuntimeError("something broke")

    monkeypatch.setattr(report_cli, "run", boom)
    monkeypatch.setattr(report_cli, "add_parser", _with_func(report_cli.add_parser, boom))
    assert main(["report", "x.csv"]) == 3
    err = capsys.readouterr().err
    assert "unexpected error (RuntimeError): something broke" in err and "--debug" in err
    assert "Traceback" not in err
    with pytest.raises(RuntimeError, match="something broke"):
        main(["report", "x.csv", "--debug"])


def _with_func(add_parser, func):
    def wrapped(sub):
        add_parser(sub)
        sub.choices["report"].set_defaults(func=func)
    return wrapped
