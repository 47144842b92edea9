"""Where ``score_applications`` spends its time, part by part, beside the plain floor (on demand).

    python benchmarks/scoring_steps.py 10000            # wall-clock seconds
    python benchmarks/scoring_steps.py 10000 --cpu      # CPU seconds of the process
    python benchmarks/scoring_steps.py 2000 --reasons 0 --rounds 3
    python benchmarks/scoring_steps.py 10000 --memory   # and the traced peak of one call

The same table and floor as ``python -m benchmarks --only scoring`` (real regeringen.se texts in
simulated applications; ``TfidfVectorizer(char_wb 2-5) + LogisticRegression.predict_proba``), and
kompred's per-word caches emptied before each round as there. The parts are kompred functions
wrapped with a timer while ``score_applications`` runs (a part called inside another is counted
in both); each round prints the floor before and after it and the ratio, then the last round's
parts as seconds and as a share of the floor. On a shared machine CPU seconds (``--cpu``) vary
less than wall-clock ones; BLAS threads that spin between calls count in them too, so set
``OPENBLAS_NUM_THREADS=1`` when comparing CPU seconds. ``--memory`` adds the peak of the memory
Python and numpy allocate during one more call (``tracemalloc``; the benchmark's MB column is
the growth of the resident set instead, which memory freed by an earlier step hides). Parts
this kompred version does not have are left out, so the script also runs on earlier versions.
"""

from __future__ import annotations

import argparse
import collections
import functools
import os
import sys
import time
import warnings
from pathlib import Path

#: (module, attribute, label) of the timed parts; "Class.method" for methods
PARTS = (
    ("kompred.modeling.topic.classifier", "TopicClassifier.predict_details", "topic"),
    ("kompred.modeling.topic.classifier", "_prepare_text", "topic: prepare texts"),
    ("kompred.text._fastwords", "content_word_transform", "topic: word tokens"),
    ("kompred.modeling.topic.classifier", "is_swedish_many", "topic: language check"),
    ("kompred.text._fastchar", "char_wb_transform", "char n-grams (3 models)"),
    ("kompred.scoring", "char_wb_transform", "char n-grams (3 models)"),
    ("kompred.modeling.grant.model", "GrantModel._features", "grant: features"),
    ("kompred.text.vectorize", "TextFeaturizer.prepare_texts", "grant: prepare texts"),
    ("kompred.modeling.grant.model", "GrantModel._interval_from", "grant: probability + interval"),
    ("kompred.modeling.grant.model", "GrantModel._explain_from", "grant: reasons"),
    ("kompred.modeling.grant.model", "batch_word_values", "grant: reasons, word values"),
    ("kompred.scoring", "Scorer.similar", "similar earlier applications"),
    ("kompred.scoring", "top_k_similar", "similar: top k"),
)


def main(argv: list[str] | None = None) -> int:
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
    import importlib

    from benchmarks.run import _forget_texts, application_table, plain_pipeline, to_score
    from kompred.featurize import join_texts
    from kompred.scoring import load_scorer, score_applications

    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("n", type=int)
    ap.add_argument("--reasons", type=int, default=3)
    ap.add_argument("--rounds", type=int, default=2)
    ap.add_argument("--cpu", action="store_true", help="CPU seconds instead of wall-clock")
    ap.add_argument("--memory", action="store_true", help="also the traced peak of one call")
    args = ap.parse_args(argv)
    clock = time.process_time if args.cpu else time.perf_counter
    warnings.simplefilter("ignore")
    apps = to_score(application_table(args.n, real=True))
    texts = [join_texts(t, d) for t, d in zip(apps["title"], apps["description"], strict=True)]
    scorer, pipe = load_scorer(), plain_pipeline()
    score_applications(apps.head(50), scorer)  # warm-up, as the benchmark does
    pipe.predict_proba(texts[:50])

    spent: dict[str, float] = collections.defaultdict(float)
    for module, name, label in PARTS:
        try:
            owner = importlib.import_module(module)
        except ImportError:
            continue
        if "." in name:
            cls, name = name.split(".")
            owner = getattr(owner, cls)
        if hasattr(owner, name):
            setattr(owner, name, _timed(getattr(owner, name), label, spent, clock))

    def floor() -> float:
        start = clock()
        pipe.predict_proba(texts)
        return clock() - start

    before = floor()
    for r in range(args.rounds):
        spent.clear()
        _forget_texts()
        start = clock()
        score_applications(apps, scorer, reasons=args.reasons)
        seconds = clock() - start
        after = floor()
        base = (before + after) / 2
        print(f"round {r}: floor {before:.2f} / {after:.2f} s, score_applications "
              f"{seconds:.2f} s, x{seconds / base:.2f}")
        before = after
    for label, s in sorted(spent.items(), key=lambda kv: -kv[1]):
        print(f"  {label:32s} {s:7.2f} s  x{s / base:.2f}")
    print(f"{'CPU' if args.cpu else 'wall-clock'} seconds, N = {args.n:,}, reasons = "
          f"{args.reasons}, load average {os.getloadavg()[0]:.1f}")
    if args.memory:
        import gc
        import tracemalloc

        _forget_texts()
        gc.collect()
        tracemalloc.start()
        score_applications(apps, scorer, reasons=args.reasons)
        peak = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
        print(f"traced peak of one score_applications call: {peak / 1e6:,.0f} MB")
    return 0


def _timed(fn, label, spent, clock):
    @functools.wraps(fn)
    def wrapper(*a, **k):
        start = clock()
        try:
            return fn(*a, **k)
        finally:
            spent[label] += clock() - start
    return wrapper


if __name__ == "__main__":
    raise SystemExit(main())
