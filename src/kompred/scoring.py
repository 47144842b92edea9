"""Scoring applications: topic, grant probability with interval and reasons, similar earlier ones.

A :class:`Scorer` bundles a topic classifier, a grant model and a *reference* table of earlier
applications with their decisions (the training data). :func:`score_applications` scores a
validated table in memory; :func:`score_file` streams a CSV, XLSX or Parquet file in chunks, so that
memory stays bounded whatever the file's length, and writes every input row back, in order, in the
same format, with a ``status`` column that says what was wrong with a row that could not be scored.

Personnummer in any text cell are redacted in the output.
"""

from __future__ import annotations

import os
import time
import warnings
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd
import scipy.sparse as sp

from . import _guards
from ._resources import bundled_path
from .exceptions import (
    ApplicationTableError,
    DataQualityWarning,
    InputFileError,
    SchemaError,
    ValidationError,
)
from .inputs import MissingInputs, describe_inputs, resolve_columns
from .io import _format_of, iter_table_chunks, validate_applications
from .modeling.persist import bundled_model_path, has_model, load_model
from .privacy import redact_columns, redact_frame
from .schema import DECIDED
from .text import char_ngram_vectorizer, join_texts, normalize_text, redact_personnummer
from .text._fastchar import char_wb_fit_transform, char_wb_transform
from .text.neighbours import top_k_similar

__all__ = ["ScoreSummary", "Scorer", "load_scorer", "score_applications", "score_file"]

SCORE_COLUMNS = (
    "topic", "topic_confidence", "grant_probability", "grant_low", "grant_high", "grant_reasons",
    "similar_ids", "similar_decisions", "similar_similarity", "similar_split", "status",
)
STATUS_OK = "ok"
REFERENCE_COLUMNS = ("id", "title", "description", "decision", "topic", "insats_form", "cost_sek",
                     "participants", "submitted")


def _texts(frame: pd.DataFrame) -> list[str]:
    title = frame["title"] if "title" in frame.columns else pd.Series(None, index=frame.index)
    desc = frame["description"] if "description" in frame.columns else pd.Series(None, index=frame.index)
    return [join_texts(t, d) for t, d in zip(title, desc, strict=True)]


@dataclass
class Scorer:
    """What scoring needs: the models and the earlier applications to compare with.

    Parameters
    ----------
    topic_model : TopicClassifier or None
    grant_model : GrantModel or None
        Without it, no grant columns are filled (status says so).
    reference : pandas.DataFrame or None
        Earlier applications with decisions, for the "most similar earlier applications" columns.
        Handler names are never kept here.
    k_similar : int
        How many similar earlier applications to list per row.
    min_similarity : float
        Similar applications below this cosine similarity are not listed.
    inputs : dict or None
        What the grant model was trained on (:func:`kompred.inputs.describe_inputs`): the
        column mapping that :func:`score_file` reads a new file with, and each input's share
        missing in training.
    """

    topic_model: object | None = None
    grant_model: object | None = None
    reference: pd.DataFrame | None = None
    k_similar: int = 3
    min_similarity: float = 0.25
    inputs: dict | None = None
    _ref_index: tuple | None = field(default=None, repr=False)

    def __post_init__(self):
        if self.reference is not None:
            keep = [c for c in REFERENCE_COLUMNS if c in self.reference.columns]
            self.reference = self.reference[keep].reset_index(drop=True)

    # chunked nearest search against a small reference: memory is chunk × n_reference
    def similar(self, frame: pd.DataFrame, k: int | None = None) -> tuple[np.ndarray, np.ndarray]:
        """Indices into ``reference`` and cosine similarities of the ``k`` most similar, per row."""
        k = min(k or self.k_similar, 0 if self.reference is None else len(self.reference))
        n = len(frame)
        if k == 0 or n == 0:
            return np.zeros((n, 0), dtype=int), np.zeros((n, 0))
        if self._ref_index is None:
            vec = char_ngram_vectorizer()  # sklearn's fit_transform, bit for bit, faster
            R = char_wb_fit_transform(vec, [normalize_text(t) for t in _texts(self.reference)])
            self._ref_index = (vec, sp.csr_matrix(R))
        vec, R = self._ref_index
        Q = char_wb_transform(vec, [normalize_text(t) for t in _texts(frame)])
        return top_k_similar(Q, R, k)


