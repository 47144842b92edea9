"""Check kompred.design_power against direct replications of handler_effect (run on demand).

For each design (decisions, handlers, handler SD, base rate, content strength) the script
simulates data sets with :func:`kompred._simulate.simulate`, runs the procedure as a user gets
it (kompred's cross-fitted content model, then :func:`kompred.handler_effect` with the
agreement version as stratum, 499 permutations by default) and records

- the empirical rejection rate (share of data sets with permutation p < 0.05), with its 95 %
  Wilson interval;
- the verdict's rate (``conclusion == "handler_dependence"``) and whether verdict and p-value
  agreed on every data set;
- the predicted power: :func:`kompred.design_power` on each data set's own design (its counts
  per handler and its cross-fitted content probabilities, recalibrated on the agreement
  version and the content logit as the test's null model does, at the design's handler SD),
  averaged over the data sets.

"Content strength" scales the simulator's content log-odds around their mean (1: the
simulator as is; 0.5 weak; 1.5 strong) and redraws the decisions; the texts are unchanged.

Usage::

    PYTHONPATH=src nice python evaluation/handler_power_check.py --reps 20 --null-reps 20 --out /tmp/pw.csv
    PYTHONPATH=src python evaluation/handler_power_check.py --summarize /tmp/pw.csv
    PYTHONPATH=src nice python evaluation/handler_power_check.py --predict 3 --out /tmp/pred.csv
    PYTHONPATH=src python evaluation/handler_power_check.py --summarize /tmp/pw.csv \
        --predictions /tmp/pred.csv --variant calibrated
    PYTHONPATH=src nice python evaluation/handler_power_check.py --calibrate
    PYTHONPATH=src nice python evaluation/handler_power_check.py --per-handler

``--calibrate`` prints the content model's R² against the true content log-odds by sample size
and the learning-curve constant ``N0`` of R² = N / (N + N0) (``kompred.consistency.power``).
Replications run in ``--jobs`` processes (default 2), interleaved over designs so that a run
cut short still covers every design; each finished replication is appended to ``--out``.
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

from kompred.consistency.power import intercept_for_rate

os.environ.setdefault("OMP_NUM_THREADS", "1")
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

# (decisions, handlers, handler SD, base rate, content strength)
DESIGNS = (
    (100, 5, 0.8, 0.7, 1.0),
    (150, 5, 0.5, 0.8, 1.5),
    (200, 5, 0.5, 0.5, 1.0),
    (200, 10, 0.8, 0.3, 1.0),
    (300, 10, 0.5, 0.7, 0.5),
    (300, 6, 0.3, 0.5, 1.0),
    (400, 20, 0.8, 0.6, 1.0),
    (500, 10, 0.5, 0.7, 1.0),
    (500, 10, 0.5, 0.3, 1.5),
    (700, 10, 0.3, 0.6, 1.5),
    (1000, 10, 0.5, 0.5, 0.5),
    (400, 8, 0.6, 0.4, 0.5),
)
NULL_DESIGN = (200, 10, 0.0, 0.7, 1.0)


def simulate_design(n, handlers, sd, base_rate, strength, seed):
    """Simulated applications; content log-odds scaled by ``strength`` (decisions redrawn)."""
    from kompred._simulate import simulate

    sim = simulate(n, n_handlers=handlers, handler_sd=sd, base_rate=base_rate, seed=seed)
    apps = sim.applications.copy()
    truth = sim.truth
    if strength == 1.0:
        return apps, expit(truth["logit_content"].to_numpy())
    c = truth["logit_content"].to_numpy()
    dev = strength * (c - c.mean())
    rest = (truth["handler_effect"] + truth["period_effect"]).to_numpy()
    # intercept so that this sample's mean probability without handler effects is base_rate
    b = intercept_for_rate(base_rate, dev + truth["period_effect"].to_numpy())
    u = np.random.default_rng([seed, 7]).random(n)
    apps["decision"] = np.where(u < expit(b + dev + rest), "beviljad", "avslag")
    return apps, expit(b + dev)


def redraw_decisions(apps, truth, sd, base_rate, strength, seed, draw):
    """New handler effects and decisions on the same texts (the ``--redraws`` replications).

    The content log-odds are scaled by ``strength`` around their mean and the intercept set
    so that the mean probability without handler effects is ``base_rate`` (as
    :func:`simulate_design` does for strength != 1); each handler gets a new effect
    ``N(0, sd)`` (not centred) and every decision is drawn again. Returns the table and the
    true content log-odds (intercept included, without handler and period).
    """
    c = truth["logit_content"].to_numpy()
    dev = strength * (c - c.mean())
    period = truth["period_effect"].to_numpy()
    b = intercept_for_rate(base_rate, dev + period)
    rng = np.random.default_rng([seed, draw, 11])
    names = np.unique(apps["handler"].to_numpy())
    u = dict(zip(names, rng.normal(0.0, sd, size=len(names)) if sd > 0 else
                 np.zeros(len(names)), strict=True))
    eta = b + dev + period + apps["handler"].map(u).to_numpy(dtype=float)
    out = apps.copy()
    out["decision"] = np.where(rng.random(len(apps)) < expit(eta), "beviljad", "avslag")
    return out, b + dev


def _content_on_same_texts(apps, base, seed):
    """``cross_fitted_content_scores(apps, nuisance_columns=("agreement",))`` on a corpus
    whose texts, vectors and neighbour graph (which depend on the texts only) are taken from
    ``base``, a Corpus of the same texts: the same numbers without vectorizing again."""
    from kompred.corpus import Corpus

    corpus = Corpus(apps, nuisance_columns=("agreement",), group_similarity=0.9, n_splits=5,
                    C=1.0, random_state=seed)
    if base is not None:
        corpus.__dict__["texts"] = base.texts
        corpus.__dict__["X"] = base.X
        corpus._neighbours = base._neighbours
    return corpus, corpus.content_scores.copy()


def one_textset(task):
    """``draws`` replications on one simulated text set: decisions redrawn each time, the
    whole procedure (content model cross-fitted on the new decisions, then the test) re-run.
    Saves each replication's arrays to ``outdir`` for the predictions (``--predict-from``)."""
    from kompred import consistency as C

    (n, h, sd, base_rate, strength, seed, n_perm, draws, outdir) = task
    from kompred._simulate import simulate

    sim = simulate(n, n_handlers=h, handler_sd=sd, base_rate=base_rate, seed=seed)
    rows, base = [], None
    for d in range(draws):
        t0 = time.perf_counter()
        apps, c_true = redraw_decisions(sim.applications, sim.truth, sd, base_rate, strength,
                                        seed, d)
        corpus, p = _content_on_same_texts(apps, base, seed)
        base = corpus if base is None else base
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            r = C.handler_effect(apps, content_scores=p, n_permutations=n_perm,
                                 ci_method="profile", random_state=seed * 100 + d)
        order = np.argsort(apps["handler"].to_numpy(), kind="stable")
        counts = apps["handler"].value_counts().sort_index().to_numpy()
        if outdir:
            np.savez_compressed(
                os.path.join(outdir, f"{n}_{h}_{sd}_{base_rate}_{strength}_{seed}_{d}.npz"),
                counts=counts, p=p[order], p_recal=_recalibrated(apps, p)[order],
                c_true=c_true[order],
                y=(apps["decision"].to_numpy()[order] == "beviljad").astype(np.int8),
                agreement=(apps["agreement"].to_numpy()[order] == "KOM-KR-2022"))
        rows.append({"n": n, "handlers": h, "sd": sd, "base_rate": base_rate,
                     "strength": strength, "seed": seed, "draw": d, "p_value": r.p_value,
                     "conclusion": r.conclusion, "reject": bool(r.p_value < 0.05),
                     "verdict": r.conclusion == "handler_dependence",
                     "gated": r.conclusion in ("too_few_handlers", "too_few_decisions"),
                     "predicted": float("nan"), "field_power_sd05": float(r.design_power),
                     "seconds": time.perf_counter() - t0})
    return rows


