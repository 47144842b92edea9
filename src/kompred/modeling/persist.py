"""Saving and loading models as skops files, with an explicit list of trusted types.

A model folder holds ``model.skops`` and ``metadata.json`` (kompred, scikit-learn, skops and
Python versions, creation time, the model's class, the types in the file, the file's SHA-256, a
fingerprint of the training data and, for a grant model, its input schema). A skops file
describes its objects instead of running code on load: :func:`load_model` first lists the types
the file would create (:func:`inspect_model` shows them without loading anything) and loads it
only when every one is on kompred's trusted list (:data:`TRUSTED_TYPES` and the scikit-learn,
NumPy and SciPy types skops trusts by default). Anything else needs ``trusted=True`` (the CLI's
``--trust``), given after reading the list.

Folders written by kompred 0.1 hold ``model.joblib``, a pickle: loading one can run any code, so
it loads only with ``trusted=True`` and a warning that says how to convert it
(:func:`convert_model`, ``kompred model convert DIR --trust``).
"""

from __future__ import annotations

import hashlib
import json
import os
import platform
import warnings
import zipfile
from collections.abc import Iterable
from datetime import UTC, datetime
from pathlib import Path

import pandas as pd
import sklearn

from .._resources import bundled_path
from .._version import __version__
from ..exceptions import InputFileError, KompredWarning, ModelError, UntrustedModelError

__all__ = [
    "TRUSTED_TYPES",
    "trusted_types",
    "bundled_model_path",
    "convert_model",
    "data_fingerprint",
    "has_model",
    "inspect_model",
    "load_model",
    "read_metadata",
    "rewrite_model",
    "save_model",
]

MODEL_FILE = "model.skops"
#: metadata keys that save_model writes afresh (a conversion keeps every other key)
_WRITTEN_BY_SAVE = frozenset({"kompred_version", "sklearn_version", "skops_version", "python_version",
                              "created", "format", "model_class", "model_sha256", "types"})
LEGACY_FILE = "model.joblib"
METADATA_FILE = "metadata.json"

#: Types beyond skops' defaults (scikit-learn's estimators, NumPy, SciPy) that kompred's own models
#: contain: kompred's estimators, the plain function they tokenize with and a sparse matrix (stored
#: as arrays). Listed one by one, not
#: by module prefix, so that no other kompred function can be named in a file.
TRUSTED_TYPES: tuple[str, ...] = (
    "kompred.featurize.TextCleaner",
    "kompred.featurize.TextFeaturizer",
    "kompred.featurize.content_tokens",  # the topic model's tokenizer, a plain function
    "kompred.modeling.grant.ApplicationFeaturizer",
    "kompred.modeling.grant.BootstrapLogisticClassifier",
    "kompred.modeling.grant.GrantModel",
    "kompred.modeling.topic.KeywordTopicRules",
    "kompred.modeling.topic.TopicClassifier",
    "kompred.taxonomy.Taxonomy",
    "kompred.taxonomy.Topic",
    "scipy.sparse._csr.csr_matrix",  # the similar-decisions feature's text index: data only
)


def bundled_model_path(name: str) -> Path:
    """Folder of a model shipped with kompred (``"topic"`` or ``"grant"``)."""
    return bundled_path("models", name)


def has_model(folder: str | os.PathLike) -> bool:
    """True when the folder holds a model file (skops, or an old joblib file)."""
    folder = Path(folder)
    return (folder / MODEL_FILE).exists() or (folder / LEGACY_FILE).exists()


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


def _file_types(path: Path) -> list[str]:
    """Every type a skops file would create, read from its schema without loading anything."""
    try:
        with zipfile.ZipFile(path) as zf:
            schema = json.loads(zf.read("schema.json"))
    except (zipfile.BadZipFile, KeyError, json.JSONDecodeError, OSError) as exc:
        raise ModelError(f"{path}: not a readable skops model file ({exc})") from exc
    found: set[str] = set()

    def walk(node):
        if isinstance(node, dict):
            if "__module__" in node and "__class__" in node:
                found.add(f"{node['__module__']}.{node['__class__']}")
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    walk(schema)
    return sorted(found)


