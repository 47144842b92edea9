"""Recall, time and peak memory of one neighbour-search setting against the exact top k (on demand).

    python benchmarks/ann_recall.py --sizes 20000 37254 --cache /tmp/ann --method ivf nprobe=16
    python benchmarks/ann_recall.py --sizes 100000 --seed 1 --cache /tmp/ann --method ivf

Texts: real regeringen.se texts in the simulator's tables (``run.application_table(n, real=True)``;
resampled with one word dropped above 37,254 rows). The char TF-IDF matrix and the exact top k
(``method="exact"`` on the same matrix) are cached in ``--cache``, since the exact search takes
minutes; above ``--exact-max`` rows recall is taken on 1,000 sampled rows searched exactly.
Time and peak memory (resident-set growth) are of the search alone; vectorizing is timed once,
when the matrix is built.
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

import numpy as np
import scipy.sparse as sp


def _setting(text: str) -> tuple[str, int | float]:
    key, value = text.split("=")
    return key, (float(value) if "." in value else int(value))


def main(argv: list[str] | None = None) -> int:
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
    from benchmarks.run import application_table, measure
    from kompred.text.neighbours import _char_matrix, _texts, nearest_neighbors, top_k_similar

    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sizes", type=int, nargs="+", default=[20_000])
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--k", type=int, default=10)
    ap.add_argument("--cache", type=Path, required=True)
    ap.add_argument("--exact-max", type=int, default=40_000)
    ap.add_argument("--method", nargs="+", default=["ivf"],
                    help="method, then settings of nearest_neighbors as key=value")
    args = ap.parse_args(argv)
    method, settings = args.method[0], dict(_setting(s) for s in args.method[1:])
    args.cache.mkdir(parents=True, exist_ok=True)
    for n in args.sizes:
        xfile = args.cache / f"X_{n}_s{args.seed}.npz"
        if xfile.exists():
            X = sp.load_npz(xfile)
        else:
            apps = application_table(n, real=True, seed=args.seed)
            X, t, _ = measure(lambda apps=apps: _char_matrix(_texts(apps, ("title", "description"))))
            sp.save_npz(xfile, X)
            print(f"N={n:,} seed {args.seed}: vectorize {t:.1f} s", flush=True)
        efile = args.cache / f"exact_{n}_s{args.seed}.npz"
        if n <= args.exact_max and not efile.exists():
            (ei, es), t, m = measure(lambda X=X: nearest_neighbors(X, k=args.k, method="exact"))
            np.savez(efile, idx=ei, sim=es)
            print(f"N={n:,}: exact {t:.1f} s, {m:.0f} MB", flush=True)
        (idx, sim), t, m = measure(lambda X=X: nearest_neighbors(X, k=args.k, method=method,
                                                               **settings))
        if efile.exists():
            ref = np.load(efile)
            rows, ei, es = np.arange(n), ref["idx"], ref["sim"]
        else:
            from sklearn.preprocessing import normalize

            Xn = normalize(X).astype(np.float32)
            rows = np.sort(np.random.default_rng(1).choice(n, 1000, replace=False))
            allow = np.ones((len(rows), n), dtype=bool)
            allow[np.arange(len(rows)), rows] = False
            ei, es = top_k_similar(Xn[rows], Xn, args.k, allowed=lambda s, e, allow=allow: allow[s:e])
        got = idx[rows]
        hits = [len(set(a.tolist()) & set(b.tolist())) for a, b in zip(ei, got, strict=True)]
        hi = es >= 0.5
        hits_hi = [len(set(a[h].tolist()) & set(b.tolist())) for a, h, b in zip(ei, hi, got,
                                                                               strict=True)]
        load = os.getloadavg()[0]
        print(f"| {n:,} | {args.seed} | {method} {' '.join(args.method[1:])} | {t:.1f} | {m:.0f} | "
              f"{sum(hits) / ei.size:.4f} | {sum(hits_hi) / max(1, hi.sum()):.4f} | "
              f"{'all rows' if efile.exists() else '1,000 rows'} | {load:.1f} |", flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
