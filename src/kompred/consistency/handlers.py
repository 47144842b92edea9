"""Handler effect: between-handler variation in approval after adjusting for content, and its power."""

from __future__ import annotations

import math
import warnings
from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd
from scipy import stats
from scipy.special import expit

from .._argcheck import (
    _check_fraction,
    _check_frame,
    _check_positive_int,
    _columns_arg,
    _content_probabilities,
    _decisions,
    _rng_seed,
    _text_columns_in,
)
from ..corpus import Corpus
from ..exceptions import ValidationError
from ..schema import (
    GRANTED,
    UNKNOWN,
)
from ..text.neighbours import EXACT_MAX_ROWS
from .mixed import _fit_random_intercept, _flip_rate, _profile_ci, _RandomIntercept
from .results import POWER_SD, HandlerEffectResult

#: Default thresholds of the "enough data" answer of :func:`handler_effect` (see its docstring and
#: evaluation/README_consistency.md for the validation behind them). With 7 handlers and 10
#: decisions each, an interval excluding 0 appeared in 7 % of simulated data sets without any
#: handler effect and σ̂ averaged 0.43 for a true 0; from 20 per handler on, in 1–2.5 %.
MIN_HANDLERS = 5
MIN_DECISIONS_PER_HANDLER = 20
#: A handler SD below this (log-odds) is treated as immaterial: median odds ratio < 1.21.
NEGLIGIBLE_SD = 0.2


def _strata_codes(apps: pd.DataFrame, strata: tuple[str, ...]) -> tuple[np.ndarray, np.ndarray]:
    """Integer stratum per row (combination of the strata columns) and its one-hot (drop first)."""
    if not strata:
        return np.zeros(len(apps), dtype=np.int64), np.zeros((len(apps), 0))
    keys = apps[list(strata)].astype(object).where(apps[list(strata)].notna(), "∅").astype(str)
    combo = keys.agg(" | ".join, axis=1).to_numpy()
    levels, codes = np.unique(combo, return_inverse=True)
    D = np.zeros((len(apps), max(len(levels) - 1, 0)))
    for j in range(1, len(levels)):
        D[codes == j, j - 1] = 1.0
    return codes.astype(np.int64), D


def _resolve_strata(apps: pd.DataFrame, strata: Any) -> tuple[str, ...]:
    if isinstance(strata, str) and strata == "auto":
        if "agreement" in apps.columns and apps["agreement"].nunique(dropna=True) > 1:
            return ("agreement",)
        return ()
    cols = _columns_arg("strata", strata)
    _check_frame(apps, cols)
    return cols