def _recalibrated(apps, p):
    """The content probabilities refitted as the test's null model does (slope, agreement)."""
    from sklearn.linear_model import LogisticRegression

    y = (apps["decision"] == "beviljad").to_numpy().astype(int)
    c = np.log(p / (1 - p))
    X = np.column_stack([c, (apps["agreement"] == "KOM-KR-2022").to_numpy(dtype=float)])
    return LogisticRegression(C=1e6, max_iter=1000).fit(X, y).predict_proba(X)[:, 1]


def one(task):
    from kompred import consistency as C

    (n, h, sd, base_rate, strength, seed, n_perm) = task
    t0 = time.perf_counter()
    apps, _ = simulate_design(n, h, sd, base_rate, strength, seed)
    p = C.cross_fitted_content_scores(apps, nuisance_columns=("agreement",), random_state=seed)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        # the p-value and the verdict do not depend on ci_method; "profile" is the cheaper one
        r = C.handler_effect(apps, content_scores=p, n_permutations=n_perm, ci_method="profile",
                             random_state=seed)
    order = np.argsort(apps["handler"].to_numpy(), kind="stable")
    counts = apps["handler"].value_counts().sort_index().to_numpy()
    pred = C.design_power(counts, handler_sd=sd if sd > 0 else 1e-12,
                          approval_rate=_recalibrated(apps, p)[order], n_draws=500,
                          random_state=seed)
    return {"n": n, "handlers": h, "sd": sd, "base_rate": base_rate, "strength": strength,
            "seed": seed, "p_value": r.p_value, "conclusion": r.conclusion,
            "reject": bool(r.p_value < 0.05),
            "verdict": r.conclusion == "handler_dependence",
            "gated": r.conclusion in ("too_few_handlers", "too_few_decisions"),
            "predicted": float(pred), "field_power_sd05": float(r.design_power),
            "seconds": time.perf_counter() - t0}