def _beyond_defaults(path: Path) -> list[str]:
    """The file's types that skops does not trust by default."""
    from skops.io import get_untrusted_types

    try:
        return sorted(get_untrusted_types(file=path))
    except Exception as exc:  # skops raises several kinds on a corrupt file
        raise ModelError(f"{path}: not a readable skops model file ({exc})") from exc


def trusted_types() -> frozenset[str]:
    """:data:`TRUSTED_TYPES` plus the current import path of each of kompred's own types.

    skops records a class under the module that defines it; when a class moves to another
    module (its old name kept as a re-export), models saved before and after both load.
    """
    from .. import featurize
    from ..taxonomy import Taxonomy, Topic
    from .grant import ApplicationFeaturizer, BootstrapLogisticClassifier, GrantModel
    from .topic import KeywordTopicRules, TopicClassifier

    own = (featurize.TextCleaner, featurize.TextFeaturizer, featurize.content_tokens,
           ApplicationFeaturizer, BootstrapLogisticClassifier, GrantModel, KeywordTopicRules,
           TopicClassifier, Taxonomy, Topic)
    return frozenset(TRUSTED_TYPES) | {f"{t.__module__}.{t.__qualname__}" for t in own}


def _untrusted(path: Path) -> list[str]:
    """The file's types that neither skops' defaults nor :func:`trusted_types` cover."""
    ours = trusted_types()
    return [t for t in _beyond_defaults(path) if t not in ours]


