"""Print the topic classifier's held-out table (model and two baselines, overall and per style).

Run from the repository root:

    python evaluation/topic_heldout.py            # the shipped model in models/topic, if present
    python evaluation/topic_heldout.py --train    # train the default recipe afresh instead
    python evaluation/topic_heldout.py --cv       # also the 5x5 cross-validation table
    python evaluation/topic_heldout.py -o out/    # also plots + Markdown/JSON summary
    python evaluation/topic_heldout.py --robustness   # zero-label ablation on perturbed texts

The held-out file ``evaluation/data/topics_heldout.csv`` (300 hand-written texts, 60 per topic)
is never used for training or tuning; see ``evaluation/README_topic.md``.
"""

from __future__ import annotations

import argparse
import os
import sys
import warnings
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from kompred.modeling.persist import bundled_model_path, read_metadata  # noqa: E402
from kompred.modeling.topic import load_default_topic_model  # noqa: E402
from kompred.modeling.topic.evaluation import evaluate_topics  # noqa: E402
from kompred.report._topic import format_topic_evaluation, write_topic_evaluation  # noqa: E402
from kompred.taxonomy import load_taxonomy  # noqa: E402

HELDOUT = ROOT / "evaluation" / "data" / "topics_heldout.csv"

# Topic-neutral sentences for the robustness check. Deliberately NOT the ones the classifier
# trains with (kompred.modeling.topic.BOILERPLATE): the check asks whether unseen application
# boilerplate pulls a text away from its topic.
UNSEEN_BOILERPLATE = (
    "Samverkan med fack har skett enligt gällande rutin.",
    "Insatsen bedöms ligga utanför ordinarie kompetensutveckling.",
    "Deltagarna får ersättning för restid och kost.",
    "Vi har inhämtat offert från två leverantörer.",
    "Projektet samordnas av HR-avdelningen på förvaltningen.",
    "Ansökan avser medelsperioden 2024-2026.",
    "Arbetsgivaren står för lönekostnaden under utbildningstiden.",
    "Beslut om insatsen fattades i förvaltningens ledningsgrupp i mars.",
    "Totalt söks 240 000 kronor.",
    "Insatsen riktar sig till medarbetare med tillsvidareanställning och visstidsanställda.",
    "Målet är långsiktig kompetensförsörjning och att vara en attraktiv arbetsgivare.",
    "Uppföljning görs av HR-specialist efter sex månader.",
    "Vi har tidigare inte sökt medel för denna målgrupp.",
    "Genomförs i samarbete med Omställningsfonden.",
)


def robustness(seeds: int = 3) -> str:
    """Zero-label models (taxonomy only) scored on the bundled dataset's 73 labelled texts, as
    written and perturbed: å/ä/ö removed plus a dropped letter in 30 % of longer words, and three
    unseen boilerplate sentences appended. One row per recipe (each component switched off)."""
    import random

    import numpy as np
    from sklearn.metrics import f1_score

    from kompred.datasets import load_stockholm
    from kompred.modeling.topic import TopicClassifier

    apps = load_stockholm()
    titles = apps["title"].tolist()
    full = (apps["title"] + ". " + apps["description"]).tolist()
    y = apps["topic"].tolist()

    def typo(text, rng):
        text = text.translate(str.maketrans("åäöÅÄÖ", "aaoAAO"))
        words = []
        for w in text.split():
            if len(w) > 5 and rng.random() < 0.3:
                i = rng.randrange(1, len(w) - 1)
                w = w[:i] + w[i + 1:]
            words.append(w)
        return " ".join(words)

    def boiler(text, rng):
        return text.rstrip(".") + ". " + " ".join(rng.sample(UNSEEN_BOILERPLATE, 3))

    sets = {"title": lambda r: titles, "title+description": lambda r: full,
            "title, typos": lambda r: [typo(t, r) for t in titles],
            "title+description, typos": lambda r: [typo(t, r) for t in full],
            "title + boilerplate": lambda r: [boiler(t, r) for t in titles],
            "title+description + boilerplate": lambda r: [boiler(t, r) for t in full]}
    recipes = {"full recipe": {}, "no word block": {"word_weight": 0},
               "no å/ä/ö-folded copies": {"fold_weight": 0},
               "no boilerplate copies": {"boilerplate_weight": 0},
               "no abbreviation expansion": {"expand_abbreviations": False}}
    lines = ["| recipe | " + " | ".join(sets) + " | mean |", "|---" * (len(sets) + 2) + "|"]
    for name, params in recipes.items():
        clf = TopicClassifier(calibration_cv=0, **params).fit()
        scores = []
        for make in sets.values():
            per_seed = [f1_score(y, clf.predict_details(make(random.Random(s)))["topic_first"],
                                 average="macro") for s in range(seeds)]
            scores.append(float(np.mean(per_seed)))
        lines.append(f"| {name} | " + " | ".join(f"{v:.3f}" for v in scores)
                     + f" | {np.mean(scores):.3f} |")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--heldout", default=str(HELDOUT), help="held-out CSV (text, topic, style)")
    parser.add_argument("--train", action="store_true",
                        help="train the default recipe instead of loading models/topic")
    parser.add_argument("--cv", action="store_true", help="also run the 5x5 cross-validation")
    parser.add_argument("--bootstrap", type=int, default=2000, help="bootstrap resamples")
    parser.add_argument("-o", "--out", help="folder for plots and the Markdown/JSON summary")
    parser.add_argument("--robustness", action="store_true",
                        help="only the zero-label robustness ablation on the bundled dataset")
    args = parser.parse_args(argv)
    if args.robustness:
        print("Zero-label models (taxonomy only), macro-F1 on the bundled dataset's 73 texts")
        print(robustness())
        return 0

    model, source = None, "trained afresh (default taxonomy + bundled dataset)"
    folder = bundled_model_path("topic")
    if not args.train and (folder / "model.skops").exists():
        meta = read_metadata(folder)
        if meta.get("taxonomy_version") == load_taxonomy("default").version:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")  # a scikit-learn version note is not news here
                model = load_default_topic_model()
            source = f"shipped model {folder} (created {meta.get('created')})"
        else:
            source += "; models/topic was trained on another taxonomy version"
    heldout = Path(args.heldout)
    if heldout.resolve().is_relative_to(ROOT):
        heldout = heldout.resolve().relative_to(ROOT)  # a short name in the table
        os.chdir(ROOT)
    ev = evaluate_topics("default", heldout=heldout, model=model, cv=args.cv,
                         n_bootstrap=args.bootstrap)
    print(f"Model: {source}\n")
    print(format_topic_evaluation(ev))
    if args.out:
        write_topic_evaluation(ev, args.out)
        print(f"\nWritten to {args.out}/")
    return 0


if __name__ == "__main__":
    sys.exit(main())
