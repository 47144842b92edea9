"""The seed report's tables rebuilt from application records, with plots and a summary.

:func:`seed_tables` computes (it never prints); :func:`format_summary`, :func:`write_report` and
the plot functions format.
"""

from __future__ import annotations

import html
import json
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path

import numpy as np
import pandas as pd

from ..exceptions import SchemaError
from ..render.numbers import fill, format_sek
from ..schema import DECISIONS, GRANTED, REJECTED, UNKNOWN
from ..text.pii import redact_personnummer

__all__ = ["SeedTables", "format_summary", "published_comparison", "seed_tables", "write_report"]

DECISION_ORDER = DECISIONS


@dataclass(frozen=True)
class SeedTables:
    """Aggregates of a table of applications, as in Stockholm stad's report."""

    per_unit_year: pd.DataFrame  # units × years, counts, plus a "Totalt" column
    decisions: dict[str, int]
    topic_counts_granted: dict[str, int]
    decisions_per_year: pd.DataFrame
    costs: pd.DataFrame  # one row per decision: n, cost sum/median, granted sum, cost per participant
    n_applications: int
    source: str | None = None
    discrepancies: tuple[str, ...] = field(default=())

    def to_json_dict(self) -> dict:
        """The JSON document of ``kompred report --json`` (years as strings)."""
        years = [c for c in self.per_unit_year.columns if c != "Totalt"]
        per_unit = {str(u): {str(y): int(self.per_unit_year.loc[u, y]) for y in years}
                    for u in self.per_unit_year.index}
        return {
            "applications_per_unit_and_year": per_unit,
            "topic_counts_granted": {k: int(v) for k, v in self.topic_counts_granted.items()},
            "decisions": {k: int(v) for k, v in self.decisions.items()},
            "n_applications": int(self.n_applications),
            "costs_sek": {d: {k: (None if pd.isna(v) else float(v)) for k, v in row.items()}
                          for d, row in self.costs.to_dict("index").items()},
            "discrepancies_with_published_report": list(self.discrepancies),
        }


def seed_tables(apps: pd.DataFrame, *, source: str | None = None) -> SeedTables:
    """Rebuild the seed report's tables from application records.

    Parameters
    ----------
    apps : pandas.DataFrame
        Canonical application table (:func:`kompred.read_applications`). Uses ``unit``,
        ``submitted``, ``decision``, ``topic``, ``cost_sek``, ``granted_sek`` and ``participants``
        where present.

    Examples
    --------
    >>> from kompred import load_stockholm
    >>> t = seed_tables(load_stockholm())
    >>> t.decisions
    {'beviljad': 53, 'avslag': 20}
    >>> int(t.per_unit_year["Totalt"].sum())
    73
    """
    if "submitted" not in apps.columns:
        raise SchemaError("seed_tables needs a 'submitted' date column (Inskickad/Ansökningsdatum) to "
                          f"count applications per year; the table has {list(apps.columns)}")
    unit = apps["unit"].fillna("(okänd förvaltning)") if "unit" in apps.columns else \
        pd.Series("(alla)", index=apps.index)
    year = apps["submitted"].dt.year.astype("Int64").astype(str).replace("<NA>", "okänt år")
    per = pd.crosstab(unit.rename("Förvaltning"), year.rename("År"))
    per = per.reindex(sorted(per.columns), axis=1)
    per.columns = [str(c) for c in per.columns]
    per.columns.name = None
    per["Totalt"] = per.sum(axis=1)
    per = per.sort_index(key=lambda s: s.str.lower())

    decision = apps["decision"].fillna(UNKNOWN) if "decision" in apps.columns else \
        pd.Series(UNKNOWN, index=apps.index)
    counts = decision.value_counts()
    decisions = {d: int(counts[d]) for d in DECISION_ORDER if counts.get(d, 0) > 0}
    dpy = pd.crosstab(year.rename("År"), decision.rename("Beslut"))
    dpy = dpy[[d for d in DECISION_ORDER if d in dpy.columns]]
    dpy.columns.name = None

    topics: dict[str, int] = {}
    if "topic" in apps.columns:
        granted_topics = apps.loc[decision == GRANTED, "topic"].fillna("(saknas)")
        topics = {str(k): int(v) for k, v in granted_topics.value_counts().sort_index().items()}

    rows = {}
    for d in DECISION_ORDER:
        sel = decision == d
        if not sel.any():
            continue
        cost = apps.loc[sel, "cost_sek"] if "cost_sek" in apps.columns else pd.Series(dtype=float)
        part = apps.loc[sel, "participants"].astype("float64") if "participants" in apps.columns \
            else pd.Series(np.nan, index=cost.index)
        per_p = (cost / part.where(part > 0)) if len(cost) else pd.Series(dtype=float)
        rows[d] = {
            "n": int(sel.sum()),
            "cost_sum": float(cost.sum()) if len(cost) else np.nan,
            "cost_median": float(cost.median()) if cost.notna().any() else np.nan,
            "granted_sum": float(apps.loc[sel, "granted_sek"].sum())
            if "granted_sek" in apps.columns and d == GRANTED else np.nan,
            "cost_per_participant_median": float(per_p.median()) if per_p.notna().any() else np.nan,
        }
    costs = pd.DataFrame.from_dict(rows, orient="index")
    source = source or apps.attrs.get("source")
    tables = SeedTables(per, decisions, topics, dpy, costs, len(apps), source)
    return SeedTables(**{**tables.__dict__, "discrepancies": tuple(published_comparison(tables, apps))})


