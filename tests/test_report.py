"""The seed's tables rebuilt from records: `kompred report`."""

from __future__ import annotations

import json

import numpy as np
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


# ---------------------------------------------------------------------------------------------
# divergent groups in analyse and in the report
# ---------------------------------------------------------------------------------------------

SVETS = ("Vi vill utbilda {n} fastighetsskötare i svetsning av rostfria rör och tryckprovning "
         "av ventilationskanaler. Kursen {dur} och ges av en yrkesskola i regionen.")


def _planted(seed: int = 5) -> tuple[pd.DataFrame, list[str], list[str]]:
    """A simulated table plus two planted near-duplicate groups with split decisions.

    The first: five versions of a text unlike any the simulator writes (3 granted, 2 rejected),
    so its group is exactly those five. The second: three copies of a simulated application
    with their numbers changed and a sentence added, decided against the original (as the
    planted pairs of ``evaluation/consistency_vs_cleanlab.py``); simulated texts are templated,
    so its group may take in other rows too.
    """
    import kompred

    apps = kompred.simulate(300, n_handlers=6, seed=seed).applications
    rows = []
    svets = [f"SVETS-{i}" for i in range(1, 6)]
    for i, (n, dur, dec) in enumerate([(12, "tar två dagar", "beviljad"),
                                       (14, "tar två dagar", "avslag"),
                                       (12, "tar tre dagar", "beviljad"),
                                       (16, "omfattar två dagar", "avslag"),
                                       (12, "tar två hela dagar", "beviljad")]):
        row = apps.iloc[i].copy()
        row["id"], row["title"] = svets[i], "Svetsning för fastighetsskötare"
        row["description"], row["decision"] = SVETS.format(n=n, dur=dur), dec
        row["handler"] = f"H0{i + 1}"
        rows.append(row)
    source = apps.iloc[10]
    copies = [str(source["id"])]
    for j in range(3):
        row = source.copy()
        row["id"] = f"KOPIA-{j + 1}"
        text = "".join(str((int(ch) + j + 1) % 10) if ch.isdigit() else ch
                       for ch in str(source["description"]))
        row["description"] = text + " Insatsen följs upp av HR-avdelningen."
        row["decision"] = "avslag" if source["decision"] == "beviljad" else "beviljad"
        rows.append(row)
        copies.append(row["id"])
    out = pd.concat([apps, pd.DataFrame(rows)], ignore_index=True)
    out["id"] = pd.array(out["id"].astype(str), dtype="str")
    return out, svets, copies


def _members(groups: pd.DataFrame) -> list[set[str]]:
    return [set(m.split(", ")) for m in groups["members"]]


def test_analyse_finds_planted_split_groups_on_one_search():
    from collections import Counter

    import kompred

    apps, svets, copies = _planted()
    result = kompred.analyse(apps)
    assert "groups" in result.done and "groups" not in result.skipped
    groups = result.groups
    svets_group = groups[[m == set(svets) for m in _members(groups)]]
    assert len(svets_group) == 1
    g = svets_group.iloc[0]
    assert (g["n_granted"], g["n_rejected"]) == (3, 2)
    assert g["handlers_granting"] == "H01, H03, H05" and g["handlers_rejecting"] == "H02, H04"
    assert 0.7 <= g["min_link_similarity"] <= g["mean_similarity"] + 1e-6
    assert "svetsning" in g["top_terms"]
    assert any(set(copies) <= m for m in _members(groups))
    # mixed groups first: the number of minority decisions never rises down the table
    minority = np.minimum(groups["n_granted"], groups["n_rejected"]).to_numpy()
    assert (np.diff(minority) <= 0).all()
    # one vectorization, one search, one content model, one word matrix for everything
    assert result.corpus.counts == Counter(texts=1, vectorize=1, neighbours=1, content_model=1,
                                           word_vectorize=1)


def test_analyse_groups_of_the_bundled_table_are_find_divergent_groups_of_its_corpus():
    import kompred

    result = kompred.analyse(load_stockholm())
    direct = kompred.find_divergent_groups(kompred.prepare(load_stockholm()))
    assert len(direct) > 0
    pd.testing.assert_frame_equal(result.groups, direct)


def test_analyse_skips_groups_without_decisions_or_text():
    import kompred

    apps = load_stockholm()
    no_decisions = kompred.analyse(apps.assign(decision=pd.array([None] * len(apps), dtype="str")))
    assert no_decisions.skipped["groups"] == "no_decisions" and no_decisions.groups is None
    no_text = kompred.analyse(apps.assign(description=""))
    assert no_text.skipped["groups"] == "no_text" and "groups" not in no_text.done


