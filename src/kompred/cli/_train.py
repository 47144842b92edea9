"""kompred train [FILE] --out DIR: train the grant (and topic) model on a table of decisions."""

from __future__ import annotations

from pathlib import Path

from .._resources import bundled_path
from ._common import add_mapping_options, mapping_from_args, sheet_arg


def add_parser(sub) -> None:
    p = sub.add_parser(
        "train", help="train the grant model (and the topic model, given topic labels) on a table "
        "of decisions; without FILE, rebuild the bundled default models",
        description="Train on any grant programme's table of applications and decisions. Columns "
        "other than the mapped ones are used as categorical or numeric features by their type. "
        "Without FILE, rebuilds kompred's default models in models/ from the bundled data and the "
        "default taxonomy.")
    p.add_argument("file", nargs="?", help="applications with decisions (CSV, XLSX or Parquet)")
    p.add_argument("--out", metavar="DIR", help="model folder to write (required with FILE)")
    p.add_argument("--taxonomy", default="default", help="taxonomy name or TOML file (default: %(default)s)")
    p.add_argument("--similar-k", type=int, default=0, metavar="K",
                   help="also use how the K most similar earlier applications were decided, with "
                   "the reason 'liknar tidigare beviljade ansökningar' (default: 0, off; it did "
                   "not improve validation AUC, see evaluation/README_grant.md)")
    add_mapping_options(p)
    p.set_defaults(func=run)


def run(args) -> int:
    from ..io import read_applications
    from ..scoring import train_scorer

    if args.file is None:
        from ..datasets import load_stockholm
        from ..modeling.topic import train_default_topic_model

        out = Path(args.out) if args.out else bundled_path("models")
        apps = load_stockholm()
        train_default_topic_model(out / "topic")
        # the synthetic records' free-text supplier names carry no signal worth a feature;
        # 200 bootstrap members (cheap at 73 rows) keep the interval ends' Monte Carlo noise small
        train_scorer(apps, out, taxonomy=args.taxonomy, train_topic=False,
                     grant_params={"exclude_columns": ("provider",), "n_bootstrap": 200})
        (out / "reference.csv").unlink(missing_ok=True)  # the bundled dataset is the reference
        print(f"Standardmodeller skrivna till {out}/ (topic/, grant/)")
        return 0
    if not args.out:
        raise SystemExit("kompred train: error: --out DIR is required when training on a FILE")
    apps = read_applications(args.file, columns=mapping_from_args(args), require=("description",),
                             require_decision=False, sheet=sheet_arg(args))
    if args.similar_k < 0:
        raise SystemExit(f"kompred train: error: --similar-k must be 0 or more, got {args.similar_k}")
    out = train_scorer(apps, args.out, taxonomy=args.taxonomy, columns=mapping_from_args(args),
                       grant_params={"similar_k": args.similar_k} if args.similar_k else None)
    parts = sorted(p.name for p in out.iterdir())
    print(f"Modell skriven till {out}/ ({', '.join(parts)})")
    print(f"Använd den med: kompred score FIL --model {out} -o UT.csv")
    return 0
