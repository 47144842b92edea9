"""Reading, validating and writing tables of applications.

Reads CSV (UTF-8, UTF-8 with BOM, or Windows-1252 as Swedish Excel exports it; separated by
``;``, ``,`` or tab), XLSX and Parquet. :func:`read_applications` maps Swedish headers to the
canonical schema (:mod:`kompred.schema`), parses Swedish numbers and dates, and raises one
:class:`~kompred.exceptions.ApplicationTableError` that lists every problem with its row and
column. No row is ever dropped: the returned frame has one row per input row, indexed by the
row number a spreadsheet shows (the header is row 1, the first application row 2).

>>> import pandas as pd
>>> raw = pd.DataFrame({"Beskrivning": ["Yrkessvenska för undersköterskor"],
...                     "Beslut": ["Beviljad"], "Kostnad (kr)": ["125 000 kr"]})
>>> apps = read_applications(raw)
>>> apps[["description", "decision", "cost_sek"]].to_dict("records")
[{'description': 'Yrkessvenska för undersköterskor', 'decision': 'beviljad', 'cost_sek': 125000.0}]
"""

from __future__ import annotations

import contextlib
import csv
import difflib
import io as _io
import os
import zipfile
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from . import _guards
from .exceptions import (
    ApplicationTableError,
    InputFileError,
    Problem,
    SchemaError,
    UnsupportedFormatError,
)
from .schema import (
    COLUMNS,
    UNKNOWN,
    agreement_for_span,
    canonical_column,
    column_names,
    is_blank,
    normalize_agreement,
    normalize_decision,
    normalize_insats_form,
    normalize_provider_type,
    parse_date_period,
    parse_number,
    period_end,
    value_choices,
)

__all__ = [
    "iter_table_chunks",
    "read_applications",
    "read_table",
    "validate_applications",
    "write_table",
]

CSV_SUFFIXES = {".csv", ".tsv", ".txt"}
EXCEL_SUFFIXES = {".xlsx", ".xlsm"}
PARQUET_SUFFIXES = {".parquet", ".pq"}
SUPPORTED = sorted(CSV_SUFFIXES | EXCEL_SUFFIXES | PARQUET_SUFFIXES)

_SPEC = {c.name: c for c in COLUMNS}
FIRST_DATA_ROW = 2  # row numbers as a spreadsheet shows them: the header is row 1


# ----------------------------------------------------------------------------- reading raw tables
def _format_of(path: Path) -> str:
    suffix = path.suffix.lower()
    if suffix == ".gz":
        suffix = Path(path.stem).suffix.lower()
    if suffix in CSV_SUFFIXES:
        return "csv"
    if suffix in EXCEL_SUFFIXES:
        return "xlsx"
    if suffix in PARQUET_SUFFIXES:
        return "parquet"
    if suffix == ".xls":
        raise UnsupportedFormatError(
            f"{path}: old Excel .xls files are not supported; expected one of {', '.join(SUPPORTED)}. "
            "Open the file in Excel and save it as .xlsx or as CSV (UTF-8)."
        )
    raise UnsupportedFormatError(
        f"{path}: cannot tell the file type from the suffix {suffix!r}; "
        f"expected one of {', '.join(SUPPORTED)}"
    )


def _decode(data: bytes, path: Path, encoding: str | None) -> tuple[str, str]:
    """Decode CSV bytes: the given encoding, else UTF-8 (BOM or not), else Windows-1252."""
    if encoding:
        try:
            return data.decode(encoding), encoding
        except (UnicodeDecodeError, LookupError) as exc:
            raise InputFileError(f"{path}: cannot decode the file as {encoding!r}: {exc}") from exc
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):  # Excel's "Unicode text" is UTF-16
        try:
            return data.decode("utf-16"), "utf-16"
        except UnicodeDecodeError as exc:
            raise InputFileError(f"{path}: starts as UTF-16 but cannot be decoded: {exc}") from exc
    try:
        return data.decode("utf-8-sig"), "utf-8-sig" if data.startswith(b"\xef\xbb\xbf") else "utf-8"
    except UnicodeDecodeError:
        pass
    try:
        # Swedish Excel's "CSV (semikolonavgränsad)" writes Windows-1252.
        return data.decode("cp1252", errors="strict"), "cp1252"
    except UnicodeDecodeError as exc:
        raise InputFileError(f"{path}: cannot decode the file as UTF-8 or Windows-1252 (byte "
                             f"{exc.start}); save it as CSV (UTF-8) or pass encoding=") from exc


