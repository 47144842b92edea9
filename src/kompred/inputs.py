"""What a model was trained on: its column mapping, its input schema and its training period.

``kompred train FILE --date-column year ...`` maps the file's own headers to kompred's names.
The model must remember that mapping: scored next year without the options, the year column
would otherwise be read as an unknown column, the date (and the agreement derived from it)
as missing, and the probabilities would be off with no sign why. :func:`describe_inputs`
records, at training, the mapping, every input with its kind, its share missing and the
model's use of it; :func:`resolve_columns` applies the stored mapping to a new file (options
given at scoring override it) and names a mapped column the new file lacks;
:class:`MissingInputs` compares how often each input the model uses is missing with training.

>>> import pandas as pd
>>> schema = {"columns": {"year": "submitted", "text": "description"}, "inputs": []}
>>> resolve_columns(["text", "year", "anordnare"], schema)
{'year': 'submitted', 'text': 'description'}
>>> resolve_columns(["text", "Datum"], schema, given={"Datum": "submitted"})
{'text': 'description', 'Datum': 'submitted'}
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from .exceptions import SchemaError
from .schema import COLUMNS, canonical_column, is_blank

__all__ = ["MissingInputs", "describe_inputs", "resolve_columns", "used_inputs"]

_KIND = {c.name: c.kind for c in COLUMNS}
_OPTION = {"description": "--text-column", "decision": "--decision-column", "id": "--id-column",
           "handler": "--handler-column", "submitted": "--date-column"}

#: An input missing this much more often than in training (in share of rows) is reported.
MISSING_EXCESS = 0.2

# What a missing input does to a prediction, by the role the grant model gives it.
_EFFECT = {
    "text": "no text features: the prediction rests on the other inputs only",
    "categorical": "every such row gets the level 'saknas' (missing)",
    "numeric": "filled with the training mean",
    "history": "no earlier decisions are matched: the entity's own approval history is not used",
    "time": "rows are not placed in time: history features see every training decision",
    "cost": "no cost per participant",
    "participants": "no cost per participant",
    "agreement_source": "the agreement (KOM-KR version) cannot be derived from the date and is "
                        "treated as missing",
}


def used_inputs(model) -> dict[str, str]:
    """Canonical column -> role, for every column a fitted grant model reads.

    ``submitted`` is listed as ``agreement_source`` when the model uses ``agreement`` and does
    not read ``submitted`` itself: kompred derives the agreement from the date.
    """
    cols = getattr(model, "columns_", None)
    if not cols:
        return {}
    used: dict[str, str] = {}
    for role in ("text", "categorical", "numeric", "history"):
        for c in cols.get(role) or ():
            used.setdefault(str(c), role)
    for role in ("time", "cost", "participants"):
        if cols.get(role):
            used.setdefault(str(cols[role]), role)
    if "agreement" in used:
        used.setdefault("submitted", "agreement_source")
    return used


def _kind(name: str, series: pd.Series) -> str:
    if name in _KIND:
        return _KIND[name]
    if pd.api.types.is_datetime64_any_dtype(series):
        return "date"
    if pd.api.types.is_numeric_dtype(series) and not pd.api.types.is_bool_dtype(series):
        return "float"
    return "category"


def _missing_share(series: pd.Series) -> float:
    if len(series) == 0:
        return 0.0
    return float(np.mean([is_blank(v) for v in series.tolist()]))


def describe_inputs(apps: pd.DataFrame, model=None, *, columns: Mapping[str, str] | None = None,
                    source: str | None = None) -> dict:
    """The input schema of a model trained on ``apps`` (a validated table), as a JSON document.

    Parameters
    ----------
    apps : pandas.DataFrame
        The training table after :func:`kompred.read_applications`.
    model : GrantModel, optional
        The fitted grant model; marks the inputs it uses, with their role.
    columns : mapping, optional
        The header -> canonical name mapping the training file was read with.
    source : str, optional
        The training file's name (recorded, not used).

    Returns
    -------
    dict
        ``columns`` (the mapping), ``inputs`` (each input's ``name``, ``kind``,
        ``missing_share`` in training and ``role`` in the model, None when unused), ``period``
        (first and last ``submitted`` date, when known) and ``source``.

    Examples
    --------
    >>> apps = pd.DataFrame({"description": ["a", "b"], "cost_sek": [1.0, None]})
    >>> doc = describe_inputs(apps, columns={"Text": "description"})
    >>> doc["columns"], doc["inputs"][1]
    ({'Text': 'description'}, {'name': 'cost_sek', 'kind': 'float', 'missing_share': 0.5, 'role': None})
    """
    used = used_inputs(model) if model is not None else {}
    inputs = []
    for name in apps.columns:
        inputs.append({"name": str(name), "kind": _kind(str(name), apps[name]),
                       "missing_share": round(_missing_share(apps[name]), 4),
                       "role": used.get(str(name))})
    for name, role in used.items():  # used but absent in training (e.g. agreement's date)
        if name not in apps.columns:
            inputs.append({"name": name, "kind": _KIND.get(name, "category"),
                           "missing_share": 1.0, "role": role})
    period = None
    if "submitted" in apps.columns and apps["submitted"].notna().any():
        dates = pd.to_datetime(apps["submitted"], errors="coerce").dropna()
        if len(dates):
            period = {"first": f"{dates.min():%Y-%m-%d}", "last": f"{dates.max():%Y-%m-%d}"}
    return {"columns": {str(k): str(v) for k, v in (columns or {}).items()}, "inputs": inputs,
            "period": period, "source": source}


def _present(headers: Sequence[str], target: str, mapping: Mapping[str, str]) -> bool:
    """True when some header not claimed by the mapping already means ``target``."""
    return any(h not in mapping and (h == target or canonical_column(h) == target)
               for h in headers)


def resolve_columns(headers: Iterable[object], schema: Mapping | None, *,
                    given: Mapping[str, str] | None = None, source: str | None = None,
                    model: str | None = None) -> dict[str, str]:
    """The mapping to read a new file with: the stored one, overridden by ``given``.

    A stored entry whose header the new file lacks is dropped when the file already has a
    header that means the same column (``description``, ``Beskrivning``) or when the model does
    not use that column; otherwise the file does not fit the model and this raises.

    Raises
    ------
    SchemaError
        Naming the file, the missing header, what it stood for, the closest header the file
        has, and the option that maps it.
    """
    headers = [str(h) for h in headers]
    given = dict(given or {})
    stored = dict((schema or {}).get("columns") or {})
    used = {i["name"] for i in (schema or {}).get("inputs") or () if i.get("role")} | {"description"}
    taken = set(given.values())
    mapping = {h: t for h, t in stored.items() if t not in taken and h not in given}
    for header, target in list(mapping.items()):
        if header in headers:
            continue
        del mapping[header]
        if _present(headers, target, {**mapping, **given}) or target not in used:
            continue
        close = difflib.get_close_matches(header, headers, n=1, cutoff=0.5)
        option = _OPTION.get(target)
        fix = (f"map the column that holds it with {option} COLUMN" if option
               else f"pass columns={{'COLUMN': {target!r}}}")
        guess = f"; did you mean {close[0]!r}?" if close else ""
        raise SchemaError(
            f"{source or 'table'}: the model{f' {model}' if model else ''} was trained with the "
            f"column {header!r} as {target!r}, and this file has no column {header!r}{guess} "
            f"The file's columns: {headers}. Rename the column back, or {fix}.")
    mapping.update(given)
    return mapping


@dataclass
class MissingInputs:
    """Counts, over a scoring run, how often each input a model uses is missing.

    Parameters
    ----------
    schema : dict
        From :func:`describe_inputs` (stored with the model).

    Examples
    --------
    >>> schema = {"inputs": [{"name": "submitted", "kind": "date", "missing_share": 0.0,
    ...                       "role": "time"}]}
    >>> m = MissingInputs(schema)
    >>> m.add(pd.DataFrame({"description": ["a", "b"]}))
    >>> m.absent, [w.split(":")[0] for w in m.messages()]
    (['submitted'], ["input 'submitted' (date) is not in the table"])
    """

    schema: Mapping
    rows: int = 0
    missing: dict[str, int] = field(default_factory=dict)
    absent: list[str] = field(default_factory=list)

    def __post_init__(self):
        self.inputs = {i["name"]: i for i in self.schema.get("inputs") or () if i.get("role")}

    def add(self, apps: pd.DataFrame) -> None:
        """Count one validated chunk."""
        self.rows += len(apps)
        for name in self.inputs:
            if name not in apps.columns:
                if name not in self.absent:
                    self.absent.append(name)
                n = len(apps)
            else:
                n = int(sum(is_blank(v) for v in apps[name].tolist()))
            self.missing[name] = self.missing.get(name, 0) + n

    def flagged(self) -> list[tuple[str, float, float]]:
        """(input, share missing now, share missing in training) for each input reported."""
        out = []
        for name, spec in self.inputs.items():
            now = self.missing.get(name, 0) / self.rows if self.rows else 0.0
            before = float(spec.get("missing_share") or 0.0)
            if name in self.absent and before < 1.0 or now - before >= MISSING_EXCESS:
                out.append((name, now, before))
        return out

    def messages(self) -> list[str]:
        """One sentence per reported input: what is missing and what it does to predictions."""
        out = []
        for name, now, before in self.flagged():
            spec = self.inputs[name]
            where = ("is not in the table" if name in self.absent
                     else f"is missing in {now:.0%} of the rows")
            out.append(f"input {name!r} ({spec.get('kind')}) {where}: in training it was missing "
                       f"in {before:.0%}; {_EFFECT.get(spec.get('role'), 'treated as missing')}, "
                       f"so the predictions for these rows are less reliable")
        return out
