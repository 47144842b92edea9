"""A bounded local load test of the web page's JSON API: ``POST /api/check`` on 127.0.0.1.

Starts ``kompred serve`` (uvicorn, one process, the bundled models) on a free port of 127.0.0.1,
sends a few warm-up checks, then for each client count sends ``--requests`` checks from that many
concurrent clients and prints one Markdown table: errors, latency p50/p95/p99/max and throughput.
Nothing leaves the machine: the script refuses any address but 127.0.0.1.

The drafts are the bundled dataset's texts (synthetic records, see datasets/README.md) with their
cost and participants, cycled in order. Every answer is compared with the answer the same draft
got when sent alone: a differing topic or probability counts as an error (it would mean requests
interfere with each other).

Usage::

    python benchmarks/web_load.py                         # 200 checks, 1 and 8 clients
    python benchmarks/web_load.py --requests 500 --clients 1 4 8 16
"""

from __future__ import annotations

import argparse
import json
import os
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import numpy as np

HOST = "127.0.0.1"


def free_port() -> int:
    with socket.socket() as s:
        s.bind((HOST, 0))
        return s.getsockname()[1]


def drafts() -> list[dict]:
    from kompred import load_stockholm

    apps = load_stockholm()
    out = []
    for _, r in apps.iterrows():
        body = {"title": r["title"], "background": r["description"]}
        if r["cost_sek"] == r["cost_sek"]:
            body["cost_sek"] = float(r["cost_sek"])
        if r["participants"] == r["participants"]:
            body["participants"] = int(r["participants"])
        out.append(body)
    return out


def post(url: str, body: dict) -> tuple[int, float, dict | None]:
    data = json.dumps(body).encode()
    req = urllib.request.Request(url, data=data, headers={"content-type": "application/json"})
    t = time.perf_counter()
    try:
        with urllib.request.urlopen(req, timeout=120) as r:
            doc = json.loads(r.read())
            return r.status, time.perf_counter() - t, doc
    except urllib.error.HTTPError as e:
        return e.code, time.perf_counter() - t, None
    except OSError:
        return 0, time.perf_counter() - t, None


def fingerprint(doc: dict | None):
    if doc is None:
        return None
    return (doc["topic"], doc["grant_probability"], tuple(s["id"] for s in doc["similar"]),
            tuple(c["status"] for c in doc["checklist"]))


def run_level(url: str, bodies: list[dict], expected: list, n: int, clients: int) -> dict:
    jobs = [i % len(bodies) for i in range(n)]
    t0 = time.perf_counter()
    with ThreadPoolExecutor(max_workers=clients) as pool:
        results = list(pool.map(lambda i: (i, *post(url, bodies[i])), jobs))
    wall = time.perf_counter() - t0
    lat = np.array([r[2] for r in results]) * 1000
    errors = sum(1 for i, status, _, doc in results if status != 200 or fingerprint(doc) != expected[i])
    return {"clients": clients, "requests": n, "errors": errors,
            "p50": np.percentile(lat, 50), "p95": np.percentile(lat, 95),
            "p99": np.percentile(lat, 99), "max": lat.max(), "rps": n / wall, "wall": wall}


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--requests", type=int, default=200, help="checks per client count (default 200)")
    ap.add_argument("--clients", type=int, nargs="+", default=[1, 8], help="client counts (default 1 8)")
    ap.add_argument("--max-requests", type=int, default=5000, help="refuse more than this (bound)")
    args = ap.parse_args(argv)
    if args.requests * len(args.clients) > args.max_requests:
        ap.error(f"at most {args.max_requests} requests in all")

    port = free_port()
    log = Path(tempfile.mkdtemp(prefix="kompred-load-")) / "serve.log"
    with log.open("w") as out:
        proc = subprocess.Popen([sys.executable, "-m", "kompred.cli", "serve", "--host", HOST,
                                 "--port", str(port)], stdout=out, stderr=subprocess.STDOUT)
    base = f"http://{HOST}:{port}"
    try:
        t = time.perf_counter()
        while True:
            try:
                with urllib.request.urlopen(base + "/health", timeout=2):
                    break
            except OSError:
                if proc.poll() is not None or time.perf_counter() - t > 300:
                    print(log.read_text(), file=sys.stderr)
                    return 1
                time.sleep(0.5)
        start_s = time.perf_counter() - t
        url = base + "/api/check"
        bodies = drafts()
        # each draft alone first: the reference answers (and the warm-up)
        expected = []
        for b in bodies:
            status, _, doc = post(url, b)
            if status != 200:
                print(f"reference check failed with HTTP {status}", file=sys.stderr)
                return 1
            expected.append(fingerprint(doc))
        rows = [run_level(url, bodies, expected, args.requests, c) for c in args.clients]
    finally:
        proc.terminate()
        proc.wait(timeout=30)

    load = os.getloadavg()[0]
    print(f"kompred serve on {HOST} (uvicorn, 1 process, bundled models); started in {start_s:.1f} s; "
          f"{os.cpu_count()} CPUs, load average {load:.1f} at the end; {len(bodies)} different drafts "
          "(bundled synthetic texts), each answer checked against the draft's answer alone")
    print()
    print("| clients | requests | errors | p50 ms | p95 ms | p99 ms | max ms | checks/s |")
    print("|---:|---:|---:|---:|---:|---:|---:|---:|")
    for r in rows:
        print(f"| {r['clients']} | {r['requests']} | {r['errors']} | {r['p50']:.0f} | {r['p95']:.0f} | "
              f"{r['p99']:.0f} | {r['max']:.0f} | {r['rps']:.1f} |")
    return 1 if any(r["errors"] for r in rows) else 0


if __name__ == "__main__":
    sys.exit(main())
