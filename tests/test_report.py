"""The seed's tables rebuilt from records: `kompred report`."""

from __future__ import annotations

import json

import pandas as pd
import pytest

from kompred.cli import main
from kompred.datasets import load_stockholm, stockholm_path
from kompred.report import seed_tables, write_report


def test_report_json_matches_seed_facts(tmp_path, seed_facts_path, capsys):
    out = tmp_path / "out.json"
    assert main(["report", str(stockholm_path()), "--json", str(out), "-o", str(tmp_path / "r")]) == 0
    got = json.loads(out.read_text(encoding="utf-8"))
    facts = json.loads(seed_facts_path.read_text(encoding="utf-8"))
    table = facts["applications_per_unit_and_year"]
    years = table["columns"][:3]
    expected = {unit: dict(zip(years, row[:3], strict=True)) for unit, row in table["rows"].items()}
    assert got["applications_per_unit_and_year"] == expected
    assert got["topic_counts_granted"] == facts["topics_of_insatser"]["counts"]
    assert got["decisions"] == {"beviljad": facts["decisions"]["inferred_granted"],
                                "avslag": facts["decisions"]["rejected"]}
    # the year columns add up to the printed totals, Kungsholmen's row to 12 (not the printed 13)
    for i, y in enumerate(years):
        assert sum(u[y] for u in got["applications_per_unit_and_year"].values()) == table["totals_printed"][i]
    assert sum(got["applications_per_unit_and_year"]["Kungsholmens sdf"].values()) == 12
    assert any("Kungsholmens sdf" in d for d in got["discrepancies_with_published_report"])
    printed = capsys.readouterr().out
    assert "Kungsholmens sdf" in printed and "syntetiska" in printed


def test_report_folder_contents(tmp_path):
    folder = write_report(load_stockholm(), tmp_path / "rapport")
    names = {p.name for p in folder.iterdir()}
    assert {"rapport.md", "rapport.html", "tables.json", "ansokningar_per_forvaltning.png",
            "beslut_per_ar.png", "amnen_beviljade.png"} <= names
    html = (folder / "rapport.html").read_text(encoding="utf-8")
    assert "<table>" in html and "Kungsholmens sdf" in html


def test_seed_tables_on_a_small_table():
    apps = pd.DataFrame({
        "unit": ["A", "A", "B", None],
        "submitted": pd.to_datetime(["2021-01-01", "2022-05-01", "2021-06-01", "2022-01-01"]),
        "decision": ["beviljad", "avslag", "beviljad", "okänd"],
        "topic": ["språk", "språk", "äldre", None],
        "cost_sek": [100.0, 50.0, 300.0, 10.0],
        "participants": pd.array([10, 5, 0, 1], dtype="Int64"),
    })
    t = seed_tables(apps)
    assert t.per_unit_year.loc["A"].tolist() == [1, 1, 2]
    assert t.per_unit_year.loc["(okänd förvaltning)"].tolist() == [0, 1, 1]
    assert t.decisions == {"beviljad": 2, "avslag": 1, "okänd": 1}
    assert t.topic_counts_granted == {"språk": 1, "äldre": 1}
    assert t.costs.loc["beviljad", "cost_sum"] == 400.0
    assert t.costs.loc["beviljad", "cost_per_participant_median"] == 10.0  # 0 participants ignored
    assert t.discrepancies == ()


def test_report_needs_dates(tmp_path):
    path = tmp_path / "x.csv"
    path.write_text("Beskrivning;Beslut\nx;beviljad\n", encoding="utf-8")
    assert main(["report", str(path), "-o", str(tmp_path / "r")]) == 2


@pytest.mark.parametrize("argv", [["--version"], ["--help"]])
def test_cli_version_and_help(argv, capsys):
    with pytest.raises(SystemExit) as info:
        main(argv)
    assert info.value.code == 0
    out = capsys.readouterr().out
    assert "kompred" in out
    if argv == ["--help"]:
        assert "report" in out


def test_design_power_plot_draws_one_curve_per_design_and_the_data():
    from kompred.consistency import handler_effect
    from kompred.datasets import load_stockholm
    from kompred.report._consistency import design_power_plot

    fig = design_power_plot((5, 10), decisions_per_handler=(10, 50))
    ax = fig.axes[0]
    curves = [line for line in ax.lines if line.get_marker() == "o"]
    assert len(curves) == 2
    five, ten = (line.get_ydata() for line in curves)
    assert five[0] < five[1] and ten[0] < ten[1] and five[1] < ten[1]
    he = handler_effect(load_stockholm(), n_permutations=99)
    fig = design_power_plot((7,), decisions_per_handler=(10, 20), observed=he)
    star = [line for line in fig.axes[0].lines if line.get_marker() == "*"]
    assert len(star) == 1 and star[0].get_ydata()[0] == pytest.approx(he.design_power)


def test_swedish_sentences_write_decimal_commas_english_points():
    """Swedish readers write 0,034 and 12 %: every number in a Swedish sentence follows that."""
    import re

    import kompred

    corpus = kompred.prepare(load_stockholm())
    results = [kompred.handler_effect(corpus), kompred.period_effect(corpus),
               kompred.inconsistency_index(corpus, min_similarity=0.3)]
    decimal_point = re.compile(r"\d\.\d")
    for r in results:
        sv, en = r.explain("sv"), r.explain("en")
        assert not decimal_point.search(sv), sv
        assert not re.search(r"\d%", sv), sv  # "12 %", not "12%"
        assert not re.search(r"\d,\d", en), en
    # the handler sentence carries numbers at all, so the check above is not vacuous
    sv = results[0].explain("sv")
    assert re.search(r"\d,\d", sv) and decimal_point.search(results[0].explain("en"))


def test_summary_writes_counts_with_swedish_thousands():
    from kompred.report._seed import format_summary

    n = 1234 + 5
    apps = pd.DataFrame({
        "unit": ["A"] * n,
        "submitted": pd.to_datetime(["2021-01-01"] * n),
        "decision": ["beviljad"] * 1234 + ["avslag"] * 5,
        "topic": ["språk"] * n,
    })
    text = format_summary(seed_tables(apps))
    assert "Beslut: beviljad 1 234, avslag 5" in text
    assert "språk 1 234 (summa 1 234)" in text


def test_report_says_its_steps_on_stderr_unless_asked_not_to(tmp_path, capsys):
    assert main(["report", str(stockholm_path()), "-o", str(tmp_path / "a")]) == 0
    captured = capsys.readouterr()
    steps = [line.split("] ", 1)[1] for line in captured.err.splitlines()]
    assert steps[0] == "ämnen: 73 texter" and "handläggareffekt" in steps
    assert "periodeffekt" in steps and "innehållsmodell" in " ".join(steps)
    assert "] " not in captured.out  # no progress line among the summary on stdout
    assert main(["report", str(stockholm_path()), "-o", str(tmp_path / "b"), "--no-progress"]) == 0
    assert capsys.readouterr().err == ""
