"""Bundled and simulated datasets.

- :func:`load_stockholm`: 73 applications by Stockholms stad to Omställningsfonden 2021–2023.
  The aggregates (applications per unit and year, topics of granted insatser, 53 granted and
  20 rejected, granted and rejected totals) are REAL, from the city's published report; every
  record's text, cost, dates and handler are SYNTHETIC, written to match them. See
  ``datasets/README.md``.
- :func:`simulate`: larger application tables from a known process, with the truth beside them.

>>> apps = load_stockholm()
>>> len(apps), int((apps["decision"] == "beviljad").sum())
(73, 53)
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from ._resources import bundled_path
from ._simulate import SimulatedApplications, simulate
from .io import read_applications

__all__ = ["STOCKHOLM_NOTE", "SimulatedApplications", "is_stockholm", "load_stockholm", "simulate",
           "stockholm_path"]

#: What every output made from the bundled file says about it (real aggregates, synthetic records).
STOCKHOLM_NOTE = ("Medföljande data: aggregaten är verkliga (Stockholms stads rapport 2021–2023); "
                  "varje posts text, kostnad, datum och handläggare är syntetiska.")


def stockholm_path():
    """Path of the bundled file ``stockholm_2021_2023.csv``."""
    return bundled_path("datasets", "stockholm_2021_2023.csv")


def is_stockholm(path) -> bool:
    """True when the file is the bundled Stockholm dataset (same bytes), wherever it lies."""
    try:
        path, bundled = Path(path), Path(stockholm_path())
        return path.stat().st_size == bundled.stat().st_size and \
            path.read_bytes() == bundled.read_bytes()
    except OSError:
        return False


def load_stockholm() -> pd.DataFrame:
    """Load the bundled Stockholm 2021–2023 applications in the canonical schema.

    Returns
    -------
    pandas.DataFrame
        73 rows; the aggregates are real (Stockholms stad's report), the records synthetic.
    """
    return read_applications(stockholm_path())
