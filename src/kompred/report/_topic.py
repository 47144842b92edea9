"""Formatting of topic-classifier evaluations: terminal tables, Markdown, JSON and plots.

:func:`kompred.modeling.topic.evaluation.evaluate_topics` computes; this module only formats:
:func:`format_topic_evaluation` (terminal), :func:`topic_evaluation_markdown`,
:func:`plot_confusion_matrices` (PNG) and :func:`write_topic_evaluation` (a folder with all of it).
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd

__all__ = ["format_topic_evaluation", "plot_confusion_matrices", "topic_evaluation_markdown",
           "write_topic_evaluation"]

_SHORT = {"model": "TopicClassifier", "keywords": "Keyword rules", "word_tfidf": "Word TF-IDF + LR"}


def _ci(value: float, ci: tuple[float, float]) -> str:
    if value is None or not np.isfinite(value):
        return "–"
    if ci is None or not all(np.isfinite(ci)):
        return f"{value:.3f}"
    return f"{value:.3f} [{ci[0]:.3f}, {ci[1]:.3f}]"


def _method_table(scores: dict, labels: dict) -> pd.DataFrame:
    rows = {}
    for m, s in scores.items():
        rows[labels.get(m, m)] = {"macro-F1 [95 % CI]": _ci(s.macro_f1, s.macro_f1_ci),
                                  "accuracy [95 % CI]": _ci(s.accuracy, s.accuracy_ci)}
    frame = pd.DataFrame.from_dict(rows, orient="index")
    frame.index.name = "method"
    return frame


def _topic_table(scores: dict) -> pd.DataFrame:
    """One row per topic and method: n, precision [CI], recall [CI], F1."""
    rows = []
    for topic in next(iter(scores.values())).per_topic.index:
        for m, s in scores.items():
            r = s.per_topic.loc[topic]
            rows.append({"topic": topic, "method": _SHORT.get(m, m), "n": int(r["support"]),
                         "precision [95 % CI]": _ci(r["precision"], (r["precision_lo"], r["precision_hi"])),
                         "recall [95 % CI]": _ci(r["recall"], (r["recall_lo"], r["recall_hi"])),
                         "F1": _ci(r["f1"], None)})
    return pd.DataFrame(rows).set_index(["topic", "method"])


def _group_table(scores: dict) -> pd.DataFrame | None:
    """Per group (style or source): n and macro-F1 [CI] for every method."""
    first = next(iter(scores.values()))
    if first.per_group is None:
        return None
    out = pd.DataFrame({"n": first.per_group["n"].astype(int)})
    for m, s in scores.items():
        g = s.per_group
        out[f"{_SHORT.get(m, m)} macro-F1"] = [
            _ci(v, (lo, hi)) for v, lo, hi in zip(g.macro_f1, g.macro_f1_lo, g.macro_f1_hi, strict=True)]
    order = ["title", "form", "long", "typo", "abbrev", "borderline"]
    if set(out.index) <= set(order):
        out = out.loc[[o for o in order if o in out.index]]
    return out


def _labels(ev) -> dict:
    from ..modeling.topic.evaluation import METHOD_LABELS

    return METHOD_LABELS


def _sections(ev) -> list[tuple[str, str, pd.DataFrame | None]]:
    """(heading, note, table) triples shared by the terminal and Markdown output."""
    labels = _labels(ev)
    out = []
    if ev.cv is not None:
        d = ev.cv_design
        note = (f"{d['n_repeats']}×{d['n_splits']} repeated stratified cross-validation over "
                f"{d['n_items']} items: {d['n_taxonomy_examples']} taxonomy examples + "
                f"{d['n_labelled_applications']} labelled applications ({d['labelled_source']}); "
                f"{d['always_in_training']} are always in training. 95 % CIs: bootstrap over items "
                f"({ev.n_bootstrap} resamples). The keyword lists were written from the same "
                "examples, so the keyword rules look better on the taxonomy examples than on texts "
                "nobody tuned them to.")
        out.append(("Cross-validation", note, _method_table(ev.cv, labels)))
        out.append(("Cross-validation per topic (precision and recall)", "", _topic_table(ev.cv)))
        out.append(("Cross-validation per source (macro-F1)", "", _group_table(ev.cv)))
    if ev.heldout is not None:
        h = ev.heldout_info
        trained = (f"the classifier and the baselines are trained on the taxonomy + {h['labelled_source']}"
                   if h.get("model_source", "").startswith("trained") else
                   f"the classifier is the given fitted model; the baselines are trained on the "
                   f"taxonomy + {h['labelled_source']}")
        dropped = h.get("excluded_in_training", 0)
        dropped_note = (f" {dropped} of the file's {h.get('rows_read', h['rows'] + dropped)} "
                        f"texts are also in the training material and are not scored."
                        if dropped else "")
        note = (f"{h['file']}: {h['rows']} texts never used for training or tuning;{dropped_note} "
                f"{trained}. "
                f"Scored on the first-ranked topic. At "
                f"threshold {h['threshold']:.2f}, {h['share_osaker']:.1%} would be 'osäker'; the "
                f"rest are {h['accuracy_when_not_osaker']:.1%} correct (mean confidence "
                f"{h['mean_confidence']:.3f}).")
        out.append(("Held-out", note, _method_table(ev.heldout, labels)))
        out.append(("Held-out per topic (precision and recall)", "", _topic_table(ev.heldout)))
        group = _group_table(ev.heldout)
        if group is not None:
            out.append(("Held-out per style (macro-F1)", "", group))
    return out


def format_topic_evaluation(ev) -> str:
    """A readable plain-text report of a :class:`~kompred.modeling.topic.evaluation.TopicEvaluation`."""
    lines = [f"kompred evaluate: topic classifier, taxonomy {ev.taxonomy_id} v{ev.taxonomy_version} "
             f"({len(ev.topics)} topics: {', '.join(ev.topics)})"]
    with pd.option_context("display.width", 250, "display.max_columns", 20,
                           "display.max_colwidth", 40):
        for heading, note, table in _sections(ev):
            if table is None:
                continue
            lines += ["", heading, "-" * len(heading)]
            if note:
                lines.append(note)
            lines.append(table.to_string())
    lines.append(f"\n({ev.seconds:.0f} s)")
    return "\n".join(lines)


def _md_table(frame: pd.DataFrame) -> str:
    names = [n or "" for n in frame.index.names]
    cols = [*names, *map(str, frame.columns)]
    rows = ["| " + " | ".join(cols) + " |", "|" + "---|" * len(cols)]
    for key, row in frame.iterrows():
        keys = key if isinstance(key, tuple) else (key,)
        rows.append("| " + " | ".join([*(str(k) for k in keys), *(str(v) for v in row.to_numpy())]) + " |")
    return "\n".join(rows)


def topic_evaluation_markdown(ev, *, plots: list[str] | None = None) -> str:
    """The evaluation as a Markdown document (tables, and links to the plots if given)."""
    lines = [f"# Topic classifier evaluation: {ev.taxonomy_id} v{ev.taxonomy_version}", "",
             f"Topics: {', '.join(f'`{t}`' for t in ev.topics)}.", ""]
    for heading, note, table in _sections(ev):
        if table is None:
            continue
        lines += [f"## {heading}", ""]
        if note:
            lines += [note, ""]
        lines += [_md_table(table), ""]
    for p in plots or []:
        lines += [f"![{Path(p).stem}]({Path(p).name})", ""]
    return "\n".join(lines)


def plot_confusion_matrices(scores: dict, path: str | Path, *, title: str) -> Path:
    """One row-normalized confusion-matrix panel per method, counts in the cells; saved as PNG."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    path = Path(path)
    n = len(scores)
    fig, axes = plt.subplots(1, n, figsize=(4.6 * n, 4.4), squeeze=False)
    for ax, (m, s) in zip(axes[0], scores.items(), strict=True):
        cm = s.confusion
        counts = cm.to_numpy(dtype=float)
        share = counts / np.clip(counts.sum(axis=1, keepdims=True), 1, None)
        ax.imshow(share, cmap="Blues", vmin=0, vmax=1)
        for i in range(counts.shape[0]):
            for j in range(counts.shape[1]):
                if counts[i, j]:
                    ax.text(j, i, f"{int(counts[i, j])}", ha="center", va="center", fontsize=8,
                            color="white" if share[i, j] > 0.6 else "black")
        ax.set_xticks(range(cm.shape[1]), [str(c) for c in cm.columns], rotation=45, ha="right")
        ax.set_yticks(range(cm.shape[0]), [str(c) for c in cm.index])
        ax.set_xlabel("predicted")
        ax.set_ylabel("true")
        ax.set_title(f"{_SHORT.get(m, m)}\nmacro-F1 {s.macro_f1:.3f}", fontsize=10)
    fig.suptitle(title, fontsize=11)
    fig.tight_layout()
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, dpi=110)
    plt.close(fig)
    return path


def write_topic_evaluation(ev, folder: str | Path) -> list[Path]:
    """Write ``topic_evaluation.md``, ``topic_evaluation.json`` and confusion-matrix PNGs."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    if ev.cv is not None:
        d = ev.cv_design
        written.append(plot_confusion_matrices(
            ev.cv, folder / "topic_confusion_cv.png",
            title=f"Cross-validation ({d['n_repeats']}×{d['n_splits']}, counts summed over repeats)"))
    if ev.heldout is not None:
        written.append(plot_confusion_matrices(
            ev.heldout, folder / "topic_confusion_heldout.png",
            title=f"Held-out: {Path(ev.heldout_info['file']).name} ({ev.heldout_info['rows']} texts)"))
    md = folder / "topic_evaluation.md"
    md.write_text(topic_evaluation_markdown(ev, plots=[str(p) for p in written]) + "\n", encoding="utf-8")
    js = folder / "topic_evaluation.json"
    js.write_text(json.dumps(ev.to_json_dict(), ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    return [md, js, *written]
