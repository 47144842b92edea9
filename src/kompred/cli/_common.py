"""Options and helpers shared by subcommands."""

from __future__ import annotations

import argparse
import contextlib
import gc
import json
import sys
import time
from pathlib import Path

MAPPING_HELP = "column mapping for tables that do not use kompred's column names"


MODEL_HELP = ("a model folder written by 'kompred train' (default: the bundled models); it loads "
              "only if every type in it is on kompred's trusted list")
TRUST_HELP = ("load the --model folder even when it holds types outside kompred's trusted list, "
              "or an old joblib (pickle) file; read 'kompred model inspect DIR' first")


@contextlib.contextmanager
def collector_paused():
    """No cyclic garbage collection inside the block (for the start of a one-text command).

    Importing scikit-learn, SciPy, pandas and spaCy creates some 180,000 objects, and the
    collector walks them again and again while they are created, finding next to nothing to free:
    0.3-0.4 s of a cold ``kompred check`` (measured with ``gc.callbacks``). Collection resumes
    after the block, as it was.
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def add_model_options(p: argparse.ArgumentParser, *, model_help: str = MODEL_HELP) -> None:
    """--model DIR and --trust: loading a model file is running code, so trust is explicit."""
    p.add_argument("--model", metavar="DIR", help=model_help)
    p.add_argument("--trust", action="store_true", help=TRUST_HELP)


def add_mapping_options(p: argparse.ArgumentParser, *, decision: bool = True) -> None:
    """--text-column, --decision-column, --id-column, --handler-column, --date-column."""
    g = p.add_argument_group("column mapping", MAPPING_HELP)
    g.add_argument("--text-column", metavar="COL", help="the application text (default: description)")
    if decision:
        g.add_argument("--decision-column", metavar="COL", help="the decision (default: decision)")
    g.add_argument("--id-column", metavar="COL", help="the application id (default: id)")
    g.add_argument("--handler-column", metavar="COL", help="the case handler (default: handler)")
    g.add_argument("--date-column", metavar="COL", help="the submission date (default: submitted)")
    g.add_argument("--sheet", help="Excel sheet name or number (default: the first)")


def mapping_from_args(args: argparse.Namespace) -> dict[str, str]:
    """Header → canonical name mapping from the --*-column options."""
    pairs = {"text_column": "description", "decision_column": "decision", "id_column": "id",
             "handler_column": "handler", "date_column": "submitted"}
    return {getattr(args, opt): canon for opt, canon in pairs.items() if getattr(args, opt, None)}


def sheet_arg(args: argparse.Namespace):
    s = getattr(args, "sheet", None)
    return int(s) if s is not None and str(s).isdigit() else s


def write_json(doc: dict, path: str | Path) -> Path:
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(doc, ensure_ascii=False, indent=2, default=str) + "\n", encoding="utf-8")
    return path


def progress_printer(enabled: bool):
    """A ``progress`` callback printing "[  12.3 s] step" lines on stderr, or None."""
    if not enabled:
        return None
    start = time.perf_counter()

    def say(message: str) -> None:
        print(f"[{time.perf_counter() - start:6.1f} s] {message}", file=sys.stderr, flush=True)

    return say