def wilson(k, n, z=1.959964):
    p = k / n
    den = 1 + z * z / n
    mid = (p + z * z / (2 * n)) / den
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / den
    return (0.0 if k == 0 else mid - half), (1.0 if k == n else mid + half)


def summarize(df: pd.DataFrame, predictions: pd.DataFrame | None = None,
              column: str = "calibrated") -> str:
    keys = ["n", "handlers", "sd", "base_rate", "strength"]
    if predictions is not None:  # predicted power from --predict (mean over its seeds)
        df = df.drop(columns="predicted").merge(
            predictions[[*keys, column]].rename(columns={column: "predicted"}), on=keys)
    lines = ["| decisions | handlers | SD | base rate | content | reps | predicted design_power | "
             "simulated p < 0.05 (95 % Wilson) | difference | within ±0.05 | verdict rate | "
             "verdict = (p < 0.05) | result field (SD 0.5) | s/rep | difference / MC SE |",
             "|---:|---:|---:|---:|---|---:|---:|---:|---:|---|---:|---|---:|---:|---:|"]
    names = {0.5: "weak (×0.5)", 1.0: "simulator", 1.5: "strong (×1.5)"}
    for key, g in df.groupby(keys, sort=False):
        d = dict(zip(keys, key, strict=True))
        k, m = int(g["reject"].sum()), len(g)
        lo, hi = wilson(k, m)
        pred = g["predicted"].mean()
        emp = k / m
        agree = bool(((g["verdict"] == g["reject"]) | g["gated"]).all())
        field = f"{g['field_power_sd05'].mean():.3f}" if d["sd"] == 0.5 else "–"
        lines.append(
            f"| {d['n']} | {d['handlers']} | {d['sd']:.1f} | {d['base_rate']:.1f} | "
            f"{names.get(d['strength'], d['strength'])} | {m} | {pred:.3f} | "
            f"{emp:.3f} ({lo:.3f}–{hi:.3f}) | {pred - emp:+.3f} | "
            f"{'yes' if abs(pred - emp) <= 0.05 else 'no'} | {g['verdict'].mean():.3f} | "
            f"{'all ' + str(m) if agree else 'NO'} | {field} | {g['seconds'].mean():.1f} | "
            f"{(pred - emp) / max(math.sqrt(pred * (1 - pred) / m), 1e-9):+.1f} |")
    # all designs together: mean difference, and whether the counts fit the predictions
    # (Σ (k − m·p̂)² / (m·p̂(1 − p̂)) ~ χ²(designs) if every prediction is right)
    diffs, chi2, var = [], 0.0, 0.0
    for _, g in df.groupby(keys, sort=False):
        m, k, pred = len(g), int(g["reject"].sum()), float(g["predicted"].mean())
        diffs.append(pred - k / m)
        chi2 += (k - m * pred) ** 2 / max(m * pred * (1 - pred), 1e-9)
        var += pred * (1 - pred) / m
    from scipy import stats

    se = math.sqrt(var) / len(diffs)
    lines.append("")
    lines.append(f"Over the {len(diffs)} designs: mean difference predicted − simulated "
                 f"{np.mean(diffs):+.3f} (Monte Carlo SE {se:.3f}), mean |difference| "
                 f"{np.mean(np.abs(diffs)):.3f}; calibration χ² = {chi2:.1f} on {len(diffs)} "
                 f"df, p = {stats.chi2.sf(chi2, len(diffs)):.2f}.")
    return "\n".join(lines)