def _permutation_pvalue(resid: np.ndarray, g: np.ndarray, G: int, strata: np.ndarray,
                        n_perm: int, seed: int | None) -> float:
    """P-value of T = Σ_g (Σ_{i∈g} r_i)² with handler labels permuted within strata."""
    if n_perm == 0:
        return float("nan")
    t_obs = float(np.sum(np.bincount(g, weights=resid, minlength=G) ** 2))
    rng = np.random.default_rng(seed)
    n = len(resid)
    base = np.argsort(strata, kind="stable")
    s_sorted = strata[base].astype(float)
    g_sorted = g[base]
    r_sorted = resid[base]
    block = max(1, min(n_perm, 4_000_000 // max(n, 1)))
    exceed = 0
    done = 0
    while done < n_perm:
        m = min(block, n_perm - done)
        keys = s_sorted[None, :] + rng.random((m, n))
        perm = np.argsort(keys, axis=1)  # within-stratum shuffles of positions
        gp = g_sorted[perm]  # labels moved to new positions
        flat = (gp + (np.arange(m) * G)[:, None]).ravel()
        sums = np.bincount(flat, weights=np.tile(r_sorted, m), minlength=m * G).reshape(m, G)
        t = (sums**2).sum(axis=1)
        exceed += int((t >= t_obs - 1e-12 * abs(t_obs)).sum())
        done += m
    return (1 + exceed) / (1 + n_perm)


_REASONS = {
    "too_few_handlers": (
        "Only {h} handlers: at least {mh} are needed to estimate how much decisions vary between "
        "handlers; with fewer, a difference between handlers cannot be told apart from chance "
        "and from differences in what they received.",
        "Bara {h} handläggare: minst {mh} behövs för att uppskatta hur mycket besluten varierar "
        "mellan handläggare; med färre går en skillnad inte att skilja från slumpen eller från "
        "skillnader i vilka ansökningar de fick.",
    ),
    "too_few_decisions": (
        "Only {d} decisions ({per:.1f} per handler): at least {md} per handler on average are "
        "needed before a handler effect can be estimated reliably.",
        "Bara {d} beslut ({per:.1f} per handläggare): i genomsnitt minst {md} per handläggare "
        "behövs för att en handläggareffekt ska kunna uppskattas tillförlitligt.",
    ),
    "inconclusive": (
        "Not enough data to say: the 95 % interval of the handler SD ({lo:.2f} to {hi}) includes "
        "no handler effect at all and also effects large enough to matter (median odds ratio up "
        "to {mor}). Permutation test p = {p:.3f}.",
        "Underlaget räcker inte för att säga något: 95 %-intervallet för handläggarnas "
        "spridning ({lo:.2f} till {hi}) rymmer både ingen handläggareffekt alls och effekter som "
        "spelar roll (median-oddskvot upp till {mor}). Permutationstest p = {p:.3f}.",
    ),
    "no_material_dependence": (
        "No material handler dependence: the 95 % interval of the handler SD ({lo:.2f} to "
        "{hi}) rules out effects larger than SD {neg} on the log-odds scale.",
        "Inget tecken på handläggarberoende av betydelse: 95 %-intervallet för handläggarnas "
        "spridning ({lo:.2f} till {hi}) utesluter större spridning än {neg} på log-odds-skalan.",
    ),
    "handler_dependence": (
        "Decisions depend on the handler after adjusting for content: SD {sd:.2f} on the "
        "log-odds scale (95 % interval {lo:.2f} to {hi}); about {flip:.0%} of decisions would "
        "likely change with another handler. Permutation test p = {p:.3f}.",
        "Besluten beror på handläggaren även när innehållet hålls konstant: spridning {sd:.2f} "
        "på log-odds-skalan (95 %-intervall {lo:.2f} till {hi}); ungefär {flip:.0%} av besluten "
        "skulle sannolikt bli annorlunda med en annan handläggare. Permutationstest p = {p:.3f}.",
    ),
}


def _fmt_hi(x: float) -> str:
    return "∞" if not math.isfinite(x) else f"{x:.2f}"


def _mor(s: float) -> float:
    return math.exp(math.sqrt(2.0) * s * stats.norm.ppf(0.75)) if math.isfinite(s) else math.inf


def _icc(s: float) -> float:
    return s * s / (s * s + math.pi**2 / 3) if math.isfinite(s) else 1.0


def handler_effect(apps: pd.DataFrame | Corpus, *, handler_column: str = "handler",
                   decision_column: str = "decision", content_scores: Any = None,
                   strata: Any = "auto", text_columns: Sequence[str] = ("title", "description"),
                   n_permutations: int = 2000, ci_level: float = 0.95,
                   ci_method: str = "profile-reml", min_handlers: int = MIN_HANDLERS,
                   min_decisions_per_handler: float = MIN_DECISIONS_PER_HANDLER,
                   negligible_sd: float = NEGLIGIBLE_SD,
                   random_state: int | None = 0) -> HandlerEffectResult:
    """How much approval depends on the case handler, after adjusting for content.

    Model: a random-intercept logistic regression
    ``logit P(beviljad) = β0 + β1·c_i + γ_stratum + σ·z_handler``, ``z ~ N(0, 1)``, where ``c_i``
    is the cross-fitted content logit (:func:`cross_fitted_content_scores`, or the user's
    ``content_scores``) and ``γ`` are fixed effects of the strata (e.g. agreement version). The
    likelihood is integrated over the handler effects by adaptive Gauss–Hermite quadrature
    (11 nodes, centred and scaled per handler), maximized by profiling over σ.

    Reported:

    - ``handler_sd`` = σ̂ (log-odds scale) and its 95 % **profile-likelihood** interval
      {σ: 2·(ℓ̂ − ℓ_p(σ)) ≤ χ²₁(0.95)}. By default (``ci_method="profile-reml"``) the profile
      is the restricted (REML-type) one: ℓ_p(σ) − ½·log det I_β(σ), with I_β the observed
      information of the fixed effects by Louis' identity, a Laplace approximation to
      integrating β out. Plain ML (``ci_method="profile"``) underestimates σ with ten handlers
      (mean σ̂ 0.42 for a true 0.5) and its interval covered the true SD 92 % of the time; the
      REML-type profile gave mean σ̂ 0.47 and 97 % coverage (evaluation/README_consistency.md).
      ``handler_sd`` is the maximizer of the chosen profile.
    - ``icc`` = σ²/(σ² + π²/3) (latent scale) and ``median_odds_ratio`` = exp(√2·σ·Φ⁻¹(0.75)),
      with intervals from the σ interval (both are monotone in σ).
    - ``p_value``: stratified permutation test. Residuals r = y − p̂ of the model without
      handler effects; statistic T = Σ_h (Σ_{i∈h} r_i)² (the score statistic for σ² = 0);
      handler labels are permuted within strata, so each handler keeps its number of
      decisions per stratum; p = (1 + #{T* ≥ T}) / (1 + n_permutations).
    - ``flip_rate``: the share of decisions that would change if the same application had been
      decided by another handler drawn at random from the population of handlers, everything
      else about the application held fixed. In the latent form of the model a decision is
      "beviljad" when η_i + σ·z + ε_i > 0 with ε_i standard logistic (the application's own
      unexplained merit); holding ε_i fixed and drawing two handlers z, z' independently,
      P(flip) = E|F(η_i + σz) − F(η_i + σz')| with F the logistic CDF. ``flip_rate`` is its mean
      over the analysed applications (2-D Gauss–Hermite), 0 when σ = 0; its interval evaluates
      the same at the ends of the σ interval (η held at its estimate).
    - ``per_handler``: shrunken (posterior) handler effects and rates with intervals, and
      content-adjusted rates for a funnel plot (:func:`kompred.report._consistency.funnel_plot`).

    The answer is "not enough data to say" (``enough_data=False``) when there are fewer than
    ``min_handlers`` (5) handlers, fewer than ``min_decisions_per_handler`` (20) decisions per
    handler on average, or when the σ interval includes 0 but also values above
    ``negligible_sd`` (0.2, median odds ratio 1.21). The estimates are still reported, but
    below these sizes they are unreliable: on the simulator with 7 handlers × 10 decisions
    and no handler effect at all, the interval excluded 0 in 7 % of data sets and σ̂ averaged
    0.43; with 3 handlers the interval is ~2 log-odds wide. When it includes 0 and stays below ``negligible_sd`` the data
    rule out a material handler effect (``conclusion="no_material_dependence"``). The
    thresholds and their validation (power, false alarms and coverage on the simulator) are in
    ``evaluation/README_consistency.md``.

    Parameters
    ----------
    apps : DataFrame
        Needs ``handler_column``, ``decision_column`` and (unless ``content_scores`` is given)
        the text columns. Rows without a decision or a handler are left out (``n_excluded``).
    handler_column, decision_column : str
    content_scores : None, str or array-like
        P(beviljad | content) per row of ``apps``; None: the built-in cross-fitted model.
    strata : "auto", str, sequence of str or None, default "auto"
        Columns held fixed (fixed effects, and permutation strata). "auto": ``agreement`` when
        it has more than one value.
    text_columns : sequence of str
    n_permutations : int, default 2000
    ci_level : float, default 0.95
    ci_method : {"profile-reml", "profile"}
    min_handlers, min_decisions_per_handler, negligible_sd
        Thresholds of the "enough data" answer.
    random_state : int or None, default 0

    Returns
    -------
    HandlerEffectResult

    Examples
    --------
    >>> apps = pd.DataFrame({"id": list("abcdef"), "title": ["Kurs"] * 6,
    ...     "description": ["Utbildning i demens", "Utbildning i demens", "Yrkessvenska",
    ...                     "Yrkessvenska", "Lågaffektivt bemötande", "Lågaffektivt bemötande"],
    ...     "decision": ["beviljad", "avslag"] * 3, "handler": ["H1", "H2"] * 3})
    >>> res = handler_effect(apps, n_permutations=99)
    >>> res.enough_data, res.conclusion
    (False, 'too_few_handlers')
    """
    corpus = apps if isinstance(apps, Corpus) else None
    if corpus is not None:
        apps, text_columns = corpus.table, corpus.text_columns
        decision_column = corpus.decision_column
    text_columns = _columns_arg("text_columns", text_columns)
    text_columns = _text_columns_in(apps, text_columns, required=content_scores is None)
    _check_frame(apps, [handler_column, decision_column])
    if content_scores is None:
        _check_frame(apps, text_columns)
    n_permutations = _check_positive_int("n_permutations", n_permutations, minimum=0)
    ci_level = _check_fraction("ci_level", ci_level)
    if ci_method not in ("profile", "profile-reml"):
        raise ValidationError(f"expected ci_method 'profile' or 'profile-reml'; got {ci_method!r}")
    seed = _rng_seed(random_state)
    strata_cols = _resolve_strata(apps, strata)
    decisions = _decisions(apps, decision_column)
    handlers = apps[handler_column].astype(object).to_numpy()
    has_h = np.array([isinstance(h, str) and h.strip() != "" for h in handlers], dtype=bool)
    use = (decisions != UNKNOWN) & has_h
    n_excluded = int(len(apps) - use.sum())
    if content_scores is None:
        if corpus is None:
            # near-duplicate folds need a kNN search: skipped above EXACT_MAX_ROWS for speed
            # (a copy leaking into the training folds only makes the adjustment stronger); a
            # Corpus has its graph already, so it keeps them
            corpus = Corpus(apps, text_columns=text_columns, decision_column=decision_column,
                            random_state=seed,
                            group_similarity=0.9 if len(apps) <= EXACT_MAX_ROWS else None)
        p_all = (corpus.content_scores_with(strata_cols) if use.sum()
                 else np.full(len(apps), 0.5))
    else:
        p_all = _content_probabilities(apps, content_scores)
    sub = apps.loc[use]
    y = (decisions[use] == GRANTED).astype(float)
    c = np.log(np.clip(p_all[use], 1e-6, 1 - 1e-6)) - np.log1p(-np.clip(p_all[use], 1e-6,
                                                                         1 - 1e-6))
    hvals = handlers[use].astype(str)
    levels, g = np.unique(hvals, return_inverse=True)
    G = len(levels)
    n = int(use.sum())
    s_codes, D = _strata_codes(sub, strata_cols)
    return _compute_handler_effect(
        y, c, g, levels, s_codes, D, strata_cols=strata_cols, n_excluded=n_excluded,
        n_permutations=n_permutations, ci_level=ci_level, reml=ci_method == "profile-reml",
        min_handlers=min_handlers, min_per=min_decisions_per_handler,
        negligible_sd=negligible_sd, seed=seed, n=n, G=G)


def _design(c: np.ndarray, D: np.ndarray) -> np.ndarray:
    cols = [np.ones_like(c)]
    if np.std(c) > 1e-9:
        cols.append(c)
    X = np.column_stack([*cols, D]) if D.shape[1] else np.column_stack(cols)
    # drop strata dummies that are constant within the analysed rows
    keep = [j for j in range(X.shape[1]) if j < len(cols) or X[:, j].std() > 0]
    return X[:, keep]


def _compute_handler_effect(y, c, g, levels, s_codes, D, *, strata_cols, n_excluded,
                            n_permutations, ci_level, reml, min_handlers, min_per,
                            negligible_sd, seed, n, G) -> HandlerEffectResult:
    nan = float("nan")
    empty = pd.DataFrame(columns=["handler", "n", "n_granted", "observed_rate", "expected_rate",
                                  "adjusted_rate", "effect", "effect_sd", "shrunken_rate",
                                  "shrunken_low", "shrunken_high"])
    method = "profile likelihood (REML-corrected)" if reml else "profile likelihood"
    if n == 0 or G < 2 or y.min() == y.max():
        why = "too_few_handlers" if G < 2 else "too_few_decisions"
        per = n / max(G, 1)
        en, sv = _REASONS[why]
        if G >= 2 and n:  # one kind of decision only
            en = f"All {n} decisions are the same; nothing can vary between handlers."
            sv = f"Alla {n} beslut är likadana; inget kan variera mellan handläggare."
        fmt = dict(h=G, mh=min_handlers, d=n, per=per, md=min_per)
        return HandlerEffectResult(
            handler_sd=nan, ci_low=nan, ci_high=nan, icc=nan, icc_ci=(nan, nan),
            median_odds_ratio=nan, mor_ci=(nan, nan), p_value=nan, flip_rate=nan,
            flip_rate_ci=(nan, nan), enough_data=False, conclusion=why, reason=en.format(**fmt),
            reason_sv=sv.format(**fmt), n_handlers=G, n_decisions=n, n_excluded=n_excluded,
            per_handler=empty, overall_rate=float(y.mean()) if n else nan, strata=strata_cols,
            ci_method=method, n_permutations=n_permutations, ci_level=ci_level)
    X = _design(c, D)
    model = _RandomIntercept(y, X, g, G)
    beta0 = np.zeros(X.shape[1])
    beta0[0] = math.log((y.sum() + 0.5) / (n - y.sum() + 0.5))
    beta_null, _, _ = model.fit_beta(0.0, beta0)
    p0 = expit(X @ beta_null)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        s_hat, l_hat, prof, beta, _ = _fit_random_intercept(model, beta_null, reml)
        lo, hi = _profile_ci(prof, s_hat, l_hat, ci_level)
    # posterior handler effects at the estimate
    _, nodes, post, _ = model.loglik(beta, s_hat, details=True)
    zmean = (post * nodes).sum(axis=1)
    zsd = np.sqrt(np.maximum((post * nodes**2).sum(axis=1) - zmean**2, 0.0))
    eff, eff_sd = s_hat * zmean, s_hat * zsd
    eta = X @ beta
    z975 = stats.norm.ppf(0.5 + ci_level / 2)
    n_h = np.bincount(g, minlength=G)
    k_h = np.bincount(g, weights=y, minlength=G)
    e_h = np.bincount(g, weights=p0, minlength=G)
    overall = float(y.mean())

    def std_rate(shift: np.ndarray) -> np.ndarray:
        return np.array([float(expit(eta + d).mean()) for d in shift])

    per_handler = pd.DataFrame({
        "handler": pd.array(levels.astype(object), dtype="str"),
        "n": n_h.astype(int),
        "n_granted": k_h.astype(int),
        "observed_rate": k_h / n_h,
        "expected_rate": e_h / n_h,
        "adjusted_rate": np.clip(overall + (k_h - e_h) / n_h, 0.0, 1.0),
        "effect": eff,
        "effect_sd": eff_sd,
        "shrunken_rate": std_rate(eff),
        "shrunken_low": std_rate(eff - z975 * eff_sd),
        "shrunken_high": std_rate(eff + z975 * eff_sd),
    })
    p_value = _permutation_pvalue(y - p0, g, G, s_codes, n_permutations, seed)
    power = _compute_design_power(np.bincount(g, weights=p0 * (1 - p0), minlength=G),
                                  POWER_SD, 0.05, 4000, seed)
    flip = _flip_rate(eta, s_hat)
    flip_ci = (_flip_rate(eta, lo), _flip_rate(eta, hi) if math.isfinite(hi) else nan)
    per = n / G
    fmt = dict(h=G, mh=min_handlers, d=n, per=per, md=min_per, lo=lo, hi=_fmt_hi(hi),
               mor=_fmt_hi(_mor(hi)), p=p_value if math.isfinite(p_value) else nan,
               neg=negligible_sd, sd=s_hat, flip=flip, power=100 * power, psd=POWER_SD)
    if G < min_handlers:
        why = "too_few_handlers"
    elif per < min_per:
        why = "too_few_decisions"
    elif lo <= 0.0 and hi > negligible_sd:
        why = "inconclusive"
    elif lo <= 0.0:
        why = "no_material_dependence"
    else:
        why = "handler_dependence"
    enough = why in ("no_material_dependence", "handler_dependence")
    en, sv = _REASONS[why]
    if why != "handler_dependence":
        en += (" With this design a handler SD of {psd} would be detected (p < 0.05) in about "
               "{power:.0f} % of data sets.")
        sv += (" Med det här underlaget skulle en spridning på {psd} upptäckas (p < 0,05) i "
               "ungefär {power:.0f} % av fallen.")
    if why in ("too_few_handlers", "too_few_decisions"):
        en += (" The estimate (handler SD {sd:.2f}, 95 % interval {lo:.2f} to {hi}, permutation "
               "p = {p:.3f}) is indicative only: at this size the method signals handler "
               "dependence too often in data without any.")
        sv += (" Skattningen (spridning {sd:.2f}, 95 %-intervall {lo:.2f} till {hi}, "
               "permutationstest p = {p:.3f}) är bara vägledande: med så lite data signalerar "
               "metoden handläggarberoende för ofta även där inget finns.")
    return HandlerEffectResult(
        handler_sd=s_hat, ci_low=lo, ci_high=hi, icc=_icc(s_hat), icc_ci=(_icc(lo), _icc(hi)),
        median_odds_ratio=_mor(s_hat), mor_ci=(_mor(lo), _mor(hi)), p_value=p_value,
        flip_rate=flip, flip_rate_ci=flip_ci, enough_data=enough, conclusion=why,
        reason=en.format(**fmt), reason_sv=sv.format(**fmt), n_handlers=G, n_decisions=n,
        n_excluded=n_excluded, per_handler=per_handler, overall_rate=overall,
        funnel_variance=float(np.mean(p0 * (1 - p0))),
        content_slope=float(beta[1]) if X.shape[1] > 1 and np.std(c) > 1e-9 else nan,
        strata=strata_cols, ci_method=method, n_permutations=n_permutations, ci_level=ci_level,
        design_power=power)


def _compute_design_power(info: np.ndarray, sd: float, alpha: float, n_draws: int,
                          seed: int | None) -> float:
    # Cochran's Q with known content: Q ~ noncentral chi2(G-1, lam), lam = sum_h I_h (u_h -
    # ubar_w)^2 given the drawn effects u ~ N(0, sd); averaged over the draws.
    G = len(info)
    if G < 2 or not np.all(info > 0):
        return float("nan")
    rng = np.random.default_rng(seed)
    u = rng.normal(0.0, sd, size=(n_draws, G))
    ubar = u @ (info / info.sum())
    lam = ((u - ubar[:, None]) ** 2 * info).sum(axis=1)
    crit = stats.chi2.ppf(1 - alpha, G - 1)
    return float(stats.ncx2.sf(crit, G - 1, lam).mean())


def design_power(decisions_per_handler: Any, *, handler_sd: float = POWER_SD,
                 approval_rate: Any = 0.7, alpha: float = 0.05, n_draws: int = 4000,
                 random_state: int | None = 0) -> float:
    """Approximate power of a content-adjusted test for handler effects, before collecting data.

    How likely is a test at level ``alpha`` to detect handler effects drawn from
    N(0, ``handler_sd``) on the log-odds scale, given how many decisions each handler makes
    and how predictable they are? Each handler's information is
    I_h = Σ_i p_i(1 − p_i) over their decisions (p_i: the content model's probability of a
    grant; near 0 or 1 a decision says little). With the content known, Cochran's Q is
    approximately noncentral χ² with G − 1 degrees of freedom and noncentrality
    Σ_h I_h (u_h − ū)²; the power is averaged over draws of the handler effects u.

    It is a first-order approximation and slightly optimistic. On 12 of the simulator's designs
    (3–20 handlers, 10–70 decisions each, the true content probabilities) it ran from 0.02
    below to 0.08 above the power of :func:`handler_effect`'s permutation test simulated with
    the true content (200 replications each, Monte Carlo error about ±0.06): 0.75 against 0.72
    at 10 handlers × 50 decisions and approval rate 0.7 (``evaluation/README_consistency.md``).
    kompred's own fitted content model loses a few points more (0.68 there).

    Parameters
    ----------
    decisions_per_handler : int or sequence of int
        Decisions per handler; a sequence gives one entry per handler (at least 2).
    handler_sd : float, default 0.5
        The between-handler SD to detect (log-odds scale, > 0).
    approval_rate : float or sequence of float, default 0.7
        Content-model probability of a grant, the same for every decision, or one value per
        decision (flattened over handlers in order; its length must equal the total). One
        value for all ignores that content makes some decisions predictable, which overstates
        the power: prefer per-decision probabilities (e.g. from
        :func:`cross_fitted_content_scores` on earlier data).
    alpha : float, default 0.05
    n_draws : int, default 4000
        Monte Carlo draws of the handler effects.
    random_state : int or None, default 0

    Returns
    -------
    float

    Examples
    --------
    >>> round(design_power([50] * 10, handler_sd=0.5, approval_rate=0.7), 2)
    0.86
    >>> design_power([10] * 7) < design_power([50] * 7) < design_power([100] * 7)
    True
    """
    counts = np.atleast_1d(np.asarray(decisions_per_handler))
    if counts.ndim != 1 or counts.size == 0 or not np.issubdtype(counts.dtype, np.number) \
            or np.any(counts < 1) or np.any(counts != np.round(counts)):
        raise ValidationError(f"expected decisions_per_handler to be a positive integer or a "
                              f"sequence of them; got {decisions_per_handler!r}")
    if counts.size == 1 and np.ndim(decisions_per_handler) == 0:
        raise ValidationError("expected decisions_per_handler as one count per handler (at "
                              f"least 2 handlers), e.g. [50] * 10; got {decisions_per_handler!r}")
    if counts.size < 2:
        raise ValidationError(f"need at least 2 handlers; got {counts.size}")
    counts = counts.astype(int)
    if not (isinstance(handler_sd, int | float) and handler_sd > 0):
        raise ValidationError(f"expected handler_sd > 0; got {handler_sd!r}")
    alpha = _check_fraction("alpha", alpha)
    n_draws = _check_positive_int("n_draws", n_draws)
    rates = np.asarray(approval_rate, dtype=float)
    if rates.ndim == 0:
        rates = np.full(int(counts.sum()), float(rates))
    if rates.ndim != 1 or len(rates) != counts.sum() or np.any((rates <= 0) | (rates >= 1)):
        raise ValidationError(f"expected approval_rate strictly between 0 and 1, one value or "
                              f"one per decision ({int(counts.sum())}); got {approval_rate!r}")
    g = np.repeat(np.arange(len(counts)), counts)
    info = np.bincount(g, weights=rates * (1 - rates), minlength=len(counts))
    return _compute_design_power(info, float(handler_sd), alpha, n_draws,
                                 _rng_seed(random_state))
