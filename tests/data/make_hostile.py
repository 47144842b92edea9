"""Write the hostile-files corpus in tests/data/hostile/: files kompred must survive.

Run from the repository root: ``python tests/data/make_hostile.py``. The output is deterministic
(no randomness without a fixed seed, fixed zip timestamps), so running it again changes nothing.
tests/test_hostile.py says, for each file, what kompred must do with it: read it correctly, or
stop with a clear error that names the file (and the row and column where there is one).
Every text is invented for these tests.
"""

from __future__ import annotations

import csv
import io
import random
import sys
import zipfile
from pathlib import Path

OUT = Path(__file__).resolve().parent / "hostile"
HEADER = ["Ärende", "Beskrivning", "Beslut", "Kostnad (kr)", "Antal deltagare", "Inskickad"]
ROWS = [
    ["H-1", "Yrkessvenska för undersköterskor på äldreboende", "Beviljad", "125 000", "12",
     "2023-02-01"],
    ["H-2", "Föreläsning om palliativ vård; en eftermiddag för personalen", "Avslag", "40000", "60",
     "2023-03-15"],
    ["H-3", "Barnskötarutbildning via Komvux, 14 deltagare", "ej beviljad", "1 250 000", "14",
     "2021-09-30"],
]
FIXED = (2024, 1, 1, 0, 0, 0)  # zip entry time: the same bytes on every run


def _csv(rows, sep=",", line_end="\n") -> str:
    buf = io.StringIO()
    csv.writer(buf, delimiter=sep, lineterminator=line_end).writerows(rows)
    return buf.getvalue()


def _xlsx(path: Path, build) -> None:
    """An XLSX written by openpyxl, then re-zipped with fixed timestamps (deterministic)."""
    from openpyxl import Workbook

    wb = Workbook()
    build(wb)
    raw = io.BytesIO()
    wb.save(raw)
    _rezip(raw.getvalue(), path)


def _rezip(data: bytes, path: Path, extra: dict[str, bytes] | None = None) -> None:
    src = zipfile.ZipFile(io.BytesIO(data))
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            body = (extra or {}).get(info.filename, src.read(info.filename))
            entry = zipfile.ZipInfo(info.filename, FIXED)
            entry.compress_type = zipfile.ZIP_DEFLATED
            dst.writestr(entry, body)
        for name in set(extra or {}) - set(src.namelist()):
            entry = zipfile.ZipInfo(name, FIXED)
            entry.compress_type = zipfile.ZIP_DEFLATED
            dst.writestr(entry, extra[name])
    # openpyxl stamps creation times into docProps/core.xml: pin them too
    _pin_core(path)


def _pin_core(path: Path) -> None:
    import re

    with zipfile.ZipFile(path) as zf:
        files = {i.filename: zf.read(i.filename) for i in zf.infolist()}
    core = files.get("docProps/core.xml")
    if core is not None:
        files["docProps/core.xml"] = re.sub(rb"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ",
                                            b"2024-01-01T00:00:00Z", core)
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as dst:
        for name, body in files.items():
            entry = zipfile.ZipInfo(name, FIXED)
            entry.compress_type = zipfile.ZIP_DEFLATED
            dst.writestr(entry, body)