def load_scorer(model_dir: str | os.PathLike | None = None, *, trusted: bool | list = False,
                expected_rate: float | None = None) -> Scorer:
    """Load a scorer: kompred's bundled models, or a folder written by ``kompred train``.

    A folder from ``kompred train`` holds ``grant/`` (and ``topic/`` when the training file had
    topic labels) and ``reference.csv``. Missing parts fall back to the bundled ones.

    Parameters
    ----------
    model_dir : path or None
        None: the bundled models.
    trusted : bool or list of str
        A model loads when every type in its files is on kompred's trusted list (models made
        by ``kompred train`` are); True (or a list of type names) also trusts the others,
        and is needed for an old joblib (pickle) folder. Give it only for folders you made or
        whose source you trust (see :func:`kompred.modeling.persist.inspect_model`).
    expected_rate : float or None
        The approval rate expected in the round being scored, when known and different from
        the training data's; shifts the grant model's log-odds by one constant (see
        :class:`kompred.GrantModel`).
    """
    from .modeling.grant import GrantModel
    from .modeling.topic import TopicClassifier

    bundled = bundled_path("models")
    folder = Path(model_dir) if model_dir is not None else bundled
    if not folder.exists():
        raise InputFileError(f"{folder}: no such model folder; expected a folder written by 'kompred train'")
    def part(name, cls):
        sub = folder / name
        if has_model(sub):
            return load_model(sub, trusted=trusted, expected=cls)
        default = bundled_model_path(name)
        return load_model(default, expected=cls) if has_model(default) else None

    reference = None
    ref_path = folder / "reference.csv"
    if not ref_path.exists():
        ref_path = bundled / "reference.csv"
    if ref_path.exists():
        reference = pd.read_csv(ref_path, dtype={"id": str}, keep_default_na=True)
    elif model_dir is None:
        from .datasets import load_stockholm

        reference = load_stockholm()
    grant_model = part("grant", GrantModel)
    if expected_rate is not None:
        if grant_model is None:
            raise ValidationError(f"{folder}: expected_rate needs a grant model, and there is none")
        grant_model.set_params(expected_rate=expected_rate)
        grant_model.rate_shift_  # noqa: B018 -- validates the rate and the model now, not mid-file
    # the grant model's input schema (its column mapping) travels in its metadata
    from .modeling.persist import read_metadata

    grant_dir = folder / "grant" if has_model(folder / "grant") else bundled_model_path("grant")
    inputs = read_metadata(grant_dir).get("inputs") if grant_model is not None else None
    return Scorer(topic_model=part("topic", TopicClassifier), grant_model=grant_model,
                  reference=reference, inputs=inputs)