def _published() -> dict:
    text = (resources.files("kompred") / "_data" / "stockholm_published.json").read_text("utf-8")
    return json.loads(text)


def published_comparison(tables: SeedTables, apps: pd.DataFrame) -> list[str]:
    """Where Stockholm's published report disagrees with the records (only for Stockholm 2021–2023).

    Compares the printed row totals with the sums of the year columns rebuilt from records, and the
    printed money figures with each other, so the reader sees which printed figures cannot hold.
    """
    pub = _published()
    if "employer" not in apps.columns or not (apps["employer"] == pub["employer"]).all():
        return []
    years = {"2021", "2022", "2023"}
    if not set(tables.per_unit_year.columns) - {"Totalt"} <= years:
        return []
    out = []
    for unit, row in pub["applications_per_unit_and_year"].items():
        arith = row["2021"] + row["2022"] + row["2023"]
        rebuilt = int(tables.per_unit_year["Totalt"].get(unit, 0))
        if row["total_printed"] != arith:
            out.append(f"{unit}: rapporten anger totalt {row['total_printed']}, men årskolumnerna "
                       f"summerar till {arith}; posterna ger {rebuilt}.")
    printed_sum = sum(r["total_printed"] for r in pub["applications_per_unit_and_year"].values())
    if printed_sum != pub["totals_printed"]["total"]:
        out.append(f"Rapportens radsummor blir {printed_sum}, dess totalsumma är "
                   f"{pub['totals_printed']['total']}; posterna ger {tables.n_applications}.")
    m = pub["money_sek"]
    gap = m["applied_total"] - m["granted_total"]
    if abs(gap - m["rejected_total_approx"]) > 0.05 * m["rejected_total_approx"]:
        out.append(f"Pengar: sökt {format_sek(m['applied_total'])} − beviljat {format_sek(m['granted_total'])}"
                   f" = {format_sek(gap)}, men rapporten anger ca {format_sek(m['rejected_total_approx'])} "
                   "som inte beviljades; båda kan inte stämma.")
    return out


# ----------------------------------------------------------------------------- formatting
def _text_table(frame: pd.DataFrame, index_name: str) -> str:
    f = frame.copy()
    f.index.name = index_name
    return f.to_string()


def format_summary(tables: SeedTables, *, provenance: str | None = None) -> str:
    """A readable plain-text summary for the terminal."""
    lines = [f"kompred report: {tables.source or 'table'} ({tables.n_applications} ansökningar)"]
    if provenance:
        lines.append(provenance)
    lines += ["", "Ansökningar per förvaltning och år", _text_table(tables.per_unit_year, "Förvaltning"),
              "", "Beslut: " + ", ".join(fill("{k} {v:,}", "sv", k=k, v=v)
                                          for k, v in tables.decisions.items())]
    if tables.topic_counts_granted:
        lines += ["Ämnen, beviljade insatser: "
                  + ", ".join(fill("{k} {v:,}", "sv", k=k, v=v)
                              for k, v in tables.topic_counts_granted.items())
                  + fill(" (summa {v:,})", "sv", v=sum(tables.topic_counts_granted.values()))]
    if not tables.costs.empty:
        lines.append("Kostnader: " + "; ".join(
            f"{d}: sökt {format_sek(r.cost_sum)}" + (f", beviljat {format_sek(r.granted_sum)}"
                                                  if not pd.isna(r.granted_sum) else "")
            + f", median per deltagare {format_sek(r.cost_per_participant_median)}"
            for d, r in tables.costs.iterrows()))
    if tables.discrepancies:
        lines += ["", "Här går den publicerade rapporten inte ihop (posterna gäller):"]
        lines += [f"  - {d}" for d in tables.discrepancies]
    return "\n".join(lines)