def _sniff_separator(text: str) -> str:
    sample = text[:20_000]
    try:
        return csv.Sniffer().sniff(sample, delimiters=";,\t").delimiter
    except csv.Error:
        header = sample.splitlines()[0] if sample else ""
        counts = {sep: header.count(sep) for sep in (";", ",", "\t")}
        return max(counts, key=counts.get) if any(counts.values()) else ","


def read_table(
    path: str | os.PathLike,
    *,
    sheet: str | int | None = None,
    sep: str | None = None,
    encoding: str | None = None,
) -> pd.DataFrame:
    """Read a CSV, XLSX or Parquet file as it is, every CSV cell as text.

    Parameters
    ----------
    path : path-like
        The file. The format follows the suffix (``.csv``, ``.tsv``, ``.txt``, ``.xlsx``,
        ``.parquet``; ``.csv.gz`` works too).
    sheet : str or int, optional
        The Excel sheet (default: the first).
    sep : str, optional
        CSV separator; by default sniffed among ``;``, ``,`` and tab.
    encoding : str, optional
        CSV encoding; by default UTF-8 (with or without BOM), falling back to Windows-1252.

    Returns
    -------
    pandas.DataFrame
        The table with the file's own headers. ``attrs`` records the source, format, encoding and
        separator.
    """
    path = Path(path)
    fmt = _format_of(path)
    if not path.exists():
        raise InputFileError(f"{path}: no such file")
    if path.is_dir():
        raise InputFileError(f"{path}: is a folder, expected a file")
    try:
        if fmt == "csv":
            data = path.read_bytes()
            if path.suffix.lower() == ".gz":
                import gzip

                data = gzip.decompress(data)
            _guards.check_csv_bytes(data, path)
            text, used_encoding = _decode(data, path, encoding)
            used_sep = sep or ("\t" if path.suffix.lower() == ".tsv" else _sniff_separator(text))
            if not text.strip():
                raise InputFileError(f"{path}: the file is empty; expected a header row and rows")
            _guards.check_header(next(csv.reader(_io.StringIO(text), delimiter=used_sep[0])), path)
            frame = pd.read_csv(
                _io.StringIO(text), sep=used_sep, dtype=str, keep_default_na=False,
                skipinitialspace=False, engine="python" if len(used_sep) > 1 else "c",
            )
            frame.attrs.update(encoding=used_encoding, sep=used_sep)
        elif fmt == "xlsx":
            _guards.check_xlsx(path)
            frame = pd.read_excel(path, sheet_name=sheet if sheet is not None else 0,
                                  engine="openpyxl")
            _guards.check_header(_xlsx_header(path, sheet), path)
        else:
            frame = pd.read_parquet(path)
    except (InputFileError, UnsupportedFormatError, SchemaError):
        raise
    except pd.errors.ParserError as exc:
        raise _guards.parser_error(exc, path) from exc
    except (OSError, ValueError, KeyError, zipfile.BadZipFile, csv.Error) as exc:
        raise InputFileError(f"{path}: cannot read the file as {fmt}: {exc}") from exc
    frame.attrs.update(source=str(path), format=fmt)
    return frame


