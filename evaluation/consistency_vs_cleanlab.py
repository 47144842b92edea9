"""kompred's divergent pairs side by side with cleanlab's Datalab (run on demand).

On the same data, in one run:

- **cleanlab** ``Datalab.find_issues`` with ``label`` issues and ``near_duplicate`` issues.
  Features: the char_wb 2–5 TF-IDF of title + description reduced by TruncatedSVD (100
  dimensions, or fewer for small tables); pred_probs: out-of-fold probabilities of kompred's
  content model (:func:`kompred.consistency.cross_fitted_content_scores`), columns in
  Datalab's class order (avslag, beviljad).
- **kompred** :func:`kompred.consistency.find_divergent_pairs` with the same content
  probabilities.

Data sets:

- ``stockholm``: the bundled 73 applications; the "seed" divergent pairs are the four
  dementia / lågaffektivt bemötande pairs documented in datasets/README.md.
- ``simulated``: ``simulate(2000, n_handlers=8, seed=2026)`` plus 20 **planted** divergent
  pairs: 20 random applications copied with a lightly edited text (numbers changed, one
  sentence added), the opposite decision and another handler.

Printed: what each flags (counts), overlaps, whether the seed/planted pairs are found, and time.
Datalab needs the ``datasets`` package (``pip install "cleanlab[datalab]"``).

Usage::

    PYTHONPATH=src python evaluation/consistency_vs_cleanlab.py
"""

from __future__ import annotations

import time
import warnings

import numpy as np
import pandas as pd

from kompred import consistency as C
from kompred.datasets import load_stockholm, simulate
from kompred.text import neighbours

STOCKHOLM_SEED_PAIRS = [("STH-2021-010", "STH-2023-007"), ("STH-2021-008", "STH-2023-019"),
                        ("STH-2022-001", "STH-2023-010"), ("STH-2021-002", "STH-2023-030")]


def simulated_with_planted(n: int = 2000, n_planted: int = 20, seed: int = 2026):
    apps = simulate(n, n_handlers=8, seed=seed).applications
    rng = np.random.default_rng(seed)
    src = np.sort(rng.choice(n, size=n_planted, replace=False))
    copies = apps.iloc[src].copy()
    handlers = sorted(apps["handler"].dropna().unique())
    new_ids, planted = [], []
    for j, (i, row) in enumerate(copies.iterrows()):
        new_id = f"PLANT-{j + 1:03d}"
        new_ids.append(new_id)
        planted.append((str(row["id"]), new_id))
        text = str(row["description"])
        text = "".join(str((int(ch) + 3) % 10) if ch.isdigit() else ch for ch in text)
        copies.loc[i, "description"] = text + " Insatsen följs upp av HR-avdelningen."
        copies.loc[i, "decision"] = "avslag" if row["decision"] == "beviljad" else "beviljad"
        others = [h for h in handlers if h != row["handler"]]
        copies.loc[i, "handler"] = others[int(rng.integers(len(others)))]
        copies.loc[i, "participants"] = int(row["participants"]) + 2
    copies["id"] = pd.array(new_ids, dtype="str")
    out = pd.concat([apps, copies], ignore_index=True)
    return out, planted


def run_cleanlab(apps: pd.DataFrame, p: np.ndarray):
    from cleanlab import Datalab
    from sklearn.decomposition import TruncatedSVD

    t0 = time.perf_counter()
    X = neighbours._char_matrix(neighbours._texts(apps, ("title", "description")))
    n_comp = int(min(100, X.shape[0] - 1, X.shape[1] - 1))
    Z = TruncatedSVD(n_components=n_comp, random_state=0).fit_transform(X)
    t_feat = time.perf_counter() - t0
    P = np.column_stack([1 - p, p])
    labels = pd.DataFrame({"decision": apps["decision"].astype(object).to_numpy()})
    t0 = time.perf_counter()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        lab = Datalab(data=labels, label_name="decision", verbosity=0)
        lab.find_issues(features=Z, pred_probs=P,
                        issue_types={"label": {}, "near_duplicate": {}})
    t_find = time.perf_counter() - t0
    li = lab.get_issues("label")
    nd = lab.get_issues("near_duplicate")
    label_rows = set(np.flatnonzero(li["is_label_issue"].to_numpy()).tolist())
    pairs = set()
    for i, (flag, sets) in enumerate(zip(nd["is_near_duplicate_issue"], nd["near_duplicate_sets"],
                                         strict=True)):
        if flag:
            for j in sets:
                pairs.add((min(i, int(j)), max(i, int(j))))
    return label_rows, pairs, t_feat, t_find


