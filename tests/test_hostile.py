"""Every file in tests/data/hostile/ (written by tests/data/make_hostile.py): a correct read, or one
clear error naming the file (and the row and column where there is one); never a traceback.

Each file is tried three ways: :func:`kompred.read_applications` (the API), :func:`score_file`
(the streaming path) and ``kompred score`` (the CLI, exit code 0 or 2).
"""

from __future__ import annotations

import re
import warnings
from pathlib import Path

import pandas as pd
import pytest

from kompred import KompredError
from kompred.cli import main
from kompred.io import read_applications
from kompred.scoring import load_scorer, score_file

HOSTILE = Path(__file__).resolve().parent / "data" / "hostile"
DESCRIPTION_1 = "Yrkessvenska för undersköterskor på äldreboende"

# file -> (read_applications: rows or error pattern, score: rows or error pattern)
EXPECT: dict[str, tuple[int | str, int | str]] = {
    "binary_junk.csv": ("not a text table: it holds binary data",) * 2,
    "cp1252_semikolon.csv": (3, 3),
    "crlf_multiline.csv": (2, 2),
    "duplicate_headers.csv": ("row 1 \\(the header\\) names the same column more than once: "
                              "'Beskrivning' in columns 2 and 7",) * 2,
    "duplicate_ids.csv": ("row 3, column 'id': duplicate id 'H-1' \\(also on row 2\\)", 3),
    "empty.csv": ("the file is empty",) * 2,
    "only_whitespace.csv": ("the file is empty",) * 2,
    "empty_texts.csv": (3, 3),
    "excel_bomb.xlsx": ("refused: the part xl/worksheets/sheet1.xml would unpack to 120 MB",) * 2,
    "excel_empty_rows.xlsx": ("row 3, column 'id': empty id", 5),
    "excel_formulas_serials.xlsx": (3, 3),
    "excel_merged.xlsx": ("row 2, column 'cost_sek': cannot read '\\(kr\\)' as a number", 5),
    "excel_several_sheets.xlsx": ("the workbook has the sheets 'Info', 'Ansökningar': choose one "
                                  "with --sheet",) * 2,
    "excel_title_rows.xlsx": ("Row 3 looks like the header \\('Ärende', 'Beskrivning'",) * 2,
    "formula_injection.csv": (7, 7),
    "header_only.csv": (0, "no application rows to score: the file has a header but no rows"),
    "html_and_english.csv": (2, 2),
    "huge_cell.csv": (2, 2),
    "no_text_column.csv": ("missing required column\\(s\\): 'description'",) * 2,
    "odd_costs.csv": ("row 4, column 'cost_sek': negative value '-300'", 4),
    "odd_decisions.csv": (5, 5),
    "personnummer.csv": ("row 2, column 'cost_sek': cannot read '\\[PERSONNUMMER\\]'", 1),
    "ragged_long_row.csv": ("row 3 has 8 cells but the header has 6",) * 2,
    "ragged_short_row.csv": (3, 3),
    "tab.tsv": (3, 3),
    "tab_named.csv": (3, 3),
    "text_named.xlsx": ("not an Excel \\(.xlsx\\) file: the content is plain text",) * 2,
    "utf16_bom_tab.csv": (3, 3),
    "utf8_bom_komma.csv": (3, 3),
    "zip_not_excel.xlsx": ("a zip archive, but not an Excel workbook",) * 2,
}


