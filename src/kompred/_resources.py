"""Where bundled files live: inside the installed wheel, or at the root of a source checkout."""

from __future__ import annotations

from importlib import resources
from pathlib import Path

_PACKAGE_DIR = Path(__file__).resolve().parent
_CHECKOUT_ROOT = _PACKAGE_DIR.parents[1]  # src/kompred -> repository root (editable install)


def bundled_path(*parts: str) -> Path:
    """Path of a bundled file, e.g. ``bundled_path("datasets", "stockholm_2021_2023.csv")``.

    A wheel carries the files under ``kompred/_bundled/``; an editable install or a source
    checkout reads them from the repository's ``datasets/`` and ``models/`` folders.
    """
    inside = Path(str(resources.files("kompred"))) / "_bundled" / Path(*parts)
    if inside.exists():
        return inside
    return _CHECKOUT_ROOT / Path(*parts)
