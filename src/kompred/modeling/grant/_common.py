"""Constants and small helpers shared by the grant model's parts (internal)."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from ...exceptions import (
    NotFittedError,
    ValidationError,
)
from ...schema import GRANTED, REJECTED, parse_numbers

#: Fewer decisions than this: estimates are indicative only (a :class:`SmallDataWarning`).
MIN_DECISIONS = 100
#: Fewer decisions than this in the rarer class: also indicative only.
MIN_MINORITY = 20
#: ``calibration="auto"`` calibrates only from this many decisions (and ``MIN_MINORITY``).
MIN_CALIBRATION = 200

# newton-cg: on sparse n-gram matrices it needs a few Hessian-vector steps where lbfgs needs
# ~100 iterations (MYH, 12k features: 4x faster), and it supports warm starts for the bootstrap.
_SOLVER = "newton-cg"

# Bootstrap members are posterior-style samples: solving them beyond this relative tolerance
# changes the intervals by < 0.001 (MYH) and doubles the time.
_MEMBER_TOL = 1e-3

POSITIVE = GRANTED
NEGATIVE = REJECTED

# Canonical columns that must never be features: they are known only after the decision, or
# identify the row or the case handler. Non-canonical headers are matched through the Swedish
# aliases in kompred.schema (e.g. "Beslut", "Beviljat belopp", "Handläggare").
_NEVER_FEATURES = {
    "id": "an identifier",
    "decision": "a decision (known only after the decision: leakage)",
    "decision_date": "a decision date (known only after the decision: leakage)",
    "granted_sek": "a granted amount (known only after the decision: leakage)",
    "handler": "the case handler, not a property of the application",
    "submitted": "a date",
    "period_start": "a date",
    "period_end": "a date",
    "description": "free text (name it as text_column to use it)",
    "title": "free text (name it as title_column to use it)",
}

# Plain-Swedish labels for canonical columns, used in explanations.
_COLUMN_LABELS = {
    "employer": "arbetsgivare",
    "unit": "förvaltning",
    "agreement": "avtal",
    "fund_period": "medelsperiod",
    "insats_form": "insatsform",
    "provider_type": "utförare",
    "provider": "leverantör",
    "cost_sek": "kostnad",
    "participants": "antal deltagare",
    "topic": "ämne",
    "utbildningsomrade": "utbildningsområde",
    "anordnare": "anordnare",
    "kommun": "kommun",
    "lan": "län",
    "studieform": "studieform",
    "yh_poang": "YH-poäng",
}
_VALUE_HINTS = {
    "föreläsning": "föreläsning (engångsinsats)",
}
_COST_PER_PARTICIPANT = "kostnad per deltagare"
_MISSING = "saknas"
_OTHER = "övrigt"



def _label(column: str, labels: dict[str, str] | None = None) -> str:
    if labels and column in labels:
        return labels[column]
    return _COLUMN_LABELS.get(column, column)


def _clean_key(value: object) -> str | None:
    """A categorical value as a matching key: stripped, whitespace collapsed, casefolded."""
    if type(value) is str:  # most cells: pd.isna is False for every str
        text = " ".join(value.split())
        return text.casefold() if text else None
    if value is None:
        return None
    try:
        if pd.isna(value):
            return None
    except (TypeError, ValueError):
        pass
    text = " ".join(str(value).split())
    if not text:
        return None
    return text.casefold()


def _as_float(series: pd.Series) -> np.ndarray:
    """A column as float64 with NaN for missing or unparseable values (schema's number parser)."""
    return parse_numbers(series)


def _numbers_as_text(series: pd.Series) -> bool:
    """True for a text column whose every filled cell is a number (CSV cells are read as text).

    Codes with a leading zero ("0123", postcodes) stay categorical.

    >>> _numbers_as_text(pd.Series(["300", "1 200,5", None])), _numbers_as_text(pd.Series(["0123", "45"]))
    (True, False)
    """
    if pd.api.types.is_numeric_dtype(series) or pd.api.types.is_bool_dtype(series):
        return False
    filled = series.dropna().astype("string").str.strip()
    filled = filled[filled != ""]
    if filled.empty or filled.str.match(r"^-?0\d").any():
        return False
    return bool(np.isfinite(parse_numbers(filled)).all())


def _time_values(series: pd.Series) -> np.ndarray:
    """A time column (dates, years or date strings) as sortable floats, NaN when missing."""
    if pd.api.types.is_datetime64_any_dtype(series):
        values = series.to_numpy(dtype="datetime64[ns]")
        out = values.astype("int64").astype(float)
        out[np.isnat(values)] = np.nan
        return out
    if pd.api.types.is_numeric_dtype(series):
        return _as_float(series)
    parsed = pd.to_datetime(series, errors="coerce", format="mixed")
    if parsed.notna().sum() < series.notna().sum():
        bad = series[series.notna() & parsed.isna()].iloc[0]
        raise ValidationError(
            f"time column {series.name!r}: expected dates or years, got {bad!r}")
    return _time_values(parsed)


def _logit(p: np.ndarray) -> np.ndarray:
    p = np.clip(p, 1e-6, 1 - 1e-6)
    return np.log(p) - np.log1p(-p)


def _sigmoid(z: np.ndarray) -> np.ndarray:
    return 0.5 * (1.0 + np.tanh(0.5 * np.asarray(z, dtype=float)))


def _check_rate(rate) -> None:
    if rate is None:
        return
    if isinstance(rate, bool) or not isinstance(rate, (int, float, np.floating)) \
            or not 0 < float(rate) < 1:
        raise ValidationError(
            f"expected_rate must be a number strictly between 0 and 1 (an approval rate such "
            f"as 0.27), or None; got {rate!r}")


def _rate_shift(reference_logits: np.ndarray, rate: float) -> float:
    """The constant ``d`` with ``mean(sigmoid(reference_logits + d)) == rate``.

    The mean is increasing in ``d``, so Newton's method from 0 converges; bisection
    guards the rare overshoot.

    >>> round(_rate_shift(np.zeros(4), 0.5), 6), round(_rate_shift(np.zeros(4), 0.25), 4)
    (0.0, -1.0986)
    """
    lo, hi, d = -50.0, 50.0, 0.0
    for _ in range(100):
        p = _sigmoid(reference_logits + d)
        f = float(p.mean()) - rate
        if abs(f) < 1e-12:
            break
        if f > 0:
            hi = d
        else:
            lo = d
        slope = float((p * (1 - p)).mean())
        step = d - f / slope if slope > 0 else (lo + hi) / 2
        d = step if lo < step < hi else (lo + hi) / 2
    return d


def _check_fitted(estimator, attribute: str) -> None:
    """Raise kompred's NotFittedError (a subclass of scikit-learn's) before fit."""
    if not hasattr(estimator, attribute):
        raise NotFittedError(
            f"This {type(estimator).__name__} is not fitted yet: call fit(...) with a table of "
            f"applications and their decisions first")


def _line(X: pd.DataFrame, i: int):
    """The row's line as a spreadsheet shows it: kompred.io indexes tables by it ("row");
    otherwise count from 2 (the header is line 1)."""
    return X.index[i] if X.index.name == "row" else i + 2


def _row_names(X: pd.DataFrame, id_column: str | None, positions: Sequence[int]) -> list[str]:
    out = []
    for i in positions:
        name = f"row {_line(X, i)}"
        if id_column and id_column in X.columns:
            name += f" (id {X[id_column].iloc[i]!r})"
        out.append(name)
    return out
