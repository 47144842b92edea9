"""One parser per kind of cell: money and counts, dates and periods, and the text join.

:mod:`kompred.io` reads files with these, :mod:`kompred.rules` reads a draft with these, and the
grant model reads numbers with these, so "125 000 kr" or "2023-04" means the same everywhere.

>>> parse_number("125 000 kr"), parse_number("1.250.000,50"), parse_number("1,5 mkr")
(125000.0, 1250000.5, 1500000.0)
>>> parse_number("tolv") is None
True
>>> parse_date_period("2023-04")
(Timestamp('2023-04-01 00:00:00'), 'month')
>>> join_texts("Demens", "Kurs om demens.")
'Demens. Kurs om demens.'
"""

from __future__ import annotations

import re
from datetime import date
from typing import Any

import numpy as np
import pandas as pd

from .values import is_blank, is_missing

__all__ = [
    "join_texts",
    "parse_date",
    "parse_date_period",
    "parse_number",
    "parse_numbers",
    "period_end",
    "to_date",
]

_NUM_CLEAN = re.compile(r"(?i)\s|\u00a0|\u202f|kr\.?|sek|:-|st\.?|pers\.?|personer")
# "1,5 mkr" and "250 tkr": millions and thousands of kronor, as budgets are often written
_SCALE = re.compile(r"(?i)\s*(m|t)(?:kr|sek)\.?\s*$")
_EMPTY_WORDS = {"nan", "none", "-", "–", "nat", "<na>"}


def parse_number(value: object) -> float | None:
    """A money amount or a count as written: '125 000 kr', '12500,50', '1 250 000:-', 3.5.

    Returns NaN for an empty cell and None for a cell that is not a number.
    """
    if value is None or value is pd.NA:
        return np.nan
    if isinstance(value, bool | np.bool_):
        return None
    if isinstance(value, int | float | np.integer | np.floating):
        return float(value)
    text = str(value).strip()
    if not text or text.lower() in _EMPTY_WORDS:
        return np.nan
    scale = _SCALE.search(text)
    if scale:
        head = text[: scale.start()]
        x = parse_number(head) if head.strip() else None
        if x is None or np.isnan(x):
            return None
        return x * (1e6 if scale.group(1).lower() == "m" else 1e3)
    text = _NUM_CLEAN.sub("", text).replace("\u2212", "-")
    if re.fullmatch(r"-?\d{1,3}(\.\d{3})+(,\d+)?", text):  # 1.250.000,50
        text = text.replace(".", "").replace(",", ".")
    elif re.fullmatch(r"-?\d+,\d+", text):
        text = text.replace(",", ".")
    elif re.fullmatch(r"-?\d{1,3}(,\d{3})+(\.\d+)?", text):  # 1,250,000.50
        text = text.replace(",", "")
    try:
        return float(text)
    except ValueError:
        return None


def parse_numbers(values: Any) -> np.ndarray:
    """A column of numbers as float64: NaN for empty and for unparseable cells.

    >>> parse_numbers(pd.Series(["1 234,5", None, "x", 7])).tolist()
    [1234.5, nan, nan, 7.0]
    """
    if isinstance(values, pd.Series) and pd.api.types.is_numeric_dtype(values) \
            and not pd.api.types.is_bool_dtype(values):
        return np.asarray(values.to_numpy(dtype=float, na_value=np.nan), dtype=float)
    out = [parse_number(v) for v in (values.tolist() if hasattr(values, "tolist") else values)]
    return np.array([np.nan if v is None else v for v in out], dtype=float)


_DATE_FORMATS = ("%Y-%m-%d", "%Y-%m-%d %H:%M:%S", "%Y-%m-%dT%H:%M:%S", "%Y%m%d", "%d/%m/%Y",
                 "%d.%m.%Y", "%Y/%m/%d")
#: Coarser cells: a month or a year alone, read as the period's first day.
_PERIOD_FORMATS = (("%Y-%m", "month"), ("%Y/%m", "month"), ("%Y", "year"))


