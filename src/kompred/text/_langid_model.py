"""py3langid's model, read from a per-user cache instead of decompressed on every start.

py3langid ships its model as an LZMA-compressed ``.npz`` (4.6 MB, 68 MB unpacked): decompressing
it takes about 0.5 s, a sixth of a cold ``kompred check``. The first load in a user's account
writes the arrays kompred's identifier holds (the byte automaton and the columns of
:data:`~kompred.text.language.LANGUAGES`) to a zlib-compressed ``.npz`` in the user's cache; later
processes read that in a fraction of the time. The identifier built from it holds the very same
arrays as the one py3langid builds (``tests/test_text.py`` compares them), so every answer is
the same.

The cache is an optimisation only: it is keyed on py3langid's version, the model file's size and
SHA-256, the languages and this module's format; it is read with ``allow_pickle=False``, written
atomically (a temporary file, then a rename), and anything that does not match or cannot be read
or written is ignored silently in favour of py3langid's own path. Nothing is downloaded.

Where: ``$KOMPRED_CACHE_DIR``, else ``$XDG_CACHE_HOME/kompred``, else ``~/.cache/kompred``.
``KOMPRED_CACHE_DIR=""`` (set and empty) turns the cache off.
"""

from __future__ import annotations

import hashlib
import os
import tempfile
from pathlib import Path

#: the environment variable that moves the cache, or turns it off when set to ""
CACHE_ENV = "KOMPRED_CACHE_DIR"
# bump when the arrays written below change
_FORMAT = 1
_ARRAYS = ("ptc", "pc", "classes", "nextmove", "row", "output")


def cache_dir() -> Path | None:
    """kompred's per-user cache folder, or None when ``KOMPRED_CACHE_DIR`` is set and empty."""
    chosen = os.environ.get(CACHE_ENV)
    if chosen is not None:
        return Path(chosen).expanduser() if chosen.strip() else None
    base = os.environ.get("XDG_CACHE_HOME", "").strip()
    return (Path(base) if base else Path.home() / ".cache") / "kompred"


def load_identifier(languages: tuple[str, ...]):
    """py3langid's ``LanguageIdentifier`` (normalised probabilities) restricted to ``languages``.

    Read from the cache when a matching one is there, else built by py3langid from its model
    file (and the cache written for the next process).
    """
    import py3langid
    from py3langid.langid import MODEL_DIR, MODEL_FILE, LanguageIdentifier

    path, key = _cache_entry(MODEL_DIR / MODEL_FILE, getattr(py3langid, "__version__", None),
                             languages)
    if path is not None:
        arrays = _read(path, key)
        if arrays is not None:
            try:
                identifier = LanguageIdentifier(
                    arrays["ptc"], arrays["pc"], arrays["classes"], arrays["nextmove"],
                    arrays["output"], norm_probs=True, tk_row=arrays["row"])
                identifier.set_languages(list(languages))
                return identifier
            except (TypeError, ValueError):  # pragma: no cover - another py3langid
                pass
    identifier = LanguageIdentifier.from_model_file(MODEL_FILE, norm_probs=True)
    identifier.set_languages(list(languages))
    if path is not None:
        _write(path, key, identifier)
    return identifier


def _cache_entry(model_file: Path, version: str | None,
                 languages: tuple[str, ...]) -> tuple[Path | None, str]:
    """The cache file for this model and its key; no file when there is no cache to use."""
    try:
        folder = cache_dir()
    except (RuntimeError, KeyError, OSError):  # no home folder to be found
        return None, ""
    if folder is None or not version:
        return None, ""
    try:
        h = hashlib.sha256()
        with open(model_file, "rb") as fh:
            for block in iter(lambda: fh.read(1 << 20), b""):
                h.update(block)
        size = model_file.stat().st_size
    except OSError:
        return None, ""
    key = f"{_FORMAT}|py3langid {version}|{size}|{h.hexdigest()}|{','.join(languages)}"
    name = hashlib.sha256(key.encode()).hexdigest()[:24]
    return folder / f"py3langid-{name}.npz", key


def _read(path: Path, key: str) -> dict | None:
    """The cached arrays, or None when the file is missing, unreadable or for another key."""
    from array import array

    import numpy as np

    try:
        with open(path, "rb") as fh, np.load(fh, allow_pickle=False) as data:
            if set(data.files) != {*_ARRAYS, "key", "typecodes"} or str(data["key"]) != key:
                return None
            arrays = {name: data[name] for name in _ARRAYS}
            codes = str(data["typecodes"]).split(",")
        automaton = []
        for code, name in zip(codes, ("nextmove", "row"), strict=True):
            values = array(code)  # py3langid keeps the automaton as stdlib arrays
            if values.itemsize != arrays[name].itemsize:
                return None
            values.frombytes(memoryview(np.ascontiguousarray(arrays[name])).cast("B"))
            automaton.append(values)
    except Exception:  # a missing, truncated, corrupt or foreign file: not ours to read
        return None
    # what py3langid's loader gives: the scores as arrays, the labels and the output as lists
    return {"ptc": arrays["ptc"], "pc": arrays["pc"], "classes": arrays["classes"].tolist(),
            "nextmove": automaton[0], "row": automaton[1], "output": arrays["output"].tolist()}


def _write(path: Path, key: str, identifier) -> None:
    """Write the identifier's arrays atomically; any failure leaves no file and is ignored."""
    import numpy as np

    tmp = None
    try:
        nextmove, row = identifier.tk_nextmove, identifier.tk_row
        arrays = {
            "ptc": np.asarray(identifier.nb_ptc), "pc": np.asarray(identifier.nb_pc),
            "classes": np.array(identifier.nb_classes, dtype=str),
            "nextmove": np.frombuffer(nextmove, dtype=np.dtype(nextmove.typecode)),
            "row": np.frombuffer(row, dtype=np.dtype(row.typecode)),
            "output": np.asarray(identifier.tk_output, dtype=np.int64),
            "key": np.array(key), "typecodes": np.array(f"{nextmove.typecode},{row.typecode}"),
        }
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=path.name, suffix=".tmp", dir=path.parent)
        with os.fdopen(fd, "wb") as fh:
            np.savez_compressed(fh, **arrays)
        os.replace(tmp, path)
        tmp = None
    except Exception:  # read-only home, full disk, another py3langid: run without the cache
        pass
    finally:
        if tmp is not None:
            try:
                os.unlink(tmp)
            except OSError:
                pass
