"""No personnummer in any output; the same input and seed give byte-identical outputs.

The input is the bundled dataset with three valid personnummer written into a description, a
title and a supplier name, in three spellings. ``score``, ``check``, ``report`` and
``consistency`` each run twice through the CLI: every file they write, and what they print, must
hold none of the numbers, and the two runs' files must be identical byte for byte.
"""

from __future__ import annotations

import warnings
from pathlib import Path

import pandas as pd
import pytest
from _pnr import make_number

from kompred import SmallDataWarning
from kompred.cli import main
from kompred.datasets import stockholm_path

NUMBER = make_number("811218", "987")  # a valid number (date and checksum), written three ways
SPELLINGS = (f"{NUMBER[:6]}-{NUMBER[6:]}", NUMBER, f"19{NUMBER[:6]}-{NUMBER[6:]}")


def _leaks(data: bytes | str) -> list[str]:
    text = data.decode("utf-8", errors="replace") if isinstance(data, bytes) else data
    return [s for s in (*SPELLINGS, NUMBER) if s in text]


@pytest.fixture(scope="module")
def source(tmp_path_factory) -> Path:
    raw = pd.read_csv(stockholm_path(), dtype=str, keep_default_na=False)
    raw.loc[0, "description"] += f" Kontaktperson Kim, {SPELLINGS[0]}."
    raw.loc[1, "title"] = f"Kurs för {SPELLINGS[1]} och kollegor"
    raw.loc[2, "provider"] = f"Konsult {SPELLINGS[2]}"
    path = tmp_path_factory.mktemp("pnr") / "ansokningar.csv"
    raw.to_csv(path, index=False)
    return path


def _run(argv: list[str], capsys) -> str:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", SmallDataWarning)  # 73 decisions: expected
        assert main(argv) == 0, capsys.readouterr().err
    captured = capsys.readouterr()
    return captured.out + captured.err


def _outputs(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*"))
            if p.is_file()}


COMMANDS = {
    "score": lambda src, out: ["score", str(src), "-o", str(out / "bedomda.csv"), "--no-progress"],
    "score_xlsx": lambda src, out: ["score", str(src), "-o", str(out / "bedomda.xlsx"),
                                    "--no-progress", "--reasons", "0"],
    "check": lambda src, out: ["check", "--text", f"Föreläsning om demens. Kontakt {SPELLINGS[0]}.",
                               "--json", str(out / "c.json"), "--markdown", str(out / "c.md"),
                               "--html", str(out / "c.html")],
    "report": lambda src, out: ["report", str(src), "-o", str(out / "rapport"), "--json",
                                str(out / "tables.json")],
    "consistency": lambda src, out: ["consistency", str(src), "-o", str(out / "par.csv"),
                                     "--groups", str(out / "grupper.csv"), "--plot",
                                     str(out / "par.png"), "--no-progress"],
}


@pytest.mark.parametrize("command", sorted(COMMANDS))
def test_no_personnummer_and_byte_identical_outputs(command, source, tmp_path, capsys):
    assert _leaks(source.read_text(encoding="utf-8"))  # the input does hold them
    runs = []
    for i in (1, 2):
        out = tmp_path / f"run{i}"
        out.mkdir()
        printed = _run(COMMANDS[command](source, out), capsys)
        assert not _leaks(printed), printed
        files = _outputs(out)
        assert files, "the command wrote nothing"
        for name, data in files.items():
            assert not _leaks(data), name
        runs.append((files, printed))
    (first, _), (second, _) = runs
    assert sorted(first) == sorted(second)
    for name in first:
        if name.endswith(".xlsx"):  # a zip: compare the sheets, not the zip's timestamps
            a = pd.read_excel(tmp_path / "run1" / name)
            b = pd.read_excel(tmp_path / "run2" / name)
            pd.testing.assert_frame_equal(a, b)
        else:
            assert first[name] == second[name], f"{command}: {name} differs between two runs"


def test_no_personnummer_in_an_error_message(tmp_path, capsys):
    bad = tmp_path / "fel.csv"
    bad.write_text(f"Beskrivning,Beslut,Kostnad\nKurs i yrkessvenska,Beviljad,{SPELLINGS[0]}\n",
                   encoding="utf-8")
    for argv in (["report", str(bad), "-o", str(tmp_path / "r")],
                 ["consistency", str(bad), "-o", str(tmp_path / "p.csv")],
                 ["train", str(bad), "--out", str(tmp_path / "m")]):
        assert main(argv) == 2
        err = capsys.readouterr().err
        assert "row 2, column 'cost_sek'" in err and not _leaks(err), err