def _plots(tables: SeedTables, folder: Path, provenance: str) -> list[tuple[str, str]]:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    made = []

    from matplotlib.ticker import MaxNLocator

    from ..privacy import redact_figure

    def finish(fig, name: str, title: str) -> None:
        for ax in fig.axes:
            ax.xaxis.set_major_locator(MaxNLocator(integer=True)) if ax.get_xlabel().startswith("Antal") \
                else ax.yaxis.set_major_locator(MaxNLocator(integer=True))
        fig.text(0.01, 0.005, provenance, fontsize=7, color="0.35", ha="left", va="bottom")
        fig.tight_layout(rect=(0, 0.04, 1, 1))
        redact_figure(fig)
        fig.savefig(folder / name, dpi=110)
        plt.close(fig)
        made.append((name, title))

    per = tables.per_unit_year.drop(columns="Totalt")
    fig, ax = plt.subplots(figsize=(8, 0.35 * len(per) + 1.8))
    left = np.zeros(len(per))
    colors = plt.get_cmap("tab10")
    for i, year in enumerate(per.columns):
        ax.barh(per.index, per[year], left=left, label=year, color=colors(i))
        left += per[year].to_numpy()
    ax.invert_yaxis()
    ax.set_xlabel("Antal ansökningar")
    ax.set_title("Ansökningar per förvaltning och år")
    ax.legend(title="År", loc="lower right")
    finish(fig, "ansokningar_per_forvaltning.png", "Ansökningar per förvaltning och år")

    dpy = tables.decisions_per_year
    fig, ax = plt.subplots(figsize=(6, 3.6))
    bottom = np.zeros(len(dpy))
    palette = {GRANTED: "#2a9d8f", REJECTED: "#e76f51", UNKNOWN: "#adb5bd"}
    for d in dpy.columns:
        ax.bar(dpy.index.astype(str), dpy[d], bottom=bottom, label=d, color=palette.get(d))
        bottom += dpy[d].to_numpy()
    ax.set_ylabel("Antal ansökningar")
    ax.set_title("Beslut per år")
    ax.legend()
    finish(fig, "beslut_per_ar.png", "Beslut per år")

    if tables.topic_counts_granted:
        t = pd.Series(tables.topic_counts_granted).sort_values()
        fig, ax = plt.subplots(figsize=(6, 0.4 * len(t) + 1.5))
        ax.barh(t.index, t.to_numpy(), color="#264653")
        for y, v in enumerate(t.to_numpy()):
            ax.text(v + 0.1, y, str(v), va="center")
        ax.set_xlabel("Antal beviljade insatser")
        ax.set_title("Ämnen för beviljade insatser")
        finish(fig, "amnen_beviljade.png", "Ämnen för beviljade insatser")
    return made


