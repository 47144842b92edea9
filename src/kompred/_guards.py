"""Checks that turn hostile or awkward input files into one clear error, before a parser fails.

:mod:`kompred.io` calls these where it opens a file: a binary file named ``.csv``, a text file
named ``.xlsx``, a zip that is no workbook, an XLSX that unpacks to far more than it weighs (a
"zip bomb"), a header that names a column twice, a file with a header and no rows, and title
rows above the table. Every message names the file and, where there is one, the row and column.

>>> check_header(["Ärende", "Beskrivning", "Beslut"], "a.csv")
>>> check_header(["Beskrivning", "Beslut", "beskrivning "], "a.csv")
Traceback (most recent call last):
...
kompred.exceptions.SchemaError: a.csv: row 1 (the header) names the same column more than once: 'Beskrivning' in columns 1 and 3; expected one header per column: rename or delete the repeats
"""

from __future__ import annotations

import re
import zipfile
from collections.abc import Sequence
from pathlib import Path

import pandas as pd

from .exceptions import InputFileError, SchemaError

__all__ = ["check_csv_bytes", "check_header", "check_xlsx", "parser_error", "title_rows_hint"]

#: An XLSX part that unpacks to more than this many bytes and this many times its packed size is
#: refused: real sheets pack 5-20 times; a "zip bomb" packs a thousand times and fills memory.
MAX_PART_BYTES = 50_000_000
MAX_PART_RATIO = 100
#: No workbook kompred is meant for unpacks to more than this in total.
MAX_TOTAL_BYTES = 2_000_000_000


def check_csv_bytes(data: bytes, path: Path) -> None:
    """Refuse bytes that are no text table (NUL bytes or mostly control characters)."""
    head = data[:8192]
    if head.startswith((b"\xff\xfe", b"\xfe\xff")):  # UTF-16 text has NULs by nature
        return
    if head.startswith(b"PK\x03\x04"):
        raise InputFileError(f"{path}: this is a zip archive (an Excel file?), not a CSV text "
                             "table; if it is an Excel workbook, name it .xlsx")
    control = [i for i, b in enumerate(head) if b < 32 and b not in (9, 10, 13)]
    if control and (0 in head or len(control) / len(head) > 0.05):
        raise InputFileError(
            f"{path}: this is not a text table: it holds binary data (byte {control[0]} is a "
            "control character). Export the table from its program as CSV (UTF-8) or Excel "
            "(.xlsx)")


def check_xlsx(path: Path) -> None:
    """Refuse a file named .xlsx that is no workbook, or whose parts unpack to far too much."""
    if not zipfile.is_zipfile(path):
        with open(path, "rb") as fh:
            head = fh.read(4096)
        texty = head and not any(b < 9 for b in head)
        kind = "plain text (it looks like a CSV: name it .csv)" if texty else "not a zip archive"
        raise InputFileError(f"{path}: not an Excel (.xlsx) file: the content is {kind}")
    try:
        with zipfile.ZipFile(path) as zf:
            infos = zf.infolist()
    except (zipfile.BadZipFile, OSError) as exc:
        raise InputFileError(f"{path}: not a readable Excel (.xlsx) file: {exc}") from exc
    names = {i.filename for i in infos}
    if "[Content_Types].xml" not in names or not any(n.startswith("xl/") for n in names):
        raise InputFileError(f"{path}: a zip archive, but not an Excel workbook (no xl/ "
                             "folder); open it in Excel and save it as .xlsx")
    total = 0
    for info in infos:
        total += info.file_size
        ratio = info.file_size / max(info.compress_size, 1)
        if info.file_size > MAX_PART_BYTES and ratio > MAX_PART_RATIO:
            raise InputFileError(
                f"{path}: refused: the part {info.filename} would unpack to "
                f"{info.file_size / 1e6:.0f} MB from {info.compress_size / 1e3:.0f} kB "
                f"({ratio:.0f} times; real sheets pack 5-20 times). Open the file in Excel and "
                "save it again, or export it as CSV")
    if total > MAX_TOTAL_BYTES:
        raise InputFileError(f"{path}: refused: the workbook would unpack to {total / 1e9:.1f} GB; "
                             "export the table as CSV")


def check_header(cells: Sequence[object], path: Path | str) -> None:
    """Refuse a header row that names one column twice (ignoring case and spaces)."""
    seen: dict[str, list[int]] = {}
    for i, cell in enumerate(cells, start=1):
        key = " ".join(str(cell).split()).casefold() if cell is not None else ""
        if key and not key.startswith("unnamed:"):
            seen.setdefault(key, []).append(i)
    dups = [(cells[pos[0] - 1], pos) for pos in seen.values() if len(pos) > 1]
    if dups:
        said = "; ".join(f"{str(c).strip()!r} in columns {', '.join(map(str, p[:-1]))} and {p[-1]}"
                         for c, p in dups)
        raise SchemaError(f"{path}: row 1 (the header) names the same column more than once: "
                          f"{said}; expected one header per column: rename or delete the repeats")


_LINE = re.compile(r"Expected (\d+) fields in line (\d+), saw (\d+)")


def parser_error(exc: Exception, path: Path) -> InputFileError:
    """A pandas CSV parser error as one sentence naming the row."""
    m = _LINE.search(str(exc))
    if m:
        want, line, saw = m.groups()
        return InputFileError(
            f"{path}: row {line} has {saw} cells but the header has {want}: usually a text cell "
            "that contains the separator without quotes. Quote that cell, or save the file from "
            "Excel again")
    return InputFileError(f"{path}: cannot parse the file as CSV: {exc}")


def title_rows_hint(raw: pd.DataFrame, path: Path | str, *, sheet=None) -> str:
    """A hint when the header is not on row 1: which row looks like it, or which sheet to use."""
    from .schema import canonical_column

    for i in range(min(len(raw), 20)):
        cells = [c for c in raw.iloc[i].tolist() if isinstance(c, str) and c.strip()]
        targets = {canonical_column(c) for c in cells} - {None}
        if "description" in targets and len(targets) >= 2:
            row = i + 2  # raw row 0 is spreadsheet row 2
            shown = ", ".join(repr(c) for c in cells[:4])
            return (f" Row {row} looks like the header ({shown}, ...): delete the {row - 1} "
                    f"row{'s' if row > 2 else ''} above it so that the header is on row 1.")
    if str(path).lower().endswith((".xlsx", ".xlsm")):
        try:
            from openpyxl import load_workbook

            wb = load_workbook(path, read_only=True)
            names = wb.sheetnames
            wb.close()
        except Exception:  # a hint only; the main error stands
            return ""
        if len(names) > 1:
            which = f"sheet {sheet!r}" if sheet is not None else f"the first sheet ({names[0]!r})"
            return (f" This read {which}; the workbook has the sheets "
                    f"{', '.join(repr(n) for n in names)}: choose one with --sheet NAME "
                    "(sheet= in Python).")
    return ""
