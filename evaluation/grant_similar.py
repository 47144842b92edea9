"""Should GrantModel use how similar earlier applications were decided? (run on demand)

The decision rule was fixed before any run of this script, and 2024 is not used here:

- on the simulator's tuning seeds 100 and 101 (``simulate(2000, handler_sd=0)``, tested on
  20,000 fresh rows), the AUC gap to the oracle must not grow by more than 0.002 on average;
- on MYH, forward validation inside 2020–2023 (train before Y, validate on Y, Y = 2022, 2023,
  with ``grant_myh.py``'s settings) must gain at least 0.003 in mean AUC.

If both hold, ``similar_k=10`` becomes the default; otherwise the feature stays opt-in.

    PYTHONPATH=src python evaluation/grant_similar.py [--data ../shared/corpora/myh_yh_program.csv.gz]
"""

from __future__ import annotations

import argparse
import sys
import time
import warnings
from pathlib import Path

import numpy as np
import pandas as pd
from sklearn.metrics import roc_auc_score

from kompred._simulate import simulate
from kompred.modeling.grant import GrantModel, expected_calibration_error

sys.path.insert(0, str(Path(__file__).resolve().parent))
from grant_myh import MODEL_SETTINGS, fit_candidate  # the same MYH settings

DEFAULT_DATA = Path(__file__).resolve().parents[2] / "shared" / "corpora" / "myh_yh_program.csv.gz"
K_VALUES = (0, 10)


def _fit(model, frame):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return model.fit(frame)


def simulator() -> dict[int, float]:
    gaps: dict[int, list[float]] = {k: [] for k in K_VALUES}
    print("Simulator, tuning seeds (AUC gap to the oracle; smaller is better)")
    for seed in (100, 101):
        train = simulate(2000, handler_sd=0, seed=seed).applications
        test = simulate(20000, handler_sd=0, seed=10000 + seed)
        y = (test.applications["decision"] == "beviljad").to_numpy()
        oracle = roc_auc_score(y, test.truth["p_true"])
        for k in K_VALUES:
            start = time.perf_counter()
            m = _fit(GrantModel(n_bootstrap=0, random_state=0, similar_k=k), train)
            p = m.predict_proba(test.applications)[:, 1]
            gaps[k].append(oracle - roc_auc_score(y, p))
            print(f"  seed {seed}  similar_k={k:<3} gap {gaps[k][-1]:.4f}  ECE "
                  f"{expected_calibration_error(y, p):.3f}  ({time.perf_counter() - start:.0f} s)",
                  flush=True)
    return {k: float(np.mean(v)) for k, v in gaps.items()}


def myh(path: Path) -> dict[int, float]:
    data = pd.read_csv(path)
    data = data[data["year"] < 2024]
    aucs: dict[int, list[float]] = {k: [] for k in K_VALUES}
    print("MYH forward validation inside 2020–2023 (AUC / ECE; 2024 not used)")
    for year in (2022, 2023):
        train, valid = data[data["year"] < year], data[data["year"] == year]
        for k in K_VALUES:
            start = time.perf_counter()
            m = fit_candidate({**MODEL_SETTINGS, "similar_k": k}, train)
            p = m.predict_proba(valid)[:, 1]
            aucs[k].append(roc_auc_score(valid["approved"], p))
            print(f"  {year}  similar_k={k:<3} AUC {aucs[k][-1]:.4f}  ECE "
                  f"{expected_calibration_error(valid['approved'], p):.3f}  "
                  f"({time.perf_counter() - start:.0f} s)", flush=True)
    return {k: float(np.mean(v)) for k, v in aucs.items()}


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--data", type=Path, default=DEFAULT_DATA)
    args = ap.parse_args(argv)
    gaps = simulator()
    if not args.data.exists():
        print(f"{args.data} not found: the MYH corpus is only in the developers' workspace",
              file=sys.stderr)
        return 2
    aucs = myh(args.data)
    sim_ok = gaps[10] - gaps[0] <= 0.002
    myh_ok = aucs[10] - aucs[0] >= 0.003
    print(f"\nsimulator: mean gap {gaps[0]:.4f} -> {gaps[10]:.4f} "
          f"({'ok' if sim_ok else 'worse by more than 0.002'}); "
          f"MYH forward validation: mean AUC {aucs[0]:.4f} -> {aucs[10]:.4f} "
          f"({'gain >= 0.003' if myh_ok else 'gain < 0.003'})")
    print("DECISION: " + ("similar_k=10 becomes the default" if sim_ok and myh_ok
                          else "similar_k stays opt-in (default 0)"))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
