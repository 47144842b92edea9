"""Plots and text for the consistency results of :mod:`kompred.consistency`.

- :func:`funnel_plot`: handler approval rates (content-adjusted) against the number of decisions,
  with control limits around the overall rate. A funnel plot, not a league table: handlers
  inside the funnel are indistinguishable from the overall rate.
- :func:`similarity_agreement_plot`: share of pairs with the same decision by similarity, with
  the content model's expectation.
- :func:`format_pairs`, :func:`format_handler_effect`, :func:`format_period_effect`: Markdown.

Figures are built with :class:`matplotlib.figure.Figure` directly (no pyplot, no global state,
nothing shown); save them with ``fig.savefig(path)``.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd

from ..render import say
from ..render.consistency import format_hi, format_p
from ..schema import is_blank

__all__ = [
    "format_handler_effect",
    "format_inconsistency",
    "format_pairs",
    "format_period_effect",
    "funnel_plot",
    "design_power_plot",
    "similarity_agreement_plot",
]


def _cell(value: Any) -> str:
    return "" if is_blank(value) else str(value)


def _summary_table(rows: list[tuple[str, str]], reason: str) -> str:
    """A two-column Markdown table of (label, value) rows, then the plain-words conclusion."""
    return "\n".join(["| | |", "|---|---|", *(f"| {a} | {b} |" for a, b in rows), "", reason])


def _figure(figsize=(7.0, 4.5)):
    from matplotlib.figure import Figure

    fig = Figure(figsize=figsize, layout="constrained")
    return fig, fig.add_subplot()


def design_power_plot(n_handlers: Sequence[int] = (5, 7, 10, 20), *,
                      decisions_per_handler: Sequence[int] = (10, 20, 30, 50, 70, 100, 150),
                      handler_sd: float = 0.5, approval_rate: float = 0.7,
                      observed: Any = None, lang: str = "sv"):
    """How often a handler effect of ``handler_sd`` would be detected, by design (a plot).

    One line per number of handlers: :func:`kompred.consistency.design_power` (the power of the
    test as run, simulated, with its 95 % Monte Carlo band) against decisions per handler, at
    one approval rate for every decision (which ignores content, so the curves are optimistic;
    see :func:`~kompred.consistency.design_power`). ``observed``, a
    :class:`~kompred.consistency.HandlerEffectResult`, adds the analysed data's own design as a
    point and draws the curves with the same information per decision as those data (mean
    p(1 − p) under their content model) instead of ``approval_rate``.

    Returns
    -------
    matplotlib.figure.Figure
    """
    from ..consistency import design_power

    title = say("plot.power.rate", lang, rate=f"{approval_rate:.0%}")
    variance = getattr(observed, "funnel_variance", float("nan")) if observed is not None else None
    if variance is not None and math.isfinite(variance) and 0 < variance <= 0.25:
        # the same information per decision as the analysed data: r(1 - r) = mean p(1 - p)
        approval_rate = 0.5 + math.sqrt(0.25 - variance)
        approval_rate = min(approval_rate, 1 - 1e-6)
        title = say("plot.power.info", lang)
    fig, ax = _figure()
    per = [int(m) for m in decisions_per_handler]
    for h in n_handlers:
        power = [design_power([m] * int(h), handler_sd=handler_sd, approval_rate=approval_rate,
                              n_draws=2000) for m in per]
        line, = ax.plot(per, power, marker="o", ms=3, label=say("plot.power.handlers", lang, h=h))
        # the simulation's own uncertainty (95 % Wilson band)
        ax.fill_between(per, [p.ci_low for p in power], [p.ci_high for p in power],
                        color=line.get_color(), alpha=0.15, lw=0)
    ax.axhline(0.8, color="0.5", ls="--", lw=1)
    ax.text(per[0], 0.81, "80 %", color="0.4", fontsize=8, va="bottom")
    if observed is not None and math.isfinite(getattr(observed, "design_power", float("nan"))):
        x = observed.n_decisions / max(observed.n_handlers, 1)
        ax.plot([x], [observed.design_power], marker="*", ms=14, color="black", ls="none",
                label=say("plot.power.observed", lang, h=observed.n_handlers,
                          d=observed.n_decisions))
    ax.set_xlabel(say("plot.power.x", lang))
    ax.set_ylabel(say("plot.power.y", lang, sd=handler_sd))
    ax.set_ylim(0, 1)
    ax.set_title(say("plot.power.title", lang, what=title), fontsize=10)
    ax.legend(fontsize=8, loc="lower right")
    return fig


def funnel_plot(result: Any, *, limits: tuple[float, ...] = (0.95, 0.998), ax: Any = None,
                label_points: bool = True, lang: str = "sv"):
    """Funnel plot of handler approval rates from a :class:`~kompred.consistency.HandlerEffectResult`.

    x: decisions per handler; y: the handler's content-adjusted approval rate
    (overall rate + observed − content-expected); control limits
    overall ± z·sqrt(v̄ / n), v̄ = mean p(1−p) under the content model, for each level in
    ``limits`` (two-sided). Open circles show the raw observed rates.

    Returns
    -------
    matplotlib.figure.Figure
    """
    from scipy import stats

    per = result.per_handler
    if ax is None:
        fig, ax = _figure()
    else:
        fig = ax.figure
    p0 = float(result.overall_rate)
    v = float(result.funnel_variance)
    n_max = max(int(per["n"].max()) if len(per) else 10, 10)
    grid = np.linspace(1, n_max * 1.15, 300)
    ax.axhline(p0, color="0.3", lw=1, label=say("plot.funnel.overall", lang, rate=f"{p0:.0%}"))
    styles = ["--", ":", "-."]
    for i, level in enumerate(limits):
        z = stats.norm.ppf(0.5 + level / 2)
        half = z * np.sqrt(v / grid) if math.isfinite(v) else np.full_like(grid, np.nan)
        ls = styles[i % len(styles)]
        ax.plot(grid, np.clip(p0 + half, 0, 1), color="0.5", ls=ls, lw=1,
                label=say("plot.funnel.limits", lang, level=f"{level:.1%}"))
        ax.plot(grid, np.clip(p0 - half, 0, 1), color="0.5", ls=ls, lw=1)
    if len(per):
        ax.scatter(per["n"], per["observed_rate"], facecolors="none", edgecolors="tab:gray",
                   s=30, label=say("plot.funnel.raw", lang))
        ax.scatter(per["n"], per["adjusted_rate"], color="tab:blue", s=36, zorder=3,
                   label=say("plot.funnel.adjusted", lang))
        if label_points:
            for _, r in per.iterrows():
                ax.annotate(str(r["handler"]), (r["n"], r["adjusted_rate"]),
                            textcoords="offset points", xytext=(4, 3), fontsize=8)
    ax.set_xlim(0, n_max * 1.15)
    ax.set_ylim(-0.02, 1.02)
    ax.set_xlabel(say("plot.funnel.x", lang))
    ax.set_ylabel(say("plot.funnel.y", lang))
    ax.set_title(say("plot.funnel.title", lang, sd=format_hi(result.handler_sd, lang),
                     lo=format_hi(result.ci_low, lang), hi=format_hi(result.ci_high, lang),
                     p=format_p(result.p_value, lang=lang)), fontsize=10)
    ax.legend(fontsize=8, loc="lower right")
    return fig


def similarity_agreement_plot(data: pd.DataFrame, *, bins: Any = 10, ax: Any = None,
                              lang: str = "sv"):
    """Share of pairs decided alike by similarity, against the content model's expectation.

    Parameters
    ----------
    data : DataFrame
        Either pairs from ``find_divergent_pairs(..., include_agreeing=True)`` or the output
        of :func:`kompred.consistency.agreement_by_similarity`.
    bins : int or sequence
        Passed to ``agreement_by_similarity`` when ``data`` are pairs.

    Returns
    -------
    matplotlib.figure.Figure
    """
    from ..consistency import agreement_by_similarity

    table = data if "observed_same" in data.columns else agreement_by_similarity(data, bins=bins)
    t = table[table["n_pairs"] > 0]
    if ax is None:
        fig, ax = _figure()
    else:
        fig = ax.figure
    mid = (t["bin_low"] + t["bin_high"]) / 2
    # clip: at a share of exactly 0 or 1 the Wilson bound can miss it by a rounding error
    yerr = np.clip(np.vstack([t["observed_same"] - t["observed_low"],
                              t["observed_high"] - t["observed_same"]]).astype(float), 0, None)
    ax.errorbar(mid, t["observed_same"], yerr=yerr, fmt="o", color="tab:blue", capsize=3,
                label=say("plot.similarity.observed", lang))
    ax.plot(mid, t["expected_same"], "s--", color="tab:orange", ms=4,
            label=say("plot.similarity.expected", lang))
    for x, y, n in zip(mid, t["observed_same"], t["n_pairs"], strict=True):
        ax.annotate(f"n={n}", (x, y), textcoords="offset points", xytext=(0, 8), fontsize=7,
                    ha="center")
    ax.set_ylim(-0.02, 1.08)
    ax.set_xlabel(say("plot.similarity.x", lang))
    ax.set_ylabel(say("plot.similarity.y", lang))
    ax.legend(fontsize=8, loc="lower left")
    return fig


def _fmt_value(v: Any) -> str:
    if v is None or v is pd.NA or v is pd.NaT or (isinstance(v, float) and math.isnan(v)):
        return "–"
    if isinstance(v, pd.Timestamp):
        return v.date().isoformat()
    if isinstance(v, float | np.floating) and float(v).is_integer():
        return f"{int(v):,}".replace(",", " ")
    if isinstance(v, int | np.integer):
        return f"{int(v):,}".replace(",", " ")
    return str(v)


def format_pairs(pairs: pd.DataFrame, *, top: int = 10) -> str:
    """Markdown table of the top divergent pairs (differing fields shown as "a vs b")."""
    lines = ["| # | a | b | similarity | score | topic | shared words | differs |",
             "|---:|---|---|---:|---:|---|---|---|"]
    for i, r in enumerate(pairs.head(top).itertuples(index=False), start=1):
        row = r._asdict()
        who_a = f"{row['id_a']} ({row['decision_a']}"
        who_b = f"{row['id_b']} ({row['decision_b']}"
        if "handler_a" in row:
            who_a += f", {row['handler_a']}"
            who_b += f", {row['handler_b']}"
        diffs = []
        for f in [x for x in str(row.get("differing_fields") or "").split(", ") if x]:
            if f == "handler":
                continue
            diffs.append(f"{f}: {_fmt_value(row.get(f + '_a'))} vs {_fmt_value(row.get(f + '_b'))}")
        lines.append(f"| {i} | {who_a}) | {who_b}) | {row['similarity']:.2f} | "
                     f"{row['divergence_score']:.2f} | {_cell(row.get('topic'))} | "
                     f"{row.get('shared_terms') or ''} | {'; '.join(diffs)} |")
    return "\n".join(lines)


def format_handler_effect(result: Any, *, lang: str = "en") -> str:
    """Markdown summary of a :class:`~kompred.consistency.HandlerEffectResult`."""
    hi = "∞" if not math.isfinite(result.ci_high) else f"{result.ci_high:.2f}"

    def rng(pair, pct=False):
        def fa(x):
            return "∞" if not math.isfinite(x) else (f"{x:.1%}" if pct else f"{x:.2f}")

        return f"{fa(pair[0])}–{fa(pair[1])}"

    sv = lang == "sv"
    rows = [
        ("Handläggarnas spridning (SD, log-odds)" if sv else "handler SD (log-odds)",
         f"{result.handler_sd:.2f} ({result.ci_low:.2f}–{hi})"),
        ("ICC (latent skala)" if sv else "ICC (latent scale)",
         f"{result.icc:.3f} ({rng(result.icc_ci)})"),
        ("Median-oddskvot" if sv else "median odds ratio",
         f"{result.median_odds_ratio:.2f} ({rng(result.mor_ci)})"),
        ("Andel beslut som skulle ändras" if sv else "flip rate",
         f"{result.flip_rate:.1%} ({rng(result.flip_rate_ci, pct=True)})"),
        ("p-värde (permutation)" if sv else "p-value (permutation)", f"{result.p_value:.3f}"),
        ("Handläggare / beslut" if sv else "handlers / decisions",
         f"{result.n_handlers} / {result.n_decisions}"),
        ("Tillräckligt underlag" if sv else "enough data", str(result.enough_data)),
    ]
    power = getattr(result, "design_power", float("nan"))
    if math.isfinite(power):
        lo, hi = getattr(result, "design_power_ci", (float("nan"), float("nan")))
        band = f" ({lo:.0%}–{hi:.0%})" if math.isfinite(lo) and math.isfinite(hi) else ""
        rows.insert(-1, (f"Testets styrka vid spridning {result.power_sd} (simulerad)" if sv
                         else f"power of the test at SD {result.power_sd} (simulated)",
                         f"{power:.0%}{band}"))
    rule = getattr(result, "alpha", None)
    if rule is not None:
        rows.insert(-1, ("Beslutsregel" if sv else "decision rule",
                         f"handläggarberoende om p < {rule:g}" if sv
                         else f"handler dependence if p < {rule:g}"))
    return _summary_table(rows, result.reason_sv if sv else result.reason)


def format_period_effect(result: Any, *, lang: str = "en") -> str:
    """Markdown table of a :class:`~kompred.consistency.PeriodEffectResult`."""
    sv = lang == "sv"
    head = ("| period | n | beviljade | rå andel | justerad andel | log-odds mot referens |"
            if sv else "| period | n | granted | raw rate | adjusted rate | log-odds vs reference |")
    out = [head, "|---|---:|---:|---:|---:|---:|"]
    for r in result.per_period.itertuples(index=False):
        lo = "" if math.isnan(r.ci_low) else f" ({r.ci_low:+.2f} to {r.ci_high:+.2f})"
        out.append(f"| {r.period} | {r.n} | {r.n_granted} | {r.raw_rate:.0%} | "
                   f"{r.adjusted_rate:.0%} ({r.adjusted_low:.0%}–{r.adjusted_high:.0%}) | "
                   f"{r.log_odds_vs_reference:+.2f}{lo} |")
    out += ["", result.reason_sv if sv else result.reason]
    if result.n_excluded:
        out.append(
            f"{result.n_excluded} ansökningar är inte med: beslut eller period saknas (ett årtal "
            f"som 2022 går inte att placera före eller efter 2022-10-01)." if sv else
            f"{result.n_excluded} applications are not included: no decision or no period (a "
            f"year such as 2022 cannot be placed before or after 2022-10-01).")
    return "\n".join(out)


def format_inconsistency(result: Any, *, lang: str = "en") -> str:
    """Markdown summary of an :class:`~kompred.consistency.InconsistencyResult`."""
    sv = lang == "sv"

    def pct(pair):
        return f"{pair[0]:.0%}–{pair[1]:.0%}"

    rows = [
        ("Par av nästan identiska ansökningar" if sv else "near-duplicate pairs",
         f"{result.n_pairs} ({result.n_clusters} grupper)" if sv
         else f"{result.n_pairs} ({result.n_clusters} groups)"),
        ("Andel med olika beslut" if sv else "share decided differently",
         f"{result.observed_split:.0%} ({pct(result.observed_ci)})"),
        ("Väntat givet innehållet" if sv else "expected given content",
         f"{result.expected_split:.0%}"),
        ("Kvot" if sv else "ratio",
         f"{result.ratio:.2f} ({result.ratio_ci[0]:.2f}–{result.ratio_ci[1]:.2f})"),
        ("Tillräckligt underlag" if sv else "enough data", str(result.enough_data)),
    ]
    return _summary_table(rows, result.reason_sv if sv else result.reason)
