"""Saving and loading models, with explicit trust.

A model folder holds ``model.joblib`` and ``metadata.json`` (kompred, scikit-learn and Python
versions, creation time, the model's class, the file's SHA-256 and a fingerprint of the training
data). Loading a joblib file runs code, so :func:`load_model` loads kompred's own bundled models
without asking and anything else only with ``trusted=True``. The SHA-256 guards against a
truncated or swapped file, not against a malicious one: trust is the user's call.
"""

from __future__ import annotations

import hashlib
import json
import os
import platform
import warnings
from datetime import UTC, datetime
from pathlib import Path

import joblib
import pandas as pd
import sklearn

from .._resources import bundled_path
from .._version import __version__
from ..exceptions import InputFileError, KompredWarning, ModelError, UntrustedModelError

__all__ = ["bundled_model_path", "data_fingerprint", "load_model", "read_metadata", "save_model"]

MODEL_FILE = "model.joblib"
METADATA_FILE = "metadata.json"


def bundled_model_path(name: str) -> Path:
    """Folder of a model shipped with kompred (``"topic"`` or ``"grant"``)."""
    return bundled_path("models", name)


def data_fingerprint(frame: pd.DataFrame) -> str:
    """A SHA-256 over a table's content, to record which data a model was trained on."""
    hashed = pd.util.hash_pandas_object(frame.astype(str), index=False).to_numpy()
    h = hashlib.sha256(hashed.tobytes())
    h.update("|".join(map(str, frame.columns)).encode())
    return h.hexdigest()


def _sha256(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def save_model(model, folder: str | os.PathLike, *, training_data: pd.DataFrame | None = None,
               extra: dict | None = None) -> Path:
    """Save a fitted model into ``folder`` (created if needed) with its metadata."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    target = folder / MODEL_FILE
    joblib.dump(model, target, compress=3)
    meta = {
        "kompred_version": __version__,
        "sklearn_version": sklearn.__version__,
        "python_version": platform.python_version(),
        "created": datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "model_class": f"{type(model).__module__}.{type(model).__qualname__}",
        "model_sha256": _sha256(target),
    }
    if training_data is not None:
        meta["training_rows"] = len(training_data)
        meta["training_data_sha256"] = data_fingerprint(training_data)
    meta.update(extra or {})
    (folder / METADATA_FILE).write_text(json.dumps(meta, indent=2, ensure_ascii=False) + "\n",
                                        encoding="utf-8")
    return folder


def read_metadata(folder: str | os.PathLike) -> dict:
    """The metadata of a saved model folder."""
    path = Path(folder) / METADATA_FILE
    if not path.exists():
        raise InputFileError(f"{folder}: not a kompred model folder (no {METADATA_FILE})")
    return json.loads(path.read_text(encoding="utf-8"))


def _is_bundled(folder: Path) -> bool:
    root = bundled_path("models").resolve()
    try:
        folder.resolve().relative_to(root)
        return True
    except ValueError:
        return False


def load_model(folder: str | os.PathLike, *, trusted: bool = False, expected: type | None = None):
    """Load a model saved by :func:`save_model`.

    Parameters
    ----------
    folder : path-like
        The model folder.
    trusted : bool
        Loading runs code from the file. kompred's bundled models are trusted; for any other
        folder pass ``trusted=True`` only if you made the model or trust who did.
    expected : type, optional
        Raise :class:`ModelError` unless the loaded object is an instance of this class.
    """
    folder = Path(folder)
    if not (folder / MODEL_FILE).exists():
        raise InputFileError(f"{folder}: no {MODEL_FILE}; expected a folder written by 'kompred train'")
    if not (trusted or _is_bundled(folder)):
        raise UntrustedModelError(
            f"{folder}: loading a model file runs code; pass trusted=True if you made this model "
            "or trust its source"
        )
    meta = read_metadata(folder)
    digest = _sha256(folder / MODEL_FILE)
    if meta.get("model_sha256") and meta["model_sha256"] != digest:
        raise ModelError(f"{folder}: {MODEL_FILE} does not match the checksum in {METADATA_FILE}; "
                         "the file was changed or truncated after saving")
    if meta.get("sklearn_version") != sklearn.__version__:
        warnings.warn(
            f"{folder}: saved with scikit-learn {meta.get('sklearn_version')}, running "
            f"{sklearn.__version__}; predictions may differ. Retrain with 'kompred train'.",
            KompredWarning, stacklevel=2)
    with warnings.catch_warnings():
        # scikit-learn's own version warning is replaced by the clearer one above.
        warnings.filterwarnings("ignore", message=".*Trying to unpickle estimator.*")
        model = joblib.load(folder / MODEL_FILE)
    if expected is not None and not isinstance(model, expected):
        raise ModelError(f"{folder}: expected a {expected.__name__}, got {type(model).__name__}")
    return model