def write_report(apps: pd.DataFrame, folder: str | Path, *, tables: SeedTables | None = None,
                 provenance: str | None = None, extra_sections: list[tuple[str, str]] | None = None,
                 extra_tables: dict | None = None) -> Path:
    """Write plots (PNG), ``rapport.md``, ``rapport.html`` and ``tables.json`` into ``folder``.

    ``extra_sections`` are (heading, Markdown body) pairs appended after the seed tables;
    ``extra_tables`` are JSON-ready entries added to ``tables.json`` after the seed tables' (the
    divergent groups: :attr:`AnalysisReport.tables`).
    """
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    tables = tables or seed_tables(apps)
    provenance = provenance or f"Källa: {tables.source or 'tabell'}"
    plots = _plots(tables, folder, provenance)
    md = [f"# kompred-rapport: {Path(tables.source).name if tables.source else 'ansökningar'}", "",
          f"_{provenance}_", "", f"{tables.n_applications} ansökningar.", "",
          "## Ansökningar per förvaltning och år", "", tables.per_unit_year.to_markdown()
          if _has_tabulate() else "```\n" + _text_table(tables.per_unit_year, "Förvaltning") + "\n```",
          "", "## Beslut", ""]
    md += [f"- {k}: {v}" for k, v in tables.decisions.items()]
    if tables.topic_counts_granted:
        md += ["", "## Ämnen för beviljade insatser", ""]
        md += [f"- {k}: {v}" for k, v in tables.topic_counts_granted.items()]
    if not tables.costs.empty:
        md += ["", "## Kostnader", "", "| beslut | antal | sökt summa | beviljat summa | median per deltagare |",
               "|---|---:|---:|---:|---:|"]
        md += [f"| {d} | {int(r.n)} | {format_sek(r.cost_sum)} | {format_sek(r.granted_sum)} | "
               f"{format_sek(r.cost_per_participant_median)} |" for d, r in tables.costs.iterrows()]
    if tables.discrepancies:
        md += ["", "## Avvikelser mot den publicerade rapporten", ""]
        md += [f"- {d}" for d in tables.discrepancies]
    for heading, body in extra_sections or []:
        md += ["", f"## {heading}", "", body]
    md += ["", "## Diagram", ""] + [f"![{title}]({name})" for name, title in plots]
    # the sections may quote titles, units or providers: no personnummer in any written file
    text = redact_personnummer("\n".join(md) + "\n")
    (folder / "rapport.md").write_text(text, encoding="utf-8")
    (folder / "rapport.html").write_text(_markdown_to_html(text), encoding="utf-8")
    (folder / "tables.json").write_text(
        redact_personnummer(json.dumps({**tables.to_json_dict(), **(extra_tables or {})},
                                       ensure_ascii=False, indent=2))
        + "\n", encoding="utf-8")
    return folder


def _has_tabulate() -> bool:
    try:
        import tabulate  # noqa: F401
    except ImportError:
        return False
    return True


def _markdown_to_html(md: str) -> str:
    """A small Markdown-to-HTML converter for the report's own Markdown (headings, lists, tables,
    images, code blocks); enough to open the report in a browser without extra dependencies."""
    out, in_list, in_code, table = [], False, False, []

    def flush_table():
        if not table:
            return
        rows = [r.strip().strip("|").split("|") for r in table if not set(r.strip()) <= set("|-: ")]
        out.append("<table>")
        for i, cells in enumerate(rows):
            tag = "th" if i == 0 else "td"
            out.append("<tr>" + "".join(f"<{tag}>{html.escape(c.strip())}</{tag}>" for c in cells) + "</tr>")
        out.append("</table>")
        table.clear()

    for line in md.splitlines():
        if line.startswith("```"):
            out.append("</pre>" if in_code else "<pre>")
            in_code = not in_code
            continue
        if in_code:
            out.append(html.escape(line))
            continue
        if line.startswith("|"):
            table.append(line)
            continue
        flush_table()
        if line.startswith("- "):
            if not in_list:
                out.append("<ul>")
                in_list = True
            out.append(f"<li>{html.escape(line[2:])}</li>")
            continue
        if in_list:
            out.append("</ul>")
            in_list = False
        if line.startswith("#"):
            level = len(line) - len(line.lstrip("#"))
            out.append(f"<h{level}>{html.escape(line[level:].strip())}</h{level}>")
        elif line.startswith("!["):
            alt, src = line[2:].split("](", 1)
            out.append(f'<p><img src="{html.escape(src.rstrip(")"))}" alt="{html.escape(alt)}"></p>')
        elif line.startswith("_") and line.endswith("_"):
            out.append(f"<p><em>{html.escape(line.strip('_'))}</em></p>")
        elif line.strip():
            out.append(f"<p>{html.escape(line)}</p>")
    flush_table()
    if in_list:
        out.append("</ul>")
    style = ("body{font-family:system-ui,sans-serif;max-width:60rem;margin:2rem auto;padding:0 1rem}"
             "table{border-collapse:collapse}td,th{border:1px solid #ccc;padding:.2rem .5rem}"
             "img{max-width:100%}pre{background:#f5f5f5;padding:.5rem;overflow:auto}")
    return ("<!doctype html><html lang=\"sv\"><head><meta charset=\"utf-8\"><title>kompred-rapport</title>"
            f"<style>{style}</style></head><body>\n" + "\n".join(out) + "\n</body></html>\n")
