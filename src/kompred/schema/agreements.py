"""Agreement versions and money periods: which rules govern an application, by its date.

This module alone knows the dates. KOM-KR replaced TLO-KL on 2020-05-01; its new version
(*lydelse*) applies from 2022-10-01. TLO-KL's trial started 2017-01-01; there was no agreement
on förebyggande insatser before that. The fund sets money aside in periods (2017–2019, 2020,
2021–2023, 2024–2026), each with its own deadlines.

>>> from datetime import date
>>> [agreement_for(d) for d in (date(2020, 4, 30), date(2020, 5, 1), date(2022, 9, 30),
...                             date(2022, 10, 1))]
['TLO-KL', 'KOM-KR-2020', 'KOM-KR-2020', 'KOM-KR-2022']
>>> agreement_for_span(date(2022, 1, 1), date(2022, 12, 31)) is None  # the year 2022 straddles
True
>>> fund_period_for(date(2025, 2, 10))
'2024-2026'
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

import numpy as np
import pandas as pd

from .sources import SOURCES, Source
from .values import AGREEMENT_NAMES, is_blank

__all__ = [
    "AGREEMENTS",
    "AGREEMENT_STARTS",
    "FUND_PERIODS",
    "KOM_KR",
    "KOM_KR_2022_START",
    "KOM_KR_START",
    "TLO_KL_START",
    "FundPeriod",
    "agreement_for",
    "agreement_for_span",
    "fund_period",
    "fund_period_for",
    "normalize_fund_period",
]

#: The agreement versions, oldest first.
AGREEMENTS = AGREEMENT_NAMES
#: The KOM-KR versions (rules that are specific to KOM-KR's purpose apply to these).
KOM_KR = ("KOM-KR-2020", "KOM-KR-2022")

TLO_KL_START = date(2017, 1, 1)
KOM_KR_START = date(2020, 5, 1)
KOM_KR_2022_START = date(2022, 10, 1)
#: First day of each agreement version.
AGREEMENT_STARTS: tuple[tuple[str, date], ...] = (
    ("TLO-KL", TLO_KL_START), ("KOM-KR-2020", KOM_KR_START), ("KOM-KR-2022", KOM_KR_2022_START),
)  # fmt: skip


def _as_date(day: Any) -> date | None:
    if day is None or day is pd.NaT:
        return None
    if isinstance(day, pd.Timestamp | datetime):
        return day.date()
    if isinstance(day, np.datetime64):
        return None if np.isnat(day) else pd.Timestamp(day).date()
    if isinstance(day, date):
        return day
    raise TypeError(f"expected a date; got {type(day).__name__} {day!r}")


def agreement_for(day: Any) -> str | None:
    """The agreement version in force on a day (None before TLO-KL's start or for no date).

    Parameters
    ----------
    day : date, datetime, pandas.Timestamp or None

    Returns
    -------
    str or None
        One of :data:`AGREEMENTS`.
    """
    d = _as_date(day)
    if d is None:
        return None
    found = None
    for name, start in AGREEMENT_STARTS:
        if d >= start:
            found = name
    return found


def agreement_for_span(first: Any, last: Any) -> str | None:
    """The agreement version of a date known only to a span (a year or a month cell).

    Returns the version only when the whole span lies under one version, else None.
    """
    a, b = agreement_for(first), agreement_for(last)
    return a if a == b else None


@dataclass(frozen=True)
class FundPeriod:
    """A money period of the fund and its period-specific deadlines."""

    name: str
    start: date
    end: date
    rekvirering_deadline: date | None
    submission_cutoff: date | None
    source: Source


#: The fund's money periods. 2024–2026: every insats must be rekvirerad no later than three
#: years after the period ends, 2029-12-31; earlier periods are not affected. 2017–2019
#: (TLO-KL): a complete anmälan by 2019-11-29.
FUND_PERIODS: tuple[FundPeriod, ...] = (
    FundPeriod("2017-2019", date(2017, 1, 1), date(2019, 12, 31), None, date(2019, 11, 29),
               SOURCES["S10"]),
    FundPeriod("2020", date(2020, 1, 1), date(2020, 12, 31), None, None, SOURCES["S12"]),
    FundPeriod("2021-2023", date(2021, 1, 1), date(2023, 12, 31), None, None, SOURCES["S20"]),
    FundPeriod("2024-2026", date(2024, 1, 1), date(2026, 12, 31), date(2029, 12, 31), None,
               SOURCES["S4"]),
)  # fmt: skip
_PERIODS_BY_NAME = {p.name: p for p in FUND_PERIODS}
_DASHES = str.maketrans({c: "-" for c in "\u2010\u2011\u2012\u2013\u2014\u2015\u2212"})


def fund_period_for(day: Any) -> str | None:
    """The name of the money period that contains a day, or None."""
    d = _as_date(day)
    if d is None:
        return None
    for p in FUND_PERIODS:
        if p.start <= d <= p.end:
            return p.name
    return None


def fund_period(name: str | None) -> FundPeriod | None:
    """The :class:`FundPeriod` of a period name (as :func:`normalize_fund_period` gives it)."""
    return _PERIODS_BY_NAME.get(name or "")


def normalize_fund_period(value: Any) -> str | None:
    """A money period as written ("2021–23", "2024 - 2026", 2020) in the form "2021-2023".

    Values that do not look like a year or a span of years are returned stripped, as given.

    >>> normalize_fund_period("2021–23"), normalize_fund_period(2020), normalize_fund_period(" ")
    ('2021-2023', '2020', None)
    """
    if is_blank(value):
        return None
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    text = str(value).strip().translate(_DASHES)
    m = re.fullmatch(r"(20\d\d)\s*(?:-\s*(20)?(\d\d))?", text)
    if not m:
        return text
    if m.group(3) is None:
        return m.group(1)
    return f"{m.group(1)}-{m.group(2) or '20'}{m.group(3)}"
