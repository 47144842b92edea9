"""Compact estimator state for model files: long lists of strings travel as one string array.

A skops file writes every element of a dict or list as its own node, and loading builds and
audits each one: a 20,000-term TF-IDF vocabulary is some 40,000 nodes, over a second to load.
A fixed-width NumPy string array is one ``.npy`` entry that NumPy reads without pickle, so the
load stays as safe (``numpy.ndarray`` is trusted by skops) and becomes a matter of milliseconds.

The estimators call :func:`pack_state` in ``__getstate__`` and :func:`unpack_state` in
``__setstate__``; pickle, ``copy`` and ``sklearn.clone`` go through the same pair. Packing is
exact or not done: a list is packed only when NumPy gives back the very same strings, and a
vocabulary only when its indices are 0..n-1. State saved before this module existed (plain
dicts and lists) loads unchanged.
"""

from __future__ import annotations

import copy
from typing import Any

import numpy as np

# marks a packed TF-IDF vocabulary inside a vectorizer's state (a key no sklearn attribute has)
_VOCABULARY = "_kompred_vocabulary_terms"


def pack_strings(values: Any) -> Any:
    """A list (or object array) of str as a fixed-width str array; anything else unchanged."""
    if isinstance(values, np.ndarray):
        if values.dtype != object:
            return values
        values = values.tolist()
    if not isinstance(values, list) or not values or not all(type(v) is str for v in values):
        return values
    packed = np.array(values, dtype=str)
    # NumPy drops trailing NUL characters: pack only when every string comes back as it was
    return packed if packed.tolist() == values else values


def pack_vectorizer(vectorizer: Any) -> Any:
    """A shallow copy of a fitted sklearn text vectorizer with its vocabulary as a str array.

    The fitted vectorizer itself is not changed; :func:`unpack_vectorizer` restores the dict.
    """
    vocabulary = getattr(vectorizer, "vocabulary_", None)
    if not isinstance(vocabulary, dict) or not vocabulary:
        return vectorizer
    terms = sorted(vocabulary, key=vocabulary.__getitem__)
    packed = pack_strings(terms)
    if not isinstance(packed, np.ndarray) or [vocabulary[t] for t in terms] != list(range(len(terms))):
        return vectorizer
    out = copy.copy(vectorizer)
    del out.vocabulary_
    setattr(out, _VOCABULARY, packed)
    return out


def unpack_vectorizer(vectorizer: Any) -> Any:
    """Undo :func:`pack_vectorizer` in place (a vectorizer without a packed vocabulary is kept)."""
    terms = vars(vectorizer).pop(_VOCABULARY, None) if hasattr(vectorizer, "__dict__") else None
    if terms is not None:
        vectorizer.vocabulary_ = {t: i for i, t in enumerate(terms.tolist())}
    return vectorizer


def pack_state(state: dict, *, strings: tuple[str, ...] = (), vectorizers: tuple[str, ...] = (),
               string_columns: tuple[str, ...] = ()) -> dict:
    """A copy of ``state`` with its named entries packed.

    Parameters
    ----------
    strings : names of lists or object arrays of str
    vectorizers : names of fitted vectorizers, or of tuples/lists of them
    string_columns : names of dicts of lists (a table as plain columns)
    """
    state = dict(state)
    for name in strings:
        if name in state:
            state[name] = pack_strings(state[name])
    for name in vectorizers:
        value = state.get(name)
        if isinstance(value, (tuple, list)):
            state[name] = type(value)(pack_vectorizer(v) for v in value)
        elif value is not None:
            state[name] = pack_vectorizer(value)
    for name in string_columns:
        if isinstance(state.get(name), dict):
            state[name] = {k: pack_strings(v) for k, v in state[name].items()}
    return state


def unpack_state(state: dict, *, strings: tuple[str, ...] = (), vectorizers: tuple[str, ...] = (),
                 string_columns: tuple[str, ...] = (), object_arrays: tuple[str, ...] = ()) -> dict:
    """Undo :func:`pack_state`; ``object_arrays`` names the strings that were object arrays."""
    state = dict(state)
    for name in strings:
        value = state.get(name)
        if isinstance(value, np.ndarray) and value.dtype.kind == "U":
            state[name] = (np.asarray(value.tolist(), dtype=object) if name in object_arrays
                           else value.tolist())
    for name in vectorizers:
        value = state.get(name)
        if isinstance(value, (tuple, list)):
            for v in value:
                unpack_vectorizer(v)
        elif value is not None:
            unpack_vectorizer(value)
    for name in string_columns:
        if isinstance(state.get(name), dict):
            state[name] = {k: v.tolist() if isinstance(v, np.ndarray) and v.dtype.kind == "U"
                           else v for k, v in state[name].items()}
    return state
