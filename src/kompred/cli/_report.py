"""kompred report FILE: the seed report's tables rebuilt from records, with plots."""

from __future__ import annotations

from ._common import (
    add_mapping_options,
    mapping_from_args,
    progress_printer,
    sheet_arg,
    write_json,
)


def add_parser(sub) -> None:
    p = sub.add_parser("report", help="rebuild the report's tables (units × years, topics, decisions, "
                       "costs) from records; plots and a summary",
                       description="Rebuild the seed report's tables from application records and "
                       "write plots (PNG), rapport.md, rapport.html and tables.json to a folder.")
    p.add_argument("file", help="applications (CSV, XLSX or Parquet)")
    p.add_argument("-o", "--out", default="kompred-rapport", help="output folder (default: %(default)s)")
    p.add_argument("--json", metavar="PATH", help="also write the tables as JSON to PATH")
    p.add_argument("--tables-only", action="store_true",
                   help="only the seed tables: skip topics, divergent pairs and groups, handler and "
                   "period effects")
    p.add_argument("--lang", choices=("sv", "en"), default="sv",
                   help="language of the analysis sections, summary lines and plots "
                   "(default: %(default)s; the seed tables keep the published report's labels)")
    p.add_argument("--no-progress", action="store_true",
                   help="no progress messages on stderr (the analysis of a large table takes minutes)")
    add_mapping_options(p)
    p.set_defaults(func=run)


def run(args) -> int:
    from ..datasets import STOCKHOLM_NOTE, is_stockholm
    from ..io import read_applications
    from ..privacy import redact_frame
    from ..report import format_summary, seed_tables, write_report

    apps = read_applications(args.file, columns=mapping_from_args(args), require=(),
                             sheet=sheet_arg(args))
    apps = redact_frame(apps)  # no personnummer in any report, file or terminal line
    provenance = STOCKHOLM_NOTE if is_stockholm(args.file) else f"Källa: {args.file}"
    tables = seed_tables(apps, source=str(args.file))
    print(format_summary(tables, provenance=provenance))
    analysis = None
    if not args.tables_only:
        from ..analysis import analyse
        from ..report import render_analysis

        analysis = render_analysis(analyse(apps, progress=progress_printer(not args.no_progress)),
                                   provenance=provenance,
                                   synthetic=is_stockholm(args.file), lang=args.lang)
        print("")
        print("\n".join(analysis.terminal))
    extra = analysis.tables if analysis else {}
    folder = write_report(apps, args.out, tables=tables, provenance=provenance,
                          extra_sections=analysis.sections if analysis else None,
                          extra_tables=extra)
    if analysis:
        analysis.save_figures(folder)
    print(f"\nRapport skriven till {folder}/ (rapport.md, rapport.html, tables.json, PNG-diagram)")
    if args.json:
        # the same document as tables.json
        print(f"JSON skriven till {write_json({**tables.to_json_dict(), **extra}, args.json)}")
    return 0
