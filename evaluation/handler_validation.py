"""Validation of kompred.consistency.handler_effect against known truth (run on demand).

On data from :func:`kompred._simulate.simulate` (handlers assigned at random, handler effects
iid N(0, handler_sd), period effect −0.4 for KOM-KR-2022), this script measures, over many
replications:

- **power**: the share of replications with permutation p < 0.05 when the true handler SD is 0.5
  (target ≥ 0.80), and the share whose 95 % interval excludes 0;
- **false alarms**: the same shares when the true SD is 0 (target ≤ 0.05);
- **coverage**: the share of 95 % intervals that contain the true (population) SD 0.5
  (target 0.93–0.97), for the profile-likelihood interval ("ML") and its REML-corrected variant;
- the "enough data" answer (conclusion counts).

Two content adjustments are compared:

- ``truth``: the simulator's true ``logit_content`` as the content score (an oracle: no content
  model error; a first check of the random-intercept machinery);
- ``fitted``: kompred's own cross-fitted content model (the honest version: what a user gets).

A smaller grid (``--grid``) varies the number of handlers and decisions to choose the
"enough data" thresholds.

Usage::

    PYTHONPATH=src nice python evaluation/handler_validation.py --reps 200
    PYTHONPATH=src nice python evaluation/handler_validation.py --reps 200 --grid --no-main

Each replication is independent (seed = replication number; the same seeds for SD 0 and 0.5,
so the content and the decision draws are common random numbers). Work is spread over
``--jobs`` processes (default 2).
"""

from __future__ import annotations

import argparse
import math
import os
import sys
import time
import warnings
from multiprocessing import get_context

import numpy as np
import pandas as pd
from scipy.special import expit

os.environ.setdefault("OMP_NUM_THREADS", "1")
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")


def one(task: tuple) -> list[dict]:
    from kompred import consistency as C
    from kompred._simulate import simulate

    (label, n, n_handlers, sd, modes, n_perm, seed, base_rate) = task
    sim = simulate(n, n_handlers=n_handlers, handler_sd=sd, base_rate=base_rate, seed=seed)
    apps = sim.applications
    out = []
    for mode in modes:
        t0 = time.perf_counter()
        if mode == "truth":
            p = expit(sim.truth["logit_content"].to_numpy())
        else:
            p = C.cross_fitted_content_scores(apps, nuisance_columns=("agreement",),
                                              random_state=seed)
        t_content = time.perf_counter() - t0
        for method in ("profile", "profile-reml"):
            t1 = time.perf_counter()
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                r = C.handler_effect(apps, content_scores=p, n_permutations=n_perm,
                                     ci_method=method, random_state=seed)
            out.append({
                "scenario": label, "n": n, "n_handlers": n_handlers, "true_sd": sd,
                "base_rate": base_rate,
                "content": mode, "ci_method": method, "seed": seed,
                "sample_sd": float(np.std(sim.handler_effects.to_numpy(), ddof=0)),
                "sd_hat": r.handler_sd, "ci_low": r.ci_low, "ci_high": r.ci_high,
                "p_value": r.p_value, "flip_rate": r.flip_rate, "enough_data": r.enough_data,
                "conclusion": r.conclusion, "content_slope": r.content_slope,
                "seconds": time.perf_counter() - t1 + (t_content if method == "profile" else 0),
            })
    return out


def summarize(df: pd.DataFrame) -> pd.DataFrame:
    rows = []
    keys = ["scenario", "base_rate", "n", "n_handlers", "content", "ci_method", "true_sd"]
    for key, g in df.groupby(keys, sort=False):
        d = dict(zip(keys, key, strict=True))
        sd = d["true_sd"]
        reps = len(g)
        rej = float((g["p_value"] < 0.05).mean())
        excl = float((g["ci_low"] > 0).mean())
        cover = float(((g["ci_low"] <= sd) & (sd <= g["ci_high"])).mean())
        d.update({
            "reps": reps,
            "p<0.05": rej,
            "p<0.05 MC ±": 1.96 * math.sqrt(max(rej * (1 - rej), 1e-12) / reps),
            "CI excludes 0": excl,
            "coverage": cover,
            "coverage MC ±": 1.96 * math.sqrt(max(cover * (1 - cover), 1e-12) / reps),
            "mean sd_hat": float(g["sd_hat"].mean()),
            "median CI width": float((g["ci_high"] - g["ci_low"]).replace(np.inf, np.nan)
                                     .median()),
            "enough_data": float(g["enough_data"].mean()),
            "conclusions": ", ".join(f"{k} {v}" for k, v in
                                     g["conclusion"].value_counts().items()),
            "mean content slope": float(g["content_slope"].mean()),
            "s/rep": float(g["seconds"].mean()),
        })
        rows.append(d)
    return pd.DataFrame(rows)


