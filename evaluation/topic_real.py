"""Topic classifier on real vs synthetic texts: the table in evaluation/README_topic.md.

    python evaluation/topic_real.py                 # shipped model (models/topic): synthetic + real dev
    python evaluation/topic_real.py --train         # train the current default recipe afresh
    python evaluation/topic_real.py --model DIR     # a saved topic model
    python evaluation/topic_real.py --errors        # also list the real dev texts it gets wrong
    python evaluation/topic_real.py --unsure        # the osäker threshold: out of fold and on dev
    python evaluation/topic_real.py --sealed        # also the sealed real texts (once, at the end)
    python evaluation/topic_real.py --ablation      # recipe variants on synthetic + real dev only

The real texts are read from ../shared/corpora/real_insatser_dev.csv (or $KOMPRED_SHARED); the
dev/sealed split is evaluation/data/real_insatser_split.csv (ids only, drawn by source page with
evaluation/make_real_split.py). No real text is ever trained on. The synthetic held-out set is
evaluation/data/topics_heldout.csv.
"""

from __future__ import annotations

import argparse
import json
import sys
import warnings
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from kompred.datasets import load_stockholm  # noqa: E402
from kompred.modeling.persist import bundled_model_path, load_model  # noqa: E402
from kompred.modeling.topic import TopicClassifier, application_texts  # noqa: E402
from kompred.modeling.topic.real import compare_real_synthetic, format_real_table  # noqa: E402


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", help="saved topic model folder (default: models/topic)")
    parser.add_argument("--train", action="store_true", help="train the default recipe afresh")
    parser.add_argument("--real", help="real corpus CSV (default ../shared/corpora/...)")
    parser.add_argument("--sealed", action="store_true", help="also score the sealed real texts")
    parser.add_argument("--errors", action="store_true", help="list the real dev texts gotten wrong")
    parser.add_argument("--unsure", action="store_true",
                        help="the osäker threshold's trade-off: out of fold on the training "
                        "material (synthetic) and on the real dev texts")
    parser.add_argument("--bootstrap", type=int, default=2000)
    parser.add_argument("--json", help="write the figures as JSON here")
    parser.add_argument("--ablation", action="store_true",
                        help="train recipe variants and score them on synthetic + real dev (never sealed)")
    args = parser.parse_args(argv)
    apps = load_stockholm()
    apps = apps[apps["topic"].notna()]
    labelled = application_texts(apps[["title", "description"]])
    if args.ablation:
        return ablation(labelled, apps["topic"], args)
    if args.train:
        model = TopicClassifier().fit(labelled, apps["topic"])
        source = "trained afresh: default taxonomy + bundled dataset"
    else:
        folder = Path(args.model) if args.model else bundled_model_path("topic")
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # a scikit-learn version note is not news here
            model = load_model(folder, trusted=True, expected=TopicClassifier)
        source = f"saved model {folder}"
    rows = compare_real_synthetic(model, real=args.real, labelled_texts=labelled,
                                  include_sealed=args.sealed, n_bootstrap=args.bootstrap)
    print(f"Model: {source} (taxonomy {model.taxonomy_.id} v{model.taxonomy_.version})\n")
    print(format_real_table(rows))
    if args.errors:
        dev = next(r for r in rows if r.name == "real dev").details
        wrong = dev.loc[~dev["right"] | dev["osaker"]]
        print(f"\nReal dev texts wrong or osäker ({len(wrong)}):")
        for _, r in wrong.iterrows():
            print(f"- {r['topics_ok']} -> {r['topic_first']} ({r['confidence']:.2f}"
                  f"{', osäker' if r['osaker'] else ''}): {r['text'][:110]}")
    if args.unsure:
        print("\n" + unsure_tables(model, next(r for r in rows if r.name == "real dev")))
    if args.json:
        Path(args.json).write_text(json.dumps({"model": source,
                                               "sets": [r.to_json_dict() for r in rows]},
                                              ensure_ascii=False, indent=2) + "\n")
    return 0


def unsure_tables(model, dev) -> str:
    """The osäker threshold's trade-off: out of fold on the training material, and on real dev."""
    from kompred.modeling.topic import unsure_table

    oof = (getattr(model, "training_summary_", {}) or {}).get("unsure_cv")
    d = dev.details
    real = unsure_table(d["confidence"], d["right"])
    lines = ["| threshold | training material, out of fold: osäker share | accuracy when sure "
             "| accuracy of the osäker | real dev: osäker | right among the osäker |",
             "|---|---|---|---|---|---|"]
    for i, r in enumerate(real):
        o = oof[i] if oof else {}

        def f(v):
            return "" if v is None else f"{v:.3f}"
        n_low = round(r["share_osaker"] * len(d))
        n_right = round((r["accuracy_osaker"] or 0) * n_low)
        lines.append(f"| {r['threshold']:.2f} | {f(o.get('share_osaker'))} | {f(o.get('accuracy_sure'))} "
                     f"| {f(o.get('accuracy_osaker'))} | {n_low}/{len(d)} | {n_right}/{n_low} |")
    return "\n".join(lines)


# Variants tried while developing on the real dev texts (evaluation/README_topic.md).
VARIANTS = {
    "default recipe": {},
    "split_compounds=True": {"split_compounds": True},
    "mark_occupations=True": {"mark_occupations": True},
    "threshold=0.6": {"threshold": 0.6},
    "C=5": {"C": 5.0},
    "C=20": {"C": 20.0},
    "word_weight=1.0": {"word_weight": 1.0},
}


def ablation(labelled, topics, args) -> int:
    from kompred.modeling.topic.real import load_real_topics

    real = load_real_topics(args.real)
    print("| variant | synthetic accuracy | real dev accuracy [Wilson] | real dev, any acceptable "
          "| real dev macro-F1 | real dev osäker |")
    print("|---|---|---|---|---|---|")
    for name, params in VARIANTS.items():
        model = TopicClassifier(**params).fit(labelled, topics)
        syn, dev = compare_real_synthetic(model, real=real, labelled_texts=labelled,
                                          n_bootstrap=0)
        print(f"| {name} | {syn.accuracy:.3f} | {dev.accuracy:.3f} [{dev.accuracy_ci[0]:.3f}, "
              f"{dev.accuracy_ci[1]:.3f}] | {dev.lenient_accuracy:.3f} | {dev.macro_f1:.3f} | "
              f"{dev.n_osaker}/{dev.n} |", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