def parse_date_period(value: object) -> tuple[pd.Timestamp | None, str]:
    """A date cell as (first day, precision "day", "month" or "year").

    A year (``2023``, also a number 2023.0 from a spreadsheet) or a month (``2023-04``) is read
    as its first day; the precision says how much is really known. An empty cell gives NaT, a
    cell that is not a date gives None.

    >>> parse_date_period("2023-04-15")[1], parse_date_period(2022.0), parse_date_period("tolv")
    ('day', (Timestamp('2022-01-01 00:00:00'), 'year'), (None, 'day'))
    """
    # NaT has .year and .month: caught here, before the date branch below
    if value is None or value is pd.NA or value is pd.NaT or \
            (isinstance(value, float) and np.isnan(value)):
        return pd.NaT, "day"
    if isinstance(value, pd.Timestamp):
        return (value.normalize() if value is not pd.NaT else pd.NaT), "day"
    if isinstance(value, np.datetime64):
        return (pd.NaT if np.isnat(value) else pd.Timestamp(value).normalize()), "day"
    if hasattr(value, "year") and hasattr(value, "month"):
        return pd.Timestamp(value).normalize(), "day"
    if isinstance(value, int | float | np.integer | np.floating) and not isinstance(value, bool) \
            and float(value).is_integer() and 1900 <= float(value) <= 2100:
        return pd.Timestamp(year=int(value), month=1, day=1), "year"
    if isinstance(value, int | float | np.integer | np.floating) and not isinstance(value, bool) \
            and 20_000 <= float(value) <= 80_000:
        # an Excel date serial in a cell not formatted as a date (days since 1899-12-30)
        return (pd.Timestamp("1899-12-30") + pd.Timedelta(days=int(value))).normalize(), "day"
    text = str(value).strip()
    if not text or text.lower() in _EMPTY_WORDS:
        return pd.NaT, "day"
    for fmt in _DATE_FORMATS:
        try:
            when = pd.to_datetime(text, format=fmt)
        except (ValueError, TypeError):
            continue
        if when is not pd.NaT:  # control characters can parse to NaT
            return when.normalize(), "day"
    for fmt, precision in _PERIOD_FORMATS:
        try:
            when = pd.to_datetime(text, format=fmt)
        except (ValueError, TypeError):
            continue
        if when is not pd.NaT and 1900 <= when.year <= 2100:
            return when.normalize(), precision
    return None, "day"


def parse_date(value: object) -> pd.Timestamp | None:
    """A date cell's first day: NaT for empty, None when it is not a date."""
    return parse_date_period(value)[0]


def period_end(start: pd.Timestamp, precision: str) -> pd.Timestamp:
    """Last day of the period a (start, precision) cell stands for.

    >>> period_end(pd.Timestamp("2022-01-01"), "year")
    Timestamp('2022-12-31 00:00:00')
    """
    if pd.isna(start) or precision == "day":
        return start
    months = 12 if precision == "year" else 1
    return start + pd.DateOffset(months=months) - pd.Timedelta(days=1)


def to_date(value: Any) -> date | None:
    """A cell as a calendar day, or None when it is empty, not a date, or only a month or year.

    >>> to_date("2022-10-01"), to_date("2022"), to_date(" ")
    (datetime.date(2022, 10, 1), None, None)
    """
    if is_blank(value):
        return None
    start, precision = parse_date_period(value)
    if start is None or pd.isna(start) or precision != "day":
        return None
    return start.date()


def join_texts(*parts: Any) -> str:
    """Join text fields (title, description) into one text: the one place this is decided.

    Missing and blank parts are skipped; a part that does not end in ``.!?:;`` gets ``". "``
    before the next one, so a title reads as its own sentence.

    Examples
    --------
    >>> join_texts(None, " HLR ", float("nan"), "Ny kurs?", "Ja")
    'HLR. Ny kurs? Ja'
    """
    out = ""
    for part in parts:
        if is_missing(part):
            continue
        text = str(part).strip()
        if not text:
            continue
        if out:
            out += " " if out[-1] in ".!?:;" else ". "
        out += text
    return out