def test_report_groups_section_in_both_languages_and_all_groups_in_tables_json(tmp_path, capsys):
    import re

    from kompred.analysis import analyse
    from kompred.report import render_analysis

    apps, svets, _ = _planted()
    result = analyse(apps)
    n = len(result.groups)
    assert n > 10  # more groups than the document shows
    for lang, heading, line in (
            ("sv", "Grupper av nästan likadana ansökningar med olika beslut",
             f"Grupper av nästan likadana ansökningar med olika beslut: {n}; största: "),
            ("en", "Groups of near-identical applications with different decisions",
             f"Groups of near-identical applications with different decisions: {n}; largest: ")):
        rep = render_analysis(result, lang=lang)
        body = dict(rep.sections)[heading]
        rows = [r for r in body.splitlines() if re.match(r"\| \d+ \|", r)]
        assert len(rows) == 10
        assert "0.7" in body if lang == "en" else "0,7" in body
        assert not re.search(r"\d\.\d", body) if lang == "sv" else not re.search(r"\d,\d", body)
        assert sum(t.startswith(line) for t in rep.terminal) == 1
        assert len(rep.tables["divergent_groups"]["groups"]) == n
    # a group with more ids than a row shows: the first five and how many more
    from kompred.report._analysis import GROUP_IDS_SHOWN, _group_ids

    ids = ", ".join(f"X{i}" for i in range(GROUP_IDS_SHOWN + 3))
    assert _group_ids(ids, "sv") == "X0, X1, X2, X3, X4 + 3 till"
    assert _group_ids(ids, "en") == "X0, X1, X2, X3, X4 + 3 more"

    path = tmp_path / "ansokningar.csv"
    apps.to_csv(path, index=False)
    assert main(["report", str(path), "-o", str(tmp_path / "r"), "--json",
                 str(tmp_path / "t.json"), "--no-progress"]) == 0
    printed = capsys.readouterr().out
    assert sum(line.startswith("Grupper av nästan likadana") for line in printed.splitlines()) == 1
    doc = json.loads((tmp_path / "r" / "tables.json").read_text(encoding="utf-8"))
    assert doc == json.loads((tmp_path / "t.json").read_text(encoding="utf-8"))
    groups = doc["divergent_groups"]["groups"]
    assert doc["divergent_groups"]["similarity"] == 0.7 and len(groups) == n
    assert any(set(g["members"].split(", ")) == set(svets) for g in groups)
    md = (tmp_path / "r" / "rapport.md").read_text(encoding="utf-8")
    html = (tmp_path / "r" / "rapport.html").read_text(encoding="utf-8")
    assert "## Grupper av nästan likadana ansökningar med olika beslut" in md
    assert "<h2>Grupper av nästan likadana ansökningar med olika beslut</h2>" in html
    assert "Syntetiska poster" not in md.split("## Grupper")[1].split("##")[0]  # a user's file


def test_bundled_report_says_its_groups_are_synthetic(tmp_path, capsys):
    assert main(["report", str(stockholm_path()), "-o", str(tmp_path / "r"), "--lang", "en",
                 "--no-progress"]) == 0
    line = [t for t in capsys.readouterr().out.splitlines() if t.startswith("Groups of")]
    assert len(line) == 1 and line[0].endswith(
        "(Synthetic records: they say nothing about real applications.)")
    md = (tmp_path / "r" / "rapport.md").read_text(encoding="utf-8")
    section = md.split("## Groups of near-identical applications with different decisions")[1]
    section = section.split("\n## ")[0]
    assert "STH-2021-010" in section and "_Synthetic records" in section
    doc = json.loads((tmp_path / "r" / "tables.json").read_text(encoding="utf-8"))
    assert len(doc["divergent_groups"]["groups"]) == 4


def test_no_groups_is_said_not_left_out():
    import kompred
    from kompred.report import render_analysis

    result = kompred.analyse(load_stockholm())
    result.groups = result.groups.iloc[:0]
    rep = render_analysis(result, lang="en")
    assert dict(rep.sections)["Groups of near-identical applications with different decisions"] \
        == "No group of near-identical applications (similarity ≥ 0.7) has different decisions."
    assert "Groups of near-identical applications with different decisions: 0" in rep.terminal
    assert rep.tables["divergent_groups"]["groups"] == []


def test_the_pairs_table_writes_decimal_commas_in_swedish_and_points_in_english():
    import re

    from kompred import analyse, load_stockholm
    from kompred.render import say
    from kompred.report import render_analysis

    result = analyse(load_stockholm())
    for lang in ("sv", "en"):
        body = dict(render_analysis(result, lang=lang).sections)[say("report.pairs.heading", lang)]
        rows = [r for r in body.splitlines() if r.startswith("| 0")]
        assert rows, body
        cells = [c.strip() for r in rows for c in r.strip("|").split("|")]
        numbers = [c for c in cells if re.fullmatch(r"\d[.,]\d+", c)]
        assert numbers and all(("," in c) == (lang == "sv") for c in numbers), numbers


def test_analysis_summary_writes_large_counts_with_swedish_thousands():
    from kompred.analysis import Analysis
    from kompred.report import render_analysis

    n = 1500
    pairs = pd.DataFrame({"id_a": [f"A{i}" for i in range(1200)],
                          "id_b": [f"B{i}" for i in range(1200)],
                          "decision_a": "beviljad", "decision_b": "avslag",
                          "similarity": 0.9, "divergence_score": 0.5})
    from kompred import prepare

    table = pd.DataFrame({"id": [f"A{i}" for i in range(n)], "title": "t", "description": "d"})
    result = Analysis(corpus=prepare(table), topics=pd.DataFrame({"topic": ["språk"] * n}),
                      pairs=pairs)
    for lang, topics, said in (("sv", "språk 1 500", "1 200 par"),
                               ("en", "språk 1,500", "1,200 pairs")):
        lines = "\n".join(render_analysis(result, lang=lang).terminal)
        assert topics in lines and said in lines, lines