def score_applications(apps: pd.DataFrame, scorer: Scorer, *, reasons: int = 3) -> pd.DataFrame:
    """Add the score columns to a validated application table (every row comes back, in order).

    Columns added: ``topic``, ``topic_confidence``, ``grant_probability``, ``grant_low``,
    ``grant_high``, ``grant_reasons``, ``similar_ids``, ``similar_decisions``,
    ``similar_similarity``, ``similar_split`` and ``status``. An existing ``topic`` column (a hand
    label) is kept as ``topic_label``.
    """
    # personnummer never leave kompred: redacted in every text cell of the output
    out, found_pnr = redact_columns(apps)
    if "topic" in out.columns:
        out = out.rename(columns={"topic": "topic_label"})
    texts = _texts(apps)
    empty = np.array([not t.strip() for t in texts])
    status = np.array([STATUS_OK] * len(apps), dtype=object)
    status[empty] = "ej bedömd: tom text"

    if found_pnr.any():
        status = np.where(found_pnr & (status == STATUS_OK), "ok; personnummer maskerat",
                          np.where(found_pnr, status + "; personnummer maskerat", status))

    if scorer.topic_model is not None:
        details = scorer.topic_model.predict_details(texts)
        out["topic"] = details["topic"].to_numpy()
        out["topic_confidence"] = details["topic_confidence"].to_numpy().round(3)
    else:
        out["topic"], out["topic_confidence"] = None, np.nan

    for c in ("grant_probability", "grant_low", "grant_high"):
        out[c] = np.nan
    out["grant_reasons"] = ""
    live = ~empty
    notes: list[str] = []
    if scorer.grant_model is not None and live.any():
        frame = apps.loc[live]
        if scorer.topic_model is not None and "topic" not in frame.columns:
            frame = frame.assign(topic=out.loc[live, "topic"].replace("osäker", np.nan))
        # e.g. "columns [...] are not in the table": said once per run by the caller, not per chunk
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always", DataQualityWarning)
            # one feature pass serves the probabilities and the reasons
            if reasons and hasattr(scorer.grant_model, "predict_interval_explained"):
                interval, expl = scorer.grant_model.predict_interval_explained(frame, top=reasons)
            else:
                interval = scorer.grant_model.predict_interval(frame)
                expl = scorer.grant_model.explain(frame, top=reasons) if reasons else None
        notes += [str(w.message) for w in caught if issubclass(w.category, DataQualityWarning)]
        for w in caught:
            if not issubclass(w.category, DataQualityWarning):
                warnings.warn_explicit(w.message, w.category, w.filename, w.lineno)
        for c in ("grant_probability", "grant_low", "grant_high"):
            out.loc[live, c] = interval[c].to_numpy().round(3)
        if expl is not None:
            out.loc[live, "grant_reasons"] = ["; ".join(str(r) for r in rs) for rs in expl]
    elif scorer.grant_model is None:
        status = np.where(status == STATUS_OK, "ok; ingen beviljandemodell", status)

    idx, sims = scorer.similar(apps, k=scorer.k_similar + 1)
    if idx.shape[1]:
        ref = scorer.reference
        ids = ref["id"].astype(str).to_numpy()
        dec = ref["decision"].astype(str).to_numpy() if "decision" in ref.columns else np.full(len(ref), "")
        # an application is not "similar" to itself when it is in the reference (e.g. its training data)
        own = apps["id"].astype(str).to_numpy() if "id" in apps.columns else np.full(len(apps), None)
        keep = (sims >= scorer.min_similarity) & (ids[idx] != own[:, None])
        keep &= np.cumsum(keep, axis=1) <= scorer.k_similar
        out["similar_ids"] = [";".join(ids[i][m]) for i, m in zip(idx, keep, strict=True)]
        out["similar_decisions"] = [";".join(dec[i][m]) for i, m in zip(idx, keep, strict=True)]
        out["similar_similarity"] = [";".join(f"{s:.2f}" for s in row[m]) for row, m in zip(sims, keep, strict=True)]
        out["similar_split"] = [len(set(dec[i][m]) & set(DECIDED)) == 2
                                for i, m in zip(idx, keep, strict=True)]
        for c in ("similar_ids", "similar_decisions", "similar_similarity"):
            out.loc[empty, c] = ""
        out.loc[empty, "similar_split"] = False
    else:
        out["similar_ids"] = out["similar_decisions"] = out["similar_similarity"] = ""
        out["similar_split"] = False
    out["status"] = status
    out.attrs["notes"] = sorted(set(notes))
    return out


@dataclass(frozen=True)
class ScoreSummary:
    """What :func:`score_file` did."""

    rows: int
    scored: int
    not_scored: int
    statuses: dict[str, int]
    topics: dict[str, int]
    mean_grant_probability: float | None
    seconds: float
    output: str
    peak_rss_mb: float | None = None
    notes: tuple[str, ...] = ()
    #: inputs the model uses that were missing far more often than in training, with the effect
    missing_inputs: tuple[str, ...] = ()
    #: the header -> canonical mapping the file was read with (the model's, then the options)
    columns: dict = field(default_factory=dict)


