"""Do two kompred versions score the same table the same? (run on demand)

    PYTHONPATH=/path/to/old/src python benchmarks/score_equality.py save 10000 old.pkl
    python benchmarks/score_equality.py check 10000 old.pkl
    python benchmarks/score_equality.py check 3000 old3k.pkl --seed 7   # saved with --seed 7

``save`` scores the benchmark's table of ``n`` rows (real regeringen.se texts in simulated
applications, ``benchmarks.run.application_table``) with ``score_applications`` at 0 and 3
reasons and pickles the two frames; ``check`` scores it with the kompred on the path and
compares with ``pandas.testing.assert_frame_equal(check_exact=True)`` (notes included),
naming the columns and rows that differ.
"""

from __future__ import annotations

import argparse
import pickle
import sys
import warnings
from pathlib import Path

REASONS = (0, 3)


def main(argv: list[str] | None = None) -> int:
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
    import pandas as pd

    import kompred
    from benchmarks.run import application_table, to_score
    from kompred.scoring import load_scorer, score_applications

    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("mode", choices=("save", "check"))
    ap.add_argument("n", type=int)
    ap.add_argument("path")
    ap.add_argument("--seed", type=int, default=0)
    args = ap.parse_args(argv)
    print(f"kompred from {Path(kompred.__file__).parent}", file=sys.stderr)
    warnings.simplefilter("ignore")
    apps = to_score(application_table(args.n, real=True, seed=args.seed))
    scorer = load_scorer()
    frames = {r: score_applications(apps, scorer, reasons=r) for r in REASONS}
    if args.mode == "save":
        with open(args.path, "wb") as f:
            pickle.dump(frames, f)
        return 0
    with open(args.path, "rb") as f:
        saved = pickle.load(f)
    same = True
    for r in REASONS:
        new, old = frames[r], saved[r]
        try:
            pd.testing.assert_frame_equal(new, old, check_exact=True)
            assert new.attrs == old.attrs, "notes differ"
            print(f"reasons={r}: identical ({len(new):,} rows)")
        except AssertionError as err:
            same = False
            print(f"reasons={r}: DIFFERENT: {str(err)[:500]}")
            for col in new.columns.intersection(old.columns):
                differ = ~((new[col] == old[col]) | (new[col].isna() & old[col].isna()))
                if differ.any():
                    print(f"  {col}: {int(differ.sum())} rows, first {list(new.index[differ][:5])}")
    return 0 if same else 1


if __name__ == "__main__":
    raise SystemExit(main())
