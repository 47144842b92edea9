"""The analyses behind ``kompred report``, as numbers: topics, divergent pairs and groups, handler
and period.

:func:`analyse` prepares the table once (:func:`kompred.prepare`) and runs every analysis the
table supports on that one :class:`~kompred.corpus.Corpus`. It returns an :class:`Analysis` of
result records and codes; words, tables and plots are written by the report
(:func:`kompred.report.render_analysis`), in Swedish or English.

Examples
--------
>>> import kompred
>>> result = kompred.analyse(kompred.load_stockholm())
>>> sorted(result.done)
['groups', 'handler', 'pairs', 'period', 'topics']
>>> dict(result.corpus.counts)["content_model"]
1
"""

from __future__ import annotations

import warnings
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from .consistency import find_divergent_groups, find_divergent_pairs, handler_effect, period_effect
from .consistency.results import HandlerEffectResult, PeriodEffectResult
from .corpus import Corpus, as_corpus
from .exceptions import KompredError, KompredWarning
from .render.numbers import fill
from .schema import DECIDED

__all__ = ["Analysis", "analyse"]

#: Pairs below this similarity are kept only for the similarity-against-agreement plot.
PLOT_MIN_SIMILARITY = 0.3
#: Split pairs at or above this similarity are reported as divergent.
PAIRS_MIN_SIMILARITY = 0.5
#: Divergent groups are single-linkage clusters of links at or above this similarity.
GROUPS_SIMILARITY = 0.7


#: Rows per call of the topic model: its matrices for 100,000 texts at once grew the process by
#: 1.8 GB. Its predictions are row by row, so the chunks give the same table.
TOPIC_CHUNK_ROWS = 20_000


def _topics(table: pd.DataFrame) -> pd.DataFrame:
    """The default topic model's details of every row, in chunks of TOPIC_CHUNK_ROWS."""
    from .modeling.topic import load_default_topic_model

    model = load_default_topic_model()
    if len(table) <= TOPIC_CHUNK_ROWS:
        return model.predict_details(table)
    return pd.concat([model.predict_details(table.iloc[s:s + TOPIC_CHUNK_ROWS])
                      for s in range(0, len(table), TOPIC_CHUNK_ROWS)])


@dataclass
class Analysis:
    """What :func:`analyse` found, as result records (no words).

    Attributes
    ----------
    corpus : Corpus or None
        The prepared table every analysis shared (None when the table has no text).
    skipped : dict
        Analysis name -> reason code (``no_text``, ``no_decisions``, ``no_handler``) or the
        error message of an analysis the data could not support.
    topics : pandas.DataFrame or None
        The topic model's details per row.
    pairs : DataFrame or None
        Divergent pairs, similarity >= :data:`PAIRS_MIN_SIMILARITY`.
    all_pairs : DataFrame or None
        Every pair (agreeing too) with similarity >= :data:`PLOT_MIN_SIMILARITY`.
    groups : DataFrame or None
        Divergent groups (:func:`kompred.find_divergent_groups` at similarity
        :data:`GROUPS_SIMILARITY`): mixed groups only, most minority decisions first.
    handler, period : result records or None
    notes : list of str
        Warnings raised while analysing (small data, data quality).
    """

    corpus: Corpus | None = None
    skipped: dict[str, str] = field(default_factory=dict)
    topics: pd.DataFrame | None = None
    pairs: pd.DataFrame | None = None
    all_pairs: pd.DataFrame | None = None
    groups: pd.DataFrame | None = None
    handler: HandlerEffectResult | None = None
    period: PeriodEffectResult | None = None
    notes: list[str] = field(default_factory=list)

    @property
    def done(self) -> list[str]:
        """The analyses that produced a result."""
        parts = {"topics": self.topics, "pairs": self.pairs, "groups": self.groups,
                 "handler": self.handler, "period": self.period}
        return [k for k, v in parts.items() if v is not None]


def analyse(apps: pd.DataFrame | Corpus, *, progress: Callable[[str], None] | None = None,
            **corpus_options: Any) -> Analysis:
    """Run the topic, pair, group, handler and period analyses that the table supports.

    Parameters
    ----------
    apps : DataFrame or Corpus
        The canonical table (:func:`kompred.read_applications`) or a prepared corpus.
    progress : callable or None
        Called with a short message (Swedish) as each step starts; also given to the prepared
        corpus, whose steps report through it too.
    **corpus_options
        Passed to :func:`kompred.prepare` when ``apps`` is a DataFrame.

    Returns
    -------
    Analysis
    """
    table = apps.table if isinstance(apps, Corpus) else apps
    out = Analysis()
    has_text = "description" in table.columns and \
        table["description"].fillna("").astype(str).str.strip().ne("").any()
    if not has_text:
        out.skipped.update(topics="no_text", pairs="no_text", groups="no_text", handler="no_text",
                           period="no_text")
        return out

    say = progress or (lambda message: None)
    say(fill("ämnen: {n:,} texter", "sv", n=len(table)))
    out.topics = _topics(table)
    decided = table["decision"].isin(DECIDED) if "decision" in table.columns else None
    if decided is None or decided.sum() < 2:
        out.skipped.update(pairs="no_decisions", groups="no_decisions", handler="no_decisions",
                           period="no_decisions")
        return out
    if progress is not None and not isinstance(apps, Corpus):
        corpus_options.setdefault("progress", progress)
    corpus = out.corpus = as_corpus(apps, **corpus_options)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", KompredWarning)
        # one pass over the neighbour graph: the agreeing pairs for the plot, the split ones
        # above the threshold for the list (the same pairs find_divergent_pairs would give)
        out.all_pairs = find_divergent_pairs(corpus, include_agreeing=True,
                                             min_similarity=PLOT_MIN_SIMILARITY)
        keep = out.all_pairs["split"] & (out.all_pairs["similarity"] >= PAIRS_MIN_SIMILARITY)
        out.pairs = out.all_pairs[keep].reset_index(drop=True)
        # the same neighbour graph (k = 10, as the pairs'), clustered: no second search
        say("grupper av nästan likadana ansökningar")
        try:
            out.groups = find_divergent_groups(corpus, similarity=GROUPS_SIMILARITY)
        except KompredError as exc:
            out.skipped["groups"] = str(exc)
        if "handler" in table.columns and table.loc[decided, "handler"].notna().any():
            say("handläggareffekt")
            try:
                out.handler = handler_effect(corpus)
            except KompredError as exc:
                out.skipped["handler"] = str(exc)
        else:
            out.skipped["handler"] = "no_handler"
        say("periodeffekt")
        try:
            out.period = period_effect(corpus)
        except KompredError as exc:
            out.skipped["period"] = str(exc)
    out.notes = sorted({str(w.message) for w in caught if issubclass(w.category, KompredWarning)})
    return out
