"""Scoring a Dask DataFrame partition by partition (the optional ``kompred[dask]`` extra).

Scoring is row by row: every output row depends only on its own input row, the models and the
reference table, never on the other rows of its batch. So a table too large for one machine is
scored by sending the scorer to the workers once and running :func:`kompred.scoring.
score_applications` on each partition with ``map_partitions``; the result equals the in-memory
scoring of the whole table, row for row (tests/test_score_dask.py checks it on a
``dask.distributed.LocalCluster``).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import pandas as pd

from .exceptions import ValidationError
from .io import FIRST_DATA_ROW, validate_applications
from .scoring import Scorer, _with_input_columns, load_scorer, score_applications

__all__ = ["score_dask", "score_file_dask"]


def _score_partition(part: pd.DataFrame, scorer: Scorer, reasons: int,
                     columns: Mapping[str, str] | None) -> pd.DataFrame:
    if len(part) == 0:
        return _empty_result(part, scorer, reasons, columns)
    # error messages name spreadsheet rows: a global integer index (from_pandas, read_csv)
    # gives the same numbers as scoring the whole table in memory
    first = FIRST_DATA_ROW + (int(part.index[0]) if pd.api.types.is_integer_dtype(
        part.index.dtype) else 0)
    apps = validate_applications(part, columns=dict(columns) if columns else None,
                                 source="dask partition", first_row=first)
    out = score_applications(apps, scorer, reasons=reasons)
    out.attrs = {}  # notes are per partition; attrs do not travel through dask
    return out.set_axis(part.index, axis=0)


def _empty_result(part: pd.DataFrame, scorer: Scorer, reasons: int,
                  columns: Mapping[str, str] | None) -> pd.DataFrame:
    """The output's columns and dtypes with no rows (empty partitions and dask's ``meta``)."""
    out = _score_partition(_probe_row(part, columns), scorer, reasons, columns)
    return out.iloc[:0].set_axis(part.index[:0], axis=0)


def _probe_row(part: pd.DataFrame, columns: Mapping[str, str] | None) -> pd.DataFrame:
    """One row with the partition's columns, all missing but a short text."""
    row = {}
    for c in part.columns:
        try:
            row[c] = pd.array([None], dtype=part[c].dtype)
        except (TypeError, ValueError):  # e.g. int64 cannot hold a missing value
            row[c] = pd.array([None], dtype=object)
    probe = pd.DataFrame(row, index=pd.RangeIndex(1))
    from .schema import canonical_column

    # an id column must be filled, and a text is needed to score
    names = {h: (columns or {}).get(h) or canonical_column(str(h)) for h in probe.columns}
    for h, canon in names.items():
        if canon in ("id", "description"):
            probe[h] = pd.array(["kurs"], dtype=probe[h].dtype)
    if "description" not in names.values():
        probe["description"] = pd.array(["kurs"], dtype="str")
    return probe


def score_dask(ddf: Any, scorer: Scorer | None = None, *, reasons: int = 3,
               columns: Mapping[str, str] | None = None):
    """Score a Dask DataFrame of applications, partition by partition.

    Parameters
    ----------
    ddf : dask.dataframe.DataFrame
        Applications, as for :func:`kompred.scoring.score_applications` (raw headers are
        mapped and cells validated in each partition, as :func:`kompred.validate_applications`
        does; a bad cell raises with its column and row).
    scorer : Scorer, optional
        Default: :func:`kompred.scoring.load_scorer` (the bundled models). It is pickled into
        the task graph; its similarity index is built here first, so workers do not rebuild it.
    reasons : int, default 3
        Reasons per row (0 skips them).
    columns : mapping, optional
        Header → canonical name, e.g. ``{"Text": "description"}``.

    Returns
    -------
    dask.dataframe.DataFrame
        Lazy; ``.compute()`` (or writing it with ``to_parquet``) runs it on the current
        scheduler, e.g. a ``dask.distributed.Client``. Partition for partition and row for row
        the same as ``score_applications(validate_applications(ddf.compute()), scorer)``.
        Notes that the in-memory scorer keeps in ``attrs`` are not carried.

    Examples
    --------
    >>> import dask.dataframe as dd  # doctest: +SKIP
    >>> from kompred import simulate, score_dask
    >>> apps = simulate(40, seed=1).applications.drop(columns=["decision", "handler"])
    >>> scored = score_dask(dd.from_pandas(apps, npartitions=4)).compute()  # doctest: +SKIP
    """
    try:
        import dask.dataframe as dd
    except ImportError as exc:  # pragma: no cover - exercised only without the extra
        raise ImportError("score_dask needs the dask extra: pip install 'kompred[dask]'") from exc
    if not isinstance(ddf, dd.DataFrame):
        raise ValidationError(f"expected a dask.dataframe.DataFrame; got {type(ddf).__name__} "
                              "(for a pandas table use kompred.scoring.score_applications)")
    if isinstance(reasons, bool) or not isinstance(reasons, int) or reasons < 0:
        raise ValidationError(f"expected reasons to be an int >= 0; got {reasons!r}")
    scorer = scorer or load_scorer()
    # build the reference index once here, so that it travels with the pickled scorer
    scorer.similar(pd.DataFrame({"title": ["kurs"], "description": ["kurs"]}), k=1)
    meta = _empty_result(ddf._meta, scorer, reasons, columns)
    return ddf.map_partitions(_score_partition, scorer, reasons, columns, meta=meta,
                              align_dataframes=False)


def score_file_dask(path: Any, out_path: Any, scheduler: str, *, scorer: Scorer | None = None,
                    reasons: int = 3, columns: Mapping[str, str] | None = None,
                    chunksize: int = 5000, sheet: Any = None) -> int:
    """``kompred score --dask SCHEDULER``: score a file on a Dask cluster, write one output file.

    The file is read as kompred reads every table (so its errors name file, row and column),
    split into partitions of ``chunksize`` rows and scored with :func:`score_dask` on the
    scheduler at ``scheduler`` (an address such as ``tcp://10.0.0.5:8786``; ``"local"``
    starts a local cluster for this run). Returns the number of rows written.
    """
    try:
        import dask.dataframe as dd
        from distributed import Client, LocalCluster
    except ImportError as exc:  # pragma: no cover - exercised only without the extra
        raise ValidationError("--dask needs the dask extra: pip install 'kompred[dask]'") from exc
    from .io import read_table, write_table

    if isinstance(chunksize, bool) or not isinstance(chunksize, int) or chunksize < 1:
        raise ValidationError(f"expected chunksize to be a positive int; got {chunksize!r}")
    table = read_table(path, sheet=sheet)
    ddf = dd.from_pandas(table, npartitions=max(1, -(-len(table) // chunksize)))
    cluster = LocalCluster(n_workers=2, threads_per_worker=1, processes=False,
                           dashboard_address=None) if scheduler == "local" else None
    try:
        with Client(cluster if cluster is not None else scheduler):
            scored = score_dask(ddf, scorer, reasons=reasons, columns=columns).compute()
    finally:
        if cluster is not None:
            cluster.close()
    # the same file as `kompred score` writes: the input as it was, then the score columns
    out = _with_input_columns(table, scored.loc[table.index])
    write_table(out, out_path)
    return len(out)
