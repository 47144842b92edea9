"""Result records of the handler, period and inconsistency analyses."""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

#: The handler SD at which :func:`handler_effect` reports its design's power (median odds
#: ratio 1.61: two handlers differ by this much in the odds of a grant for half of the pairs).
POWER_SD = 0.5
#: Level of the permutation test that the verdict of :func:`handler_effect` follows.
ALPHA = 0.05
#: The decision rule of :func:`handler_effect`, as stored in ``HandlerEffectResult.decision_rule``.
DECISION_RULE = (
    "fewer than min_handlers handlers: too_few_handlers; fewer than min_decisions_per_handler "
    "decisions per handler: too_few_decisions; else permutation p < 0.05: handler_dependence; "
    "else 95 % interval of the handler SD below negligible_sd: no_material_dependence; "
    "else inconclusive")


def _jsonable(v: Any) -> Any:
    if isinstance(v, pd.DataFrame):
        return [{k: _jsonable(x) for k, x in r.items()} for r in v.to_dict(orient="records")]
    if isinstance(v, dict):
        return {str(k): _jsonable(x) for k, x in v.items()}
    if isinstance(v, tuple | list):
        return [_jsonable(x) for x in v]
    if isinstance(v, np.generic):
        v = v.item()
    if isinstance(v, float):
        return v if math.isfinite(v) else None
    if v is pd.NA or v is pd.NaT:
        return None
    if isinstance(v, pd.Timestamp):
        return v.isoformat()
    return v


