"""Issue 16's audit, re-measured: kompred's handler test beside two tests that know more.

Reads the replications that ``handler_power_check.py --redraws D --save-dir DIR`` kept (each
data set's decisions, handler counts and true content log-odds, which only a simulation
knows) and runs, on the same data sets:

- **kompred** — the permutation test with cross-fitted content (``p < 0.05``) and its verdict,
  read from the ``--out`` CSV of that run;
- **fixed effects, true content** — a likelihood-ratio test of the handler dummies
  (``H − 1`` df, χ² reference) in a logistic regression with the true content log-odds and the
  period effect as offset, an intercept and the agreement version;
- **oracle** — the Neyman–Pearson test of "no handler effects" against "handler effects drawn
  from N(0, SD)", knowing everything else (content, period, SD): the statistic is the log
  marginal likelihood ratio (Gauss–Hermite, 40 nodes), its 5 % critical value simulated for each
  data set under the null (2,000 draws). No test of the same hypothesis can have more power on
  average over these data sets.

Usage::

    PYTHONPATH=src python evaluation/handler_audit.py --dir /work/pw/arrays --reps /work/pw/reps.csv

prints one row per design (power, or false-alarm rate at SD 0, with 95 % Wilson intervals).
"""

from __future__ import annotations

import argparse
import glob
import os

import numpy as np
import pandas as pd
from scipy import stats
from scipy.special import expit

from kompred.consistency.power import wilson_interval


def _logit_fit(y, X, offset, iters=50):
    """Maximum-likelihood logistic regression with an offset (Newton); log-likelihood."""
    b = np.zeros(X.shape[1])
    for _ in range(iters):
        eta = offset + X @ b
        p = expit(eta)
        w = p * (1 - p)
        step = np.linalg.solve(X.T @ (X * w[:, None]) + 1e-9 * np.eye(X.shape[1]),
                               X.T @ (y - p))
        b += np.clip(step, -5, 5)
        if np.max(np.abs(step)) < 1e-9:
            break
    eta = offset + X @ b
    return float(np.sum(y * eta - np.logaddexp(0, eta)))


def fixed_effects_lr(y, offset, agreement, counts):
    """p-value of the handler dummies given the true content as offset."""
    n = len(y)
    g = np.repeat(np.arange(len(counts)), counts)
    base = [np.ones(n)] + ([agreement.astype(float)] if 0 < agreement.mean() < 1 else [])
    X0 = np.column_stack(base)
    D = (g[:, None] == np.arange(1, len(counts))[None, :]).astype(float)
    lr = 2 * (_logit_fit(y, np.column_stack([X0, D]), offset) - _logit_fit(y, X0, offset))
    return float(stats.chi2.sf(max(lr, 0.0), len(counts) - 1))


def oracle_reject(y, offset, counts, sd, rng, null_draws=2000, alpha=0.05):
    """Neyman–Pearson test of u = 0 against u ~ N(0, sd), everything else known."""
    if sd <= 0:
        sd = 0.5  # the SD-0 design: the alternative the main design looks for
    nodes, weights = np.polynomial.hermite_e.hermegauss(40)
    u = sd * nodes
    logw = np.log(weights / weights.sum())
    starts = np.concatenate([[0], np.cumsum(counts)[:-1]])
    # Σ_i log(1 + e^{o_i + u_j}) − log(1 + e^{o_i}) per handler and node: not a function of y
    L = np.add.reduceat(np.logaddexp(0, offset[:, None] + u[None, :])
                        - np.logaddexp(0, offset)[:, None], starts, axis=0)

    def stat(Y):
        S = np.add.reduceat(Y, starts, axis=1)  # grants per handler
        a = S[:, :, None] * u[None, None, :] - L[None, :, :] + logw[None, None, :]
        return np.logaddexp.reduce(a, axis=2).sum(axis=1)

    y0 = (rng.random((null_draws, len(y))) < expit(offset)[None, :]).astype(float)
    crit = np.quantile(stat(y0), 1 - alpha)
    return bool(stat(y[None, :].astype(float))[0] > crit)


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--dir", required=True)
    ap.add_argument("--reps", required=True)
    args = ap.parse_args(argv)
    from kompred._simulate import simulate

    reps = pd.read_csv(args.reps)
    keys = ["n", "handlers", "sd", "base_rate", "strength"]
    rows, cache = [], {}
    for f in sorted(glob.glob(os.path.join(args.dir, "*.npz"))):
        n, h, sd, br, st, seed, d = os.path.basename(f)[:-4].split("_")
        n, h, sd, br, st, seed, d = int(n), int(h), float(sd), float(br), float(st), \
            int(seed), int(d)
        z = np.load(f)
        key = (n, h, sd, br, seed)
        if key not in cache:  # the period effect per row, in the saved (handler) order
            sim = simulate(n, n_handlers=h, handler_sd=sd, base_rate=br, seed=seed)
            order = np.argsort(sim.applications["handler"].to_numpy(), kind="stable")
            cache = {key: sim.truth["period_effect"].to_numpy()[order]}
        offset = z["c_true"] + cache[key]
        y = z["y"].astype(float)
        rng = np.random.default_rng([seed, d, 99])
        rows.append(dict(n=n, handlers=h, sd=sd, base_rate=br, strength=st, seed=seed, draw=d,
                         fe=fixed_effects_lr(y, offset, z["agreement"], z["counts"]) < 0.05,
                         oracle=oracle_reject(y, offset, z["counts"], sd, rng)))
    df = pd.DataFrame(rows).merge(reps[[*keys, "seed", "draw", "reject", "verdict"]],
                                  on=[*keys, "seed", "draw"])

    def cell(s):
        k, m = int(s.sum()), len(s)
        lo, hi = wilson_interval(k, m)
        return f"{k / m:.3f} ({lo:.3f}–{hi:.3f})"

    print("| decisions | handlers | SD | base rate | content | data sets | kompred p < 0.05 | "
          "kompred verdict | fixed effects, true content | oracle (Neyman–Pearson) |")
    print("|---:|---:|---:|---:|---:|---:|---|---|---|---|")
    for k, g in df.groupby(keys):
        print(f"| {k[0]} | {k[1]} | {k[2]:.1f} | {k[3]:.1f} | ×{k[4]:g} | {len(g)} | "
              f"{cell(g['reject'])} | {cell(g['verdict'])} | {cell(g['fe'])} | "
              f"{cell(g['oracle'])} |")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
