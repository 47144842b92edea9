"""Topic classifier on real vs synthetic texts: the table in evaluation/README_topic.md.

    python evaluation/topic_real.py                 # shipped model (models/topic): synthetic + real dev
    python evaluation/topic_real.py --train         # train the current default recipe afresh
    python evaluation/topic_real.py --model DIR     # a saved topic model
    python evaluation/topic_real.py --errors        # also list the real dev texts it gets wrong
    python evaluation/topic_real.py --unsure        # the osäker threshold: out of fold and on dev
    python evaluation/topic_real.py --sealed        # also the sealed real texts (once, at the end)
    python evaluation/topic_real.py --ablation      # recipe variants on synthetic + real dev only
    python evaluation/topic_real.py --cv-real       # grouped 5-fold CV over all 84 real texts:
                                                    # synthetic-only recipe vs + real texts

The real texts are read from ../shared/corpora/real_insatser_dev.csv (or $KOMPRED_SHARED); the
dev/sealed split is evaluation/data/real_insatser_split.csv (ids only, drawn by source page with
evaluation/make_real_split.py). The synthetic held-out set is evaluation/data/topics_heldout.csv.

Since issue 14's third round the shipped model also trains on the 84 real texts (vocabulary from
the synthetic material only, ``TopicClassifier.fit(extra_X=...)``). Its real-text figure is
therefore the cross-validated one (``--cv-real``); the plain table leaves out the real texts it
was trained on and says so.
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
    parser.add_argument("--cv-real", action="store_true",
                        help="outer grouped 5-fold CV over all real texts: the synthetic-only recipe "
                        "against the recipe with the real texts in training")
    parser.add_argument("--seeds", default="14,0,1",
                        help="outer fold seeds for --cv-real, comma-separated; the first gets the "
                        "full table (default: %(default)s; 14 is the split file's seed)")
    parser.add_argument("--real-weight", default=str(REAL_WEIGHT),
                        help="sample weight of each real text in --cv-real: a number (default: "
                        "%(default)s, fixed a priori), or 'nested' to choose it in every outer "
                        f"training fold by an inner grouped CV from {NESTED_WEIGHTS}")
    args = parser.parse_args(argv)
    apps = load_stockholm()
    apps = apps[apps["topic"].notna()]
    labelled = application_texts(apps[["title", "description"]])
    if args.ablation:
        return ablation(labelled, apps["topic"], args)
    if args.cv_real:
        return cv_real(labelled, apps["topic"], args)
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
    n_trained = len(getattr(model, "extra_sha1_", ()) or ())
    if n_trained:
        print(f"\nThis model was trained on {n_trained} real texts; they are not scored above. "
              "Their test figure is cross-validated: python evaluation/topic_real.py --cv-real")
        if args.errors or args.unsure:
            print("--errors and --unsure need real texts the model was not trained on.")
            return 0
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


# Weight of each real text against 1 for a bundled labelled row, fixed before any CV run: a real
# text is one more labelled application, no more. Not tuned (an inner CV would cost 25x the fits).
REAL_WEIGHT = 1.0


def cv_real(labelled, topics, args) -> int:
    """Outer grouped CV over all real texts, both recipes, several fold seeds; the synthetic
    held-out figure of each recipe trained on all real texts."""
    import time

    from kompred.exceptions import InputFileError
    from kompred.modeling.topic.real import (
        cross_validate_real,
        load_real_topics,
        score_cross_validated,
        score_heldout,
    )

    try:
        real = load_real_topics(args.real)
    except InputFileError as exc:
        print(f"--cv-real skipped: {exc}")
        return 0
    seeds = [int(v) for v in args.seeds.split(",") if v.strip()]
    doc = {"real_weight": args.real_weight, "seeds": seeds, "rows": []}
    start = time.perf_counter()
    # the synthetic-only recipe sees no real text, so one fit serves every fold
    synthetic_only = TopicClassifier().fit(labelled, topics)

    nested = args.real_weight == "nested"
    chosen: list[float] = []

    def with_real(train, weight=None):
        if nested and weight is None:
            w = inner_weight(labelled, topics, train, seed=seeds[0])
            chosen.append(w)
        else:
            w = float(args.real_weight) if weight is None else weight
        if w == 0:
            return synthetic_only
        return TopicClassifier().fit(labelled, topics, extra_X=train["text"].tolist(),
                                     extra_y=train["topic"].tolist(), extra_weight=w)

    label = "w chosen by inner CV" if nested else f"w = {float(args.real_weight):g}"
    recipes = {"synthetic only (v4 recipe)": lambda train: synthetic_only,
               f"+ real texts ({label})": with_real}
    full = with_real(real)
    doc["weight_all_84"] = chosen[-1] if nested else float(args.real_weight)
    heldout = {name: score_heldout(m, labelled_texts=labelled, n_bootstrap=args.bootstrap)
               for name, m in zip(recipes, (synthetic_only, full), strict=True)}
    table, spread = [], []
    for i, seed in enumerate(seeds):
        for name, fit in recipes.items():
            oof = cross_validate_real(real, fit, random_state=seed)
            rows = score_cross_validated(oof, n_bootstrap=args.bootstrap if i == 0 else 0)
            for r in rows:
                spread.append((seed, name, r))
                doc["rows"].append({"seed": seed, "recipe": name, **r.to_json_dict()})
            if i == 0:
                table += [(name, heldout[name]), *((name, r) for r in rows)]
            print(f"seed {seed}, {name}: done ({time.perf_counter() - start:.0f} s)"
                  + (f"; inner-CV weights {chosen[-5:]}" if nested and fit is with_real else ""),
                  flush=True)
    how = (f"chosen in each outer training fold by inner grouped 4-fold CV from {NESTED_WEIGHTS} "
           f"(all {len(real)}: {doc['weight_all_84']:g})" if nested
           else f"{float(args.real_weight):g} (fixed a priori)")
    print(f"\nOuter 5-fold CV over the {len(real)} real texts, grouped by source page, stratified "
          f"by topic (seed {seeds[0]}); synthetic held-out: the recipe trained with all "
          f"{len(real)} real texts. Real-text weight {how}.\n")
    print(_cv_table(table))
    print("\nSpread over outer fold seeds (accuracy / any acceptable / macro-F1 / osäker):\n")
    print("| recipe | set | " + " | ".join(f"seed {s}" for s in seeds) + " |")
    print("|---|---|" + "---|" * len(seeds))
    for name in recipes:
        for label in ("real all", "real dev", "real sealed"):
            cells = [f"{r.accuracy:.3f} / {r.lenient_accuracy:.3f} / {r.macro_f1:.3f} / {r.n_osaker}"
                     for s, n, r in spread if n == name and r.name == label]
            print(f"| {name} | {label} | " + " | ".join(cells) + " |")
    doc["heldout"] = {name: r.to_json_dict() for name, r in heldout.items()}
    if args.json:
        Path(args.json).write_text(json.dumps(doc, ensure_ascii=False, indent=2) + "\n")
    print(f"\n({time.perf_counter() - start:.0f} s)")
    return 0


# The weights an inner CV chooses from; 0 is the synthetic-only recipe, so the nested recipe may
# decide that the real texts do not help.
NESTED_WEIGHTS = (0.0, 0.25, 0.5, 1.0)


def inner_weight(labelled, topics, train, *, seed: int) -> float:
    """The real-text weight with the best inner out-of-fold macro-F1 (ties: the smaller weight),
    by grouped 4-fold CV within ``train`` only (never the outer test fold). Calibration is off in
    the inner fits: it does not change which topic ranks first."""
    from kompred.modeling.topic.real import cross_validate_real, score_cross_validated

    base = TopicClassifier(calibration_cv=0).fit(labelled, topics)
    best = (-1.0, 0.0)
    for w in NESTED_WEIGHTS:
        def fit(inner, w=w):
            if w == 0:
                return base
            return TopicClassifier(calibration_cv=0).fit(
                labelled, topics, extra_X=inner["text"].tolist(), extra_y=inner["topic"].tolist(),
                extra_weight=w)
        oof = cross_validate_real(train.reset_index(drop=True), fit, n_splits=4, random_state=seed)
        f1 = score_cross_validated(oof, sets=("all",), n_bootstrap=0)[0].macro_f1
        if f1 > best[0] + 1e-9:
            best = (f1, w)
    return best[1]


def _cv_table(table) -> str:
    def ci(v, lo_hi):
        return f"{v:.3f} [{lo_hi[0]:.3f}, {lo_hi[1]:.3f}]"

    lines = ["| set | n | recipe | accuracy [Wilson 95 %] | any acceptable [Wilson 95 %] "
             "| macro-F1 [bootstrap 95 %] | osäker (share) |", "|---|---|---|---|---|---|---|"]
    order = sorted(range(len(table)), key=lambda i: (table[i][1].name, i))
    for i in order:
        name, r = table[i]
        label = r.name if not r.real else f"{r.name} (out of fold)"
        lenient = ci(r.lenient_accuracy, r.lenient_accuracy_ci) if r.real else ""
        lines.append(f"| {label} | {r.n} | {name} | {ci(r.accuracy, r.accuracy_ci)} | {lenient} | "
                     f"{ci(r.macro_f1, r.macro_f1_ci)} | {r.n_osaker} ({r.share_osaker:.2f}) |")
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
