"""Argument checks at the public edge of the analysis functions (internal): each error names
the argument or column and what was expected."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd

from .exceptions import SchemaError, ValidationError
from .schema import (
    parse_decisions,
)


def _check_frame(apps: Any, required: Sequence[str], *, what: str = "apps") -> None:
    if not isinstance(apps, pd.DataFrame):
        raise ValidationError(f"expected {what} to be a pandas DataFrame; got {type(apps).__name__}")
    missing = [c for c in required if c not in apps.columns]
    if missing:
        raise SchemaError(
            f"expected column{'s' if len(missing) > 1 else ''} {', '.join(map(repr, missing))} in "
            f"{what}; got columns {[str(c) for c in apps.columns][:30]}"
        )


def _text_columns_in(apps: Any, text_columns: tuple[str, ...], *, required: bool = True
                     ) -> tuple[str, ...]:
    """The text columns to use: all of them, except that a missing ``title`` is skipped.

    A table mapped from one free-text column has a description but no title.
    """
    if required:
        _check_frame(apps, [c for c in text_columns if c != "title"])
    else:
        _check_frame(apps, [])
    present = tuple(c for c in text_columns if c in apps.columns)
    if not present and required:
        raise SchemaError(
            f"expected a text column ({', '.join(map(repr, text_columns))}) in apps; got "
            f"columns {[str(c) for c in apps.columns][:30]}")
    return present or text_columns


def _check_ids(apps: pd.DataFrame, id_column: str) -> np.ndarray:
    ids = apps[id_column]
    if ids.isna().any():
        rows = (np.flatnonzero(ids.isna().to_numpy()) + 1)[:10].tolist()
        raise ValidationError(f"expected every {id_column!r} to be present; missing at rows {rows}")
    dup = ids.duplicated(keep=False).to_numpy()
    if dup.any():
        vals = sorted({str(v) for v in ids[dup]})[:10]
        raise ValidationError(f"expected unique values in {id_column!r}; got duplicates {vals}")
    return ids.astype(str).to_numpy(dtype=object)


def _decisions(apps: pd.DataFrame, decision_column: str) -> np.ndarray:
    """Decision codes as an object array of "beviljad"/"avslag"/"okänd"."""
    out, bad = parse_decisions(apps[decision_column])
    bad = [(i + 1, v) for i, v in bad]
    if bad:
        shown = ", ".join(f"row {r}: {v!r}" for r, v in bad[:10])
        raise ValidationError(
            f"expected {decision_column!r} to hold beviljad/avslag/okänd (or a recognised "
            f"spelling); got {len(bad)} unrecognised value(s): {shown}"
        )
    return out


def _check_fraction(name: str, value: Any, *, low: float = 0.0, high: float = 1.0) -> float:
    if not isinstance(value, int | float) or isinstance(value, bool) or not low <= value <= high:
        raise ValidationError(f"expected {name} to be a number in [{low}, {high}]; got {value!r}")
    return float(value)


def _check_positive_int(name: str, value: Any, *, minimum: int = 1) -> int:
    if not isinstance(value, int | np.integer) or isinstance(value, bool) or value < minimum:
        raise ValidationError(f"expected {name} to be an integer >= {minimum}; got {value!r}")
    return int(value)


def _columns_arg(name: str, value: Any) -> tuple[str, ...]:
    if isinstance(value, str):
        return (value,)
    if value is None:
        return ()
    try:
        cols = tuple(value)
    except TypeError:
        raise ValidationError(f"expected {name} to be a column name or a sequence of names; "
                              f"got {value!r}") from None
    if not all(isinstance(c, str) for c in cols):
        raise ValidationError(f"expected {name} to hold column names (str); got {value!r}")
    return cols


def _content_probabilities(apps: pd.DataFrame, content_scores: Any) -> np.ndarray:
    """Validate user-supplied content scores: a column name or an array of P(beviljad)."""
    if isinstance(content_scores, str):
        _check_frame(apps, [content_scores])
        values = pd.to_numeric(apps[content_scores], errors="coerce").to_numpy(dtype=float)
        what = f"column {content_scores!r}"
    else:
        try:
            values = np.asarray(content_scores, dtype=float)
        except (TypeError, ValueError):
            raise ValidationError("expected content_scores to be a column name or a 1-D array of "
                                  "probabilities of 'beviljad'; got values that are not numbers"
                                  ) from None
        what = "content_scores"
        if values.ndim != 1:
            raise ValidationError(f"expected content_scores to be 1-D (one probability of "
                                  f"'beviljad' per row); got shape {values.shape}")
    if len(values) != len(apps):
        raise ValidationError(f"expected {what} to have one value per row ({len(apps)}); "
                              f"got {len(values)}")
    finite = np.isfinite(values)
    if not finite.all() or (values < 0).any() or (values > 1).any():
        bad = np.flatnonzero(~finite | (values < 0) | (values > 1))[:10] + 1
        raise ValidationError(f"expected {what} to be probabilities of 'beviljad' in [0, 1]; "
                              f"got other values at rows {bad.tolist()}")
    return values


def _rng_seed(random_state: Any) -> int | None:
    if random_state is None:
        return None
    if isinstance(random_state, int | np.integer) and not isinstance(random_state, bool):
        return int(random_state)
    raise ValidationError(f"expected random_state to be an int or None; got {random_state!r}")
