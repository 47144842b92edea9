"""The fund's decision: its three codes and the one parser for how people write it.

Code that needs to know whether a row was granted compares with :data:`GRANTED` and
:data:`REJECTED` or calls :func:`decision_labels`; no other module spells a decision word.

>>> normalize_decision("Ej beviljad"), normalize_decision(pd.NA), normalize_decision("kanske")
('avslag', 'okänd', None)
>>> decision_labels(["Beviljad", "avslag", None, "pågår"]).tolist()
[1, 0, -1, -1]
"""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np
import pandas as pd

from .values import is_blank, lookup, value_map

__all__ = [
    "DECISIONS",
    "DECIDED",
    "GRANTED",
    "REJECTED",
    "UNKNOWN",
    "decision_labels",
    "normalize_decision",
    "parse_decisions",
]

GRANTED = "beviljad"
REJECTED = "avslag"
UNKNOWN = "okänd"
DECISIONS = (GRANTED, REJECTED, UNKNOWN)
#: The decisions a model can learn from.
DECIDED = (GRANTED, REJECTED)

DECISION_MAP = value_map({
    GRANTED: ("beviljat", "beviljade", "bevilja", "bifall", "bifallen", "godkänd", "godkänt",
              "godkännande", "ja", "approved", "granted", "1", "true"),
    REJECTED: ("avslagen", "avslaget", "avslogs", "ej beviljad", "ej beviljat", "inte beviljad",
               "ej godkänd", "ej godkänt", "nej", "rejected", "denied", "0", "false"),
    UNKNOWN: ("okänt", "ej beslutad", "pågår", "under handläggning", "inget beslut", "unknown",
              "komplettering", "återkallad", "återtagen"),
})  # fmt: skip


def normalize_decision(value: object) -> str | None:
    """Map a decision as written (Beviljad, Ej beviljad, Avslag, Ja/Nej, 1/0) to its code.

    Returns None when the value is not recognised; missing values (None, NaN, ``pd.NA``,
    ``NaT``, blank strings) map to ``"okänd"``.
    """
    if is_blank(value):
        return UNKNOWN
    if isinstance(value, bool | np.bool_):
        value = int(value)
    if isinstance(value, float | np.floating) and float(value).is_integer():
        value = int(value)
    return lookup(value, DECISION_MAP)


def parse_decisions(values: Iterable[object]) -> tuple[np.ndarray, list[tuple[int, object]]]:
    """Decision codes for a column, and the (0-based position, value) of each unrecognised cell.

    Unrecognised cells get :data:`UNKNOWN` in the codes; callers turn the list into an error
    that names the rows.

    >>> codes, bad = parse_decisions(["Ja", 0, "kanske", None])
    >>> codes.tolist(), bad
    (['beviljad', 'avslag', 'okänd', 'okänd'], [(2, 'kanske')])
    """
    if isinstance(values, pd.Series):
        values = values.tolist()
    out, bad = [], []
    for i, v in enumerate(values):
        code = normalize_decision(v)
        if code is None:
            bad.append((i, v))
            code = UNKNOWN
        out.append(code)
    return np.array(out, dtype=object), bad


def decision_labels(values: Iterable[object]) -> np.ndarray:
    """1 for granted, 0 for rejected, -1 for unknown or unrecognised, one per value."""
    if isinstance(values, pd.Series):
        values = values.tolist()
    codes = [normalize_decision(v) for v in values]
    return np.array([1 if c == GRANTED else 0 if c == REJECTED else -1 for c in codes], dtype=int)
