"""Trade-off table of method="ivf": candidate recall of the exact top k per setting (on demand).

    python benchmarks/ann_sweep.py 20000 --cache /tmp/ann   # after ann_recall.py cached N = 20,000

For each SVD dimension, nprobe and number of IVF candidates: the share of the exact top k
(``method="exact"``, cached by ``ann_recall.py``) among the IVF candidates alone, among IVF +
rare-n-gram candidates, and among those of the exact neighbours with cosine >= 0.5. The exact
re-ranking keeps every exact neighbour that is a candidate, so this is the recall@k it gives
(ties at the k-th place aside) without paying for the re-ranking of every setting.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

import numpy as np
import scipy.sparse as sp
from sklearn.preprocessing import normalize


def main(argv: list[str] | None = None) -> int:
    sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))
    from kompred.text import neighbours as nb

    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("n", type=int)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--cache", type=Path, required=True)
    ap.add_argument("--dims", type=int, nargs="+", default=[64, 128, 256])
    ap.add_argument("--nprobe", type=int, nargs="+", default=[4, 16, 64])
    ap.add_argument("--candidates", type=int, nargs="+", default=[25, 50, 100, 200])
    args = ap.parse_args(argv)
    n = args.n
    X = normalize(sp.load_npz(args.cache / f"X_{n}_s{args.seed}.npz")).astype(np.float32)
    X.sort_indices()
    ref = np.load(args.cache / f"exact_{n}_s{args.seed}.npz")
    ei, hi = ref["idx"], ref["sim"] >= 0.5

    def recall(cand: np.ndarray) -> tuple[float, float]:
        h = hh = 0
        for i in range(n):
            s = set(cand[i].tolist())
            h += len(set(ei[i].tolist()) & s)
            hh += len(set(ei[i][hi[i]].tolist()) & s)
        return h / ei.size, hh / max(1, hi.sum())

    t = time.perf_counter()
    rare = nb._rare_candidates(X, 30, 30)
    r = recall(rare)
    print(f"N = {n:,}: rare n-grams alone (df <= 30, 30 rows) {time.perf_counter() - t:.1f} s, "
          f"recall {r[0]:.4f}, cosine >= 0.5 {r[1]:.4f}")
    print("| N | dims | nlist | nprobe | IVF candidates | SVD s | IVF s | recall IVF | "
          "recall IVF + rare | same, cosine >= 0.5 | load |")
    print("|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
    nlist = int(np.sqrt(n))
    for d in args.dims:
        t = time.perf_counter()
        Z = nb._unit_projection(X, d, 20_000, 0)
        t_svd = time.perf_counter() - t
        for nprobe in args.nprobe:
            t = time.perf_counter()
            ivf = nb._ivf_candidates(Z, max(args.candidates), nlist, nprobe, 0)
            t_ivf = time.perf_counter() - t
            for c in args.candidates:
                a = recall(ivf[:, :c + 1])
                b = recall(np.concatenate([ivf[:, :c + 1], rare], axis=1))
                print(f"| {n:,} | {d} | {nlist} | {nprobe} | {c} | {t_svd:.1f} | {t_ivf:.1f} | "
                      f"{a[0]:.4f} | {b[0]:.4f} | {b[1]:.4f} | {os.getloadavg()[0]:.1f} |",
                      flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