def main(out: Path = OUT) -> list[Path]:
    out.mkdir(parents=True, exist_ok=True)
    table = [HEADER, *ROWS]
    files: dict[str, bytes] = {
        # encodings
        "cp1252_semikolon.csv": _csv(table, ";", "\r\n").encode("cp1252"),
        "utf8_bom_komma.csv": b"\xef\xbb\xbf" + _csv(table).encode("utf-8"),
        "utf16_bom_tab.csv": _csv(table, "\t", "\r\n").encode("utf-16"),  # Excel "Unicode text"
        # separators, line ends, multi-line cells
        "tab_named.csv": _csv(table, "\t").encode("utf-8"),
        "tab.tsv": _csv(table, "\t").encode("utf-8"),
        "crlf_multiline.csv": _csv([HEADER, ROWS[0], ["H-2", "Rad ett\r\nrad två; med semikolon\r\n"
                                   "rad tre", "Avslag", "40000", "60", "2023-03-15"]], ";",
                                   "\r\n").encode("utf-8"),
        # empty and nearly empty
        "empty.csv": b"",
        "only_whitespace.csv": b"  \r\n\r\n \t \n",
        "header_only.csv": _csv([HEADER]).encode("utf-8"),
        # not what the suffix says
        "binary_junk.csv": random.Random(12).randbytes(4096),
        "text_named.xlsx": _csv(table).encode("utf-8"),
        "zip_not_excel.xlsx": b"",  # filled below: a zip with no workbook in it
        # broken structure
        "ragged_long_row.csv": (_csv(table[:2]) + "H-2,Föreläsning,Avslag,40000,60,2023-03-15,"
                                "extra,cells\n" + _csv(table[3:])).encode("utf-8"),
        "ragged_short_row.csv": (_csv(table[:2]) + "H-2,Föreläsning om stress\n"
                                 + _csv(table[3:])).encode("utf-8"),
        "duplicate_headers.csv": _csv([HEADER + ["Beskrivning"], *[r + ["igen"] for r in ROWS]])
        .encode("utf-8"),
        "duplicate_ids.csv": _csv([HEADER, ROWS[0], ["H-1", *ROWS[1][1:]], ROWS[2]]).encode("utf-8"),
        "no_text_column.csv": _csv([["Nr", "Vad", "Beslut"], ["1", "Kurs", "Beviljad"]])
        .encode("utf-8"),
        # awkward content
        "huge_cell.csv": _csv([HEADER, [ROWS[0][0], ("Yrkessvenska för undersköterskor. " * 30_000)
                                        [:1_000_000], *ROWS[0][2:]], ROWS[1]]).encode("utf-8"),
        "formula_injection.csv": _csv([HEADER, *[[f"F-{i}", text, "Beviljad", "1000", "2",
                                                  "2023-01-01"] for i, text in enumerate(
            ["=HYPERLINK(\"http://x\",\"klicka\")", "+46 70 123 45 67 ring mig", "-2+3",
             "@SUM(A1:A9)", "\tTab först", "\rCR först", "vanlig text"], start=1)]],
            line_end="\r\n").encode("utf-8"),  # CRLF, as Excel writes: a lone CR gets quoted
        "empty_texts.csv": _csv([HEADER, ["E-1", "", "Beviljad", "1000", "2", "2023-01-01"],
                                 ["E-2", "   ", "Avslag", "1000", "2", "2023-01-01"],
                                 ["E-3", "Kurs i excel", "Avslag", "1000", "2", "2023-01-01"]])
        .encode("utf-8"),
        "html_and_english.csv": _csv([HEADER, ["W-1", "<p>Utbildning i <b>lågaffektivt</b> "
                                      "bemötande</p><script>alert(1)</script>", "Beviljad", "9000",
                                      "3", "2023-01-01"], ["W-2", "Training in de-escalation for "
                                      "care staff, two days", "Avslag", "9000", "3",
                                      "2023-01-01"]]).encode("utf-8"),
        "odd_decisions.csv": _csv([HEADER, *[[f"D-{i}", "Kurs i yrkessvenska", d, "1000", "2",
                                              "2023-01-01"] for i, d in enumerate(
            ["Beviljad", "AVSLAG", "ja", "Nej", "Ej beviljad"], start=1)]]).encode("utf-8"),
        "odd_costs.csv": _csv([HEADER, *[[f"C-{i}", "Kurs i yrkessvenska", "Beviljad", c, "2",
                                          "2023-01-01"] for i, c in enumerate(
            ["12 500 kr", "1,5 mkr", "-300", "tolv"], start=1)]]).encode("utf-8"),
        "personnummer.csv": _csv([HEADER, ["P-1", "Kontakt Kim 811218-9876 om kursen i "
                                           "yrkessvenska", "Beviljad", "811218-9876", "2",
                                           "2023-01-01"]]).encode("utf-8"),
    }
    for name, data in files.items():
        (out / name).write_bytes(data)
    _excel_files(out)
    # a zip that is no workbook
    raw = io.BytesIO()
    with zipfile.ZipFile(raw, "w") as zf:
        zf.writestr(zipfile.ZipInfo("readme.txt", FIXED), "inte en arbetsbok")
    (out / "zip_not_excel.xlsx").write_bytes(raw.getvalue())
    return sorted(out.iterdir())