def calibrate(seeds: int) -> int:
    from scipy.special import logit

    from kompred import consistency as C

    rows = []
    for n in (100, 250, 500, 1000):
        for base_rate in (0.3, 0.7):
            for seed in range(1, seeds + 1):
                apps, pc = simulate_design(n, 10, 0.5, base_rate, 1.0, seed)
                p = C.cross_fitted_content_scores(apps, nuisance_columns=("agreement",),
                                                  random_state=seed)
                c, ch = logit(pc), logit(np.clip(p, 1e-6, 1 - 1e-6))
                rows.append({"n": n, "base_rate": base_rate, "seed": seed,
                             "r2": float(np.corrcoef(c, ch)[0, 1] ** 2)})
    df = pd.DataFrame(rows)
    tab = df.groupby("n")["r2"].agg(["mean", "count"]).reset_index()
    # least squares of R² = N/(N + N0) over the data sets
    grid = np.linspace(20, 600, 2901)
    sse = [((df["r2"] - df["n"] / (df["n"] + n0)) ** 2).sum() for n0 in grid]
    n0 = float(grid[int(np.argmin(sse))])
    tab["N/(N+N0)"] = tab["n"] / (tab["n"] + n0)
    print(f"content model R² against the true content log-odds (10 handlers, SD 0.5, base "
          f"rates 0.3 and 0.7, {seeds} seeds each)\n")
    print(tab.to_string(index=False, float_format=lambda v: f"{v:.3f}"))
    print(f"\nlearning curve R² = N / (N + N0): N0 = {n0:.0f}")
    return 0


#: seeds of the R² calibration (``--calibrate-spread``), apart from the check's seeds 1–200
SPREAD_SEED0 = 5001