def test_library_outputs_hold_no_personnummer_without_the_cli(tmp_path):
    """A notebook that calls the library directly gets the same protection as the CLI."""
    from kompred import find_divergent_pairs, load_stockholm
    from kompred.report import write_report

    pnr = make_number("791103")
    shown = f"{pnr[:6]}-{pnr[6:]}"
    apps = load_stockholm()
    # a sole trader as provider: its organisation number is the owner's personnummer
    apps["provider"] = apps["provider"].astype(object)
    apps.loc[apps.index[:40], "provider"] = f"Konsult {shown} AB"
    apps["unit"] = apps["unit"].astype(object)
    apps.loc[apps.index[0], "unit"] = f"Förvaltning {shown}"
    pairs = find_divergent_pairs(apps, include_agreeing=True)
    assert len(pairs) and "provider_a" in pairs
    for col in pairs.columns:
        text = pairs[col].astype(str)
        assert not (text.str.contains(shown, regex=False) | text.str.contains(pnr)).any(), col
    assert pairs["provider_a"].astype(str).str.contains("[PERSONNUMMER]", regex=False).any()
    folder = write_report(apps, tmp_path / "rapport",
                          extra_sections=[("Par", f"leverantör {shown}")])
    for name in ("rapport.md", "rapport.html", "tables.json"):
        text = (folder / name).read_text(encoding="utf-8")
        assert shown not in text and pnr not in text, name
    assert "Förvaltning [PERSONNUMMER]" in (folder / "rapport.md").read_text(encoding="utf-8")


def test_report_figures_hold_no_personnummer(tmp_path, monkeypatch):
    """Tick labels, titles and annotations of every saved figure are redacted too."""
    import matplotlib

    matplotlib.use("Agg")
    from matplotlib.figure import Figure
    from matplotlib.text import Text

    from kompred import load_stockholm
    from kompred.report import write_report

    pnr = make_number("791103")
    shown = f"{pnr[:6]}-{pnr[6:]}"
    apps = load_stockholm()
    apps["unit"] = apps["unit"].astype(object)
    apps.loc[apps.index[:5], "unit"] = f"Förvaltning {shown}"  # a tick label of the unit plot
    seen = []
    real_savefig = Figure.savefig

    def recording_savefig(self, *args, **kwargs):
        out = real_savefig(self, *args, **kwargs)  # drawn: tick labels exist now
        seen.extend(t.get_text() for t in self.findobj(Text))
        return out

    monkeypatch.setattr(Figure, "savefig", recording_savefig)
    write_report(apps, tmp_path / "rapport")
    assert seen and any("[PERSONNUMMER]" in t for t in seen)
    assert not any(shown in t or pnr in t for t in seen)


def test_redact_figure_keeps_redacted_tick_labels_through_the_next_draw():
    import io

    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from kompred.privacy import redact_figure

    shown = "811218-9876"
    fig, ax = plt.subplots()
    ax.barh([f"Enhet {shown}", "Enhet B"], [3, 4])
    ax.set_title(f"Titel {shown}")
    ax.annotate(shown, (1, 0))
    redact_figure(fig)
    fig.savefig(io.BytesIO(), format="png")
    texts = [t.get_text() for t in fig.findobj(matplotlib.text.Text)]
    plt.close(fig)
    assert "Enhet [PERSONNUMMER]" in texts and "Enhet B" in texts
    assert not any(shown in t for t in texts)


def test_divergent_groups_hold_no_personnummer(tmp_path, capsys):
    """A personnummer in a group member's id and handler reaches no group, line or file."""
    import json

    import kompred
    from kompred.report import render_analysis

    raw = pd.read_csv(stockholm_path(), dtype=str, keep_default_na=False)
    # STH-2021-010 and STH-2023-007: a divergent group of the bundled table
    raw.loc[raw["id"] == "STH-2021-010", "id"] = f"STH-2021-010 {SPELLINGS[0]}"
    raw.loc[raw["id"] == "STH-2023-007", "handler"] = f"Handläggare {SPELLINGS[2]}"
    path = tmp_path / "ansokningar.csv"
    raw.to_csv(path, index=False)
    for lang in ("sv", "en"):
        out = tmp_path / lang
        printed = _run(["report", str(path), "-o", str(out), "--lang", lang, "--json",
                        str(out / "t.json"), "--no-progress"], capsys)
        assert not _leaks(printed), printed
        for name, data in _outputs(out).items():
            assert not _leaks(data), name
        groups = json.loads((out / "tables.json").read_text(encoding="utf-8"))[
            "divergent_groups"]["groups"]
        redacted = [g for g in groups if "[PERSONNUMMER]" in g["members"]]
        assert len(redacted) == 1  # the group is there, its member's id redacted
        assert "[PERSONNUMMER]" in redacted[0]["handlers_rejecting"]
        assert "[PERSONNUMMER]" in (out / "rapport.md").read_text(encoding="utf-8")
    # a notebook that calls the library on the table as read gets the same protection
    apps = kompred.read_applications(path)
    assert _leaks(" ".join(apps["id"])) and _leaks(" ".join(apps["handler"].astype(str)))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", SmallDataWarning)
        result = kompred.analyse(apps)
    for col in result.groups.columns:
        assert not _leaks(" ".join(result.groups[col].astype(str))), col
    assert result.groups["members"].str.contains("[PERSONNUMMER]", regex=False).any()
    rep = render_analysis(result)
    assert not _leaks("\n".join(rep.terminal)) and not _leaks(json.dumps(rep.tables))
    assert not _leaks("\n".join(body for heading, body in rep.sections
                                 if heading.startswith("Grupper")))
