"""Loader paths (encodings, separators, formats), validation errors and Swedish aliases."""

from __future__ import annotations

import csv
import io

import pandas as pd
import pytest

from kompred import ApplicationTableError, InputFileError, SchemaError, UnsupportedFormatError
from kompred.io import (
    iter_table_chunks,
    read_applications,
    read_table,
    validate_applications,
    write_table,
)

ROWS = [
    ["A-1", "Kungsholmens sdf", "Yrkessvenska för undersköterskor på äldreboende", "Beviljad",
     "125 000 kr", "12", "2023-02-01", "H01"],
    ["A-2", "Järva sdf", "Föreläsning om palliativ vård; en eftermiddag", "Avslag", "40000", "60",
     "2023-03-15", "H02"],
    ["A-3", "Bromma sdf", "Barnskötarutbildning via Komvux, 14 deltagare", "ej beviljad",
     "1 250 000", "14", "2021-09-30", ""],
]
SWEDISH_HEADER = ["Ärendenummer", "Förvaltning", "Beskrivning", "Beslut", "Kostnad (kr)",
                  "Antal deltagare", "Inskickad", "Handläggare"]


def write_csv(path, header, rows, *, sep, encoding, bom=False):
    # csv.writer quotes a cell that contains the separator, as Excel does
    buf = io.StringIO()
    csv.writer(buf, delimiter=sep).writerows([header, *rows])
    data = buf.getvalue().encode(encoding)
    if bom:
        data = b"\xef\xbb\xbf" + data
    path.write_bytes(data)
    return path


def check_loaded(apps: pd.DataFrame) -> None:
    assert list(apps["id"]) == ["A-1", "A-2", "A-3"]
    assert apps.loc[2, "unit"] == "Kungsholmens sdf"
    assert apps.loc[2, "description"].startswith("Yrkessvenska för undersköterskor på äldreboende")
    assert list(apps["decision"]) == ["beviljad", "avslag", "avslag"]
    assert list(apps["cost_sek"]) == [125000.0, 40000.0, 1250000.0]
    assert list(apps["participants"]) == [12, 60, 14]
    assert apps["submitted"].dt.year.tolist() == [2023, 2023, 2021]
    assert apps["handler"].isna().tolist() == [False, False, True]
    assert list(apps.index) == [2, 3, 4]  # spreadsheet row numbers


@pytest.mark.parametrize("sep", [";", ",", "\t"])
@pytest.mark.parametrize("encoding,bom", [("utf-8", False), ("utf-8", True), ("cp1252", False)])
def test_csv_encodings_and_separators(tmp_path, sep, encoding, bom):
    path = write_csv(tmp_path / "ans.csv", SWEDISH_HEADER, ROWS, sep=sep, encoding=encoding, bom=bom)
    apps = read_applications(path)
    check_loaded(apps)
    raw = read_table(path)
    assert raw.attrs["sep"] == sep
    assert raw.attrs["encoding"] == ("utf-8-sig" if bom else encoding)


def test_xlsx_and_parquet(tmp_path):
    frame = pd.DataFrame(ROWS, columns=SWEDISH_HEADER)
    frame.to_excel(tmp_path / "ans.xlsx", index=False)
    check_loaded(read_applications(tmp_path / "ans.xlsx"))
    frame.to_parquet(tmp_path / "ans.parquet", index=False)
    check_loaded(read_applications(tmp_path / "ans.parquet"))


def test_xlsx_native_types(tmp_path):
    frame = pd.DataFrame({"Beskrivning": ["x", "y"], "Kostnad": [1000.5, 200],
                          "Inskickad": pd.to_datetime(["2022-01-02", "2022-11-30"])})
    frame.to_excel(tmp_path / "t.xlsx", index=False)
    apps = read_applications(tmp_path / "t.xlsx")
    assert apps["cost_sek"].tolist() == [1000.5, 200.0]
    assert apps["agreement"].tolist() == ["KOM-KR-2020", "KOM-KR-2022"]  # derived from the date