def iter_table_chunks(
    path: str | os.PathLike, *, chunksize: int = 10_000, sep: str | None = None,
    encoding: str | None = None, sheet: str | int | None = None,
) -> Iterator[pd.DataFrame]:
    """Read a large table in chunks of at most ``chunksize`` rows, in order, in bounded memory.

    Each chunk's index holds the spreadsheet row numbers of its rows (header = row 1).
    ``sheet`` picks an Excel sheet by name or number (default: the first).
    """
    path = Path(path)
    fmt = _format_of(path)
    if not path.exists():
        raise InputFileError(f"{path}: no such file")
    start = FIRST_DATA_ROW
    if fmt == "csv":
        with open(path, "rb") as fh:
            head = fh.read(65_536)
        _guards.check_csv_bytes(head, path)
        if head.startswith((b"\xff\xfe", b"\xfe\xff")) and not encoding:  # UTF-16: whole units
            text, used_encoding = head.decode("utf-16", errors="ignore"), "utf-16"
        else:
            text, used_encoding = _decode(head[: head.rfind(b"\n") + 1] or head, path, encoding)
        if not text.strip():
            raise InputFileError(f"{path}: the file is empty; expected a header row and rows")
        with open(path, encoding=used_encoding, newline="") as fh:
            used_sep = sep or ("\t" if path.suffix.lower() == ".tsv" else _sniff_separator(fh.read(20_000)))
        _guards.check_header(next(csv.reader(_io.StringIO(text), delimiter=used_sep[0])), path)
        reader = pd.read_csv(path, sep=used_sep, dtype=str, keep_default_na=False,
                             encoding=used_encoding, chunksize=chunksize)
        chunks: Iterator[pd.DataFrame] = reader
    elif fmt == "parquet":
        import pyarrow.parquet as pq

        pf = pq.ParquetFile(path)
        chunks = (b.to_pandas() for b in pf.iter_batches(batch_size=chunksize))
    else:
        _guards.check_xlsx(path)
        chunks = _iter_xlsx(path, chunksize, sheet)
    try:
        for chunk in chunks:
            chunk = chunk.reset_index(drop=True)
            chunk.index = pd.RangeIndex(start, start + len(chunk), name="row")
            start += len(chunk)
            chunk.attrs.update(source=str(path), format=fmt)
            yield chunk
    except (InputFileError, SchemaError):
        raise
    except pd.errors.ParserError as exc:
        raise _guards.parser_error(exc, path) from exc
    except (pd.errors.EmptyDataError, UnicodeDecodeError, zipfile.BadZipFile, KeyError,
            csv.Error, ValueError) as exc:
        raise InputFileError(f"{path}: cannot read the file as {fmt}: {exc}") from exc
    finally:  # also when the caller stops early on an error: no open file is left behind
        close = getattr(chunks, "close", None)
        if close is not None:
            close()


def _iter_xlsx(path: Path, chunksize: int, sheet=None) -> Iterator[pd.DataFrame]:
    from openpyxl import load_workbook

    wb = load_workbook(path, read_only=True, data_only=True)
    try:
        if isinstance(sheet, str) and sheet not in wb.sheetnames:
            raise InputFileError(f"{path}: no sheet {sheet!r}; the workbook has the sheets "
                                 f"{', '.join(repr(n) for n in wb.sheetnames)}")
        ws = wb[sheet] if isinstance(sheet, str) else wb.worksheets[sheet or 0]
        rows = ws.iter_rows(values_only=True)
        header = [str(h) if h is not None else f"Unnamed: {i}" for i, h in enumerate(next(rows, ()))]
        _guards.check_header(header, path)
        buf: list[tuple] = []
        for r in rows:
            buf.append(r)
            if len(buf) >= chunksize:
                yield pd.DataFrame(buf, columns=header)
                buf = []
        if buf:
            yield pd.DataFrame(buf, columns=header)
    finally:
        wb.close()


def _xlsx_header(path: Path, sheet) -> list:
    """Row 1 of a sheet as written (pandas renames repeated headers, hiding them)."""
    from openpyxl import load_workbook

    wb = load_workbook(path, read_only=True, data_only=True)
    try:
        ws = wb[sheet] if isinstance(sheet, str) else wb.worksheets[sheet or 0]
        return list(next(ws.iter_rows(max_row=1, values_only=True), ()))
    finally:
        wb.close()


# ----------------------------------------------------------------------------- validation
def _suggest(value: str, choices: tuple[str, ...], canon) -> str | None:
    low = str(value).strip().lower()
    starts = sorted({canon(c) for c in choices if c.startswith(low) and len(low) >= 3})
    if len(starts) == 1:
        return starts[0]
    close = difflib.get_close_matches(low, choices, n=1, cutoff=0.6)
    return canon(close[0]) if close else None


def _map_headers(
    frame: pd.DataFrame, columns: Mapping[str, str] | None, source: str | None
) -> tuple[dict[str, str], list[Problem]]:
    """Map the frame's headers to canonical names; user mapping wins over aliases."""
    problems: list[Problem] = []
    user = dict(columns or {})
    canon_names = set(column_names())
    for target in user.values():
        if target not in canon_names:
            raise SchemaError(
                f"{source or 'table'}: column mapping targets must be canonical names "
                f"({', '.join(column_names())}); got {target!r}"
            )
    missing_user = [h for h in user if h not in frame.columns]
    if missing_user:
        raise SchemaError(
            f"{source or 'table'}: the column mapping names {missing_user} but the table has "
            f"{list(map(str, frame.columns))}"
        )
    mapping: dict[str, str] = {}
    claimed: dict[str, list[str]] = {}
    for header in frame.columns:
        target = user.get(header) if header in user else canonical_column(str(header))
        if target is None or (header not in user and target in user.values()):
            continue
        mapping[header] = target
        claimed.setdefault(target, []).append(str(header))
    for target, headers in claimed.items():
        if len(headers) > 1:
            problems.append(Problem(
                None, ", ".join(headers),
                f"{len(headers)} columns map to {target!r}; expected one",
                hint=f"keep one of them or pass columns={{'{headers[0]}': '{target}'}}",
            ))
    return mapping, problems


