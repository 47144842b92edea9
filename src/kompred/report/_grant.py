"""Formatting for the grant model: reasons as text, metric tables and the reliability diagram.

Computation lives in :mod:`kompred.modeling.grant`; this module only turns its results into
text and plots.

>>> from kompred.modeling.grant import Reason
>>> format_reason(Reason("ordet 'yrkessvenska' i texten", "höjer", 0.42, "text", "description"))
"ordet 'yrkessvenska' i texten: höjer (+0,42)"
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence

import numpy as np
import pandas as pd

from ..render.numbers import decimal_comma

__all__ = [
    "METRIC_LABELS",
    "format_evaluation",
    "format_interval",
    "format_metric_table",
    "format_reason",
    "format_reasons",
    "plot_reliability",
]

#: Column headers for the metrics, with the direction that is better.
METRIC_LABELS = {
    "auc": "AUC (↑)",
    "brier": "Brier (↓)",
    "log_loss": "log loss (↓)",
    "ece": "ECE (↓)",
}


def _num(x: float, digits: int = 2) -> str:
    return decimal_comma(f"{x:+.{digits}f}")


def format_reason(reason, *, with_contribution: bool = True) -> str:
    """One reason as a line: ``"<label>: <höjer|sänker> (+0,42)"``.

    The number is the contribution to the log-odds of a grant.
    """
    text = f"{reason.label}: {reason.direction}"
    if with_contribution:
        text += f" ({_num(reason.contribution)})"
    return text


def format_reasons(reasons: Iterable, *, with_contribution: bool = False, sep: str = "; ") -> str:
    """The reasons of one application joined into one line (strongest first, as given)."""
    return sep.join(format_reason(r, with_contribution=with_contribution) for r in reasons)


def format_interval(frame: pd.DataFrame, *, digits: int = 2) -> pd.Series:
    """``grant_probability`` with its interval as text per row, e.g. ``"0,72 (0,61–0,80)"``."""
    def one(row) -> str:
        p, lo, hi = row["grant_probability"], row["grant_low"], row["grant_high"]
        f = f"{{:.{digits}f}}"
        return decimal_comma(f"{f.format(p)} ({f.format(lo)}–{f.format(hi)})")

    return frame.apply(one, axis=1)


def _cell(est: float, lo: float, hi: float, digits: int = 3) -> str:
    if not np.isfinite(est):
        return "–"
    if np.isfinite(lo) and np.isfinite(hi):
        return f"{est:.{digits}f} [{lo:.{digits}f}, {hi:.{digits}f}]"
    return f"{est:.{digits}f}"


def format_metric_table(results: Mapping[str, pd.DataFrame], *,
                        metrics: Sequence[str] = ("auc", "brier", "ece"), digits: int = 3,
                        title: str | None = None) -> str:
    """A fixed-width table: one row per model, one column per metric, ``est [low, high]``.

    Parameters
    ----------
    results : mapping of model name to DataFrame
        Each as returned by :func:`kompred.modeling.grant.grant_metrics` (index = metric,
        columns ``estimate``, ``ci_low``, ``ci_high``).
    """
    head = ["model"] + [METRIC_LABELS.get(m, m) for m in metrics]
    rows = []
    for name, frame in results.items():
        cells = [name]
        for m in metrics:
            if m in frame.index:
                r = frame.loc[m]
                cells.append(_cell(float(r["estimate"]), float(r["ci_low"]), float(r["ci_high"]),
                                   digits))
            else:
                cells.append("–")
        rows.append(cells)
    widths = [max(len(str(r[i])) for r in [head, *rows]) for i in range(len(head))]
    lines = []
    if title:
        lines.append(title)
    lines.append("  ".join(h.ljust(w) for h, w in zip(head, widths, strict=True)).rstrip())
    lines.append("  ".join("-" * w for w in widths))
    for r in rows:
        lines.append("  ".join(str(c).ljust(w) for c, w in zip(r, widths, strict=True)).rstrip())
    return "\n".join(lines)


def format_evaluation(evaluation, *, metrics: Sequence[str] = ("auc", "brier", "log_loss", "ece"),
                      digits: int = 3) -> str:
    """A :class:`~kompred.modeling.grant.GrantEvaluation` as text: one table per split."""
    m = evaluation.metrics
    blocks = []
    names = {"cv": "Korsvalidering", "time": "Tidsuppdelning"}
    for split in dict.fromkeys(m["split"]):
        part = m[m["split"] == split]
        results = {}
        for model in dict.fromkeys(part["model"]):
            sub = part[part["model"] == model].set_index("metric")
            results[model] = sub[["estimate", "ci_low", "ci_high"]]
        title = names.get(split, split)
        how = evaluation.details.get(split)
        if how:
            title += f" ({how})"
        blocks.append(format_metric_table(results, metrics=metrics, digits=digits, title=title))
    notes = [f"ECE: {evaluation.details.get('ece_bins', '')}; intervall: "
             f"{evaluation.details.get('ci', '')}"]
    notes += [f"OBS: {w}" for w in evaluation.warnings]
    return "\n\n".join(blocks) + "\n" + "\n".join(notes)


def plot_reliability(y_true, p, *, n_bins: int = 10, ax=None, label: str = "kompred",
                     show_counts: bool = True):
    """Reliability diagram: observed approval rate against mean predicted probability per bin.

    Bins are equal-width on [0, 1] (the same as the ECE). Returns the matplotlib Axes.
    """
    import matplotlib.pyplot as plt

    from ..modeling.grant import expected_calibration_error, reliability_table

    table = reliability_table(y_true, p, n_bins=n_bins)
    if ax is None:
        _, ax = plt.subplots(figsize=(4.5, 4.5))
    ax.plot([0, 1], [0, 1], linestyle="--", color="grey", linewidth=1, label="perfekt kalibrerad")
    used = table[table["n"] > 0]
    ece = expected_calibration_error(y_true, p, n_bins=n_bins)
    ax.plot(used["mean_predicted"], used["observed_rate"], marker="o",
            label=f"{label} (ECE {ece:.3f})")
    if show_counts:
        for _, r in used.iterrows():
            ax.annotate(str(int(r["n"])), (r["mean_predicted"], r["observed_rate"]),
                        textcoords="offset points", xytext=(4, -10), fontsize=7, color="grey")
    ax.set_xlim(0, 1)
    ax.set_ylim(0, 1)
    ax.set_xlabel("predicerad sannolikhet för beviljande")
    ax.set_ylabel("andel beviljade")
    ax.set_title("Kalibrering")
    ax.legend(loc="upper left", fontsize=8)
    return ax