class _ResultMixin:
    """Results carry codes and numbers; :mod:`kompred.render.consistency` writes their words."""

    def explain(self, lang: str = "sv") -> str:
        """What the result says, in words (``lang`` "sv" or "en")."""
        from ..render.consistency import explain

        return explain(self, lang)

    @property
    def reason(self) -> str:
        """The result in English words."""
        return self.explain("en")

    @property
    def reason_sv(self) -> str:
        """The result in Swedish words."""
        return self.explain("sv")

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready dict (NaN/inf become None, tables become lists of records), with the
        ``reason`` in English and ``reason_sv`` in Swedish."""
        out = {f: _jsonable(getattr(self, f)) for f in self.__dataclass_fields__
               if f != "reason_values"}
        out["reason"], out["reason_sv"] = self.reason, self.reason_sv
        return out


@dataclass(frozen=True, eq=False)
class HandlerEffectResult(_ResultMixin):
    """Content-adjusted between-handler variation in approval (see :func:`handler_effect`).

    Attributes
    ----------
    handler_sd : float
        SD of handler effects on the log-odds scale (σ̂, maximum of the REML-type profile
        likelihood by default; see ``ci_method``).
    ci_low, ci_high : float
        Its interval (``ci_method``); ``ci_low == 0`` means no handler effect is compatible with
        the data; ``ci_high`` is inf when the data do not bound it.
    icc, icc_ci : float, (float, float)
        Latent-scale intraclass correlation σ²/(σ² + π²/3) and its interval.
    median_odds_ratio, mor_ci : float, (float, float)
        exp(√2·σ·Φ⁻¹(0.75)): the median odds ratio between two random handlers for the same
        application.
    p_value : float
        Stratified permutation test of "no handler effect".
    flip_rate, flip_rate_ci : float, (float, float)
        Share of decisions that would change with another handler (defined in
        :func:`handler_effect`).
    enough_data : bool
        False: the data cannot say whether decisions depend on the handler; ``reason`` says why.
    conclusion : str
        "handler_dependence", "no_material_dependence", "inconclusive", "too_few_handlers",
        "too_few_decisions".
    reason, reason_sv : str
        Properties: the result in English and Swedish words (:mod:`kompred.render`).
    reason_values : dict
        The numbers the words are written from.
        The conclusion in English and Swedish.
    n_handlers, n_decisions, n_excluded : int
        Handlers and decided applications analysed; rows left out (no decision or no handler).
    per_handler : DataFrame
        One row per handler: ``handler``, ``n``, ``n_granted``, ``observed_rate``,
        ``expected_rate`` (content model, no handler effect), ``adjusted_rate``
        (overall + observed − expected: the funnel plot's y), ``effect`` and ``effect_sd``
        (shrunken log-odds effect, posterior mean/SD), ``shrunken_rate`` with
        ``shrunken_low``/``shrunken_high`` (approval rate this handler would give the whole set
        of applications, with a 95 % interval). For a funnel plot, not a league table.
    overall_rate : float
        Approval rate of the analysed applications.
    funnel_variance : float
        Mean Bernoulli variance p(1−p) under the content model (funnel control limits:
        overall ± z·sqrt(funnel_variance / n)).
    content_slope : float
        Estimated slope of the content logit (1 = the content model is calibrated).
    strata : tuple of str
        Columns used as fixed effects and permutation strata.
    ci_method, n_permutations, ci_level
    design_power : float
        Probability that the permutation test as run (content model fitted on the data) rejects
        at the 5 % level on *this* design (these handlers, their numbers of decisions and the
        content model's probabilities) when handler effects have SD ``power_sd``, by simulation
        (see :func:`design_power`). Low values say that a result without handler dependence
        means little.
    power_sd : float
        The SD that ``design_power`` refers to (:data:`POWER_SD`, 0.5).
    design_power_ci : (float, float)
        95 % Monte Carlo (Wilson) interval of ``design_power``.
    alpha : float
        Level of the test the verdict follows (:data:`ALPHA`, 0.05).
    decision_rule : str
        How ``conclusion`` follows from the numbers (:data:`DECISION_RULE`): the verdict is
        "handler_dependence" exactly when ``p_value < alpha`` (and the size gates pass), so it
        never contradicts the p-value shown.
    """

    handler_sd: float
    ci_low: float
    ci_high: float
    icc: float
    icc_ci: tuple[float, float]
    median_odds_ratio: float
    mor_ci: tuple[float, float]
    p_value: float
    flip_rate: float
    flip_rate_ci: tuple[float, float]
    enough_data: bool
    conclusion: str
    reason_values: dict = field(repr=False)
    n_handlers: int
    n_decisions: int
    n_excluded: int
    per_handler: pd.DataFrame = field(repr=False)
    overall_rate: float = float("nan")
    funnel_variance: float = float("nan")
    content_slope: float = float("nan")
    strata: tuple[str, ...] = ()
    ci_method: str = "profile likelihood (REML-corrected)"
    n_permutations: int = 0
    ci_level: float = 0.95
    design_power: float = float("nan")
    power_sd: float = POWER_SD
    design_power_ci: tuple[float, float] = (float("nan"), float("nan"))
    alpha: float = ALPHA
    decision_rule: str = DECISION_RULE


@dataclass(frozen=True, eq=False)
class PeriodEffectResult(_ResultMixin):
    """Content-adjusted difference in approval between periods (see :func:`period_effect`).

    Attributes
    ----------
    period_column : str
        The column compared (or ``"period (derived from submitted)"``).
    reference, comparison : str
        The earliest and the latest period; ``log_odds_diff`` is comparison − reference.
    log_odds_diff, ci_low, ci_high, p_value : float
        Content-adjusted log-odds difference, its Wald 95 % interval and p-value.
    odds_ratio : float
    p_value_overall : float
        Joint Wald test of all period effects (equals ``p_value`` for two periods).
    per_period : DataFrame
        ``period``, ``n``, ``n_granted``, ``raw_rate`` (+ Wilson ``raw_low``/``raw_high``),
        ``adjusted_rate`` (+ ``adjusted_low``/``adjusted_high``: the approval rate the whole set
        of applications would get under this period's rules, content held fixed),
        ``log_odds_vs_reference``, ``ci_low``, ``ci_high``.
    handler_adjusted : bool
        Whether a handler random intercept was included.
    enough_data, reason, reason_sv, n_decisions, n_excluded
    """

    period_column: str
    reference: str
    comparison: str
    log_odds_diff: float
    ci_low: float
    ci_high: float
    p_value: float
    odds_ratio: float
    p_value_overall: float
    per_period: pd.DataFrame = field(repr=False)
    handler_adjusted: bool = False
    enough_data: bool = True
    reason_values: dict = field(default_factory=dict, repr=False)
    n_decisions: int = 0
    n_excluded: int = 0


@dataclass(frozen=True, eq=False)
class InconsistencyResult(_ResultMixin):
    """Split decisions among near-duplicates against the content model (see
    :func:`inconsistency_index`).

    Attributes
    ----------
    observed_split, observed_ci : float, (float, float)
        Share of near-duplicate pairs with different decisions (cluster-bootstrap interval).
    expected_split : float
        Mean over pairs of p_a(1−p_b) + p_b(1−p_a): the split share if decisions were
        independent draws at the content model's probabilities.
    ratio, ratio_ci : float, (float, float)
        observed / expected (1: near-duplicates are split as often as independent draws would
        be; < 1: decided more alike than the content model can explain; > 1: split more often).
    n_pairs, n_clusters, n_decisions : int
    min_similarity : float
    enough_data, reason, reason_sv
    """

    observed_split: float
    observed_ci: tuple[float, float]
    expected_split: float
    ratio: float
    ratio_ci: tuple[float, float]
    n_pairs: int
    n_clusters: int
    n_decisions: int
    min_similarity: float
    enough_data: bool
    reason_values: dict = field(default_factory=dict, repr=False)