def validate_applications(
    frame: pd.DataFrame,
    *,
    columns: Mapping[str, str] | None = None,
    require: tuple[str, ...] = ("description",),
    require_decision: bool = False,
    source: str | None = None,
    first_row: int = FIRST_DATA_ROW,
) -> pd.DataFrame:
    """Validate a raw table of applications and return it in the canonical schema.

    Parameters
    ----------
    frame : pandas.DataFrame
        The raw table, with headers as written (canonical names or Swedish aliases).
    columns : mapping, optional
        Extra header → canonical name mapping, e.g. ``{"Vad ska göras": "description"}``.
    require : tuple of str
        Canonical columns that must exist (default: only ``description``).
    require_decision : bool
        Also require a ``decision`` column whose every value is beviljad or avslag (for training).
    source : str, optional
        A name for the table in messages (the file path).
    first_row : int
        The spreadsheet row number of the frame's first row (2 when row 1 is the header).

    Returns
    -------
    pandas.DataFrame
        Canonical columns first (those present), then the other columns unchanged; one row per input
        row, indexed by spreadsheet row number.

    Raises
    ------
    SchemaError
        A required column is missing or two columns claim the same name.
    ApplicationTableError
        Cells that cannot be read; the error lists every one with row, column and a likely fix.
    """
    source = source or frame.attrs.get("source")
    if frame.columns.has_duplicates:
        dup = sorted({str(c) for c in frame.columns[frame.columns.duplicated()]})
        raise SchemaError(f"{source or 'table'}: duplicated column headers {dup}; expected unique headers")
    mapping, problems = _map_headers(frame, columns, source)
    if problems:
        raise ApplicationTableError(problems, source=source)
    out = frame.rename(columns=mapping).copy()
    out.index = pd.RangeIndex(first_row, first_row + len(out), name="row")
    needed = list(require) + (["decision"] if require_decision else [])
    missing = [c for c in needed if c not in out.columns]
    if missing:
        found = [str(c) for c in frame.columns]
        hints = []
        for m in missing:
            aliases = _SPEC[m].aliases
            guess = [f for f in found if any(
                difflib.SequenceMatcher(None, f.lower().strip(), a).ratio() > 0.75
                for a in (m, *aliases))][:1]
            hint = f"{m!r} (headers accepted: {', '.join(repr(a) for a in aliases[:6])}"
            hint += f"; did you mean {guess[0]!r}? pass columns={{{guess[0]!r}: {m!r}}})" if guess else ")"
            hints.append(hint)
        raise SchemaError(
            f"{source or 'table'}: missing required column(s): {'; '.join(hints)}. "
            f"The table has: {found}"
        )

    problems = []
    rows = out.index.to_numpy()

    def bad(i: int, column: str, message: str, value: object, hint: str | None = None) -> None:
        problems.append(Problem(int(rows[i]), column, message, value, hint))

    # ids: generate when absent; must be unique when present
    if "id" not in out.columns:
        out.insert(0, "id", [f"rad-{r}" for r in rows])
    else:
        ids = out["id"].map(lambda v: None if is_blank(v) else str(v).strip()).astype("str")
        blank = ids.isna() | (ids == "")
        for i in np.flatnonzero(blank.to_numpy()):
            bad(i, "id", "empty id; expected a unique id per application", None,
                "fill it in or remove the id column to let kompred number the rows")
        dup = ids.duplicated(keep=False) & ~blank
        for i in np.flatnonzero(dup.to_numpy()):
            first = int(rows[np.flatnonzero((ids == ids.iloc[i]).to_numpy())[0]])
            if first != rows[i]:
                bad(i, "id", f"duplicate id {ids.iloc[i]!r} (also on row {first})", ids.iloc[i])
        out["id"] = ids.astype(str)

    submitted_end = None  # last day of each submitted period (a year cell: 31 December)
    for name in column_names():
        if name not in out.columns or name == "id":
            continue
        spec = _SPEC[name]
        values = out[name].tolist()
        if spec.kind in ("str", "text"):
            # Missing text is NaN for short fields; an empty description stays "" so that
            # scoring can answer "osäker: tom text" for that row instead of failing.
            out[name] = pd.Series(
                [("" if spec.kind == "text" else None) if is_blank(v)
                 else str(v).strip() if spec.kind == "str" else str(v) for v in values],
                index=out.index, dtype="str")
        elif spec.kind == "date":
            parsed, ends = [], []
            seen: dict[tuple[type, Any], tuple[Any, str]] = {}  # dates repeat: parse each once
            for i, v in enumerate(values):
                try:
                    d, precision = seen[type(v), v]
                except (KeyError, TypeError):  # new, or unhashable
                    d, precision = parse_date_period(v)
                    with contextlib.suppress(TypeError):
                        seen[type(v), v] = (d, precision)
                if d is None:
                    bad(i, name, f"cannot read {v!r} as a date", v,
                        "expected YYYY-MM-DD, e.g. 2023-04-15 (a month 2023-04 or a year 2023 "
                        "also works)")
                    d = pd.NaT
                parsed.append(d)
                ends.append(period_end(d, precision))
            out[name] = pd.to_datetime(pd.Series(parsed, index=out.index, dtype="object"))
            if name == "submitted":
                submitted_end = pd.to_datetime(pd.Series(ends, index=out.index, dtype="object"))
        elif spec.kind in ("float", "int"):
            parsed = []
            for i, v in enumerate(values):
                x = parse_number(v)
                if x is None:
                    bad(i, name, f"cannot read {v!r} as a number", v,
                        "expected digits, e.g. 125000 or '125 000 kr'")
                    x = np.nan
                elif x < 0:
                    bad(i, name, f"negative value {v!r}; expected ≥ 0", v)
                elif spec.kind == "int" and not np.isnan(x) and x != int(x):
                    bad(i, name, f"{v!r} is not a whole number", v)
                parsed.append(x)
            series = pd.Series(parsed, index=out.index, dtype="float64")
            out[name] = series.round().astype("Int64") if spec.kind == "int" else series
        elif spec.kind == "category":
            norm = {"decision": normalize_decision, "insats_form": normalize_insats_form,
                    "provider_type": normalize_provider_type, "agreement": normalize_agreement}.get(name)
            if norm is None:  # free categories such as topic: keep, lowercased
                out[name] = pd.Series(
                    [None if is_blank(v) else str(v).strip().lower() for v in values],
                    index=out.index, dtype="str")
                continue
            parsed = []
            for i, v in enumerate(values):
                if is_blank(v) and name != "decision":
                    parsed.append(None)
                    continue
                code = norm(v)
                if code is None:
                    guess = _suggest(str(v), value_choices(name), norm)
                    hint = f"did you mean {guess!r}?" if guess else None
                    bad(i, name, f"unknown value {v!r}; expected one of {', '.join(spec.values)}", v, hint)
                    code = None
                parsed.append(code)
            out[name] = pd.Series(parsed, index=out.index, dtype="str")

    if "period_start" in out.columns and "period_end" in out.columns:
        wrong = (out["period_end"] < out["period_start"]).fillna(False).to_numpy()
        for i in np.flatnonzero(wrong):
            bad(i, "period_end", f"ends ({out['period_end'].iloc[i]:%Y-%m-%d}) before it starts "
                f"({out['period_start'].iloc[i]:%Y-%m-%d})", out["period_end"].iloc[i])
    if require_decision:
        unknown = (out["decision"] == UNKNOWN).fillna(False).to_numpy()
        for i in np.flatnonzero(unknown):
            bad(i, "decision", "no decision; training needs 'beviljad' or 'avslag'", None,
                "remove undecided rows from the training file")
    if problems:
        problems.sort(key=lambda p: (p.row or 0, p.column or ""))
        raise ApplicationTableError(problems, source=source)

    if "agreement" not in out.columns and "submitted" in out.columns:
        # Derive the agreement version from the date when the table does not say; a year or
        # month cell decides it only when the whole period lies under one version.
        sub = out["submitted"]
        end = submitted_end if submitted_end is not None else sub
        derived = [None if pd.isna(a) else agreement_for_span(a, b)
                   for a, b in zip(sub.tolist(), end.tolist(), strict=True)]
        out["agreement"] = pd.Series(derived, index=out.index, dtype="str")
    order = [c for c in column_names() if c in out.columns]
    out = out[order + [c for c in out.columns if c not in order]]
    out.attrs = {"source": source} if source else {}
    return out


