"""Where a cold ``check_application`` spends its time, phase by phase (issue 13).

Run from the repository root (on demand, never in the unit tests)::

    python -m benchmarks.cold_phases            # 3 new processes; the median of each phase
    python -m benchmarks.cold_phases --no-cache # py3langid's model without kompred's cache

Each new process imports or calls, in the order the check needs them, what one cold check does:
the libraries, kompred's modules, the default models, py3langid's model, spaCy's Swedish
tokenizer, then the check itself (and a second, warm check). Wall-clock seconds, and the median
CPU time of the process per phase. skops is not a
phase: kompred reads its own model files without it (``modeling/_skops_read.py``). py3langid's
model comes from kompred's per-user cache (``text/_langid_model.py``), written by the first
process that needs it; ``--no-cache`` turns the cache off (``KOMPRED_CACHE_DIR=""``), as on a
user's very first start.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys

TEXT = ("Utbildning i lågaffektivt bemötande för personal på gruppbostäder, två dagar med extern "
        "föreläsare.")

# one phase per line: (label, code run in the new process)
PHASES = (
    ("import kompred", "import kompred"),
    ("NumPy, scipy.sparse, pandas", "import numpy, scipy.sparse, pandas"),
    ("scikit-learn (base, linear_model, text)",
     "import sklearn.base, sklearn.linear_model, sklearn.feature_extraction.text"),
    ("import spacy", "import spacy"),
    ("kompred's check and scoring modules", "import kompred.check, kompred.scoring"),
    ("load_scorer()", "from kompred.scoring import load_scorer; scorer = load_scorer()"),
    ("py3langid's model",
     "from kompred.text.language import _language_identifier; _language_identifier()"),
    ("spacy.blank('sv')", "from kompred.text.tokens import get_nlp; get_nlp()"),
    ("the check itself", "from kompred.check import check_application; "
     f"check_application({TEXT!r}, scorer=scorer)"),
    ("a second check (warm)", f"check_application({TEXT!r}, scorer=scorer)"),
)

_CHILD = """
import json, time
out = {}
for label, code in PHASES:
    t0, c0 = time.perf_counter(), time.process_time()
    exec(code)
    out[label] = (time.perf_counter() - t0, time.process_time() - c0)
print(json.dumps(out))
"""


def run_once(*, cache: bool = True) -> dict[str, list[float]]:
    """{phase: [wall seconds, CPU seconds of the process]} of one new process."""
    code = f"PHASES = {PHASES!r}\n{_CHILD}"
    env = None if cache else dict(os.environ, KOMPRED_CACHE_DIR="")
    done = subprocess.run([sys.executable, "-c", code], check=True, capture_output=True, text=True,
                          env=env)
    return json.loads(done.stdout.strip().splitlines()[-1])


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3, help="new processes (default: 3)")
    parser.add_argument("--no-cache", action="store_true",
                        help="py3langid's model decompressed as on a first start")
    args = parser.parse_args(argv)
    runs = [run_once(cache=not args.no_cache) for _ in range(args.repeat)]
    # wall seconds per run, then the medians of wall and CPU time (CPU moves less with the
    # other sessions' load on a shared machine)
    print("| phase | " + " | ".join(f"run {i + 1} s" for i in range(len(runs))) +
          " | median s | median CPU s |")
    print("|---|" + "---:|" * (len(runs) + 2))
    cold = {"wall": [0.0] * len(runs), "cpu": [0.0] * len(runs)}
    for label, _ in PHASES:
        wall, cpu = [r[label][0] for r in runs], [r[label][1] for r in runs]
        print(f"| {label} | " + " | ".join(f"{v:.2f}" for v in wall) +
              f" | {statistics.median(wall):.2f} | {statistics.median(cpu):.2f} |")
        if label != "a second check (warm)":
            cold["wall"] = [a + b for a, b in zip(cold["wall"], wall, strict=True)]
            cold["cpu"] = [a + b for a, b in zip(cold["cpu"], cpu, strict=True)]
    print("| one cold check, all phases | " + " | ".join(f"{v:.2f}" for v in cold["wall"]) +
          f" | {statistics.median(cold['wall']):.2f} | {statistics.median(cold['cpu']):.2f} |")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
