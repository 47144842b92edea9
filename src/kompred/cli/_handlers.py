"""kompred handlers FILE --json OUT: how much decisions depend on the handler, after content."""

from __future__ import annotations

from ..exceptions import KompredError
from ._common import add_mapping_options, mapping_from_args, sheet_arg, write_json


def add_parser(sub) -> None:
    p = sub.add_parser(
        "handlers", help="handler dependence after adjusting for content (SD, ICC, median OR, flip "
        "rate, permutation p), with an explicit 'not enough data' answer; and the period effect",
        description="Between-handler variation in approval after adjusting for content, and the "
        "same comparison across agreement versions. Without a handler column: the inconsistency "
        "index of near-duplicates.")
    p.add_argument("file", help="applications with decisions (CSV, XLSX or Parquet)")
    p.add_argument("--json", metavar="PATH", help="write the results as JSON")
    p.add_argument("--plot", metavar="PNG", help="write a funnel plot of handler approval rates")
    p.add_argument("--permutations", type=int, default=2000, help="default: %(default)s")
    p.add_argument("--lang", choices=("sv", "en"), default="sv", help="language of the summary")
    add_mapping_options(p)
    p.set_defaults(func=run)


def run(args) -> int:
    from ..consistency import handler_effect, inconsistency_index, period_effect
    from ..corpus import prepare
    from ..io import read_applications
    from ..privacy import redact_frame
    from ..report._consistency import (
        format_handler_effect,
        format_inconsistency,
        format_period_effect,
        funnel_plot,
    )

    apps = read_applications(args.file, columns=mapping_from_args(args), require=("description",),
                             require_decision=False, sheet=sheet_arg(args))
    apps = redact_frame(apps)  # no personnummer in any report, file or terminal line
    doc: dict = {}
    corpus = prepare(apps)  # one content model serves the handler and the period analyses
    if "handler" in apps.columns and apps["handler"].notna().any():
        he = handler_effect(corpus, n_permutations=args.permutations)
        doc.update(he.to_dict())
        print(format_handler_effect(he, lang=args.lang))
        if args.plot:
            funnel_plot(he).savefig(args.plot, dpi=110)
            print(f"Trattdiagram -> {args.plot}")
    else:
        ii = inconsistency_index(corpus)
        doc["inconsistency_index"] = ii.to_dict()
        doc.update({"handler_sd": None, "ci_low": None, "ci_high": None, "p_value": None,
                    "flip_rate": None, "enough_data": False,
                    "reason": "no handler column: the inconsistency index is reported instead"})
        print("Ingen handläggarkolumn; inkonsistensindex för nära dubbletter:" if args.lang == "sv"
              else "No handler column; inconsistency index of near-duplicates:")
        print(format_inconsistency(ii, lang=args.lang))
    try:
        pe = period_effect(corpus)
        doc["period_effect"] = pe.to_dict()
        print()
        print(format_period_effect(pe, lang=args.lang))
    except KompredError as exc:
        doc["period_effect"] = {"enough_data": False, "reason": str(exc)}
    if args.json:
        print(f"JSON -> {write_json(doc, args.json)}")
    return 0
