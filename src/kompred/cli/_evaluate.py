"""kompred evaluate: how good is the topic classifier (cross-validation, held-out, baselines)?"""

from __future__ import annotations

from ._common import add_model_options, write_json


def add_parser(sub) -> None:
    p = sub.add_parser(
        "evaluate", help="evaluate the topic classifier: cross-validation, held-out texts, baselines",
        description="Evaluate the topic classifier by repeated stratified cross-validation on the "
                    "taxonomy's examples plus labelled applications, and optionally on a held-out "
                    "file, with keyword rules and word TF-IDF + logistic regression as baselines. "
                    "Prints macro-F1 and per-topic precision and recall with bootstrap 95 %% "
                    "confidence intervals.")
    p.add_argument("--taxonomy", default="default",
                   help="bundled taxonomy name or a .toml file (default: %(default)s)")
    p.add_argument("--data", metavar="FILE",
                   help="labelled applications (a 'topic' column) to use with the taxonomy's "
                        "examples (default: the bundled dataset for the default taxonomy, none "
                        "for other taxonomies)")
    p.add_argument("--heldout", metavar="FILE",
                   help="held-out CSV with columns text, topic (and optionally style) to score the "
                        "trained model on; never used for training")
    add_model_options(p, model_help="score this saved topic model on --heldout instead of "
                      "training one")
    p.add_argument("--no-cv", action="store_true", help="skip the cross-validation")
    p.add_argument("--folds", type=int, default=5, help="folds per repeat (default: %(default)s)")
    p.add_argument("--repeats", type=int, default=5, help="CV repeats (default: %(default)s)")
    p.add_argument("--bootstrap", type=int, default=1000,
                   help="bootstrap resamples for the confidence intervals (default: %(default)s)")
    p.add_argument("--seed", type=int, default=0, help="random seed (default: %(default)s)")
    p.add_argument("-o", "--out", metavar="DIR",
                   help="write confusion-matrix plots (PNG) and a Markdown/JSON summary here")
    p.add_argument("--json", metavar="PATH", help="also write the results as JSON to PATH")
    p.add_argument("--real", nargs="?", const="", metavar="FILE",
                   help="instead, print the real-vs-synthetic table: the saved model (the bundled "
                        "one, or --model DIR) on the synthetic held-out texts (--heldout, default "
                        "evaluation/data/topics_heldout.csv) and on the real texts' dev split "
                        "(FILE, default ../shared/corpora/real_insatser_dev.csv)")
    p.add_argument("--sealed", action="store_true",
                   help="with --real, also score the sealed real texts (look once, at the end)")
    p.set_defaults(func=run)


def run(args) -> int:
    from ..modeling.topic.evaluation import evaluate_topics
    from ..report._topic import format_topic_evaluation, write_topic_evaluation

    if args.real is not None:
        return run_real(args)
    model = None
    if args.model:
        from ..modeling.persist import load_model
        from ..modeling.topic import TopicClassifier

        model = load_model(args.model, trusted=args.trust, expected=TopicClassifier)
    ev = evaluate_topics(args.taxonomy, data=args.data if args.data else "auto",
                         heldout=args.heldout, model=model, cv=not args.no_cv,
                         n_splits=args.folds, n_repeats=args.repeats, n_bootstrap=args.bootstrap,
                         random_state=args.seed)
    print(format_topic_evaluation(ev))
    if args.out:
        files = write_topic_evaluation(ev, args.out)
        print(f"\nWritten to {args.out}/: " + ", ".join(f.name for f in files))
    if args.json:
        print(f"JSON written to {write_json(ev.to_json_dict(), args.json)}")
    return 0


def run_real(args) -> int:
    """``kompred evaluate --real``: one saved model on synthetic and on real texts."""
    from ..modeling.topic.real import compare_real_synthetic, format_real_table

    if args.model:
        from ..modeling.persist import load_model
        from ..modeling.topic import TopicClassifier

        model, labelled = load_model(args.model, trusted=True, expected=TopicClassifier), []
    else:
        from ..datasets import load_stockholm
        from ..modeling.topic import application_texts, load_default_topic_model

        # the bundled model also trained on the bundled rows: held-out copies of them are skipped
        model = load_default_topic_model()
        apps = load_stockholm()
        labelled = application_texts(apps.loc[apps["topic"].notna(), ["title", "description"]])
    rows = compare_real_synthetic(model, real=args.real or None,
                                  heldout=args.heldout if args.heldout else True,
                                  labelled_texts=labelled, include_sealed=args.sealed,
                                  n_bootstrap=args.bootstrap, random_state=args.seed)
    print("Topic classifier on synthetic and on real texts (first-ranked topic against the main "
          "label; 'any acceptable label' also counts a text's second acceptable label)")
    print(format_real_table(rows))
    n_trained = len(getattr(model, "extra_sha1_", ()) or ())
    if n_trained:
        # a figure on texts the model was trained on measures memory, not a test
        print(f"\nThe model was trained on {n_trained} real texts; they are left out above. Their "
              "test figure is cross-validated (each text scored by a model that did not see it): "
              "python evaluation/topic_real.py --cv-real, table in evaluation/README_topic.md.")
    if args.json:
        doc = {"sets": [r.to_json_dict() for r in rows]}
        print(f"JSON written to {write_json(doc, args.json)}")
    return 0
