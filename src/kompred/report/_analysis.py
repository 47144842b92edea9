"""The words of ``kompred report``'s analysis part: sections, terminal lines and plots.

:func:`kompred.analyse` computes (one prepared corpus, result records); :func:`render_analysis`
writes Markdown sections, a terminal summary and plots from those results, in Swedish (default)
or English, and the records that ``tables.json`` adds (every divergent group). Each part that the
analysis skipped gets a note instead.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from ..analysis import GROUPS_SIMILARITY, PAIRS_MIN_SIMILARITY, Analysis
from ..render import check_lang, format_percent, say
from ..render.consistency import format_hi, format_p
from ..render.numbers import fill
from ..schema.values import is_missing

__all__ = ["AnalysisReport", "render_analysis"]


@dataclass
class AnalysisReport:
    sections: list[tuple[str, str]] = field(default_factory=list)  # (heading, Markdown)
    terminal: list[str] = field(default_factory=list)
    figures: list[tuple[str, object]] = field(default_factory=list)  # (file name, Figure)
    results: dict = field(default_factory=dict)
    tables: dict = field(default_factory=dict)  # JSON-ready entries that tables.json adds

    def save_figures(self, folder: Path) -> list[str]:
        import matplotlib.pyplot as plt

        names = []
        from ..privacy import redact_figure

        for name, fig in self.figures:
            redact_figure(fig)
            fig.savefig(Path(folder) / name, dpi=110)
            plt.close(fig)
            names.append(name)
        return names


def _md_table(frame: pd.DataFrame) -> str:
    head = "| " + " | ".join(map(str, frame.columns)) + " |"
    sep = "|" + "---|" * len(frame.columns)
    rows = ["| " + " | ".join(str(v).replace("|", "/") for v in r) + " |" for r in frame.itertuples(index=False)]
    return "\n".join([head, sep, *rows])


#: Ids shown per decision in one row of the report's groups table (tables.json has them all).
GROUP_IDS_SHOWN = 5
#: Words of the largest group named in its terminal line (the table shows all its top terms).
GROUP_TERMS_SAID = 3


def _group_ids(listed: str, lang: str) -> str:
    """The first :data:`GROUP_IDS_SHOWN` of a group's comma-separated ids, and how many more."""
    ids = [i for i in listed.split(", ") if i]
    more = len(ids) - GROUP_IDS_SHOWN
    return ", ".join(ids[:GROUP_IDS_SHOWN]) + (
        " " + say("report.groups.more", lang, n=more) if more > 0 else "")


def _similarity(value: float, lang: str) -> str:
    return "–" if is_missing(value) else fill("{s:.2f}", lang, s=float(value))


def _render_groups(groups: pd.DataFrame, rep: AnalysisReport, *, synthetic: bool, top: int,
                   lang: str) -> None:
    """The groups' section (the first ``top`` rows), terminal line and tables.json records."""
    rep.results["groups"] = groups
    # NaN (no mean similarity of a group too large to compare all pairs) as JSON null
    rep.tables["divergent_groups"] = {
        "similarity": float(GROUPS_SIMILARITY),
        "groups": json.loads(groups.to_json(orient="records", force_ascii=False))}
    heading, sim = say("report.groups.heading", lang), float(GROUPS_SIMILARITY)
    note = say("report.groups.synthetic", lang) if synthetic else ""
    if not len(groups):
        rep.sections.append((heading, say("report.groups.none", lang, sim=sim)))
        rep.terminal.append(say("report.groups.terminal_none", lang))
        return
    shown = groups.head(top)
    table = {
        "#": shown["group"],
        say("report.groups.col.size", lang): shown["size"],
        say("report.groups.col.min_link", lang): [_similarity(v, lang)
                                                  for v in shown["min_link_similarity"]],
        say("report.groups.col.mean", lang): [_similarity(v, lang)
                                              for v in shown["mean_similarity"]],
        say("report.groups.col.granted", lang): [_group_ids(v, lang) for v in shown["granted_ids"]],
        say("report.groups.col.rejected", lang): [_group_ids(v, lang)
                                                  for v in shown["rejected_ids"]],
    }
    if shown["handlers"].ne("").any():
        table[say("report.groups.col.handlers", lang)] = [
            f"{g} / {r}" for g, r in zip(shown["handlers_granting"], shown["handlers_rejecting"],
                                         strict=True)]
    table[say("report.groups.col.terms", lang)] = shown["top_terms"]
    body = say("report.groups.body", lang, n=len(groups), sim=sim, top=len(shown)) + "\n\n" + \
        _md_table(pd.DataFrame(table))
    rep.sections.append((heading, body + (f"\n\n_{note}_" if note else "")))
    largest = groups.loc[groups["size"].idxmax()]  # the first of the largest: most mixed
    rep.terminal.append(say("report.groups.terminal", lang, n=len(groups),
                            size=int(largest["size"]), granted=int(largest["n_granted"]),
                            rejected=int(largest["n_rejected"]),
                            terms=", ".join(largest["top_terms"].split(", ")[:GROUP_TERMS_SAID]))
                        + (f" ({note})" if note else ""))


