"""Text inputs of every shape (str, list, Series, one-column frame) as a list of strings."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from ..exceptions import WrongTypeError
from ..schema import is_missing

# --------------------------------------------------------------------------------------------
# Missing values and input shapes
# --------------------------------------------------------------------------------------------


_is_missing = is_missing  # None, NA, NaT or NaN


def _text_or_empty(value: Any, *, what: str) -> str:
    """Return value if it is a str, "" if it is missing; raise TypeError otherwise."""
    if isinstance(value, str):
        return value
    if _is_missing(value):
        return ""
    raise WrongTypeError(
        f"expected {what} to be a str or missing (None/NaN); got {type(value).__name__}"
    )


def _as_value_list(X: Any, *, what: str = "X") -> list:
    """Return the values of a 1-D collection of texts as a list (values not yet checked)."""
    if isinstance(X, str | bytes):
        raise WrongTypeError(
            f"expected {what} to be a list, array or Series of texts; got a single "
            f"{type(X).__name__} (wrap it in a list: [text])"
        )
    if isinstance(X, pd.DataFrame):
        if X.shape[1] != 1:
            raise WrongTypeError(
                f"expected {what} to be 1-D texts or a DataFrame with one column; got a DataFrame "
                f"with {X.shape[1]} columns {list(X.columns)[:10]}"
            )
        return X.iloc[:, 0].tolist()
    if isinstance(X, pd.Series | pd.Index):
        return X.tolist()
    if isinstance(X, np.ndarray):
        if X.ndim == 2 and X.shape[1] == 1:
            X = X[:, 0]
        if X.ndim != 1:
            raise WrongTypeError(f"expected {what} to be a 1-D array of texts; got shape {X.shape}")
        return X.tolist()
    if isinstance(X, list | tuple):
        return list(X)
    raise WrongTypeError(
        f"expected {what} to be a list, tuple, numpy array or pandas Series of texts; "
        f"got {type(X).__name__}"
    )


def _as_texts(X: Any, *, what: str = "X") -> list[str]:
    values = _as_value_list(X, what=what)
    out = []
    for i, v in enumerate(values):
        if isinstance(v, str):
            out.append(v)
        elif _is_missing(v):
            out.append("")
        else:
            raise WrongTypeError(
                f"expected every value of {what} to be a str or missing (None/NaN); "
                f"got {type(v).__name__} {v!r:.40} at position {i}"
            )
    return out
