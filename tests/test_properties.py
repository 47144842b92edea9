"""Property-based tests (Hypothesis) over the loaders, the cell parsers and the text pipeline.

Whatever bytes or cells come in, kompred either reads them or raises one of its own errors; the
parsers never raise; redaction and text cleaning are idempotent; written cells cannot run as
formulas and every row written comes back.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kompred import KompredError
from kompred.featurize import find_personnummer, normalize_text, redact_personnummer
from kompred.io import read_applications, read_table, write_table
from kompred.schema import parse_date_period as _parse_date_period
from kompred.schema import parse_number as _parse_number

FAST = settings(max_examples=60, deadline=None,
                suppress_health_check=[HealthCheck.function_scoped_fixture])
CELLS = st.one_of(st.none(), st.text(max_size=30), st.integers(-10**12, 10**12),
                  st.floats(allow_nan=True, allow_infinity=True), st.booleans())


@FAST
@given(st.binary(max_size=600))
def test_any_bytes_as_csv_read_or_raise_kompred_errors(tmp_path, data):
    path = tmp_path / "x.csv"
    path.write_bytes(data)
    try:
        frame = read_table(path)
    except KompredError as exc:
        assert str(exc).startswith(str(path))
        return
    assert isinstance(frame, pd.DataFrame)
    try:
        read_applications(path)
    except KompredError as exc:
        assert str(exc).startswith(str(path))


@FAST
@given(st.binary(max_size=300))
def test_any_bytes_as_xlsx_raise_a_kompred_error(tmp_path, data):
    path = tmp_path / "x.xlsx"
    path.write_bytes(data)
    with pytest.raises(KompredError, match="x.xlsx"):
        read_table(path)


@settings(max_examples=300, deadline=None)
@given(CELLS)
def test_cell_parsers_never_raise(value):
    x = _parse_number(value)
    assert x is None or isinstance(x, float)
    d, precision = _parse_date_period(value)
    assert precision in ("day", "month", "year")
    assert d is None or d is pd.NaT or isinstance(d, pd.Timestamp)


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=80))
def test_redaction_and_cleaning_are_idempotent(text):
    once = redact_personnummer(text)
    assert redact_personnummer(once) == once
    assert find_personnummer(once) == []
    cleaned = normalize_text(text)
    assert normalize_text(cleaned) == cleaned


@FAST
@given(st.lists(st.tuples(st.text(max_size=20), CELLS), min_size=1, max_size=6))
def test_validate_reads_any_cells_or_names_row_and_column(rows):
    frame = pd.DataFrame({"Beskrivning": [r[0] for r in rows], "Kostnad": [r[1] for r in rows]})
    try:
        apps = read_applications(frame)
    except KompredError as exc:
        problems = getattr(exc, "problems", [])
        assert problems and all(p.row is not None and p.column for p in problems)
        return
    assert len(apps) == len(rows) and list(apps.index) == list(range(2, 2 + len(rows)))


@FAST
@given(st.lists(st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=15),
                min_size=1, max_size=8))
def test_written_cells_cannot_run_as_formulas_and_every_row_comes_back(tmp_path, texts):
    path = tmp_path / "ut.csv"
    write_table(pd.DataFrame({"text": texts, "n": np.arange(len(texts))}), path)
    back = pd.read_csv(path, encoding="utf-8-sig", dtype=str, keep_default_na=False)
    assert back["n"].tolist() == [str(i) for i in range(len(texts))]
    assert not back["text"].str.match(r"^[=+\-@\t\r]").any()
