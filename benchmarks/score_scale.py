"""Batch scoring at scale: time and peak memory of `kompred score` against file size.

Run on demand: ``python benchmarks/score_scale.py [--rows 1000 10000 100000]``. Texts are simulated
(``kompred.simulate``), so the figures are about speed and memory, not quality. Each size runs in a
fresh subprocess so that its peak resident memory (ru_maxrss) is its own; the baseline is the
smallest size, run the same way, and the table reports ratios against it. Memory should stay flat
as rows grow (chunked streaming), while time grows linearly.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
from pathlib import Path

CHILD = r"""
import json, resource, sys, time
from kompred.scoring import load_scorer, score_file
src, out, chunksize = sys.argv[1], sys.argv[2], int(sys.argv[3])
scorer = load_scorer()
t = time.perf_counter()
s = score_file(src, out, scorer=scorer, chunksize=chunksize)
print(json.dumps({"rows": s.rows, "seconds": time.perf_counter() - t,
                  "peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}))
"""


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--rows", type=int, nargs="+", default=[1_000, 10_000, 100_000])
    ap.add_argument("--chunksize", type=int, default=5_000)
    args = ap.parse_args(argv)
    import kompred

    tmp = Path(tempfile.mkdtemp())
    results = []
    for n in sorted(args.rows):
        src = tmp / f"in_{n}.csv"
        sim = kompred.simulate(n, seed=n)
        sim.applications.drop(columns=["decision", "decision_date", "granted_sek", "handler"]).to_csv(src, index=False)
        out = subprocess.run([sys.executable, "-c", CHILD, str(src), str(tmp / f"out_{n}.csv"), str(args.chunksize)],
                             capture_output=True, text=True, check=True)
        r = json.loads(out.stdout.strip().splitlines()[-1])
        results.append(r)
        print(f"done {n} rows", file=sys.stderr)
    base = results[0]
    print(f"kompred score, simulated applications, chunksize {args.chunksize}; baseline = {base['rows']} rows")
    print(f"{'rows':>9} {'seconds':>9} {'rows/s':>8} {'peak MB':>8} {'time ×':>7} {'memory ×':>9}")
    for r in results:
        print(f"{r['rows']:>9} {r['seconds']:>9.1f} {r['rows'] / r['seconds']:>8.0f} {r['peak_mb']:>8.0f} "
              f"{r['seconds'] / base['seconds']:>7.1f} {r['peak_mb'] / base['peak_mb']:>9.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
