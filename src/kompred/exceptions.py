"""Errors and warnings raised by kompred.

Every error subclasses both :class:`KompredError` (so ``except KompredError`` catches all of
kompred's own errors) and the built-in exception it refines (so ``except ValueError`` keeps
working for people who do not know kompred)::

    KompredError
    ├── ValidationError(KompredError, ValueError)     a table or argument is not what was expected
    │   ├── SchemaError                               columns missing, duplicated or ambiguous
    │   ├── ApplicationTableError                     cell-level problems; lists every problem found
    │   └── WrongTypeError(ValidationError, TypeError)  an argument is of the wrong type
    ├── InputFileError(KompredError, OSError)         a file cannot be read or written
    │   └── UnsupportedFormatError                    the file type is not CSV/XLSX/Parquet
    ├── TaxonomyError(KompredError, ValueError)       a taxonomy file is malformed
    ├── NotEnoughDataError(KompredError, ValueError)  the data cannot support the requested estimate
    └── ModelError(KompredError, RuntimeError)        a model cannot be used
        ├── NotFittedError(ModelError, sklearn NotFittedError)  an estimator was used before fit
        └── UntrustedModelError                       a model file holds types kompred does not trust

    KompredWarning(UserWarning)
    ├── SmallDataWarning                              estimates rest on few decisions: read as indicative
    └── DataQualityWarning                            input was accepted but looks suspicious

:class:`NotFittedError` also subclasses scikit-learn's ``NotFittedError`` (so
``except sklearn.exceptions.NotFittedError`` catches it), but importing this module does not
import scikit-learn (that takes seconds): the class is created on first access of
``kompred.exceptions.NotFittedError`` (or ``kompred.NotFittedError``), always the same class.
"""

from __future__ import annotations

import threading
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

__all__ = [
    "ApplicationTableError",
    "DataQualityWarning",
    "InputFileError",
    "KompredError",
    "KompredWarning",
    "ModelError",
    "NotEnoughDataError",
    "NotFittedError",
    "Problem",
    "SchemaError",
    "SmallDataWarning",
    "TaxonomyError",
    "UnsupportedFormatError",
    "UntrustedModelError",
    "ValidationError",
    "WrongTypeError",
]


class KompredError(Exception):
    """Base class of every error kompred raises on purpose."""


class ValidationError(KompredError, ValueError):
    """A table or an argument is not what was expected."""


class WrongTypeError(ValidationError, TypeError):
    """An argument is of the wrong type (a number where a text was expected, say)."""


class SchemaError(ValidationError):
    """Columns are missing, duplicated or ambiguous."""


@dataclass(frozen=True)
class Problem:
    """One problem in one cell (or column) of an input table.

    ``row`` is the 1-based line number in the file as a spreadsheet shows it (the header is
    line 1, so the first data row is 2), or None for a problem with a whole column.
    """

    row: int | None
    column: str | None
    message: str
    value: object = None
    hint: str | None = None

    def __str__(self) -> str:
        where = []
        if self.row is not None:
            where.append(f"row {self.row}")
        if self.column is not None:
            where.append(f"column {self.column!r}")
        text = (", ".join(where) + ": " if where else "") + self.message
        if self.hint:
            text += f" ({self.hint})"
        return text


class ApplicationTableError(ValidationError):
    """A table of applications has problems; ``problems`` lists every one found.

    The message names the file and, for each problem, the row and the column.
    """

    def __init__(self, problems: Sequence[Problem], *, source: str | None = None, max_shown: int = 50):
        self.problems = list(problems)
        self.source = source
        head = f"{source}: " if source else ""
        n = len(self.problems)
        lines = [f"{head}{n} problem{'s' if n != 1 else ''} found in the application table:"]
        lines += [f"  - {p}" for p in self.problems[:max_shown]]
        if n > max_shown:
            lines.append(f"  ... and {n - max_shown} more (see the .problems attribute)")
        from .featurize import redact_personnummer  # here: featurize imports this module

        # a cell's value is quoted in its problem: a personnummer in it must not reach a log
        super().__init__(redact_personnummer("\n".join(lines)))


class InputFileError(KompredError, OSError):
    """A file cannot be read or written."""


class UnsupportedFormatError(InputFileError):
    """The file is not one of the supported formats (CSV, TSV, TXT, XLSX, Parquet)."""


class TaxonomyError(KompredError, ValueError):
    """A taxonomy file is malformed or refers to something that does not exist."""


class NotEnoughDataError(KompredError, ValueError):
    """The data cannot support the requested estimate (too few rows, classes or groups)."""


class ModelError(KompredError, RuntimeError):
    """A model cannot be used: wrong kind, incompatible version or broken file."""


_NOT_FITTED_DOC = """An estimator was used before ``fit``.

    A subclass of :class:`ModelError` and of ``sklearn.exceptions.NotFittedError``, created on
    first access so that ``import kompred`` does not import scikit-learn.
    """

if TYPE_CHECKING:  # what type checkers and IDEs see; at run time see __getattr__ below
    from sklearn.exceptions import NotFittedError as _SklearnNotFittedError

    class NotFittedError(ModelError, _SklearnNotFittedError):
        """An estimator was used before ``fit``."""


class UntrustedModelError(ModelError):
    """This model file holds types outside kompred's trusted list, or is an old pickle.

    kompred's model files are skops files that list their types; one loads without asking when
    every type is kompred's or scikit-learn's. Anything else, and an old ``model.joblib`` (a
    pickle, which can run any code), needs ``trusted=True`` (``--trust`` on the command line)
    after reading ``kompred model inspect DIR``. Naming a folder with ``--model`` is not trust.
    """


class KompredWarning(UserWarning):
    """Base class of kompred's warnings."""


class SmallDataWarning(KompredWarning):
    """An estimate rests on few decisions: its interval is wide; read it as indicative only."""


class DataQualityWarning(KompredWarning):
    """The input was accepted, but something in it looks suspicious."""


_lock = threading.Lock()


def __getattr__(name: str):
    # PEP 562: NotFittedError is made on first use; the lock keeps it one class across threads,
    # so that ``except NotFittedError`` matches what any thread raised
    if name != "NotFittedError":
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    with _lock:
        cls = globals().get(name)
        if cls is None:
            from sklearn.exceptions import NotFittedError as sklearn_not_fitted

            cls = type(name, (ModelError, sklearn_not_fitted),
                       {"__doc__": _NOT_FITTED_DOC, "__module__": __name__})
            globals()[name] = cls
    return cls


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))