def random_design(seed):
    """A design drawn at random over the check's ranges, for the R² calibration: N log-uniform
    on 100–1,000, 5–20 handlers with at least 10 decisions each, SD 0.3–0.8, base rate
    0.3–0.8, content strength log-uniform on 0.4–1.8."""
    rng = np.random.default_rng([seed, 23])
    n = int(round(math.exp(rng.uniform(math.log(100), math.log(1000)))))
    h = int(rng.choice([hh for hh in (5, 6, 8, 10, 15, 20) if n // hh >= 10]))
    return (n, h, round(float(rng.uniform(0.3, 0.8)), 2), round(float(rng.uniform(0.3, 0.8)), 2),
            round(float(math.exp(rng.uniform(math.log(0.4), math.log(1.8)))), 3))


def spread_one(seed):
    """One calibration data set: the content model's R² and what a user can see of it."""
    from scipy.special import logit

    from kompred._simulate import simulate

    n, h, sd, base_rate, strength = random_design(seed)
    sim = simulate(n, n_handlers=h, handler_sd=sd, base_rate=base_rate, seed=seed)
    apps, c_true = redraw_decisions(sim.applications, sim.truth, sd, base_rate, strength,
                                    seed, 0)
    _, p = _content_on_same_texts(apps, None, seed)
    q = _recalibrated(apps, p)
    ch = logit(q)
    return {"seed": seed, "n": n, "handlers": h, "sd": sd, "base_rate": base_rate,
            "strength": strength, "r2": float(np.corrcoef(c_true, logit(p))[0, 1] ** 2),
            "v_true": float(np.var(c_true)), "v_seen": float(np.var(ch)),
            "info": float(np.sum(q * (1 - q)))}


def fit_r2(df: pd.DataFrame) -> tuple[np.ndarray, float, float]:
    """Least squares of R² = expit(a + b·log N + c·log v) over calibration data sets, where v
    is the variance of the calibrated content logits (what a user's data show). Returns the
    coefficients and the 5-fold cross-validated RMSE of this fit and of the learning curve."""
    from scipy import optimize

    d = df[df["v_seen"] > 0]
    F = np.column_stack([np.ones(len(d)), np.log(d["n"]), np.log(d["v_seen"])])
    y = d["r2"].to_numpy()

    def fit(rows):
        return optimize.minimize(lambda c: np.sum((expit(F[rows] @ c) - y[rows]) ** 2),
                                 np.zeros(3), method="BFGS").x

    fold = np.random.default_rng(0).integers(0, 5, len(d))
    cv = np.empty(len(d))
    for k in range(5):
        cv[fold == k] = expit(F[fold == k] @ fit(fold != k))
    lc = d["n"].to_numpy() / (d["n"].to_numpy() + 161.0)
    return (fit(np.ones(len(d), bool)), float(np.sqrt(np.mean((cv - y) ** 2))),
            float(np.sqrt(np.mean((lc - y) ** 2))))


def calibrate_spread(args) -> int:
    """R² of the content model against what the data show (``--calibrate-spread``)."""
    if args.calibration:
        df = pd.read_csv(args.calibration)
    else:
        seeds = range(SPREAD_SEED0, SPREAD_SEED0 + args.calibrate_seeds)
        with get_context("spawn").Pool(args.jobs) as pool:
            df = pd.DataFrame(pool.map(spread_one, seeds, chunksize=4))
        if args.out:
            df.to_csv(args.out, index=False)
    print(f"{len(df)} calibration data sets (seeds {df['seed'].min()}–{df['seed'].max()})\n")
    print(df.describe().T[["mean", "min", "max"]].to_string(float_format=lambda v: f"{v:.3f}"))
    coef, rmse, rmse_lc = fit_r2(df)
    print(f"\nR² = expit({coef[0]:.3f} + {coef[1]:.3f}·log N + {coef[2]:.3f}·log v): "
          f"cross-validated RMSE {rmse:.3f} (learning curve N/(N+161): {rmse_lc:.3f})")
    return 0


def per_handler(seeds: int) -> int:
    """design_power at SD 0.5 for 10 handlers by decisions per handler (fitted content)."""
    from kompred import consistency as C

    rows = []
    for m in (50, 60, 65, 70, 80):
        for seed in range(1, seeds + 1):
            apps, _ = simulate_design(10 * m, 10, 0.5, 0.7, 1.0, seed)
            p = C.cross_fitted_content_scores(apps, nuisance_columns=("agreement",),
                                              random_state=seed)
            order = np.argsort(apps["handler"].to_numpy(), kind="stable")
            counts = apps["handler"].value_counts().sort_index().to_numpy()
            q = _recalibrated(apps, p)[order]
            rows.append({"per handler": m, "seed": seed,
                         "design_power (fitted content)": float(C.design_power(
                             counts, approval_rate=q, n_draws=2000, random_state=seed)),
                         "content known (content_r2=1)": float(C.design_power(
                             counts, approval_rate=q, n_draws=2000, random_state=seed,
                             content_r2=1.0))})
    tab = pd.DataFrame(rows).groupby("per handler").mean().drop(columns="seed")
    print(f"10 handlers, SD 0.5, base rate 0.7, mean over {seeds} simulated data sets\n")
    print(tab.to_string(float_format=lambda v: f"{v:.3f}"))
    return 0


def predict_one(task):
    """design_power on one data set's design, without running the test (``--predict``)."""
    from kompred import consistency as C
    from kompred.consistency.power import simulate_power

    (n, h, sd, base_rate, strength, seed, _) = task
    apps, _ = simulate_design(n, h, sd, base_rate, strength, seed)
    p = C.cross_fitted_content_scores(apps, nuisance_columns=("agreement",), random_state=seed)
    order = np.argsort(apps["handler"].to_numpy(), kind="stable")
    counts = apps["handler"].value_counts().sort_index().to_numpy()
    sd_ = sd if sd > 0 else 0.0
    out = {"n": n, "handlers": h, "sd": sd, "base_rate": base_rate, "strength": strength,
           "seed": seed}
    out["calibrated"] = float(simulate_power(counts, _recalibrated(apps, p)[order],
                                             handler_sd=sd_, n_draws=2000, random_state=seed))
    out["raw"] = float(simulate_power(counts, p[order], handler_sd=sd_, n_draws=2000,
                                      random_state=seed, calibrated=False))
    out["content_known"] = float(simulate_power(counts, _recalibrated(apps, p)[order],
                                                handler_sd=sd_, n_draws=2000,
                                                random_state=seed, content_r2=1.0))
    return out


def run_redraws(args) -> int:
    """Replications in text sets (``--redraws``), interleaved over designs, appended to --out."""
    if args.save_dir:
        os.makedirs(args.save_dir, exist_ok=True)
    designs = DESIGNS
    if args.design:
        designs = [(int(a), int(b), float(c), float(d), float(e)) for a, b, c, d, e in
                   (x.split(",") for x in args.design)]
    tasks = []
    s0 = args.seed_start - 1
    for seed in range(1 + s0, max(args.reps, args.null_reps) + 1 + s0):
        if seed <= args.reps + s0:
            tasks += [(*d, seed, args.permutations, args.redraws, args.save_dir)
                      for d in designs]
        if seed <= args.null_reps + s0 and not args.design:
            tasks.append((*NULL_DESIGN, seed, args.permutations, args.redraws, args.save_dir))
    t0 = time.time()
    rows = []
    with get_context("spawn").Pool(args.jobs) as pool:
        for i, res in enumerate(pool.imap_unordered(one_textset, tasks), start=1):
            rows += res
            if args.out:
                pd.DataFrame(res).to_csv(args.out, mode="a", index=False,
                                         header=not os.path.exists(args.out))
            if i % 13 == 0:
                print(f"... {i}/{len(tasks)} text sets, {time.time() - t0:.0f} s",
                      file=sys.stderr, flush=True)
    print(f"{len(rows)} simulated data sets ({args.redraws} per text set), "
          f"{time.time() - t0:.0f} s on {args.jobs} processes")
    return 0


def predict_saved(task):
    """``kompred.design_power`` on one saved replication's design (``--predict-from``)."""
    from kompred import consistency as C

    path = task
    n, h, sd, br, st, seed, d = os.path.basename(path)[:-4].split("_")
    z = np.load(path)
    sd_, seed, d = float(sd), int(seed), int(d)
    pred = C.design_power(z["counts"], handler_sd=sd_ if sd_ > 0 else 1e-12,
                          approval_rate=z["p_recal"], n_draws=400,
                          random_state=seed * 100 + d)
    return {"n": int(n), "handlers": int(h), "sd": sd_, "base_rate": float(br),
            "strength": float(st), "seed": seed, "draw": d, "calibrated": float(pred)}


def predict_from(args) -> int:
    """design_power on every saved replication, then the table against the replications.

    Several ``--predict-from`` folders and ``--summarize`` files are pooled; predictions saved
    earlier (``--reuse-predictions``) are read instead of computed again."""
    import glob

    files = sorted(f for d in args.predict_from for f in glob.glob(os.path.join(d, "*.npz")))
    keys = ["n", "handlers", "sd", "base_rate", "strength"]
    done = pd.concat([pd.read_csv(f) for f in args.reuse_predictions]) if \
        args.reuse_predictions else pd.DataFrame(columns=[*keys, "seed", "draw", "calibrated"])
    have = {tuple(r) for r in done[[*keys, "seed", "draw"]].itertuples(index=False)}

    def key_of(path):
        n, h, sd, br, st, seed, d = os.path.basename(path)[:-4].split("_")
        return (int(n), int(h), float(sd), float(br), float(st), int(seed), int(d))

    todo = [f for f in files if key_of(f) not in have]
    with get_context("spawn").Pool(args.jobs) as pool:
        new = pd.DataFrame(pool.map(predict_saved, todo, chunksize=20))
    pred = pd.concat([done, new], ignore_index=True) if len(new) else done
    if args.out:
        pred.to_csv(args.out, index=False)
    reps = pd.concat([pd.read_csv(f) for f in args.summarize], ignore_index=True)
    # only replications whose prediction exists, and the mean prediction per design
    reps = reps.merge(pred[[*keys, "seed", "draw"]], on=[*keys, "seed", "draw"])
    means = pred.merge(reps[[*keys, "seed", "draw"]], on=[*keys, "seed", "draw"]).groupby(
        keys, sort=False)["calibrated"].mean().reset_index()
    print(f"{len(reps)} replications; predicted = kompred.design_power on each one's own "
          f"design, mean per design\n")
    print(summarize(reps, means, "calibrated"))
    return 0


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--reps", type=int, default=60, help="replications per power design")
    ap.add_argument("--null-reps", type=int, default=200,
                    help="replications of the SD 0 design (false alarms)")
    ap.add_argument("--jobs", type=int, default=2)
    ap.add_argument("--permutations", type=int, default=499)
    ap.add_argument("--out", help="append every replication to this CSV")
    ap.add_argument("--summarize", nargs="+", help="only print the table of this CSV (with "
                                                   "--predict-from: these CSVs, pooled)")
    ap.add_argument("--predictions", help="with --summarize: predicted power from a --predict "
                                          "CSV instead of the replications' own")
    ap.add_argument("--variant", default="calibrated",
                    help="with --predictions: calibrated, raw or content_known")
    ap.add_argument("--calibrate", action="store_true")
    ap.add_argument("--calibrate-seeds", type=int, default=3)
    ap.add_argument("--calibrate-spread", action="store_true",
                    help="the content model's R² on random designs (seeds from 5001; "
                         "--calibrate-seeds of them) with what the data show, to --out")
    ap.add_argument("--calibration", metavar="CSV",
                    help="with --calibrate-spread: fit the R² model on this saved CSV")
    ap.add_argument("--predict", type=int, default=0, metavar="SEEDS",
                    help="only the design_power variants on seeds 1..SEEDS of every design")
    ap.add_argument("--redraws", type=int, default=0, metavar="D",
                    help="D replications per simulated text set (decisions redrawn, the whole "
                         "procedure re-run); --reps and --null-reps then count text sets")
    ap.add_argument("--design", action="append", metavar="N,H,SD,RATE,STRENGTH",
                    help="with --redraws: run these designs instead of the check's (repeatable), "
                         "e.g. 700,10,0.5,0.7,1 for 10 handlers x 70 decisions")
    ap.add_argument("--seed-start", type=int, default=1,
                    help="with --redraws: first text-set seed (more replications: 41 after 1-40)")
    ap.add_argument("--save-dir", help="with --redraws: keep each replication's arrays here")
    ap.add_argument("--predict-from", metavar="DIR", action="append",
                    help="design_power on every replication saved in DIR (repeatable; with "
                         "--summarize CSVs of those replications): the check's table")
    ap.add_argument("--reuse-predictions", metavar="CSV", nargs="+",
                    help="with --predict-from: predictions saved by an earlier --out")
    ap.add_argument("--per-handler", action="store_true",
                    help="design_power at SD 0.5 by decisions per handler (10 handlers)")
    args = ap.parse_args(argv)
    if args.per_handler:
        return per_handler(args.calibrate_seeds)
    if args.predict_from:
        return predict_from(args)
    if args.predict:
        tasks = [(*d, seed, 0) for seed in range(1, args.predict + 1)
                 for d in (*DESIGNS, NULL_DESIGN)]
        with get_context("spawn").Pool(args.jobs) as pool:
            rows = list(pool.imap(predict_one, tasks))
        pred = pd.DataFrame(rows).groupby(["n", "handlers", "sd", "base_rate", "strength"],
                                          sort=False)[["calibrated", "raw",
                                                       "content_known"]].mean()
        if args.out:
            pred.reset_index().to_csv(args.out, index=False)
        print(f"design_power variants, mean over seeds 1–{args.predict}\n")
        print(pred.to_string(float_format=lambda v: f"{v:.3f}"))
        return 0
    if args.calibrate:
        return calibrate(args.calibrate_seeds)
    if args.calibrate_spread:
        return calibrate_spread(args)
    if args.summarize:
        preds = pd.read_csv(args.predictions) if args.predictions else None
        print(summarize(pd.concat([pd.read_csv(f) for f in args.summarize]), preds,
                        args.variant))
        return 0
    if args.redraws:
        return run_redraws(args)
    tasks = []
    for seed in range(1, max(args.reps, args.null_reps) + 1):
        if seed <= args.reps:
            tasks += [(*d, seed, args.permutations) for d in DESIGNS]
        if seed <= args.null_reps:
            tasks.append((*NULL_DESIGN, seed, args.permutations))
    t0 = time.time()
    rows = []
    with get_context("spawn").Pool(args.jobs) as pool:
        for i, res in enumerate(pool.imap(one, tasks), start=1):
            rows.append(res)
            if args.out:
                pd.DataFrame([res]).to_csv(args.out, mode="a", index=False,
                                           header=not os.path.exists(args.out))
            if i % 25 == 0:
                print(f"... {i}/{len(tasks)} data sets, {time.time() - t0:.0f} s",
                      file=sys.stderr, flush=True)
    df = pd.DataFrame(rows)
    print(f"{len(df)} simulated data sets, {time.time() - t0:.0f} s on {args.jobs} processes; "
          f"{args.permutations} permutations per test\n")
    print(summarize(df))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