def read_applications(
    path_or_frame: str | os.PathLike | pd.DataFrame,
    *,
    columns: Mapping[str, str] | None = None,
    require: tuple[str, ...] = ("description",),
    require_decision: bool = False,
    sheet: str | int | None = None,
    sep: str | None = None,
    encoding: str | None = None,
) -> pd.DataFrame:
    """Read and validate a table of applications (CSV, XLSX, Parquet, or a DataFrame).

    Parameters
    ----------
    path_or_frame : path-like or pandas.DataFrame
        The file (or an already loaded raw table).
    columns : mapping, optional
        Header → canonical name for headers kompred does not know, e.g.
        ``{"Vad ska göras": "description", "Handl.": "handler"}``.
    require : tuple of str
        Canonical columns that must be present. Only ``description`` by default: it is all that is
        needed to score.
    require_decision : bool
        Require a decision (beviljad/avslag) on every row, as training does.
    sheet, sep, encoding
        Passed to :func:`read_table`.

    Returns
    -------
    pandas.DataFrame
        The canonical table (see :mod:`kompred.schema`), one row per input row, indexed by the
        spreadsheet row number.

    Raises
    ------
    InputFileError
        The file is missing or unreadable.
    SchemaError, ApplicationTableError
        The table does not fit the schema; the message lists every problem with row and column.
    """
    if isinstance(path_or_frame, pd.DataFrame):
        raw, source = path_or_frame, path_or_frame.attrs.get("source")
    else:
        raw = read_table(path_or_frame, sheet=sheet, sep=sep, encoding=encoding)
        source = str(path_or_frame)
    try:
        return validate_applications(raw, columns=columns, require=require,
                                     require_decision=require_decision, source=source)
    except SchemaError as exc:
        # title rows above the table, or the table on another sheet: say where it seems to be
        hint = _guards.title_rows_hint(raw, source, sheet=sheet) if source and \
            "missing required column" in str(exc) else ""
        if not hint:
            raise
        raise SchemaError(str(exc) + hint) from exc