def _lenient_validate(chunk: pd.DataFrame, columns, source) -> tuple[pd.DataFrame, dict[int, list[str]]]:
    """Validate a chunk; cells that cannot be read are blanked and reported per row, not raised."""
    bad: dict[int, list[str]] = {}
    raw = chunk
    for _ in range(3):
        try:
            return validate_applications(raw, columns=columns, source=source,
                                         first_row=int(chunk.index[0])), bad
        except ApplicationTableError as err:
            raw = raw.copy()
            renamed = None
            for p in err.problems:
                if p.row is None:
                    raise
                bad.setdefault(p.row, []).append(f"{p.column}: {p.message}")
                # find the raw header for the canonical column named in the problem
                if renamed is None:
                    from .schema import canonical_column

                    renamed = {canonical_column(str(h)) or h: h for h in raw.columns}
                    renamed.update({c: h for h, c in (columns or {}).items()})
                header = renamed.get(p.column, p.column)
                if header in raw.columns:
                    # an empty or repeated id gets the row's own number, so that it is unique
                    raw.loc[p.row, header] = f"rad-{p.row}" if p.column == "id" else None
    raise ValidationError(f"{source}: could not make these rows readable: " + "; ".join(
        f"row {r}: {', '.join(m)}" for r, m in sorted(bad.items())[:10]))