def markdown(table: pd.DataFrame) -> str:
    cols = ["scenario", "base_rate", "content", "ci_method", "true_sd", "reps", "p<0.05", "CI excludes 0",
            "coverage", "mean sd_hat", "median CI width", "enough_data", "conclusions",
            "mean content slope", "s/rep"]
    lines = ["| " + " | ".join(cols) + " |", "|" + "---|" * len(cols)]
    for r in table.itertuples(index=False):
        d = r._asdict() if hasattr(r, "_asdict") else dict(zip(table.columns, r, strict=True))
        d = dict(zip(table.columns, r, strict=True))
        cells = []
        for c in cols:
            v = d[c]
            if c == "p<0.05":
                v = f"{v:.3f} ± {d['p<0.05 MC ±']:.3f}"
            elif c == "coverage":
                v = f"{v:.3f} ± {d['coverage MC ±']:.3f}" if d["true_sd"] > 0 else f"{v:.3f}"
            elif isinstance(v, float):
                v = f"{v:.3f}"
            cells.append(str(v))
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines)


DESIGNS = ((10, 500, 0.7), (10, 500, 0.6), (10, 500, 0.5), (3, 150, 0.7), (5, 50, 0.7),
           (5, 100, 0.7), (7, 73, 0.7), (7, 140, 0.7), (10, 100, 0.7), (10, 200, 0.7),
           (20, 400, 0.7), (10, 700, 0.7), (10, 1000, 0.7), (15, 500, 0.7))


def design_power_table(reps: int) -> pd.DataFrame:
    """kompred.design_power on the simulator's designs, with each data set's true probabilities.

    Uses the simulated handlers and the true p (handler_sd=0, so p is content and period only),
    averaged over ``reps`` seeds; compare with the simulated power in the tables above.
    """
    from kompred._simulate import simulate
    from kompred.consistency import design_power

    rows = []
    for (h, n, base_rate) in DESIGNS:
        values = []
        for seed in range(1, reps + 1):
            sim = simulate(n, n_handlers=h, handler_sd=0.0, base_rate=base_rate, seed=seed)
            order = np.argsort(sim.applications["handler"].to_numpy(), kind="stable")
            counts = sim.applications["handler"].value_counts().sort_index().to_numpy()
            values.append(design_power(counts, handler_sd=0.5,
                                       approval_rate=sim.truth["p_true"].to_numpy()[order],
                                       n_draws=2000, random_state=seed))
        rows.append({"handlers": h, "decisions": n, "base_rate": base_rate,
                     "approximate power (SD 0.5)": float(np.mean(values))})
    return pd.DataFrame(rows)


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--reps", type=int, default=200)
    ap.add_argument("--jobs", type=int, default=2)
    ap.add_argument("--permutations", type=int, default=999)
    ap.add_argument("--modes", nargs="+", default=["truth", "fitted"])
    ap.add_argument("--grid", action="store_true", help="also vary handlers and decisions")
    ap.add_argument("--no-main", action="store_true", help="skip the main n=500 scenario")
    ap.add_argument("--out", help="write every replication's result to this CSV")
    ap.add_argument("--base-rates", nargs="+", type=float, default=[0.7],
                    help="simulator base rates for the main scenario (default 0.7, as in "
                         "Stockholm's 53 of 73)")
    ap.add_argument("--first-seed", type=int, default=1,
                    help="seed of the first replication (default 1)")
    ap.add_argument("--n", type=int, default=500,
                    help="decisions in the main scenario (default 500, the issue's design)")
    ap.add_argument("--design-power", action="store_true",
                    help="instead, print kompred.design_power for the simulator's designs")
    args = ap.parse_args(argv)
    if args.design_power:
        t0 = time.time()
        table = design_power_table(args.reps)
        print(f"kompred.design_power on simulated designs (true probabilities, mean over "
              f"{args.reps} seeds, {time.time() - t0:.0f} s)\n")
        print(table.to_string(index=False, float_format=lambda v: f"{v:.3f}"))
        return 0
    tasks = []
    if not args.no_main:
        for base_rate in args.base_rates:
            for sd in (0.5, 0.0):
                for seed in range(args.first_seed, args.first_seed + args.reps):
                    tasks.append((f"main: 10 handlers, n={args.n}", args.n, 10, sd,
                                  tuple(args.modes), args.permutations, seed, base_rate))
    if args.grid:
        for (h, n) in ((3, 150), (5, 50), (5, 100), (7, 73), (7, 140), (10, 100), (10, 200),
                       (20, 400)):
            for sd in (0.5, 0.0):
                for seed in range(1, args.reps + 1):
                    tasks.append((f"grid: {h} handlers, n={n}", n, h, sd, ("truth",),
                                  args.permutations, 10_000 + seed, 0.7))
    t0 = time.time()
    rows = []
    with get_context("spawn").Pool(args.jobs) as pool:
        for i, res in enumerate(pool.imap_unordered(one, tasks, chunksize=2), start=1):
            rows.extend(res)
            if i % 50 == 0:
                print(f"... {i}/{len(tasks)} replications, {time.time() - t0:.0f} s",
                      file=sys.stderr, flush=True)
    df = pd.DataFrame(rows)
    if args.out:
        df.to_csv(args.out, index=False)
    table = summarize(df)
    print(f"\n{len(tasks)} simulated data sets, {time.time() - t0:.0f} s on {args.jobs} "
          f"processes; permutations per test: {args.permutations}\n")
    print(markdown(table))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
