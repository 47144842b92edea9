"""Consistency of decisions: divergent pairs and groups, handler and period effects.

Stockholms stad's report on förebyggande insatser 2021–2023 says that the same kind of insats
(utbildning i demenssjukdom, lågaffektivt bemötande) was granted by one case handler and rejected
by another, so decisions look "individbundna", and that timing relative to the new agreement
(KOM-KR i lydelse 2022-10-01) is a second suspected cause. This module turns those suspicions into
numbers that can be checked:

- :func:`find_divergent_pairs`: near-identical applications that got different decisions, ranked by
  how surprising the split is given their content, with the shared and the differing words and
  fields of each pair.
- :func:`find_divergent_groups`: clusters of near-identical insatser with mixed decisions.
- :func:`handler_effect`: between-handler variation in approval *after adjusting for content*
  (random-intercept logistic model, SD on the log-odds scale, ICC, median odds ratio, flip rate,
  a stratified permutation test) and an explicit "not enough data to say" answer.
- :func:`inconsistency_index`: without a handler column, the share of near-duplicate pairs with
  split decisions against what the content model expects.
- :func:`period_effect`: the same content-adjusted comparison across agreement versions or
  application dates.
- :func:`cross_fitted_content_scores`: the content-only model (char n-gram TF-IDF of title and
  description, one-hot form/provider type/topic, log cost per participant, logistic regression),
  cross-fitted so that an application's own decision, and those of its near-duplicates, never
  predict it.
- :func:`nearest_neighbors` (from :mod:`kompred.text.neighbours`): the chunked top-k cosine
  search underneath (exact for small tables, SVD candidates + exact re-ranking for large ones);
  its memory grows linearly with N.

The package, one responsibility per module:

=================  ===========================================================================
``content``        the cross-fitted content model
``graph``          edges above a similarity, capped single-linkage groups, components
``pairs``          :func:`find_divergent_pairs`, :func:`agreement_by_similarity`
``groups``         :func:`find_divergent_groups`
``mixed``          the random-intercept logistic model (adaptive Gauss–Hermite quadrature)
``handlers``       :func:`handler_effect`, :func:`design_power`
``inconsistency``  :func:`inconsistency_index`
``period``         :func:`period_effect`
``results``        the frozen result records
=================  ===========================================================================

Everything here takes DataFrames and returns DataFrames or small frozen result records; nothing
prints. :mod:`kompred.report._consistency` formats and plots.

Content adjustment
------------------
"Content" is what the application says and asks for: the text (title and description), the form
of the insats, provider type, hand-labelled topic (when present) and cost per participant. It
deliberately excludes handler, unit, employer and dates. The content score of an application is
the probability of "beviljad" from a logistic model of these features fitted on the *other*
applications (K-fold cross-fitting, with near-duplicates kept in the same fold). Handler and
period effects are estimated with the content logit as a covariate (an offset whose slope is
estimated too, so a too-cautious or over-confident content model is recalibrated rather than
trusted). A content model can absorb part of a handler or period effect when handlers or periods
differ in what they receive; the estimates are then conservative. domain.md §8: a rejection can
also be driven by the remaining allocation or timing within the fund period, not by the handler;
pass such columns as ``strata`` to compare like with like.
"""

from ..text.neighbours import EXACT_MAX_ROWS, nearest_neighbors
from .content import cross_fitted_content_scores
from .groups import find_divergent_groups
from .handlers import (
    MIN_DECISIONS_PER_HANDLER,
    MIN_HANDLERS,
    NEGLIGIBLE_SD,
    design_power,
    handler_effect,
)
from .inconsistency import inconsistency_index
from .pairs import agreement_by_similarity, find_divergent_pairs
from .period import period_effect
from .results import POWER_SD, HandlerEffectResult, InconsistencyResult, PeriodEffectResult

__all__ = [
    "EXACT_MAX_ROWS",
    "MIN_DECISIONS_PER_HANDLER",
    "MIN_HANDLERS",
    "NEGLIGIBLE_SD",
    "POWER_SD",
    "HandlerEffectResult",
    "InconsistencyResult",
    "PeriodEffectResult",
    "agreement_by_similarity",
    "cross_fitted_content_scores",
    "design_power",
    "find_divergent_groups",
    "find_divergent_pairs",
    "handler_effect",
    "inconsistency_index",
    "nearest_neighbors",
    "period_effect",
]