def compare(name: str, apps: pd.DataFrame, seed_pairs: list[tuple[str, str]]) -> dict:
    ids = apps["id"].astype(str).to_numpy()
    pos = {v: i for i, v in enumerate(ids)}
    dec = apps["decision"].astype(str).to_numpy()
    t0 = time.perf_counter()
    p = C.cross_fitted_content_scores(apps)
    t_content = time.perf_counter() - t0

    label_rows, nd_pairs, t_feat, t_find = run_cleanlab(apps, p)
    nd_split = {(a, b) for a, b in nd_pairs if dec[a] != dec[b]}

    t0 = time.perf_counter()
    kp = C.find_divergent_pairs(apps, content_scores=p)
    t_kompred = time.perf_counter() - t0
    k_pairs = [(min(pos[a], pos[b]), max(pos[a], pos[b]))
               for a, b in zip(kp["id_a"], kp["id_b"], strict=True)]
    k_set = set(k_pairs)
    k_top10 = set(k_pairs[:10])
    k_rank = {pr: r for r, pr in enumerate(k_pairs, start=1)}
    k_rows = {i for pr in k_pairs for i in pr}

    seeds = [(min(pos[a], pos[b]), max(pos[a], pos[b])) for a, b in seed_pairs]
    found_k = sum(s in k_set for s in seeds)
    found_k10 = sum(s in k_top10 for s in seeds)
    ranks = sorted(k_rank.get(s, 10**9) for s in seeds) or [10**9]
    found_nd = sum(s in nd_pairs for s in seeds)
    found_label = sum((a in label_rows) or (b in label_rows) for a, b in seeds)
    found_both = sum(s in nd_pairs and ((s[0] in label_rows) or (s[1] in label_rows))
                     for s in seeds)
    return {
        "data": name, "rows": len(apps), "seed pairs": len(seeds),
        "cleanlab label issues (rows)": len(label_rows),
        "cleanlab near-dup pairs": len(nd_pairs),
        "cleanlab near-dup pairs, split decisions": len(nd_split),
        "kompred divergent pairs (sim>=0.5)": len(k_pairs),
        "kompred rows in pairs": len(k_rows),
        "overlap: kompred pairs ∩ cleanlab split near-dups": len(k_set & nd_split),
        "overlap: kompred rows ∩ cleanlab label issues": len(k_rows & label_rows),
        "seed pairs: kompred top 10": found_k10,
        "seed pairs: kompred any rank": found_k,
        "seed pairs: kompred worst rank": ranks[-1] if ranks and ranks[-1] < 10**9 else None,
        "seed pairs: cleanlab near-dup": found_nd,
        "seed pairs: cleanlab label issue on a member": found_label,
        "seed pairs: cleanlab near-dup + label issue": found_both,
        "time: content model (shared), s": t_content,
        "time: cleanlab features (TF-IDF+SVD), s": t_feat,
        "time: cleanlab find_issues, s": t_find,
        "time: kompred find_divergent_pairs, s": t_kompred,
    }


def main() -> int:
    try:
        from cleanlab import Datalab  # noqa: F401

        import datasets  # noqa: F401
    except ImportError as exc:
        raise SystemExit(f"cleanlab's Datalab is not available ({exc}); "
                         "install it with: pip install 'cleanlab[datalab]'") from exc
    sth = load_stockholm()
    compare("warm-up (imports, first calls)", sth.iloc[:40].reset_index(drop=True), [])
    results = [compare("stockholm (73)", sth, STOCKHOLM_SEED_PAIRS)]
    sim, planted = simulated_with_planted()
    results.append(compare(f"simulated ({len(sim)}, 20 planted)", sim, planted))
    print("| measure | " + " | ".join(r["data"] for r in results) + " |")
    print("|---|" + "---:|" * len(results))
    for key in results[0]:
        if key == "data":
            continue
        cells = []
        for r in results:
            v = r[key]
            cells.append("–" if v is None else f"{v:.2f}" if isinstance(v, float) else str(v))
        print(f"| {key} | " + " | ".join(cells) + " |")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
