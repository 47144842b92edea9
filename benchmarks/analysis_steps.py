"""The analysis steps one by one at one size, each printed as it finishes (run on demand).

    python benchmarks/analysis_steps.py 100000
    python benchmarks/analysis_steps.py 100000 --neighbours-cache /tmp/analysis-cache

For sizes where ``python -m benchmarks --only analysis`` would run longer than one wants to wait
for a table: the same table (real regeringen.se texts in simulated applications), the same steps
as ``kompred report`` (vectorize, neighbour graph, content model, topics, pairs, divergent groups,
handler effect, period effect, the report's words and plots, its files), a line each with its time
and the growth of the process's peak resident set. (Before the report showed the groups, the
groups step ran here all the same and the report step did not write them.)

``--neighbours-cache DIR`` loads the neighbour graph of this size from ``DIR`` (``idx_N.npy``,
``sim_N.npy``) instead of searching, or searches once and saves it there (``--method`` picks
the search then), so the steps after the search can be timed without waiting for it each time.
The content model's near-duplicate folds come from that graph, so a cached ``ivf`` graph gives
slightly different folds from the default search's.
"""

from __future__ import annotations

import argparse
import resource
import sys
import tempfile
import time
import warnings
from pathlib import Path


def _peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def main(argv: list[str] | None = None) -> int:
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
    import numpy as np

    import kompred
    from benchmarks.run import application_table
    from kompred import consistency as C
    from kompred.analysis import PAIRS_MIN_SIMILARITY, PLOT_MIN_SIMILARITY, Analysis
    try:
        from kompred.analysis import GROUPS_SIMILARITY
        group_options = {"similarity": GROUPS_SIMILARITY}
    except ImportError:  # before the report showed the groups: find_divergent_groups' default
        group_options = {}
    try:
        from kompred.analysis import _topics
    except ImportError:  # before the chunked topic step: the whole table in one call
        def _topics(table):
            from kompred.modeling.topic import load_default_topic_model

            return load_default_topic_model().predict_details(table)
    from kompred.report import render_analysis, seed_tables, write_report

    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("n", type=int)
    ap.add_argument("--neighbours-cache", metavar="DIR",
                    help="load (or search once and save) the neighbour graph here")
    ap.add_argument("--method", default="auto",
                    help="neighbour search when it runs (default: %(default)s)")
    ap.add_argument("--skip", nargs="*", default=[],
                    help="steps to leave out (e.g. topics groups report)")
    args = ap.parse_args(argv)
    n = args.n
    warnings.simplefilter("ignore")
    apps = application_table(n, real=True)
    corpus = kompred.prepare(apps, method=args.method)
    analysis = Analysis(corpus=corpus)

    def neighbours():
        if args.neighbours_cache:
            folder = Path(args.neighbours_cache)
            fi, fs = folder / f"idx_{n}.npy", folder / f"sim_{n}.npy"
            if fi.exists() and fs.exists():
                corpus._neighbours = (np.load(fi), np.load(fs))
                print("  (neighbour graph loaded from the cache)", flush=True)
                return
            folder.mkdir(parents=True, exist_ok=True)
            idx, sim = corpus.neighbours()
            np.save(fi, idx)
            np.save(fs, sim)
            return
        corpus.neighbours()

    def pairs():
        analysis.all_pairs = C.find_divergent_pairs(corpus, include_agreeing=True,
                                                    min_similarity=PLOT_MIN_SIMILARITY)
        keep = analysis.all_pairs["split"] & (analysis.all_pairs["similarity"]
                                              >= PAIRS_MIN_SIMILARITY)
        analysis.pairs = analysis.all_pairs[keep].reset_index(drop=True)

    def topics():
        analysis.topics = _topics(apps)

    def groups():
        analysis.groups = C.find_divergent_groups(corpus, **group_options)

    def handler():
        analysis.handler = C.handler_effect(corpus)

    def period():
        analysis.period = C.period_effect(corpus)

    out = tempfile.mkdtemp(prefix="kompred-steps-")

    def report():
        if analysis.topics is None:  # skipped: a stand-in so the words can be written
            analysis.topics = apps[["topic"]].copy()
        rep = render_analysis(analysis, provenance="benchmark")
        folder = write_report(apps, out, tables=seed_tables(apps, source="benchmark"),
                              provenance="benchmark", extra_sections=rep.sections,
                              extra_tables=getattr(rep, "tables", None))
        rep.save_figures(folder)

    steps = (
        ("vectorize", lambda: corpus.X),
        ("neighbour graph", neighbours),
        ("content model", lambda: corpus.content_scores),
        ("topics", topics),
        ("pairs", pairs),
        ("divergent groups", groups),
        ("handler effect", handler),
        ("period effect", period),
        ("report (words, plots, files)", report),
    )
    total = 0.0
    after_search = 0.0
    for name, step in steps:
        if name.split()[0] in args.skip:
            continue
        before = _peak_mb()
        t = time.perf_counter()
        step()
        dt = time.perf_counter() - t
        total += dt
        if name not in ("vectorize", "neighbour graph"):
            after_search += dt
        print(f"{name}: {dt:.1f} s (peak RSS {_peak_mb():,.0f} MB, +{_peak_mb() - before:,.0f})",
              flush=True)
    print(f"N = {n:,}: {total:.0f} s in all, {after_search:.0f} s after the neighbour search "
          f"(report files in {out})")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