# ----------------------------------------------------------------------------- writing
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def _defuse(value: object) -> object:
    # Excel runs a cell that starts with = + - @ as a formula (CSV injection); a leading
    # apostrophe makes it text. Numbers are not strings and are left alone.
    if isinstance(value, str) and value.startswith(_FORMULA_START):
        return "'" + value
    return value


def defuse_formulas(frame: pd.DataFrame) -> pd.DataFrame:
    """Return a copy whose text cells cannot run as Excel formulas."""
    out = frame.copy()
    for col in out.columns:
        if out[col].dtype == object or pd.api.types.is_string_dtype(out[col].dtype):
            out[col] = out[col].map(_defuse, na_action="ignore")
    return out


def write_table(frame: pd.DataFrame, path: str | os.PathLike, *, index: bool = False) -> Path:
    """Write a table as CSV (UTF-8 with BOM, so Excel shows å ä ö), XLSX or Parquet.

    The format follows the suffix. Text cells that start with ``=``, ``+``, ``-``, ``@``, tab or
    CR are written with a leading apostrophe in CSV and XLSX so that Excel does not run them as
    formulas; personnummer in text cells are redacted.
    """
    path = Path(path)
    fmt = _format_of(path)
    if path.parent and not path.parent.exists():
        raise InputFileError(f"{path}: the folder {path.parent} does not exist")
    from .privacy import redact_frame

    frame = redact_frame(frame)  # no personnummer in any file kompred writes
    try:
        if fmt == "csv":
            sep = "\t" if path.suffix.lower() == ".tsv" else ","
            # CRLF, as Excel writes: a line-break character inside a cell is then always quoted
            defuse_formulas(frame).to_csv(path, index=index, sep=sep, encoding="utf-8-sig",
                                          lineterminator="\r\n")
        elif fmt == "xlsx":
            defuse_formulas(frame).to_excel(path, index=index, engine="openpyxl")
        else:
            frame.to_parquet(path, index=index)
    except OSError as exc:
        raise InputFileError(f"{path}: cannot write: {exc}") from exc
    return path
