"""Grant model against a known process: kompred's simulator, n = 2,000 per training sample.

Run on demand (a few minutes on 2 cores)::

    PYTHONPATH=src python evaluation/grant_simulated.py [--seeds 0 1 2 3 4] [--n-train 2000]
        [--n-test 20000] [--handler-sd 0]

For each seed, a GrantModel with default settings is trained on ``simulate(n_train, seed=seed)``
and evaluated on a fresh, much larger sample ``simulate(n_test, seed=10_000 + seed)`` of the same
process (the process parameters are fixed constants; the seed only draws applications and
decisions). With ``handler_sd=0`` (the default here) the decisions do not depend on the case
handler, so the model sees everything the process uses; the handler column is never a feature.

Printed per seed, on the test sample:

- AUC of the model and the **oracle AUC** of the true probabilities ``p_true`` on the same test
  rows (the best any model can do on those decisions), and their gap;
- ECE of the model (10 equal-width bins; each with a bootstrap 95 % interval over test rows) and,
  for scale, the ECE of ``p_true`` itself (what sampling noise alone gives with this many rows);
- mean |p̂ − p_true| and how often the 90 % interval contains ``p_true``.

Targets (issue): AUC within 0.02 of the oracle AUC; ECE ≤ 0.03.
"""

from __future__ import annotations

import argparse
import sys
import time
import warnings

import numpy as np

from kompred.datasets import simulate
from kompred.modeling.grant import GrantModel, expected_calibration_error, grant_metrics


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--seeds", type=int, nargs="+", default=[0, 1, 2, 3, 4])
    ap.add_argument("--n-train", type=int, default=2000)
    ap.add_argument("--n-test", type=int, default=20_000)
    ap.add_argument("--handler-sd", type=float, default=0.0)
    ap.add_argument("--n-boot", type=int, default=500)
    args = ap.parse_args(argv)

    rows = []
    for seed in args.seeds:
        train = simulate(args.n_train, handler_sd=args.handler_sd, seed=seed)
        test = simulate(args.n_test, handler_sd=args.handler_sd, seed=10_000 + seed)
        y = (test.applications["decision"] == "beviljad").to_numpy().astype(float)
        p_true = test.truth["p_true"].to_numpy()
        model = GrantModel(random_state=seed)
        start = time.perf_counter()
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            model.fit(train.applications)
        fit_s = time.perf_counter() - start
        iv = model.predict_interval(test.applications, level=0.9)
        p = iv["grant_probability"].to_numpy()
        m = grant_metrics(y, p, n_boot=args.n_boot, random_state=seed)
        oracle = test.oracle_auc()
        rows.append({
            "seed": seed,
            "rate": float((train.applications["decision"] == "beviljad").mean()),
            "auc": m.loc["auc"], "oracle": oracle, "gap": oracle - m.loc["auc", "estimate"],
            "ece": m.loc["ece"], "ece_true": expected_calibration_error(y, p_true),
            "mae": float(np.abs(p - p_true).mean()),
            "cover": float(((iv["grant_low"] <= p_true) & (p_true <= iv["grant_high"])).mean()),
            "width": float((iv["grant_high"] - iv["grant_low"]).mean()),
            "fit_s": fit_s, "warnings": sorted({str(w.message) for w in caught}),
            "calibrated": model.calibration_ is not None,
        })

    print(f"kompred grant model on simulated applications (kompred.datasets.simulate), "
          f"handler_sd={args.handler_sd:g}")
    print(f"train n = {args.n_train} (seed s), test n = {args.n_test} fresh rows of the same "
          f"process (seed 10000 + s); GrantModel() with default settings; AUC and ECE with "
          f"bootstrap 95 % CI ({args.n_boot} resamples of test rows); ECE: 10 equal-width bins")
    print()
    cols = ["seed", "train rate", "AUC [95% CI]", "oracle AUC", "gap", "ECE [95% CI]",
            "ECE of p_true", "mean |p - p_true|", "90% interval covers p_true", "fit s"]
    table = []
    for r in rows:
        a, e = r["auc"], r["ece"]
        table.append([
            str(r["seed"]), f"{r['rate']:.3f}",
            f"{a['estimate']:.3f} [{a['ci_low']:.3f}, {a['ci_high']:.3f}]", f"{r['oracle']:.3f}",
            f"{r['gap']:.3f}", f"{e['estimate']:.3f} [{e['ci_low']:.3f}, {e['ci_high']:.3f}]",
            f"{r['ece_true']:.3f}", f"{r['mae']:.3f}",
            f"{r['cover']:.3f} (width {r['width']:.3f})", f"{r['fit_s']:.0f}",
        ])
    widths = [max(len(c), *(len(t[i]) for t in table)) for i, c in enumerate(cols)]
    print("  ".join(c.rjust(w) for c, w in zip(cols, widths, strict=True)))
    print("  ".join("-" * w for w in widths))
    for t in table:
        print("  ".join(c.rjust(w) for c, w in zip(t, widths, strict=True)))
    gaps = [r["gap"] for r in rows]
    eces = [r["ece"]["estimate"] for r in rows]
    print()
    print(f"TARGET AUC within 0.02 of the oracle: {'met' if max(gaps) <= 0.02 else 'NOT met'} "
          f"(within 0.02 on {sum(g <= 0.02 for g in gaps)} of {len(gaps)} seeds; gap mean "
          f"{np.mean(gaps):.3f}, max {max(gaps):.3f})")
    print(f"TARGET ECE ≤ 0.03: {'met' if max(eces) <= 0.03 else 'NOT met'} "
          f"(≤ 0.03 on {sum(e <= 0.03 for e in eces)} of {len(eces)} seeds; mean "
          f"{np.mean(eces):.3f}, max {max(eces):.3f})")
    notes = sorted({w for r in rows for w in r["warnings"]})
    print(f"calibrated (sigmoid on out-of-fold scores): "
          f"{', '.join(str(r['calibrated']) for r in rows)}; warnings while fitting: "
          f"{notes or 'none'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
