"""One cold check in new processes, wall and CPU time, for one or more source trees (issue 13).

Run from the repository root (on demand, never in the unit tests)::

    python -m benchmarks.cold_check                                  # this tree, 5 rounds
    python -m benchmarks.cold_check --tree before=/tmp/export/src --tree after=src --rounds 5
    python -m benchmarks.cold_check --freeze-variant --pyc           # what the exit and .pyc cost

Each round starts, for every tree in turn (alternating, so a change in the machine's load hits
all trees alike), a new process that runs one check of the benchmark's draft with the bundled
models: the library call (``import kompred; kompred.check_application(text)``, the cold row of
``python -m benchmarks --only startup``) and the command an HR officer types (``kompred check
--text ...``, as ``python -m kompred.cli``, the console script's path). A tree is put first on
``PYTHONPATH``. Printed: best and median wall seconds and best and median CPU seconds (user +
system of the child) per tree and kind, with the load average before and after. On a shared
machine the CPU time moves far less with the other sessions' load than the wall time.

``--freeze-variant`` adds the library call with ``gc.freeze()`` as its last line (the cost of the
interpreter's final collections); ``--pyc`` runs every process with bytecode caching allowed (in
a temporary ``PYTHONPYCACHEPREFIX``, after one warm-up), as an installed wheel has it, for
sessions that set ``PYTHONDONTWRITEBYTECODE``.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

TEXT = ("Utbildning i lågaffektivt bemötande för personal på gruppbostäder, två dagar med extern "
        "föreläsare.")


def kinds(freeze_variant: bool) -> dict[str, list[str]]:
    out = {"library": ["-c", f"import kompred; kompred.check_application({TEXT!r})"],
           "kompred check": ["-m", "kompred.cli", "check", "--text", TEXT, "--no-color"]}
    if freeze_variant:
        out["library, gc.freeze() last"] = [
            "-c", f"import kompred; kompred.check_application({TEXT!r})\nimport gc; gc.freeze()"]
    return out


def run(args: list[str], env: dict) -> tuple[float, float]:
    """(wall seconds, CPU seconds) of ``python *args`` in a new process."""
    before = os.times()
    t0 = time.perf_counter()
    subprocess.run([sys.executable, *args], check=True, capture_output=True, env=env)
    wall = time.perf_counter() - t0
    after = os.times()
    return wall, (after.children_user - before.children_user) + (after.children_system
                                                                - before.children_system)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tree", action="append", metavar="NAME=SRC",
                        help="a source tree to put first on PYTHONPATH (repeatable; default: "
                        "this repository's src)")
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--freeze-variant", action="store_true")
    parser.add_argument("--pyc", action="store_true")
    args = parser.parse_args(argv)
    here = str(Path(__file__).resolve().parents[1] / "src")
    trees = dict(t.split("=", 1) for t in args.tree) if args.tree else {"this tree": here}
    base_env = dict(os.environ)
    if args.pyc:
        base_env.pop("PYTHONDONTWRITEBYTECODE", None)
        base_env["PYTHONPYCACHEPREFIX"] = tempfile.mkdtemp(prefix="kompred-pyc-")
    todo = kinds(args.freeze_variant)
    envs = {name: dict(base_env, PYTHONPATH=str(Path(src).resolve())) for name, src in trees.items()}
    if args.pyc:  # write the bytecode once
        for name in trees:
            for cmd in todo.values():
                run(cmd, envs[name])
    print("load average before:", " ".join(f"{x:.2f}" for x in os.getloadavg()))
    times: dict[tuple[str, str], list[tuple[float, float]]] = {}
    for _ in range(args.rounds):
        for kind, cmd in todo.items():
            for name in trees:
                times.setdefault((kind, name), []).append(run(cmd, envs[name]))
    print("load average after: ", " ".join(f"{x:.2f}" for x in os.getloadavg()))
    print("\n| check | tree | wall best s | wall median s | CPU best s | CPU median s |"
          "\n|---|---|---:|---:|---:|---:|")
    for (kind, name), values in times.items():
        wall, cpu = [v[0] for v in values], [v[1] for v in values]
        print(f"| {kind} | {name} | {min(wall):.2f} | {statistics.median(wall):.2f} | "
              f"{min(cpu):.2f} | {statistics.median(cpu):.2f} |")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
