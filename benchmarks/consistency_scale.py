"""Scale of the similar-application search behind kompred.consistency (run on demand).

Prints one table: for N = 1,000, 10,000 and 100,000 texts, time and peak memory of

- ``brute force``: the naive search, the full sparse product X·Xᵀ then top-k per row
  (memory ∝ N²; run only up to ``--baseline-max``, default 10,000);
- ``exact (chunked)``: :func:`kompred.consistency.nearest_neighbors` with ``method="exact"``
  (chunks of rows against all rows, top-k kept per chunk; memory ∝ N, time ∝ N²; run up to
  ``--exact-max``, default 20,000);
- ``approx (hybrid)``: ``method="approx"`` (the default above 10,000 rows): exact sparse products
  on rare n-grams + a 256-dimensional TruncatedSVD of the most common ones (as many as leave
  1 % of Σ df² to the rare ones, at least 2,048), 30 candidates per row, exact re-ranking;
- ``divergent pairs (end to end)``: :func:`kompred.consistency.find_divergent_pairs` on
  simulated applications (texts, content model, kNN, pair details), with ``--end-to-end``.

recall@k of the approximate search is measured against the exact top k: on all rows when the
exact search ran, otherwise on a random sample of 1,000 query rows searched exactly against all
N rows. ``recall(sim>=0.5)`` is the share of exact neighbours with cosine >= 0.5 (the default
``min_similarity`` of find_divergent_pairs) that the approximate search also returns.

Texts: 300-character windows of regeringen.se pages (``/work/shared/corpora/g0vse_regeringen.csv.gz``,
real Swedish, varied; source: regeringen.se via g0vse), or simulated application texts with
``--source simulate`` (or when the corpus is absent). Memory is the tracemalloc peak of the
step (numpy and scipy buffers are traced); ``maxrss`` is the process's resident peak so far.

Usage::

    PYTHONPATH=src nice python benchmarks/consistency_scale.py            # 1k, 10k, 100k
    PYTHONPATH=src python benchmarks/consistency_scale.py --sizes 1000 10000 --end-to-end
"""

from __future__ import annotations

import argparse
import gc
import os
import resource
import sys
import time
import tracemalloc
from pathlib import Path

import numpy as np
import pandas as pd
import scipy.sparse as sp
from sklearn.preprocessing import normalize

from kompred import consistency as C
from kompred.text import neighbours, normalize_text

CORPUS = Path(os.environ.get("KOMPRED_SHARED", "/work/shared")) / "corpora" / "g0vse_regeringen.csv.gz"


def g0vse_texts(n: int, seed: int = 0) -> list[str]:
    frame = pd.read_csv(CORPUS, usecols=["text"])
    windows = []
    for text in frame["text"].dropna():
        for s in range(0, min(len(text), 3000), 300):
            w = text[s:s + 300]
            if len(w) > 100:
                windows.append(w)
    if n > len(windows):
        raise SystemExit(f"the corpus gives {len(windows)} windows; asked for {n}")
    order = np.random.default_rng(seed).permutation(len(windows))[:n]
    return [normalize_text(windows[i]) for i in order]


def simulated_texts(n: int, seed: int = 0) -> list[str]:
    from kompred._simulate import simulate

    apps = simulate(n, seed=seed).applications
    return neighbours._texts(apps, ("title", "description"))


def measure(fn):
    gc.collect()
    tracemalloc.reset_peak()
    base = tracemalloc.get_traced_memory()[0]
    t0 = time.perf_counter()
    out = fn()
    elapsed = time.perf_counter() - t0
    peak = tracemalloc.get_traced_memory()[1] - base
    return out, elapsed, peak / 1e6


def brute_force(X: sp.csr_matrix, k: int):
    S = (X @ X.T).toarray()
    np.fill_diagonal(S, -np.inf)
    return neighbours._topk_dense(S, k)


def exact_for_rows(X: sp.csr_matrix, rows: np.ndarray, k: int):
    XT = X.T.tocsr()
    S = (X[rows] @ XT).toarray()
    S[np.arange(len(rows)), rows] = -np.inf
    return neighbours._topk_dense(S, k)


