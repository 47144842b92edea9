"""Per-rule precision and recall of the checklist on labelled draft applications.

Run from the repository root:

    python evaluation/rules_drafts.py             # the table (Markdown)
    python evaluation/rules_drafts.py --errors    # also every draft a rule got wrong

Each row of ``evaluation/data/drafts_labelled.csv`` (synthetic drafts, see
``evaluation/data/README.md``) names the rules that must flag it (``must_flag``) and those not
scored on it (``either``); every other rule must not flag it. A rule *flags* a draft when its
status is ``saknas``, ``varning`` or ``manuell kontroll``; ``ok``, ``info`` and a rule that does
not apply to the draft's agreement version count as not flagged. Intervals are Wilson 95 %.
The drafts are checked as of 2025-03-01 (``context["today"]``).
"""

from __future__ import annotations

import argparse
import math
import sys
from datetime import date
from pathlib import Path

import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from kompred.rules import MANUELL, RULES, SAKNAS, VARNING, run_rules  # noqa: E402

DRAFTS = ROOT / "evaluation" / "data" / "drafts_labelled.csv"
LABELS = ("must_flag", "either", "why")
FLAGGED = frozenset({SAKNAS, VARNING, MANUELL})
TODAY = date(2025, 3, 1)


def wilson(k: int, n: int, z: float = 1.959964) -> tuple[float, float]:
    """Wilson score interval for k successes in n trials (nan, nan for n = 0)."""
    if n == 0:
        return math.nan, math.nan
    p = k / n
    centre = (p + z * z / (2 * n)) / (1 + z * z / n)
    half = z / (1 + z * z / n) * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n))
    return max(0.0, centre - half), min(1.0, centre + half)


def read_drafts(path: Path) -> pd.DataFrame:
    """The labelled drafts; a label naming an unknown rule is an error naming row and column."""
    df = pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8")
    missing = [c for c in ("id", *LABELS) if c not in df.columns]
    if missing:
        raise SystemExit(f"{path}: missing column(s) {missing}")
    codes = {r.code for r in RULES}
    for i, row in df.iterrows():
        for col in ("must_flag", "either"):
            unknown = sorted(set(_ids(row[col])) - codes)
            if unknown:
                raise SystemExit(f"{path}: row {i + 2} ({row['id']}), column {col}: unknown "
                                 f"rule id(s) {unknown}; expected among {sorted(codes)}")
        both = set(_ids(row["must_flag"])) & set(_ids(row["either"]))
        if both:
            raise SystemExit(f"{path}: row {i + 2} ({row['id']}): {sorted(both)} in both "
                             "must_flag and either")
    return df


def _ids(cell: str) -> list[str]:
    return [c.strip() for c in cell.split(";") if c.strip()]


def score(df: pd.DataFrame) -> tuple[pd.DataFrame, list[dict]]:
    """Per-rule counts, precision and recall, and the list of disagreements."""
    counts = {r.code: {"tp": 0, "fp": 0, "fn": 0, "tn": 0, "skipped": 0} for r in RULES}
    errors = []
    for _, row in df.iterrows():
        app = {k: v for k, v in row.items() if k not in LABELS and k != "id"}
        results = {r.code: r for r in run_rules(app, context={"today": TODAY})}
        must, either = set(_ids(row["must_flag"])), set(_ids(row["either"]))
        for code, c in counts.items():
            if code in either:
                c["skipped"] += 1
                continue
            res = results.get(code)
            flagged = res is not None and res.status in FLAGGED
            expected = code in must
            c[{(True, True): "tp", (False, True): "fp", (True, False): "fn",
               (False, False): "tn"}[(expected, flagged)]] += 1
            if flagged != expected:
                errors.append({"id": row["id"], "rule": code,
                               "expected": "flag" if expected else "no flag",
                               "got": res.status if res is not None else "(applies not)",
                               "evidence": "; ".join(res.evidence) if res is not None else ""})
    rows = []
    for code, c in counts.items():
        tp, fp, fn = c["tp"], c["fp"], c["fn"]
        p_lo, p_hi = wilson(tp, tp + fp)
        r_lo, r_hi = wilson(tp, tp + fn)
        rows.append({"rule": code, "severity": next(r.severity for r in RULES if r.code == code),
                     "positives": tp + fn, "scored": tp + fp + fn + c["tn"], "tp": tp, "fp": fp,
                     "fn": fn, "precision": tp / (tp + fp) if tp + fp else math.nan,
                     "p_lo": p_lo, "p_hi": p_hi,
                     "recall": tp / (tp + fn) if tp + fn else math.nan, "r_lo": r_lo, "r_hi": r_hi})
    return pd.DataFrame(rows), errors


def _fmt(x: float, lo: float, hi: float) -> str:
    return "–" if math.isnan(x) else f"{x:.2f} [{lo:.2f}, {hi:.2f}]"


def markdown(table: pd.DataFrame, n_drafts: int) -> str:
    lines = [f"{n_drafts} synthetic drafts ({DRAFTS.relative_to(ROOT)}), checked as of {TODAY}.",
             "",
             "| rule | highest status | must flag / scored | TP | FP | FN | precision [95 % CI] "
             "| recall [95 % CI] |",
             "|---|---|---|---|---|---|---|---|"]
    for r in table.itertuples():
        lines.append(f"| `{r.rule}` | {r.severity} | {r.positives} / {r.scored} | {r.tp} | "
                     f"{r.fp} | {r.fn} | {_fmt(r.precision, r.p_lo, r.p_hi)} | "
                     f"{_fmt(r.recall, r.r_lo, r.r_hi)} |")
    tp, fp, fn = int(table.tp.sum()), int(table.fp.sum()), int(table.fn.sum())
    p, r = wilson(tp, tp + fp), wilson(tp, tp + fn)
    lines.append(f"| all rules | | {tp + fn} / {int(table.scored.sum())} | {tp} | {fp} | {fn} | "
                 f"{_fmt(tp / (tp + fp), *p)} | {_fmt(tp / (tp + fn), *r)} |")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--drafts", type=Path, default=DRAFTS, help="labelled drafts (CSV)")
    ap.add_argument("--errors", action="store_true", help="list every disagreement")
    args = ap.parse_args(argv)
    df = read_drafts(args.drafts)
    table, errors = score(df)
    print(markdown(table, len(df)))
    if args.errors:
        print(f"\n{len(errors)} disagreements:\n")
        print("| draft | rule | expected | got | evidence |\n|---|---|---|---|---|")
        for e in errors:
            print(f"| {e['id']} | `{e['rule']}` | {e['expected']} | {e['got']} | "
                  f"{e['evidence'].replace('|', '/')} |")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
