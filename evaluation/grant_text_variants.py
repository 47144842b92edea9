"""Text-representation variants of GrantModel on the simulator's tuning seeds (run on demand).

Each variant changes one setting of the character n-gram block (TextFeaturizer) and is fitted
on ``simulate(2000, handler_sd=0, seed=s)`` for the tuning seeds 100 and 101 (never the
reporting seeds 0–4 of ``grant_simulated.py``), then scored on 20,000 fresh rows
(``seed=10000 + s``). It prints the AUC gap to the oracle (the AUC of the true probabilities).

    PYTHONPATH=src python evaluation/grant_text_variants.py
"""

from __future__ import annotations

import time
import warnings

from sklearn.metrics import roc_auc_score

from kompred._simulate import simulate
from kompred.modeling.grant import GrantModel
from kompred.text import TextFeaturizer

VARIANTS = {"default (char_wb 2–5, min_df 2, sublinear tf)": {},
            "char_wb 3–5": {"ngram_range": (3, 5)}, "char_wb 2–6": {"ngram_range": (2, 6)},
            "min_df 5": {"min_df": 5}, "raw tf (no sublinear)": {"sublinear_tf": False}}


def main() -> int:
    original = TextFeaturizer.__init__
    print(f"{'seed':>4}  {'variant':<46} {'gap':>6} {'fit s':>6}")
    for seed in (100, 101):
        train = simulate(2000, handler_sd=0, seed=seed).applications
        test = simulate(20000, handler_sd=0, seed=10000 + seed)
        y = (test.applications["decision"] == "beviljad").to_numpy()
        oracle = roc_auc_score(y, test.truth["p_true"])
        for name, override in VARIANTS.items():
            def patched(self, _override=override, **kwargs):
                original(self, **{**kwargs, **_override})

            TextFeaturizer.__init__ = patched
            try:
                start = time.perf_counter()
                with warnings.catch_warnings():
                    warnings.simplefilter("ignore")
                    model = GrantModel(n_bootstrap=0, random_state=0).fit(train)
                p = model.predict_proba(test.applications)[:, 1]
            finally:
                TextFeaturizer.__init__ = original
            print(f"{seed:>4}  {name:<46} {oracle - roc_auc_score(y, p):>6.4f} "
                  f"{time.perf_counter() - start:>6.0f}", flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