def test_every_corpus_file_has_an_expectation_and_the_generator_reproduces_it(tmp_path):
    import importlib.util

    assert sorted(p.name for p in HOSTILE.iterdir()) == sorted(EXPECT)
    spec = importlib.util.spec_from_file_location("make_hostile", HOSTILE.parent / "make_hostile.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    for path in module.main(tmp_path):
        assert path.read_bytes() == (HOSTILE / path.name).read_bytes(), path.name


@pytest.fixture(scope="module")
def scorer():
    return load_scorer()


@pytest.mark.parametrize("name", sorted(EXPECT))
def test_read_applications(name):
    expect = EXPECT[name][0]
    path = HOSTILE / name
    if isinstance(expect, str):
        with pytest.raises(KompredError) as err:
            read_applications(path)
        assert str(err.value).startswith(str(path)), err.value
        assert re.search(expect, str(err.value)), err.value
        assert "811218" not in str(err.value)
    else:
        apps = read_applications(path)
        assert len(apps) == expect
        assert list(apps.index) == list(range(2, 2 + expect))


@pytest.mark.parametrize("name", sorted(EXPECT))
def test_score_file_and_cli(name, scorer, tmp_path, capsys, monkeypatch):
    expect = EXPECT[name][1]
    path = HOSTILE / name
    out = tmp_path / "ut.csv"
    if isinstance(expect, str):
        with pytest.raises(KompredError, match=expect):
            score_file(path, out, scorer=scorer, reasons=0)
        assert not out.exists()
    else:
        summary = score_file(path, out, scorer=scorer, reasons=0)
        back = pd.read_csv(out, encoding="utf-8-sig", dtype=str, keep_default_na=False)
        assert summary.rows == len(back) == expect  # every input row comes back
        assert (back["status"] != "").all()
        out.unlink()
    monkeypatch.setattr("kompred.scoring.load_scorer", lambda *a, **k: scorer)  # cli imports it in run()
    rc = main(["score", str(path), "-o", str(out), "--no-progress", "--reasons", "0"])
    err = capsys.readouterr().err
    assert "Traceback" not in err
    if isinstance(expect, str):
        assert rc == 2 and f"kompred score: error: {path}" in err and re.search(expect, err)
    else:
        assert rc == 0 and len(pd.read_csv(out, encoding="utf-8-sig")) == expect


def _read(name, **kw):
    return read_applications(HOSTILE / name, **kw)


def test_encodings_and_separators_read_the_same_table():
    first = _read("utf8_bom_komma.csv")
    for name in ("cp1252_semikolon.csv", "utf16_bom_tab.csv", "tab.tsv", "tab_named.csv"):
        other = _read(name)
        pd.testing.assert_frame_equal(other[first.columns], first, check_like=True)
    assert first["description"].iloc[0] == DESCRIPTION_1
    assert first["decision"].tolist() == ["beviljad", "avslag", "avslag"]


def test_awkward_contents_are_read_correctly():
    multi = _read("crlf_multiline.csv")
    assert multi["description"].iloc[1] == "Rad ett\r\nrad två; med semikolon\r\nrad tre"
    assert len(_read("huge_cell.csv")["description"].iloc[0]) == 1_000_000
    assert _read("odd_decisions.csv")["decision"].tolist() == [
        "beviljad", "avslag", "beviljad", "avslag", "avslag"]
    short = _read("ragged_short_row.csv")
    assert short.loc[3, "description"] == "Föreläsning om stress" and pd.isna(short.loc[3, "cost_sek"])
    texts = _read("html_and_english.csv")["description"]
    assert texts.iloc[0].startswith("<p>Utbildning")  # kept as written; the text pipeline cleans
    xl = _read("excel_formulas_serials.xlsx")
    # serial 44958 = 2023-02-01; a formula without a cached value is read as an empty cell
    assert xl["submitted"].dt.strftime("%Y-%m-%d").tolist() == ["2023-02-01", "2023-03-15",
                                                                "2023-05-02"]
    assert pd.isna(xl.loc[2, "cost_sek"]) and xl.loc[3, "description"] == ""
    assert len(_read("excel_several_sheets.xlsx", sheet="Ansökningar")) == 3


def test_odd_costs_are_parsed_or_named():
    with pytest.raises(KompredError) as err:
        _read("odd_costs.csv")
    assert [(p.row, p.column) for p in err.value.problems] == [(4, "cost_sek"), (5, "cost_sek")]
    from kompred.schema import parse_number as _parse_number

    assert _parse_number("12 500 kr") == 12_500 and _parse_number("1,5 mkr") == 1_500_000


def test_scored_rows_keep_their_status(scorer, tmp_path):
    def statuses(name, **kw):
        score_file(HOSTILE / name, tmp_path / "s.csv", scorer=scorer, reasons=0, **kw)
        return pd.read_csv(tmp_path / "s.csv", encoding="utf-8-sig", dtype=str,
                           keep_default_na=False)

    dup = statuses("duplicate_ids.csv")
    assert dup["Ärende"].tolist() == ["H-1", "H-1", "H-3"]  # the input cells, unchanged
    assert dup["status"].iloc[1].startswith("fel i raden: id: duplicate id 'H-1' (also on row 2)")
    empty = statuses("empty_texts.csv")["status"].tolist()
    assert empty[:2] == ["ej bedömd: tom text"] * 2 and empty[2].startswith("ok")
    rows = statuses("excel_empty_rows.xlsx")
    assert rows["status"].iloc[1] == ("fel i raden: id: empty id; expected a unique id per "
                                      "application; ej bedömd: tom text")
    costs = statuses("odd_costs.csv")["status"].tolist()
    assert costs[0].startswith("ok") and costs[1].startswith("ok")
    assert costs[2].startswith("fel i raden: cost_sek: negative value")
    pnr = statuses("personnummer.csv")
    assert "811218" not in pnr.to_csv()
    assert len(statuses("excel_several_sheets.xlsx", sheet="Ansökningar")) == 3


@pytest.mark.parametrize("suffix", [".csv", ".xlsx"])
def test_formula_injection_is_neutralised_in_outputs(scorer, tmp_path, suffix):
    out = tmp_path / f"ut{suffix}"
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        score_file(HOSTILE / "formula_injection.csv", out, scorer=scorer, reasons=0)
    if suffix == ".csv":
        back = pd.read_csv(out, encoding="utf-8-sig", dtype=str, keep_default_na=False)
        cells = back["Beskrivning"].tolist()
    else:
        from openpyxl import load_workbook

        ws = load_workbook(out).active
        assert not any(c.data_type == "f" for row in ws.iter_rows() for c in row)
        header = [c.value for c in ws[1]]
        col = header.index("Beskrivning")
        cells = [r[col] for r in ws.iter_rows(min_row=2, values_only=True)]
    assert len(cells) == 7
    for cell in cells[:6]:
        # (XLSX stores a CR as a line feed)
        assert cell.startswith("'") and cell[1] in "=+-@\t\r\n", repr(cell)
    assert cells[6] == "vanlig text"
