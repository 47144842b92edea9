"""kompred consistency FILE -o pairs.csv: similar applications with divergent decisions."""

from __future__ import annotations

from pathlib import Path

from ._common import add_mapping_options, mapping_from_args, progress_printer, sheet_arg


def add_parser(sub) -> None:
    p = sub.add_parser(
        "consistency", help="similar applications with divergent decisions (pairs and groups), "
        "ranked by how surprising the split is given their content",
        description="Find pairs and groups of similar applications that got different decisions. "
        "Character n-gram cosine similarity; memory grows linearly with the number of rows.")
    p.add_argument("file", help="applications with decisions (CSV, XLSX or Parquet)")
    p.add_argument("-o", "--out", required=True, help="pairs file to write (CSV, XLSX or Parquet)")
    p.add_argument("--groups", metavar="PATH", help="also write the groups of near-identical insatser")
    p.add_argument("--plot", metavar="PNG", help="also plot similarity against decision agreement")
    p.add_argument("--min-similarity", type=float, default=0.5, help="default: %(default)s")
    p.add_argument("--top", type=int, default=10, help="pairs to print (default: %(default)s)")
    p.add_argument("--no-progress", action="store_true", help="no progress messages on stderr")
    add_mapping_options(p)
    p.set_defaults(func=run)


def run(args) -> int:
    from ..consistency import find_divergent_groups, find_divergent_pairs
    from ..corpus import prepare
    from ..io import read_applications, write_table
    from ..privacy import redact_frame
    from ..report._consistency import format_pairs, similarity_agreement_plot

    apps = read_applications(args.file, columns=mapping_from_args(args), require=("description",),
                             sheet=sheet_arg(args))
    apps = redact_frame(apps)  # no personnummer in any report, file or terminal line
    progress = progress_printer(not args.no_progress)
    # one prepared corpus: one vectorization, one neighbour search and one content model serve
    # the pairs, the groups and the plot
    corpus = prepare(apps, progress=progress)
    pairs = find_divergent_pairs(corpus, min_similarity=args.min_similarity)
    write_table(pairs, args.out)
    print(f"{len(pairs)} par med olika beslut och likhet ≥ {args.min_similarity} -> {args.out}")
    if len(pairs):
        print(format_pairs(pairs, top=args.top))
    if args.groups:
        groups = find_divergent_groups(corpus)
        write_table(groups, args.groups)
        print(f"{len(groups)} grupper med blandade beslut -> {args.groups}")
    if args.plot:
        all_pairs = find_divergent_pairs(corpus, include_agreeing=True,
                                         min_similarity=min(0.3, args.min_similarity))
        fig = similarity_agreement_plot(all_pairs)
        fig.savefig(Path(args.plot), dpi=110)
        print(f"Diagram -> {args.plot}")
    return 0
