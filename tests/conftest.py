"""Shared fixtures. Tests that need ../shared/ (not in a user's clone) skip with a reason."""

from __future__ import annotations

import os
from pathlib import Path

import matplotlib
import pytest

matplotlib.use("Agg")

ROOT = Path(__file__).resolve().parents[1]
SHARED = Path(os.environ.get("KOMPRED_SHARED", ROOT.parent / "shared"))


def shared_file(*parts: str) -> Path:
    """Path of a file in ../shared/, or skip the test when it is not there."""
    path = SHARED.joinpath(*parts)
    if not path.exists():
        pytest.skip(f"{path} not found: ../shared/ is only present in the developers' workspace and CI")
    return path


@pytest.fixture
def seed_facts_path() -> Path:
    return shared_file("seeds", "seed_facts.json")


@pytest.fixture
def myh_path() -> Path:
    return shared_file("corpora", "myh_yh_program.csv.gz")


@pytest.fixture(scope="session", autouse=True)
def _own_cache_dir(tmp_path_factory):
    """kompred's per-user cache (py3langid's model) in a folder of the test run, not the home."""
    from kompred.text._langid_model import CACHE_ENV as name

    before = os.environ.get(name)
    os.environ[name] = str(tmp_path_factory.mktemp("kompred-cache"))
    yield
    if before is None:
        os.environ.pop(name, None)
    else:
        os.environ[name] = before
