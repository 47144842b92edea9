"""The analysis steps one by one at one size, each printed as it finishes (run on demand).

    python benchmarks/analysis_steps.py 100000

For sizes where ``python -m benchmarks --only analysis`` would run longer than one wants to wait
for a table: the same table (real regeringen.se texts in simulated applications), the same steps
(vectorize, neighbour graph, content model, divergent groups, handler effect), a line each.
"""

from __future__ import annotations

import sys
import time
import warnings
from pathlib import Path


def main(argv: list[str] | None = None) -> int:
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
    import kompred
    from benchmarks.run import application_table
    from kompred import consistency as C

    n = int((argv if argv is not None else sys.argv[1:])[0])
    warnings.simplefilter("ignore")
    apps = application_table(n, real=True)
    corpus = kompred.prepare(apps)
    steps = (
        ("vectorize", lambda: corpus.X),
        ("neighbour graph", corpus.neighbours),
        ("content model", lambda: corpus.content_scores),
        ("divergent groups", lambda: C.find_divergent_groups(corpus)),
        ("handler effect", lambda: C.handler_effect(corpus)),
    )
    total = 0.0
    for name, step in steps:
        t = time.perf_counter()
        step()
        total += time.perf_counter() - t
        print(f"{name}: {time.perf_counter() - t:.1f} s", flush=True)
    print(f"N = {n:,}: {total:.0f} s in all")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
