"""kompred score FILE -o OUT: topic, grant probability and similar applications for every row."""

from __future__ import annotations

from pathlib import Path

from ._common import add_mapping_options, add_model_options, mapping_from_args, sheet_arg


def add_parser(sub) -> None:
    p = sub.add_parser(
        "score", help="add topic, grant probability (with interval and reasons) and similar earlier "
        "applications to every row of a CSV/XLSX/Parquet file",
        description="Score every row of a file of applications and write the same format back, "
        "every input row in order, with the columns topic, topic_confidence, grant_probability, "
        "grant_low, grant_high, grant_reasons, similar_ids, similar_decisions, similar_similarity, "
        "similar_split and status. Streams in chunks, so memory stays bounded. Personnummer in text "
        "cells are redacted.")
    p.add_argument("file", help="applications to score (CSV, XLSX or Parquet)")
    p.add_argument("-o", "--out", required=True, help="output file; its suffix sets the format")
    add_model_options(p)
    p.add_argument("--chunksize", type=int, default=5000, help="rows per chunk (default: %(default)s)")
    p.add_argument("--dask", metavar="SCHEDULER",
                   help="score on a Dask cluster, one partition per chunk: the scheduler's address "
                   "(tcp://HOST:8786), or 'local' for a local cluster (needs the dask extra)")
    p.add_argument("--no-progress", action="store_true", help="no progress bar")
    p.add_argument("--reasons", type=int, default=3, metavar="N",
                   help="reasons per row in grant_reasons (default: %(default)s; 0 is about twice as fast)")
    p.add_argument("--expected-rate", type=float, metavar="RATE",
                   help="approval rate you expect in this round (e.g. 0.27) when it differs from "
                   "the training data's; shifts every grant probability by one constant on the "
                   "log-odds scale. Leave it out unless you know it: a wrong guess hurts")
    p.add_argument("--strict", action="store_true",
                   help="fail when an input the model uses is absent or missing far more often "
                   "than in training (default: score and warn)")
    add_mapping_options(p, decision=False)
    p.set_defaults(func=run)


def run(args) -> int:
    import sys

    from tqdm import tqdm

    from ..io import _format_of
    from ..render.numbers import fill
    from ..scoring import load_scorer, score_file

    _format_of(Path(args.out))  # fail before any work on an unsupported output suffix
    scorer = load_scorer(args.model, trusted=args.trust,
                         expected_rate=args.expected_rate)
    if args.dask:
        from ..scoring_dask import score_file_dask

        n = score_file_dask(args.file, args.out, args.dask, scorer=scorer, reasons=args.reasons,
                            columns=mapping_from_args(args), chunksize=args.chunksize,
                            sheet=sheet_arg(args))
        print(f"{n} rader bedömda på Dask ({args.dask}) -> {args.out}")
        return 0
    bar = tqdm(unit=" rader", desc="kompred score", disable=args.no_progress or None, file=sys.stderr)
    try:
        summary = score_file(args.file, args.out, scorer=scorer, columns=mapping_from_args(args),
                             chunksize=args.chunksize, progress=bar.update, reasons=args.reasons,
                             strict=args.strict, sheet=sheet_arg(args))
    finally:
        bar.close()
    print(fill("{rows:,} rader lästa, {scored:,} bedömda, {not_scored:,} ej bedömda ({seconds:.1f} s) "
               "-> {out}", "sv", rows=summary.rows, scored=summary.scored,
               not_scored=summary.not_scored, seconds=summary.seconds, out=summary.output))
    if summary.columns:  # the model's stored mapping and the options, as applied
        print("Kolumner: " + ", ".join(f"{h} -> {c}" for h, c in summary.columns.items()))
    print("Status: " + ", ".join(f"{k} {v}" for k, v in sorted(summary.statuses.items())))
    if summary.topics:
        print("Ämnen: " + ", ".join(f"{k} {v}" for k, v in sorted(summary.topics.items())))
    for note in summary.notes:
        print(f"Obs: {note}")
    for warning in summary.missing_inputs:  # loud, on stderr: these rows' probabilities are off
        print(f"kompred score: VARNING: {warning}", file=sys.stderr)
    if summary.mean_grant_probability is not None:
        print(fill("Medelsannolikhet för beviljande: {p:.2f}", "sv",
                   p=summary.mean_grant_probability))
    return 0