def _excel_files(out: Path) -> None:
    from openpyxl.utils import get_column_letter

    def title_rows(wb):
        ws = wb.active
        ws.append(["Ansökningar till Omställningsfonden 2023"])
        ws.append([])
        for row in [HEADER, *ROWS]:
            ws.append(row)

    def merged(wb):
        ws = wb.active
        ws.append(["Ärende", "Beskrivning", "Beslut", "Kostnad", None, "Inskickad"])
        ws.append([None, None, None, "(kr)", "Antal deltagare", None])
        ws.merge_cells("D1:E1")
        for row in ROWS:
            ws.append([row[0], row[1], row[2], row[3], row[4], row[5]])
        ws.append(["H-4", "Samma beslut som ovan", None, None, None, "2023-04-01"])
        ws.merge_cells(f"C{ws.max_row - 1}:C{ws.max_row}")

    def formulas_and_serials(wb):
        ws = wb.active
        ws.append(HEADER)
        ws.append(["X-1", "Yrkessvenska för undersköterskor", "Beviljad", "=1000*12", 12, 44958])
        ws.append(["X-2", "=CONCAT(\"Kurs \",\"i excel\")", "Avslag", 40000, 60, 45000])
        ws.append(["X-3", "Validering av barnskötare", "Beviljad", 5000, 2, "2023-05-02"])

    def empty_rows(wb):
        ws = wb.active
        ws.append(HEADER)
        ws.append(ROWS[0])
        ws.append([])
        ws.append(ROWS[1])
        ws.append([None] * len(HEADER))
        ws.append(ROWS[2])

    def several_sheets(wb):
        info = wb.active
        info.title = "Info"
        info.append(["Exporterad från ärendesystemet"])
        data = wb.create_sheet("Ansökningar")
        for row in [HEADER, *ROWS]:
            data.append(row)

    def huge_sheet(wb):
        ws = wb.active
        for row in [HEADER, *ROWS]:
            ws.append(row)
        ws[f"{get_column_letter(1)}1"].value = "Ärende"

    for name, build in (("excel_title_rows.xlsx", title_rows), ("excel_merged.xlsx", merged),
                        ("excel_formulas_serials.xlsx", formulas_and_serials),
                        ("excel_empty_rows.xlsx", empty_rows),
                        ("excel_several_sheets.xlsx", several_sheets)):
        _xlsx(out / name, build)
    # "zip bomb" style: a tiny file whose sheet unpacks to 120 MB (whitespace inside the XML)
    from openpyxl import Workbook

    wb = Workbook()
    huge_sheet(wb)
    raw = io.BytesIO()
    wb.save(raw)
    with zipfile.ZipFile(io.BytesIO(raw.getvalue())) as zf:
        sheet = zf.read("xl/worksheets/sheet1.xml")
    padded = sheet.replace(b"<sheetData>", b"<sheetData>" + b" " * 120_000_000, 1)
    _rezip(raw.getvalue(), out / "excel_bomb.xlsx", {"xl/worksheets/sheet1.xml": padded})


if __name__ == "__main__":
    for path in main(Path(sys.argv[1]) if len(sys.argv) > 1 else OUT):
        print(f"{path.stat().st_size:>9}  {path.name}")