@pytest.mark.parametrize("header,value,canonical,expected", [
    ("Förvaltning", "Järva sdf", "unit", "Järva sdf"),
    ("Beslut", "Ej beviljad", "decision", "avslag"),
    ("Handläggare", "H03", "handler", "H03"),
    ("Kostnad (kr)", "12 500,50 kr", "cost_sek", 12500.5),
    ("beviljat belopp", "1.250.000", "granted_sek", 1250000.0),
    ("Utförare", "Egen regi", "provider_type", "egen regi"),
    ("Insatsform", "Handledning/coachning", "insats_form", "handledning"),
    ("Ämne", "Språk", "topic", "språk"),
    (" ANTAL DELTAGARE ", "12", "participants", 12),
    ("Startdatum", "2023-04-15", "period_start", pd.Timestamp("2023-04-15")),
    ("Avtal", "KOM-KR 2022", "agreement", "KOM-KR-2022"),
])
def test_swedish_aliases(header, value, canonical, expected):
    apps = validate_applications(pd.DataFrame({header: [value], "Beskrivning": ["hej"]}))
    assert apps[canonical].iloc[0] == expected
    assert apps["description"].iloc[0] == "hej"


def test_every_problem_listed_with_row_column_and_fix(tmp_path):
    path = write_csv(tmp_path / "fel.csv", ["ID", "Beskrivning", "Beslut", "Kostnad", "Startdatum",
                                             "Slutdatum", "Insatsform"],
                     [["1", "a", "Bevilj", "12 500", "2023-01-01", "2023-02-01", "utbildning"],
                      ["1", "b", "Avslag", "tolv", "2023-13-01", "", "kurs"],
                      ["3", "c", "avslag", "-5", "2023-05-01", "2023-04-01", "webbinarium"]],
                     sep=";", encoding="utf-8")
    with pytest.raises(ApplicationTableError) as info:
        read_applications(path)
    err = info.value
    msg = str(err)
    assert str(path) in msg
    got = {(p.row, p.column) for p in err.problems}
    assert got == {(2, "decision"), (3, "id"), (3, "cost_sek"), (3, "period_start"),
                   (4, "cost_sek"), (4, "period_end"), (4, "insats_form")}
    assert "row 2, column 'decision': unknown value 'Bevilj'" in msg
    assert "did you mean 'beviljad'?" in msg
    assert "duplicate id '1' (also on row 2)" in msg
    assert "cannot read 'tolv' as a number" in msg
    assert "negative value" in msg
    assert isinstance(err, ValueError)  # refines the built-in


def test_missing_required_column_suggests_mapping():
    with pytest.raises(SchemaError, match=r"missing required column.*'description'.*did you mean 'Beskrivn'"):
        validate_applications(pd.DataFrame({"Beskrivn": ["x"]}))
    apps = validate_applications(pd.DataFrame({"Beskrivn": ["x"]}), columns={"Beskrivn": "description"})
    assert apps["description"].tolist() == ["x"]


def test_two_columns_claiming_one_name():
    with pytest.raises(ApplicationTableError, match="2 columns map to 'description'"):
        validate_applications(pd.DataFrame({"Beskrivning": ["x"], "Text": ["y"]}))


def test_require_decision_for_training():
    frame = pd.DataFrame({"Text": ["a", "b"], "Beslut": ["beviljad", ""]})
    with pytest.raises(ApplicationTableError, match="row 3, column 'decision': no decision"):
        validate_applications(frame, require_decision=True)
    assert validate_applications(frame)["decision"].tolist() == ["beviljad", "okänd"]


def test_no_row_dropped_and_empty_text_kept():
    frame = pd.DataFrame({"Text": ["a", "", None, "   "], "Extra kolumn": [1, 2, 3, 4]})
    apps = validate_applications(frame)
    assert len(apps) == 4
    assert apps["description"].tolist() == ["a", "", "", ""]  # blank text is "" (scored as osäker)
    assert apps["Extra kolumn"].tolist() == [1, 2, 3, 4]  # unknown columns are kept
    assert apps["id"].tolist() == ["rad-2", "rad-3", "rad-4", "rad-5"]


def test_file_errors(tmp_path):
    with pytest.raises(InputFileError, match="no such file"):
        read_applications(tmp_path / "saknas.csv")
    (tmp_path / "x.xls").write_bytes(b"")
    with pytest.raises(UnsupportedFormatError, match="save it as .xlsx"):
        read_applications(tmp_path / "x.xls")
    with pytest.raises(UnsupportedFormatError, match="expected one of"):
        read_applications(tmp_path / "x.docx")
    (tmp_path / "tom.csv").write_text("")
    with pytest.raises(InputFileError, match="empty"):
        read_applications(tmp_path / "tom.csv")