def score_file(
    path: str | os.PathLike, out_path: str | os.PathLike, *, scorer: Scorer | None = None,
    columns: dict[str, str] | None = None, chunksize: int = 5_000,
    progress: Callable[[int], None] | None = None, sep: str | None = None, reasons: int = 3,
    strict: bool = False, sheet: str | int | None = None,
) -> ScoreSummary:
    """Score a file of applications in chunks and write the result in the same format.

    Parameters
    ----------
    path, out_path : path-like
        Input and output (CSV, XLSX or Parquet; the output's format follows its suffix).
    scorer : Scorer, optional
        Default: :func:`load_scorer` (the bundled models).
    columns : dict, optional
        Header → canonical name mapping, e.g. ``{"Text": "description"}``. The mapping the
        model was trained with applies first (see :func:`kompred.inputs.resolve_columns`);
        these entries override it, column by column.
    chunksize : int
        Rows per chunk; memory grows with the chunk, not with the file.
    progress : callable, optional
        Called with the number of rows done after each chunk (the CLI passes a progress bar).
    reasons : int
        Reasons per row in ``grant_reasons`` (0 skips them; they take most of the time).
    sheet : str or int, optional
        The Excel sheet to score (default: the first).
    strict : bool
        Raise :class:`~kompred.exceptions.SchemaError` instead of reporting in
        ``missing_inputs`` when an input the model uses is absent from the table (before
        anything is written) or missing far more often than in training (the output is then
        removed).
    """
    path, out_path = Path(path), Path(out_path)
    fmt_out = _format_of(out_path)
    if path.resolve() == out_path.resolve():
        raise InputFileError(f"{out_path}: the output would overwrite the input; choose another name")
    scorer = scorer or load_scorer()
    start = time.perf_counter()
    statuses: dict[str, int] = {}
    topics: dict[str, int] = {}
    probs_sum, probs_n, rows = 0.0, 0, 0
    notes: set[str] = set()
    writer = _ChunkWriter(out_path, fmt_out)
    schema = scorer.inputs or {}
    tracker = MissingInputs(schema) if schema.get("inputs") else None
    mapping: dict[str, str] | None = None
    try:
        for chunk in iter_table_chunks(path, chunksize=chunksize, sep=sep, sheet=sheet):
            if chunk.empty:  # a header with no rows under it
                continue
            if mapping is None:
                mapping = resolve_columns(chunk.columns, schema, given=columns, source=str(path))
            try:
                apps, bad = _lenient_validate(chunk, mapping, str(path))
            except SchemaError as exc:
                # title rows above the table, or the table on another sheet: say where it is
                hint = _guards.title_rows_hint(chunk, path) if rows == 0 and \
                    "missing required column" in str(exc) else ""
                if not hint:
                    raise
                raise SchemaError(str(exc) + hint) from exc
            if tracker is not None:
                tracker.add(apps)
                if strict and tracker.absent:
                    raise SchemaError(f"{path}: " + "; ".join(tracker.messages()) +
                                      " (--strict: nothing was written)")
            scored = score_applications(apps, scorer, reasons=reasons)
            for row, msgs in bad.items():
                # a cell's value is quoted in its message: no personnummer may leak through it
                before = scored.loc[row, "status"]
                scored.loc[row, "status"] = redact_personnummer(
                    "fel i raden: " + "; ".join(msgs) +
                    ("" if str(before).startswith(STATUS_OK) else f"; {before}"))
            writer.write(_with_input_columns(chunk, scored))
            notes.update(scored.attrs.get("notes", []))
            rows += len(scored)
            for s, n in scored["status"].str.split(";").str[0].value_counts().items():
                statuses[s] = statuses.get(s, 0) + int(n)
            for t, n in scored["topic"].value_counts().items():
                topics[str(t)] = topics.get(str(t), 0) + int(n)
            p = scored["grant_probability"].dropna()
            probs_sum += float(p.sum())
            probs_n += len(p)
            if progress:
                progress(len(scored))
    finally:
        writer.close()
    if rows == 0:
        out_path.unlink(missing_ok=True)
        raise InputFileError(f"{path}: no application rows to score: the file has a header "
                             "but no rows under it." + _guards.title_rows_hint(pd.DataFrame(), path))
    missing = tuple(tracker.messages()) if tracker is not None else ()
    if tracker is not None:
        # the per-input sentences replace the model's terse "columns [...] are not in the table"
        notes = {n for n in notes if "are not in the table" not in n}
    if strict and missing:
        out_path.unlink(missing_ok=True)
        raise SchemaError(f"{path}: " + "; ".join(missing) + f" (--strict: {out_path} not written)")
    ok = sum(n for s, n in statuses.items() if s.startswith("ok"))
    try:
        import resource

        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    except (ImportError, OSError):  # pragma: no cover - not on Windows
        peak = None
    return ScoreSummary(rows=rows, scored=ok, not_scored=rows - ok, statuses=statuses, topics=topics,
                        mean_grant_probability=probs_sum / probs_n if probs_n else None,
                        seconds=time.perf_counter() - start, output=str(out_path), peak_rss_mb=peak,
                        notes=tuple(sorted(notes)), missing_inputs=missing,
                        columns=dict(mapping or {}))


def _with_input_columns(raw: pd.DataFrame, scored: pd.DataFrame) -> pd.DataFrame:
    """The input rows as they were (headers and cells unchanged, personnummer redacted) followed by
    the score columns; an input column with a score column's name is kept as ``<name>_indata``."""
    out = redact_frame(raw)
    out = out.rename(columns={c: f"{c}_indata" for c in SCORE_COLUMNS if c in out.columns})
    for col in SCORE_COLUMNS:
        out[col] = scored[col].to_numpy()
    return out