def recall(ref_idx, ref_sim, idx, thr=None) -> float:
    hits = total = 0
    for i in range(len(ref_idx)):
        want = ref_idx[i] if thr is None else ref_idx[i][ref_sim[i] >= thr]
        hits += len(set(want.tolist()) & set(idx[i].tolist()))
        total += len(want)
    return hits / total if total else float("nan")


def maxrss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sizes", type=int, nargs="+", default=[1000, 10_000, 100_000])
    ap.add_argument("--k", type=int, default=10)
    ap.add_argument("--source", choices=["g0vse", "simulate"], default="g0vse")
    ap.add_argument("--baseline-max", type=int, default=10_000)
    ap.add_argument("--exact-max", type=int, default=20_000)
    ap.add_argument("--end-to-end", action="store_true")
    args = ap.parse_args(argv)
    source = args.source if CORPUS.exists() else "simulate"
    tracemalloc.start()
    rows = []
    for n in args.sizes:
        texts = g0vse_texts(n) if source == "g0vse" else simulated_texts(n)
        X, t_vec, m_vec = measure(lambda texts=texts: neighbours._char_matrix(texts))
        X = normalize(X).astype(np.float32)
        X.sort_indices()
        avg_len = float(np.mean([len(t) for t in texts]))
        del texts
        rows.append((n, "vectorize (char_wb 2-5)", t_vec, m_vec, "", "", f"{X.shape[1]} n-grams, "
                     f"{avg_len:.0f} chars/text"))
        ref = None
        if n <= args.baseline_max:
            (bi, bs), t, m = measure(lambda X=X: brute_force(X, args.k))
            rows.append((n, "brute force (full X·Xᵀ)", t, m, "", "", ""))
            ref = (bi, bs, None)
        if n <= args.exact_max:
            (ei, es), t, m = measure(lambda X=X: C.nearest_neighbors(X, args.k, method="exact"))
            note = ""
            if ref is not None:
                note = "same top-k values as brute force: " + str(
                    bool(np.allclose(np.sort(ref[1], 1), np.sort(es, 1), atol=1e-5)))
            rows.append((n, "exact (chunked)", t, m, "1.000", "1.000", note))
            ref = (ei, es, None)
        (ai, as_), t, m = measure(lambda X=X: C.nearest_neighbors(X, args.k, method="approx"))
        if ref is None:
            q = np.sort(np.random.default_rng(1).choice(n, size=min(n, 1000), replace=False))
            qi, qs = exact_for_rows(X, q, args.k)
            ref = (qi, qs, q)
        ri, rs, q = ref
        sub = ai if q is None else ai[q]
        r_all = recall(ri, rs, sub)
        r_hi = recall(ri, rs, sub, thr=0.5)
        df = np.bincount(X.indices, minlength=X.shape[1])
        n_common = neighbours._adaptive_n_common(np.sort(df[df >= 2])[::-1])
        note = f"SVD on the {n_common:,} most common n-grams"
        if q is not None:
            note += "; recall on 1,000 sampled rows"
        rows.append((n, "approx (hybrid)", t, m, f"{r_all:.3f}", f"{r_hi:.3f}", note))
        del X
        if args.end_to_end:
            from kompred._simulate import simulate

            apps = simulate(n, seed=0).applications
            pairs, t, m = measure(lambda apps=apps: C.find_divergent_pairs(apps))
            rows.append((n, "divergent pairs (end to end)", t, m, "", "",
                         f"simulated applications; {len(pairs)} split pairs"))
            del apps, pairs
        print(f"... N={n} done, maxrss {maxrss_mb():.0f} MB", file=sys.stderr, flush=True)
        for row in rows:
            if row[0] == n:
                print("    " + repr(row), file=sys.stderr, flush=True)
    print(f"\nsource: {source}; k = {args.k}; {os.cpu_count()} cores; "
          f"process maxrss {maxrss_mb():.0f} MB\n")
    print("| N | method | time (s) | peak memory (MB) | recall@k | recall (sim>=0.5) | note |")
    print("|---:|---|---:|---:|---:|---:|---|")
    for n, name, t, m, r1, r2, note in rows:
        print(f"| {n:,} | {name} | {t:.1f} | {m:.0f} | {r1} | {r2} | {note} |")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