def render_analysis(analysis: Analysis, *, provenance: str = "", synthetic: bool = False,
                    top_pairs: int = 10, top_groups: int = 10,
                    lang: str = "sv") -> AnalysisReport:
    """Sections, terminal lines and figures for the results of :func:`kompred.analyse`.

    The divergent groups' records, all of them, go to :attr:`AnalysisReport.tables` (for
    ``tables.json``); the section shows the first ``top_groups``.
    """
    from ._consistency import funnel_plot, similarity_agreement_plot

    lang = check_lang(lang)
    rep = AnalysisReport()
    if analysis.skipped.get("topics") == "no_text":
        rep.terminal.append(say("report.no_text", lang))
        return rep
    apps = analysis.corpus.table if analysis.corpus is not None else None
    topics = analysis.topics
    counts = topics["topic"].value_counts()
    rep.results["topics"] = counts.to_dict()
    body = say("report.topics.body", lang) + "\n\n" + \
        "\n".join(fill("- {k}: {v:,}", lang, k=k, v=int(v)) for k, v in counts.items())
    if apps is not None and "topic" in apps.columns and apps["topic"].notna().any():
        agree = float((topics["topic"].to_numpy() == apps["topic"].to_numpy()).mean())
        body += "\n\n" + say("report.topics.agreement", lang, share=format_percent(agree))
    rep.sections.append((say("report.topics.heading", lang), body))
    rep.terminal.append(say("report.topics.terminal", lang, counts=", ".join(
        fill("{k} {v:,}", lang, k=k, v=int(v)) for k, v in counts.items())))
    if analysis.skipped.get("pairs") == "no_decisions":
        rep.terminal.append(say("report.no_decisions", lang))
        return rep

    pairs = analysis.pairs
    rep.results["pairs"] = pairs
    titles = apps.set_index("id")["title"] if "title" in apps.columns else None
    top = pairs.head(top_pairs)
    if len(top):
        show = pd.DataFrame({
            say("report.pairs.col.similarity", lang): [_similarity(v, lang)
                                                       for v in top["similarity"]],
            "A": [f"{a} {titles.get(a, '') if titles is not None else ''} ({d})"
                  for a, d in zip(top["id_a"], top["decision_a"], strict=True)],
            "B": [f"{b} {titles.get(b, '') if titles is not None else ''} ({d})"
                  for b, d in zip(top["id_b"], top["decision_b"], strict=True)],
            say("report.pairs.col.surprise", lang): [fill("{s:.3f}", lang, s=float(v))
                                                     for v in top["divergence_score"]],
        })
        rep.sections.append((say("report.pairs.heading", lang), say(
            "report.pairs.body", lang, n=len(pairs), top=len(top),
            min_sim=float(PAIRS_MIN_SIMILARITY)) + "\n\n" + _md_table(show)))
        rep.terminal.append(say("report.pairs.terminal", lang, n=len(pairs)))
        rep.terminal += [fill("  {s:.2f}  {a}  <->  {b}", lang, s=float(sim), a=a, b=b)
                         for sim, a, b in zip(top["similarity"].head(5), show["A"].head(5),
                                              show["B"].head(5), strict=True)]
    if analysis.all_pairs is not None and len(analysis.all_pairs) >= 10:
        rep.figures.append(("likhet_och_beslut.png",
                            similarity_agreement_plot(analysis.all_pairs, bins=5, lang=lang)))
    if analysis.groups is not None:
        _render_groups(analysis.groups, rep, synthetic=synthetic, top=top_groups, lang=lang)

    he = analysis.handler
    heading = say("report.handler.heading", lang)
    if he is not None:
        rep.results["handler"] = he
        d = he.to_dict()
        reason = d["reason_sv"] if lang == "sv" else d["reason"]
        text = say("report.handler.body", lang, reason=reason,
                   sd=format_hi(d["handler_sd"], lang), lo=format_hi(d["ci_low"], lang),
                   hi=format_hi(d["ci_high"], lang), flip=format_percent(d["flip_rate"]),
                   p=format_p(d["p_value"], lang=lang),
                   enough=say("yes" if d["enough_data"] else "no", lang),
                   handlers=d["n_handlers"], decisions=d["n_decisions"])
        if provenance:
            text += f"\n\n_{provenance} {say('report.handler.pseudonyms', lang)}_"
        rep.sections.append((heading, text))
        rep.terminal.append(say("report.handler.terminal", lang, reason=reason) + (
            say("report.handler.synthetic", lang) if synthetic else ""))
        rep.figures.append(("handlaggare_tratt.png", funnel_plot(he, lang=lang)))
    elif analysis.skipped.get("handler") not in (None, "no_handler", "no_text", "no_decisions"):
        error = analysis.skipped["handler"]
        rep.sections.append((heading, say("report.handler.cannot", lang, error=error)))
        rep.terminal.append(say("report.handler.cannot_terminal", lang, error=error))
    pe = analysis.period
    if pe is not None:
        rep.results["period"] = pe
        reason = pe.to_dict()["reason_sv" if lang == "sv" else "reason"]
        rep.sections.append((say("report.period.heading", lang), reason))
        rep.terminal.append(say("report.period.terminal", lang, reason=reason))
    elif analysis.skipped.get("period") not in (None, "no_text", "no_decisions"):
        rep.terminal.append(say("report.period.cannot_terminal", lang,
                                error=analysis.skipped["period"]))
    if analysis.notes:
        rep.sections.append((say("report.notes.heading", lang),
                             "\n".join(f"- {n}" for n in analysis.notes)))
    return rep