class _ChunkWriter:
    """Append chunks to CSV / Parquet as they come; XLSX is written row by row (write-only mode)."""

    def __init__(self, path: Path, fmt: str):
        self.path, self.fmt = path, fmt
        self.first = True
        self._pq = None
        self._wb = self._ws = None
        if not path.parent.exists():
            raise InputFileError(f"{path}: the folder {path.parent} does not exist")

    def write(self, frame: pd.DataFrame) -> None:
        from .io import defuse_formulas

        frame = frame.reset_index(drop=True)
        for c in frame.columns:
            if isinstance(frame[c].dtype, pd.DatetimeTZDtype) or pd.api.types.is_datetime64_any_dtype(frame[c]):
                frame[c] = frame[c].dt.strftime("%Y-%m-%d")
        if self.fmt == "csv":
            sep = "\t" if self.path.suffix.lower() == ".tsv" else ","
            # CRLF, as Excel writes: a line-break character inside a cell is then always quoted
            defuse_formulas(frame).to_csv(self.path, mode="w" if self.first else "a", header=self.first,
                                          index=False, sep=sep, encoding="utf-8-sig" if self.first else "utf-8",
                                          lineterminator="\r\n")
        elif self.fmt == "parquet":
            import pyarrow as pa
            import pyarrow.parquet as pq

            table = pa.Table.from_pandas(frame.astype({c: "str" for c in frame.columns
                                                       if frame[c].dtype == object}), preserve_index=False)
            if self._pq is None:
                self._schema = table.schema
                self._pq = pq.ParquetWriter(self.path, table.schema)
            self._pq.write_table(table.cast(self._schema))
        else:
            from openpyxl import Workbook

            if self._wb is None:
                self._wb = Workbook(write_only=True)
                self._ws = self._wb.create_sheet("kompred")
                self._ws.append([str(c) for c in frame.columns])
            for row in defuse_formulas(frame).itertuples(index=False):
                self._ws.append([None if (isinstance(v, float) and np.isnan(v)) or v is pd.NA else
                                 (v.item() if isinstance(v, np.generic) else v) for v in row])
        self.first = False

    def close(self) -> None:
        if self._pq is not None:
            self._pq.close()
        if self._wb is not None:
            self._wb.save(self.path)


def train_scorer(apps: pd.DataFrame, out_dir: str | os.PathLike, *, taxonomy: str = "default",
                 grant_params: dict | None = None, min_topic_labels: int = 20,
                 train_topic: bool = True, columns: dict[str, str] | None = None) -> Path:
    """Train a grant model (and a topic model when the table has topic labels) and save them.

    Writes ``out_dir/grant/``, ``out_dir/topic/`` (only with at least ``min_topic_labels``
    labelled rows) and ``out_dir/reference.csv`` (the earlier applications that scoring compares
    with; without handler names). ``grant_params`` go to :class:`kompred.GrantModel`
    (default ``random_state=0``). ``columns`` is the header mapping ``apps`` was read with:
    the grant model's metadata keeps it with the input schema, so that :func:`score_file`
    reads a file of the same layout without it.
    """
    from .modeling.grant import GrantModel
    from .modeling.persist import save_model
    from .modeling.topic import TopicClassifier

    out_dir = Path(out_dir)
    decided = apps["decision"].isin(DECIDED) if "decision" in apps.columns else None
    if decided is None or not decided.any():
        raise SchemaError("training needs a decision column (Beslut) with 'beviljad'/'avslag' values; "
                          "map yours with --decision-column")
    train = apps.loc[decided]
    # a fixed seed by default: the same file gives the same model, intervals included
    grant = GrantModel(**{"random_state": 0, **(grant_params or {})}).fit(train)
    save_model(grant, out_dir / "grant", training_data=train,
               extra={"kind": "grant", "rows_excluded_undecided": int((~decided).sum()),
                      "inputs": describe_inputs(train, grant, columns=columns,
                                                source=apps.attrs.get("source"))})
    if train_topic and "topic" in apps.columns and apps["topic"].notna().sum() >= min_topic_labels:
        labelled = apps.loc[apps["topic"].notna()]
        topic = TopicClassifier(taxonomy=taxonomy).fit(_texts(labelled), labelled["topic"].tolist())
        save_model(topic, out_dir / "topic", training_data=labelled, extra={"kind": "topic"})
    ref = train[[c for c in REFERENCE_COLUMNS if c in train.columns]]
    ref.to_csv(out_dir / "reference.csv", index=False, encoding="utf-8")
    return out_dir