def save_model(model, folder: str | os.PathLike, *, training_data: pd.DataFrame | None = None,
               extra: dict | None = None) -> Path:
    """Save a fitted model into ``folder`` (created if needed) as skops, with its metadata.

    An old ``model.joblib`` in the folder is removed, so that the folder holds one model.
    """
    import skops
    import skops.io as sio

    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    target = folder / MODEL_FILE
    sio.dump(model, target, compression=zipfile.ZIP_DEFLATED, compresslevel=6)
    (folder / LEGACY_FILE).unlink(missing_ok=True)
    meta = {
        "kompred_version": __version__,
        "sklearn_version": sklearn.__version__,
        "skops_version": skops.__version__,
        "python_version": platform.python_version(),
        "created": datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "format": "skops",
        "model_class": f"{type(model).__module__}.{type(model).__qualname__}",
        "model_sha256": _sha256(target),
        "types": _file_types(target),
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
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise ModelError(f"{path}: cannot read the model's metadata: {exc}") from exc


def inspect_model(folder: str | os.PathLike) -> dict:
    """What a model folder holds, without loading the model.

    Returns
    -------
    dict
        ``folder``, ``format`` (``skops`` or ``joblib``), ``file``, ``size_bytes``,
        ``sha256_ok`` (the file matches its metadata), ``types`` (every type the file would
        create; unknown for joblib), ``untrusted_types`` (those not on kompred's list; for a
        joblib file: everything, since a pickle can run any code), and ``metadata``.
    """
    folder = Path(folder)
    meta = read_metadata(folder) if (folder / METADATA_FILE).exists() else {}
    if (folder / MODEL_FILE).exists():
        path = folder / MODEL_FILE
        types, untrusted, fmt = _file_types(path), _untrusted(path), "skops"
    elif (folder / LEGACY_FILE).exists():
        path, types, fmt = folder / LEGACY_FILE, None, "joblib"
        untrusted = ["(a pickle: loading it can run any code; its types cannot be listed safely)"]
    else:
        raise InputFileError(f"{folder}: no {MODEL_FILE}; expected a folder written by "
                             "'kompred train'")
    return {"folder": str(folder), "format": fmt, "file": path.name,
            "size_bytes": path.stat().st_size,
            "sha256_ok": meta.get("model_sha256") in (None, _sha256(path)),
            "types": types, "untrusted_types": untrusted, "metadata": meta}


def _trusted_list(trusted: bool | Iterable[str]) -> set[str] | bool:
    if isinstance(trusted, bool):
        return trusted
    return {str(t) for t in trusted}


def load_model(folder: str | os.PathLike, *, trusted: bool | Iterable[str] = False,
               expected: type | None = None):
    """Load a model saved by :func:`save_model`.

    Parameters
    ----------
    folder : path-like
        The model folder.
    trusted : bool or list of str
        False (default): load only when every type in the file is on kompred's trusted list,
        else raise :class:`~kompred.exceptions.UntrustedModelError` naming the others. A list
        of type names: trust these too. True: trust everything in the file (read
        :func:`inspect_model` first); also needed for an old joblib (pickle) file.
    expected : type, optional
        Raise :class:`ModelError` unless the loaded object is an instance of this class.
    """

    folder = Path(folder)
    trust = _trusted_list(trusted)
    skops_file, legacy = folder / MODEL_FILE, folder / LEGACY_FILE
    if not skops_file.exists() and not legacy.exists():
        raise InputFileError(f"{folder}: no {MODEL_FILE}; expected a folder written by 'kompred train'")
    meta = read_metadata(folder)
    path = skops_file if skops_file.exists() else legacy
    digest = _sha256(path)
    if meta.get("model_sha256") and meta["model_sha256"] != digest:
        raise ModelError(f"{folder}: {path.name} does not match the checksum in {METADATA_FILE}; "
                         "the file was changed or truncated after saving")
    if path == legacy:
        if trust is not True:
            raise UntrustedModelError(
                f"{folder}: {LEGACY_FILE} is an old kompred model file (joblib, that is pickle): "
                "loading it can run any code in it. If you made it or trust who did, convert it "
                f"once with 'kompred model convert {folder} --trust' (or pass trusted=True / "
                "--trust to load it as it is); otherwise retrain with 'kompred train'.")
        warnings.warn(f"{folder}: loading an old joblib (pickle) model file because you trusted "
                      f"it; convert it with 'kompred model convert {folder} --trust'",
                      KompredWarning, stacklevel=2)
    _warn_versions(folder, meta)
    if path == legacy:
        import joblib

        with warnings.catch_warnings():
            # scikit-learn's own version warning is replaced by the clearer one above.
            warnings.filterwarnings("ignore", message=".*Trying to unpickle estimator.*")
            model = joblib.load(path)
    else:
        model = _load_skops(path, folder, trust)
    if expected is not None and not isinstance(model, expected):
        raise ModelError(f"{folder}: expected a {expected.__name__}, got {type(model).__name__}")
    return model


def _load_skops(path: Path, folder: Path, trust: set[str] | bool):
    """Load a skops file if every type in it is trusted: skops' defaults, :func:`trusted_types`,
    the caller's list, or anything when ``trust`` is True.

    A file of kompred's own types only (the bundled models) is read without importing skops
    (``_skops_read``: the same rules, a narrower list; ``import skops.io`` alone takes 0.5 s).
    Any other file: one pass when every type is on the list, skops itself refusing any other
    type while it loads; only a file with other types is read again, to name them (or, with
    ``trust=True``, to load it with exactly the types it holds).
    """
    from . import _skops_read

    own = trusted_types()
    try:
        with warnings.catch_warnings():
            warnings.filterwarnings("ignore", message=".*Trying to unpickle estimator.*")
            return _skops_read.read(path, own)
    except _skops_read.NotCovered:
        pass
    from skops.io.exceptions import UntrustedTypesFoundException

    allowed = own | (trust if isinstance(trust, set) else set())
    try:
        return _skops(path, sorted(allowed))
    except UntrustedTypesFoundException:
        pass
    beyond = _beyond_defaults(path)
    refused = [] if trust is True else [t for t in beyond if t not in allowed]
    if refused:
        raise UntrustedModelError(
            f"{folder}: the model file contains types that are not on kompred's trusted "
            f"list: {', '.join(refused)}. Creating them could run code kompred does not "
            f"know. Read 'kompred model inspect {folder}', and load it only if you trust "
            "its source, with --trust (trusted=True in Python).")
    try:
        return _skops(path, beyond)
    except UntrustedTypesFoundException as exc:  # skops' two passes disagree: refuse, say why
        raise UntrustedModelError(f"{folder}: {exc}") from exc


def _skops(path: Path, trusted: list[str]):
    import skops.io as sio
    from skops.io.exceptions import UntrustedTypesFoundException

    try:
        with warnings.catch_warnings():
            warnings.filterwarnings("ignore", message=".*Trying to unpickle estimator.*")
            return sio.load(path, trusted=trusted)
    except UntrustedTypesFoundException:
        raise
    except Exception as exc:  # skops raises several kinds on a corrupt file
        raise ModelError(f"{path}: not a readable skops model file, cannot load it ({exc})") from exc


def _warn_versions(folder: Path, meta: dict) -> None:
    if meta.get("sklearn_version") != sklearn.__version__:
        warnings.warn(
            f"{folder}: saved with scikit-learn {meta.get('sklearn_version')}, running "
            f"{sklearn.__version__}; predictions may differ. Retrain with 'kompred train'.",
            KompredWarning, stacklevel=3)
    if meta.get("kompred_version") not in (None, __version__):
        warnings.warn(
            f"{folder}: saved with kompred {meta.get('kompred_version')}, running {__version__}; "
            "predictions may differ. Retrain with 'kompred train'.", KompredWarning, stacklevel=3)


def convert_model(folder: str | os.PathLike, *, trusted: bool = False) -> Path:
    """Rewrite an old ``model.joblib`` folder as ``model.skops``, keeping its metadata.

    Loading the joblib file can run code, so this needs ``trusted=True``: convert only folders
    you made or whose source you trust.
    """
    folder = Path(folder)
    if not (folder / LEGACY_FILE).exists():
        raise InputFileError(f"{folder}: no {LEGACY_FILE} to convert")
    if not trusted:
        raise UntrustedModelError(f"{folder}: converting loads the pickle, which can run any code; "
                                  "pass --trust (trusted=True) if you trust its source")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", KompredWarning)
        model = load_model(folder, trusted=True)
    meta = read_metadata(folder)
    keep = {k: v for k, v in meta.items() if k not in _WRITTEN_BY_SAVE}
    keep["converted_from"] = {"format": "joblib", "created": meta.get("created"),
                              "kompred_version": meta.get("kompred_version")}
    return save_model(model, folder, extra=keep)


def rewrite_model(folder: str | os.PathLike, *, trusted: bool | Iterable[str] = False) -> Path:
    """Save a skops model folder again in the current file layout, keeping its metadata.

    Models saved before kompred stored vocabularies and feature names as string arrays load in
    seconds rather than milliseconds; the rewritten file holds the same model (the same
    vocabularies, weights and predictions). It loads as :func:`load_model` does: only types on
    the trusted list, unless ``trusted`` says otherwise.
    """
    folder = Path(folder)
    if not (folder / MODEL_FILE).exists():
        raise InputFileError(f"{folder}: no {MODEL_FILE} to rewrite")
    model = load_model(folder, trusted=trusted)
    meta = read_metadata(folder)
    keep = {k: v for k, v in meta.items() if k not in _WRITTEN_BY_SAVE}
    keep["rewritten_from"] = {"created": meta.get("created"),
                              "kompred_version": meta.get("kompred_version"),
                              "model_sha256": meta.get("model_sha256")}
    return save_model(model, folder, extra=keep)
