"""The analysis part of ``kompred report``: topics, divergent pairs, handler and period effects.

Runs the library's analyses on a table of decisions and formats them (Markdown sections, a terminal
summary, plots). Each part is skipped, with a note, when the table lacks what it needs.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from ..consistency import find_divergent_pairs, handler_effect, period_effect
from ..exceptions import KompredError, KompredWarning
from ..schema import DECIDED

__all__ = ["AnalysisReport", "analyse"]


@dataclass
class AnalysisReport:
    sections: list[tuple[str, str]] = field(default_factory=list)  # (heading, Markdown)
    terminal: list[str] = field(default_factory=list)
    figures: list[tuple[str, object]] = field(default_factory=list)  # (file name, Figure)
    results: dict = field(default_factory=dict)

    def save_figures(self, folder: Path) -> list[str]:
        import matplotlib.pyplot as plt

        names = []
        for name, fig in self.figures:
            fig.savefig(Path(folder) / name, dpi=110)
            plt.close(fig)
            names.append(name)
        return names


def _md_table(frame: pd.DataFrame) -> str:
    head = "| " + " | ".join(map(str, frame.columns)) + " |"
    sep = "|" + "---|" * len(frame.columns)
    rows = ["| " + " | ".join(str(v).replace("|", "/") for v in r) + " |" for r in frame.itertuples(index=False)]
    return "\n".join([head, sep, *rows])


def analyse(apps: pd.DataFrame, *, provenance: str = "", synthetic: bool = False,
            top_pairs: int = 10) -> AnalysisReport:
    """Run the topic, pair, handler and period analyses that the table supports."""
    from ._consistency import funnel_plot, similarity_agreement_plot

    rep = AnalysisReport()
    has_text = "description" in apps.columns and apps["description"].fillna("").str.strip().ne("").any()
    decided = apps["decision"].isin(DECIDED) if "decision" in apps.columns else None
    if not has_text:
        rep.terminal.append("Ingen text i tabellen: ämnen och lika ansökningar hoppas över.")
        return rep

    from ..modeling.topic import load_default_topic_model

    topics = load_default_topic_model().predict_details(apps)
    counts = topics["topic"].value_counts()
    rep.results["topics"] = counts.to_dict()
    body = "Ämnen enligt kompreds ämnesmodell (alla ansökningar):\n\n" + \
        "\n".join(f"- {k}: {int(v)}" for k, v in counts.items())
    if "topic" in apps.columns and apps["topic"].notna().any():
        agree = float((topics["topic"].to_numpy() == apps["topic"].to_numpy()).mean())
        body += (f"\n\nSamma ämne som tabellens egen ämneskolumn: {agree:.0%} av raderna (den medföljande "
                 "modellen har tränats på den medföljande datan, så det här är samstämmighet, inte kvalitet).")
    rep.sections.append(("Ämnen", body))
    rep.terminal.append("Ämnen (modellen): " + ", ".join(f"{k} {int(v)}" for k, v in counts.items()))

    if decided is None or decided.sum() < 2:
        rep.terminal.append("Inga beslut i tabellen: avvikande beslut och handläggareffekt hoppas över.")
        return rep
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", KompredWarning)
        pairs = find_divergent_pairs(apps)
        rep.results["pairs"] = pairs
        titles = apps.set_index("id")["title"] if "title" in apps.columns else None
        top = pairs.head(top_pairs)
        if len(top):
            show = pd.DataFrame({
                "likhet": top["similarity"].round(2),
                "A": [f"{a} {titles.get(a, '') if titles is not None else ''} ({d})"
                      for a, d in zip(top["id_a"], top["decision_a"], strict=True)],
                "B": [f"{b} {titles.get(b, '') if titles is not None else ''} ({d})"
                      for b, d in zip(top["id_b"], top["decision_b"], strict=True)],
                "överraskning": top["divergence_score"].round(3),
            })
            rep.sections.append(("Lika ansökningar med olika beslut",
                                 f"{len(pairs)} par med olika beslut och likhet ≥ 0,5; de {len(top)} mest "
                                 "överraskande givet innehållet:\n\n" + _md_table(show)))
            rep.terminal.append(f"Lika ansökningar med olika beslut: {len(pairs)} par; mest överraskande:")
            rep.terminal += [f"  {r.likhet:.2f}  {r.A}  <->  {r.B}" for r in show.head(5).itertuples()]
        all_pairs = find_divergent_pairs(apps, include_agreeing=True, min_similarity=0.3)
        if len(all_pairs) >= 10:
            rep.figures.append(("likhet_och_beslut.png", similarity_agreement_plot(all_pairs, bins=5)))

        if "handler" in apps.columns and apps.loc[decided, "handler"].notna().any():
            try:
                he = handler_effect(apps)
                rep.results["handler"] = he
                d = he.to_dict()
                text = (f"{d['reason_sv']}\n\n- spridning mellan handläggare (SD, log-odds): {d['handler_sd']:.2f} "
                        f"(95 % intervall {d['ci_low']:.2f}–{d['ci_high']:.2f})\n- andel beslut som sannolikt "
                        f"skulle bli annorlunda med en annan handläggare: {d['flip_rate']:.0%}\n"
                        f"- permutationstest p = {d['p_value']:.3f}\n- tillräckligt med data: "
                        f"{'ja' if d['enough_data'] else 'nej'} ({d['n_handlers']} handläggare, "
                        f"{d['n_decisions']} beslut)")
                if provenance:
                    text += f"\n\n_{provenance} Handläggarna är pseudonymer._"
                rep.sections.append(("Beror besluten på handläggaren?", text))
                rep.terminal.append("Handläggare: " + d["reason_sv"] + (
                    " (Syntetiska poster: säger inget om verkliga handläggare.)" if synthetic else ""))
                rep.figures.append(("handlaggare_tratt.png", funnel_plot(he)))
            except KompredError as exc:
                rep.sections.append(("Beror besluten på handläggaren?", f"Kan inte skattas: {exc}"))
                rep.terminal.append(f"Handläggare: kan inte skattas ({exc})")
        try:
            pe = period_effect(apps)
            rep.results["period"] = pe
            rep.sections.append(("Spelar tidpunkten roll?", pe.to_dict()["reason_sv"]))
            rep.terminal.append("Period: " + pe.to_dict()["reason_sv"])
        except KompredError as exc:
            rep.terminal.append(f"Period: kan inte skattas ({exc})")
    notes = sorted({str(w.message) for w in caught if issubclass(w.category, KompredWarning)})
    if notes:
        rep.sections.append(("Förbehåll", "\n".join(f"- {n}" for n in notes)))
    return rep
