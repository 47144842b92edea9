"""kompred check: the pre-submission check of one draft, for an HR officer."""

from __future__ import annotations

import sys
from pathlib import Path

from ._common import add_model_options, collector_paused


def add_parser(sub) -> None:
    p = sub.add_parser(
        "check", help="pre-submission check of one draft: topic, grant probability, similar earlier "
        "applications and the fund's checklist, in Swedish",
        description="Check one draft before sending it: a text (--text), a text file, or a one-row "
        "table (CSV/XLSX/Parquet). Personnummer are redacted in every output.")
    src = p.add_mutually_exclusive_group(required=True)
    src.add_argument("file", nargs="?", help="a .txt file with the draft, or a one-row table")
    src.add_argument("--text", help="the draft's text")
    p.add_argument("--json", metavar="PATH", help="write the result as JSON")
    p.add_argument("--markdown", metavar="PATH", help="write the report as Markdown")
    p.add_argument("--html", metavar="PATH", help="write the report as HTML")
    add_model_options(p)
    p.add_argument("--expected-rate", type=float, metavar="RATE",
                   help="approval rate you expect in this round (e.g. 0.27) when it differs from "
                   "the training data's; shifts every grant probability by one constant on the "
                   "log-odds scale. Leave it out unless you know it: a wrong guess hurts")
    p.add_argument("--no-color", action="store_true", help="no colours in the terminal")
    p.set_defaults(func=run)


def run(args) -> int:
    with collector_paused():  # one draft: imports and models are nearly all of the time
        return _run(args)


def _run(args) -> int:
    from ..check import check_application
    from ..report._check import check_to_html, check_to_json, check_to_markdown, check_to_terminal
    from ..scoring import load_scorer

    scorer = load_scorer(args.model, trusted=args.trust,
                         expected_rate=args.expected_rate)
    result = check_application(args.text, application=None if args.text is not None else args.file,
                               scorer=scorer)
    color = not args.no_color and sys.stdout.isatty()
    print(check_to_terminal(result, color=color))
    for path, text in ((args.json, check_to_json), (args.markdown, check_to_markdown), (args.html, check_to_html)):
        if path:
            Path(path).write_text(text(result), encoding="utf-8")
            print(f"Skrev {path}")
    return 0