def test_write_defuses_formulas_and_round_trips(tmp_path):
    frame = pd.DataFrame({"id": ["1", "2"], "description": ["=HYPERLINK(\"x\")", "vanlig text"],
                          "cost_sek": [-5.0, 10.0]})
    write_table(frame, tmp_path / "ut.csv")
    back = pd.read_csv(tmp_path / "ut.csv", encoding="utf-8-sig")
    assert back["description"].tolist() == ["'=HYPERLINK(\"x\")", "vanlig text"]
    assert back["cost_sek"].tolist() == [-5.0, 10.0]  # numbers are not touched
    write_table(frame, tmp_path / "ut.xlsx")
    assert pd.read_excel(tmp_path / "ut.xlsx")["description"][0].startswith("'=")
    write_table(frame, tmp_path / "ut.parquet")
    assert pd.read_parquet(tmp_path / "ut.parquet")["description"][0].startswith("=")


@pytest.mark.parametrize("suffix", [".csv", ".xlsx", ".parquet"])
def test_iter_chunks_keeps_order_and_row_numbers(tmp_path, suffix):
    frame = pd.DataFrame({"Beskrivning": [f"text {i}" for i in range(25)]})
    path = tmp_path / f"stor{suffix}"
    if suffix == ".csv":
        frame.to_csv(path, index=False, sep=";", encoding="cp1252")
    elif suffix == ".xlsx":
        frame.to_excel(path, index=False)
    else:
        frame.to_parquet(path, index=False)
    chunks = list(iter_table_chunks(path, chunksize=10))
    assert [len(c) for c in chunks] == [10, 10, 5]
    joined = pd.concat(chunks)
    assert joined["Beskrivning"].tolist() == frame["Beskrivning"].tolist()
    assert joined.index.tolist() == list(range(2, 27))


def test_year_and_month_dates_and_the_agreement_they_imply():
    df = pd.DataFrame({"description": ["a"] * 7,
                       "submitted": ["2021", "2022", "2023", "2022-09", "2022-10", 2020.0,
                                     "2022-10-03"]})
    out = validate_applications(df)
    assert out["submitted"].dt.strftime("%Y-%m-%d").tolist() == [
        "2021-01-01", "2022-01-01", "2023-01-01", "2022-09-01", "2022-10-01", "2020-01-01",
        "2022-10-03"]
    # the year 2022 straddles KOM-KR's 2022-10-01 version, the year 2020 KOM-KR's start on
    # 2020-05-01 (TLO-KL before): neither is derived, both are left missing
    assert pd.isna(out["agreement"].iloc[1]) and pd.isna(out["agreement"].iloc[5])
    assert out["agreement"].iloc[[0, 2, 3, 4, 6]].tolist() == [
        "KOM-KR-2020", "KOM-KR-2022", "KOM-KR-2020", "KOM-KR-2022", "KOM-KR-2022"]


@pytest.mark.parametrize("cell", ["tolv", "2023-13", "1850", "20231"])
def test_unreadable_dates_still_name_row_and_column(cell):
    df = pd.DataFrame({"description": ["a"], "submitted": [cell]})
    with pytest.raises(ApplicationTableError) as err:
        validate_applications(df)
    problem = err.value.problems[0]
    assert problem.row == 2 and problem.column == "submitted"
    assert "a year 2023 also works" in str(err.value)


def test_a_repeated_date_cell_reads_the_same_and_a_repeated_bad_one_names_every_row():
    cells = ["2023", 2023, 2023.0, "2023", "2023-04-15", "2023-04-15", True, 1]
    out = validate_applications(pd.DataFrame({"description": ["a"] * 6,
                                              "submitted": cells[:6]}))
    assert out["submitted"].dt.strftime("%Y-%m-%d").tolist() == ["2023-01-01"] * 4 + [
        "2023-04-15"] * 2
    df = pd.DataFrame({"description": ["a"] * 5, "submitted": ["tolv", "2023", "tolv", True, 1]})
    with pytest.raises(ApplicationTableError) as err:
        validate_applications(df)
    assert [p.row for p in err.value.problems] == [2, 4, 5, 6]  # True and 1 are no dates


def test_missing_date_in_a_datetime_column_is_missing_not_an_error():
    df = pd.DataFrame({"description": ["a", "b"],
                       "submitted": pd.to_datetime(["2023-01-02", None])})
    out = validate_applications(df)
    assert out["submitted"].isna().tolist() == [False, True]


def test_missing_cell_of_a_nullable_int_column_is_missing_not_an_error():
    df = pd.DataFrame({"description": ["a", "b"],
                       "participants": pd.array([3, None], dtype="Int64")})
    out = validate_applications(df)
    assert out["participants"].isna().tolist() == [False, True]
