"""Simulated applications to Omställningsfonden from a known process.

:func:`simulate` draws a table of applications ("anmälan om insats", förebyggande
insatser under KOM-KR) in the canonical schema of ``docs/design.md`` together with the
true probability that each one is granted. It exists so that models and tests can be
checked against a process whose answer is known: a grant model should recover
``p_true``, and a handler-effect test should find handler effects when they exist and
not when they do not.

The process
-----------
Each application is drawn independently. All randomness comes from one
:class:`numpy.random.SeedSequence` (built from ``seed``) split into four independent
streams: *content*, *text*, *handlers* and *decisions*. For a given ``seed`` and ``n``
the content, the text and the uniform decision draws are therefore the same whatever
``n_handlers``, ``handler_sd``, ``period_effect`` or ``base_rate`` is, so comparisons
between settings use common random numbers. (Changing ``n`` changes every row.)

1. **Topic** (the fund's five seed topics) with probabilities proportional to the
   Stockholm 2021-2023 tally (yrkesutbildning 9, språk 8, bemötande 13, blandat 14,
   äldre 9). A **subject** (e.g. "lågaffektivt bemötande") and a **target group**
   (e.g. "undersköterskor") are drawn within the topic.
2. **Employer and unit.** One of 12 municipal employers (Stockholms stad, with the
   förvaltningar and stadsdelsförvaltningar named in the seed report, has weight 3, the
   others 1); the unit is a förvaltning that employs the target group.
3. **insats_form** given topic (table ``FORM_PROBS``): lectures are common for
   bemötande, blandat and äldre; validering is (nearly) limited to yrkesutbildning
   and språk.
4. **participants** ~ rounded lognormal with a median depending on the form (lectures
   are large groups). **Cost per participant** ~ lognormal with median
   ``COST_MEDIAN_TOPIC[topic] * COST_FORM_MULT[form]`` and log-SD 0.5; ``cost_sek`` is
   that times participants, rounded to 100 SEK. ``log_cost_ratio`` is
   ``log(cost_sek / participants)`` minus the log of that median (the "going rate" for
   such an insats). It is computed from the published columns, so a model with topic,
   form and ``log(cost_sek / participants)`` can represent it exactly.
5. **Text signals** (binary, drawn with probabilities that depend on form and topic):
   ``has_forflyttning`` (a stated kompetensförflyttning, behörighet or new role),
   ``has_routine`` (routine wording: årlig uppdatering, repetition, obligatorisk
   introduktion, APT) and ``has_need`` (a concrete kompetensförsörjning need:
   pensionsavgångar, rekryteringsbehov, nya krav).
6. **Dates.** ``submitted`` uniform over 2021-01-01 .. 2024-12-31; ``agreement`` is
   ``KOM-KR-2020`` before 2022-10-01 and ``KOM-KR-2022`` from then on; ``fund_period`` is
   ``2021-2023`` or ``2024-2026`` by the submission year. ``decision_date`` is 7-45 days
   after submission; ``period_start`` 50-180 days after submission (so after the
   decision, as the fund requires); ``period_end`` after a form-dependent duration
   (lectures last one day).
7. **Log-odds of a grant**::

       logit_content = intercept + TOPIC_EFFECTS[topic] + FORM_EFFECTS[form]
                       + COST_EFFECT * log_cost_ratio
                       + 0.8 * has_forflyttning - 1.0 * has_routine + 0.5 * has_need
       logit_true    = logit_content + handler_effect + period_effect * [KOM-KR-2022]
       p_true        = expit(logit_true)

   ``handler_effect`` is the effect of the application's handler. The ``n_handlers``
   effects are drawn iid N(0, handler_sd) and are **not centred**, so the handlers are
   a sample from a population of handlers whose SD is exactly ``handler_sd``: that SD is
   the target of a random-effects estimator. Each application gets a handler uniformly
   at random, independently of its content, so handler effects are identified. With
   ``n_handlers=0`` there are no handlers and every handler effect is 0.
8. **Intercept.** Chosen so that the *population* approval rate (averaged over content,
   submission date and a N(0, handler_sd) handler population) equals ``base_rate``.
   It is found by Newton's method on ``mean(expit(b + x)) = base_rate`` over a fixed
   reference sample of 20,000 draws of the same process (fixed seed), so it depends
   only on ``handler_sd`` (taken as 0 when ``n_handlers=0``), ``period_effect`` and
   ``base_rate``, not on ``seed`` or ``n``; it is cached per parameter set. The realised approval rate of one sample varies around ``base_rate``,
   mostly because a handful of drawn handler effects does not average to zero.
9. **Decision** ``beviljad`` if ``u < p_true`` with ``u`` uniform from the decision
   stream (i.e. Bernoulli(p_true)), else ``avslag``. ``granted_sek`` is the applied
   amount for 85 % of grants and 60-95 % of it for the rest; NaN for avslag.

Text: ``description`` is assembled in Swedish from fragments with several phrasings
per slot (context, need, insats, förflyttning, routine, scope, provider, samverkan).
The insats sentence names the form and subject, so topic and form are visible in the
text; the three signals appear only through their own fragments. ``title`` is a short
insats name built from the same form and subject. Supplier names are fictional.
"""

from __future__ import annotations

import functools
import numbers
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
from scipy.special import expit

from ._simulate_vocabulary import (
    _CONTEXT,
    _DURATION_OPENERS,
    _FORFLYTTNING,
    _INSATS_OPENERS,
    _INSATS_OTHER,
    _INSATS_YRKE,
    _NEED_GENERIC,
    _NEED_TOPIC,
    _NO_FORFLYTTNING,
    _NO_NEED,
    _PROVIDER_SENTENCES,
    _ROUTINE,
    _SAMVERKAN,
    _SCOPE_OPENERS,
    _SEASONS,
    _STHLM_UNITS,
    _TARGET_IDX,
    _TARGET_NAMES,
    _TITLE_OTHER,
    _TITLE_YRKE,
    EMPLOYER_WEIGHTS,
    EMPLOYERS,
    EXTERNAL_PROVIDERS,
    KINDS,
    PROVIDER_TYPE_PROBS,
    PROVIDER_TYPES,
    SUBJECTS,
    TARGETS,
    _other_units,
)
from .exceptions import ValidationError

__all__ = ["SimulatedApplications", "simulate"]

# --------------------------------------------------------------------------------------
# Process parameters (log-odds scale unless stated)
# --------------------------------------------------------------------------------------

TOPICS = ("yrkesutbildning", "språk", "bemötande", "blandat", "äldre")
TOPIC_COUNTS = (9, 8, 13, 14, 9)  # Stockholm 2021-2023 granted tally (seed_facts.json)
TOPIC_EFFECTS = {
    "yrkesutbildning": 0.6,
    "språk": 0.4,
    "bemötande": 0.0,
    "blandat": -0.3,
    "äldre": 0.1,
}

FORMS = ("utbildning", "validering", "handledning", "föreläsning", "annan")
FORM_EFFECTS = {
    "utbildning": 0.2,
    "validering": 0.3,
    "handledning": 0.0,
    "föreläsning": -1.6,
    "annan": -0.3,
}
# P(form | topic), rows in TOPICS order, columns in FORMS order.
FORM_PROBS = {
    "yrkesutbildning": (0.68, 0.22, 0.05, 0.02, 0.03),
    "språk": (0.50, 0.10, 0.30, 0.05, 0.05),
    "bemötande": (0.50, 0.00, 0.20, 0.25, 0.05),
    "blandat": (0.45, 0.00, 0.10, 0.25, 0.20),
    "äldre": (0.50, 0.02, 0.13, 0.30, 0.05),
}

COST_EFFECT = -0.8  # per unit of log(cost per participant / going rate)
COST_SIGMA = 0.5  # log-SD of cost per participant around the going rate
COST_MEDIAN_TOPIC = {  # SEK per participant for form "utbildning"
    "yrkesutbildning": 40_000.0,
    "språk": 15_000.0,
    "bemötande": 8_000.0,
    "blandat": 7_000.0,
    "äldre": 8_000.0,
}
COST_FORM_MULT = {
    "utbildning": 1.0,
    "validering": 0.8,
    "handledning": 0.7,
    "föreläsning": 0.15,
    "annan": 0.6,
}
PARTICIPANTS_MEDIAN = {
    "utbildning": 12.0,
    "validering": 6.0,
    "handledning": 8.0,
    "föreläsning": 35.0,
    "annan": 12.0,
}
PARTICIPANTS_SIGMA = 0.6

TEXT_EFFECTS = {"has_forflyttning": 0.8, "has_routine": -1.0, "has_need": 0.5}
# Signal probabilities by form (FORMS order); yrkesutbildning shifts them (see code).
P_FORFLYTTNING = (0.45, 0.80, 0.30, 0.05, 0.20)
P_ROUTINE = (0.15, 0.02, 0.15, 0.45, 0.25)
P_NEED_BY_TOPIC = (0.70, 0.50, 0.45, 0.40, 0.50)

DATE_FIRST = np.datetime64("2021-01-01", "D")
DATE_LAST = np.datetime64("2024-12-31", "D")
KOMKR2022_FROM = np.datetime64("2022-10-01", "D")
PERIOD_2024_FROM = np.datetime64("2024-01-01", "D")

P_GRANT_REDUCED = 0.15
_REF_N = 20_000
_REF_SEED = 20_221_001
_CHUNK = 100_000  # rows per chunk when building description strings

# --------------------------------------------------------------------------------------
# Lookup tables (built once at import)
# --------------------------------------------------------------------------------------


class _Table:
    """Lists of values indexed by an integer key; :meth:`pick` draws one uniformly per row."""

    def __init__(self, lists, dtype=object):
        lists = [tuple(x) for x in lists]
        self.counts = np.array([len(x) for x in lists], dtype=np.int64)
        self.offsets = np.concatenate(([0], np.cumsum(self.counts)[:-1])).astype(np.int64)
        self.flat = np.array([v for x in lists for v in x], dtype=dtype)

    def pick(self, rng: np.random.Generator, key: np.ndarray) -> np.ndarray:
        u = rng.random(key.shape[0])
        return self.flat[self.offsets[key] + (u * self.counts[key]).astype(np.int64)]


_N_TOPICS = len(TOPICS)
_N_FORMS = len(FORMS)
_TOPIC_P = np.array(TOPIC_COUNTS, dtype=float) / sum(TOPIC_COUNTS)
_TOPIC_EFF = np.array([TOPIC_EFFECTS[t] for t in TOPICS])
_FORM_EFF = np.array([FORM_EFFECTS[f] for f in FORMS])
_FORM_CDF = np.cumsum(np.array([FORM_PROBS[t] for t in TOPICS]), axis=1)
_LOG_COST_MEDIAN = (np.log([COST_MEDIAN_TOPIC[t] for t in TOPICS])[:, None]
                    + np.log([COST_FORM_MULT[f] for f in FORMS])[None, :])
_LOG_PART_MEDIAN = np.log([PARTICIPANTS_MEDIAN[f] for f in FORMS])

# Subjects: global index, topic of each, subject phrase, targets per subject.
_SUBJ_TOPIC = np.array([ti for ti, t in enumerate(TOPICS) for _ in SUBJECTS[t]], dtype=np.int64)
_SUBJ_NAME = np.array([s for t in TOPICS for s, _ in SUBJECTS[t]], dtype=object)
_SUBJECTS_BY_TOPIC = _Table([np.flatnonzero(_SUBJ_TOPIC == ti) for ti in range(_N_TOPICS)],
                            dtype=np.int64)
_TARGETS_BY_SUBJECT = _Table([[_TARGET_IDX[g] for g in targets]
                              for t in TOPICS for _, targets in SUBJECTS[t]], dtype=np.int64)
_TARGET_ARR = np.array(_TARGET_NAMES, dtype=object)
_TARGET_KIND = np.array([KINDS.index(TARGETS[g]) for g in _TARGET_NAMES], dtype=np.int64)

_EMPLOYER_P = np.array(EMPLOYER_WEIGHTS, dtype=float) / sum(EMPLOYER_WEIGHTS)
_EMPLOYER_ARR = np.array(EMPLOYERS, dtype=object)
_UNITS = _Table([(_STHLM_UNITS if e == "Stockholms stad" else _other_units(e))[k]
                 for e in EMPLOYERS for k in KINDS])

# Titles for every (form key, subject); form key = form + 5 * is_yrkesutbildning.
_N_SUBJECTS = len(_SUBJ_NAME)
_TITLES = np.array([prefix + subj for prefix in _TITLE_OTHER + _TITLE_YRKE for subj in _SUBJ_NAME],
                   dtype=object)
_INSATS = _Table(list(_INSATS_OTHER) + list(_INSATS_YRKE))
_OPENERS = _Table([_INSATS_OPENERS])
_CONTEXT_T = _Table([_CONTEXT[t] for t in TOPICS])
_NEED_T = _Table([_NEED_GENERIC + _NEED_TOPIC[t] for t in TOPICS] + [_NO_NEED])
_FORFL_T = _Table([_NO_FORFLYTTNING, _FORFLYTTNING])
_ROUTINE_T = _Table([("",), _ROUTINE])
_SCOPE_T = _Table(_SCOPE_OPENERS)
_DURATION_T = _Table([_DURATION_OPENERS])
_PROVIDER_SENT_T = _Table(_PROVIDER_SENTENCES)
_SAMVERKAN_T = _Table([_SAMVERKAN])
_EXT_PROVIDERS = _Table([EXTERNAL_PROVIDERS[t] for t in TOPICS])
_PTYPE_CDF = np.cumsum(np.array(PROVIDER_TYPE_PROBS), axis=1)
_FORMS_ARR = np.array(FORMS, dtype=object)
_TOPICS_ARR = np.array(TOPICS, dtype=object)
_PTYPES_ARR = np.array(PROVIDER_TYPES, dtype=object)

_FORM_FORELASNING = FORMS.index("föreläsning")
_TOPIC_YRKE = TOPICS.index("yrkesutbildning")

# Duration of the insats in days, by form: (low, high) inclusive.
_DURATION = np.array([(30, 365), (30, 180), (30, 270), (0, 0), (14, 180)], dtype=np.int64)


# --------------------------------------------------------------------------------------
# Result
# --------------------------------------------------------------------------------------


@dataclass(frozen=True, eq=False, repr=False)
class SimulatedApplications:
    """Simulated applications together with the process that generated them.

    Attributes
    ----------
    applications : pandas.DataFrame
        The application table in the canonical schema (one row per application).
    truth : pandas.DataFrame
        One row per application, in the same order: ``id``, ``p_true`` (true
        P(beviljad)), ``logit_content`` (intercept plus content effects, i.e. the
        log-odds without handler and period), ``handler_effect``, ``period_effect``,
        ``logit_true`` (= ``logit_content + handler_effect + period_effect``),
        ``log_cost_ratio`` and the text signals ``has_forflyttning``, ``has_routine``,
        ``has_need``.
    handler_effects : pandas.Series
        Each handler's true effect on the log-odds, indexed by pseudonym. Drawn iid
        N(0, handler_sd) and not centred. Empty when there are no handlers.
    params : dict
        Every parameter of the process, including ``seed``, the seed-sequence
        ``entropy`` (which reproduces a run made with ``seed=None``), the solved
        ``intercept`` and the content coefficients.
    """

    applications: pd.DataFrame
    truth: pd.DataFrame
    handler_effects: pd.Series
    params: dict[str, Any]

    def oracle_auc(self) -> float:
        """AUC of the true probabilities against the simulated decisions.

        This is the best AUC any model can expect on this sample. Returns NaN when
        only one decision occurs (the AUC is undefined).
        """
        from sklearn.metrics import roc_auc_score

        y = (self.applications["decision"] == "beviljad").to_numpy(dtype=bool)
        if y.all() or not y.any():
            return float("nan")
        return float(roc_auc_score(y, self.truth["p_true"].to_numpy()))

    def __repr__(self) -> str:
        return (f"SimulatedApplications(n={len(self.applications)}, "
                f"n_handlers={len(self.handler_effects)}, "
                f"handler_sd={self.params['handler_sd']}, seed={self.params['seed']})")


# --------------------------------------------------------------------------------------
# Validation
# --------------------------------------------------------------------------------------


def _check_int(name: str, value: Any, minimum: int) -> int:
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        raise ValidationError(f"{name} must be an integer >= {minimum}; got {value!r} "
                         f"({type(value).__name__})")
    if value < minimum:
        raise ValidationError(f"{name} must be an integer >= {minimum}; got {value!r}")
    return int(value)


def _check_real(name: str, value: Any) -> float:
    if isinstance(value, bool) or not isinstance(value, numbers.Real) or not np.isfinite(value):
        raise ValidationError(f"{name} must be a finite number; got {value!r}")
    return float(value)


def _validate(n, n_handlers, handler_sd, period_effect, base_rate, seed):
    n = _check_int("n", n, 1)
    n_handlers = _check_int("n_handlers", n_handlers, 0)
    handler_sd = _check_real("handler_sd", handler_sd)
    if handler_sd < 0:
        raise ValidationError(f"handler_sd must be >= 0; got {handler_sd!r}")
    period_effect = _check_real("period_effect", period_effect)
    base_rate = _check_real("base_rate", base_rate)
    if not 0.0 < base_rate < 1.0:
        raise ValidationError(f"base_rate must be strictly between 0 and 1; got {base_rate!r}")
    if seed is not None:
        seed = _check_int("seed", seed, 0)
    return n, n_handlers, handler_sd, period_effect, base_rate, seed


# --------------------------------------------------------------------------------------
# Drawing
# --------------------------------------------------------------------------------------


def _draw_content(rng: np.random.Generator, n: int) -> dict[str, np.ndarray]:
    """Draw everything that enters the log-odds except handler (no text, no names)."""
    topic = np.searchsorted(np.cumsum(_TOPIC_P), rng.random(n), side="right")
    topic = np.minimum(topic, _N_TOPICS - 1)
    u = rng.random(n)
    form = (u[:, None] >= _FORM_CDF[topic]).sum(axis=1)
    form = np.minimum(form, _N_FORMS - 1)

    participants = np.rint(np.exp(_LOG_PART_MEDIAN[form]
                                  + PARTICIPANTS_SIGMA * rng.standard_normal(n)))
    participants = np.maximum(participants, 1.0).astype(np.int64)
    log_median = _LOG_COST_MEDIAN[topic, form]
    cpp = np.exp(log_median + COST_SIGMA * rng.standard_normal(n))
    cost = np.maximum(np.round(cpp * participants / 100.0) * 100.0, 1000.0)
    log_cost_ratio = np.log(cost / participants) - log_median

    is_yrke = topic == _TOPIC_YRKE
    p_forfl = np.asarray(P_FORFLYTTNING)[form]
    p_forfl = np.where(is_yrke, 1.0 - 0.4 * (1.0 - p_forfl), p_forfl)
    has_forfl = rng.random(n) < p_forfl
    p_routine = np.asarray(P_ROUTINE)[form] * np.where(is_yrke, 0.3, 1.0)
    p_routine = p_routine * np.where(has_forfl, 0.3, 1.0)
    has_routine = rng.random(n) < p_routine
    has_need = rng.random(n) < np.asarray(P_NEED_BY_TOPIC)[topic]

    n_days = int((DATE_LAST - DATE_FIRST).astype(int)) + 1
    submitted = DATE_FIRST + rng.integers(0, n_days, size=n).astype("timedelta64[D]")
    return {
        "topic": topic, "form": form, "participants": participants, "cost": cost,
        "log_cost_ratio": log_cost_ratio, "has_forflyttning": has_forfl,
        "has_routine": has_routine, "has_need": has_need, "submitted": submitted,
    }


def _content_logit(c: dict[str, np.ndarray]) -> np.ndarray:
    """Content log-odds without the intercept."""
    return (_TOPIC_EFF[c["topic"]] + _FORM_EFF[c["form"]]
            + COST_EFFECT * c["log_cost_ratio"]
            + TEXT_EFFECTS["has_forflyttning"] * c["has_forflyttning"]
            + TEXT_EFFECTS["has_routine"] * c["has_routine"]
            + TEXT_EFFECTS["has_need"] * c["has_need"])


@functools.lru_cache(maxsize=1)
def _reference() -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    rng = np.random.default_rng(_REF_SEED)
    c = _draw_content(rng, _REF_N)
    z = rng.standard_normal(_REF_N)
    return _content_logit(c), (c["submitted"] >= KOMKR2022_FROM).astype(float), z


@functools.lru_cache(maxsize=256)
def _intercept(handler_sd: float, period_effect: float, base_rate: float) -> float:
    """Intercept giving a population approval rate of ``base_rate`` (Newton's method)."""
    x0, new_period, z = _reference()
    x = x0 + period_effect * new_period + handler_sd * z
    b = float(np.log(base_rate / (1.0 - base_rate)) - x.mean())
    for _ in range(50):
        p = expit(b + x)
        f = p.mean() - base_rate
        step = f / max(float((p * (1.0 - p)).mean()), 1e-12)
        b -= float(np.clip(step, -5.0, 5.0))
        if abs(f) < 1e-12:
            break
    return b


def _num_str(values: np.ndarray) -> np.ndarray:
    """Integers -> object array of str, sharing one str object per distinct value."""
    lo, hi = int(values.min()), int(values.max())
    table = np.array([str(i) for i in range(lo, hi + 1)], dtype=object)
    return table[values - lo]


def _join_str(cols: list[np.ndarray], n: int) -> pd.arrays.ArrowStringArray:
    """Concatenate the fragments of each row into a pandas ``str`` array.

    Works in chunks so that only one chunk of Python strings exists at a time; the
    result is a chunked pyarrow array.
    """
    chunks = []
    for i in range(0, n, _CHUNK):
        part = list(map("".join, zip(*(col[i:i + _CHUNK] for col in cols), strict=True)))
        chunks.append(pa.array(part, type=pa.large_string()))
    return pd.array(pa.chunked_array(chunks, type=pa.large_string()), dtype="str")


def _text(rng, c, subject, target, provider_type, provider, period_start,
          duration_days) -> tuple[np.ndarray, pd.arrays.ArrowStringArray]:
    """Titles (object array) and descriptions (``str`` array)."""
    n = c["topic"].shape[0]
    topic, form = c["topic"], c["form"]
    form_key = form + _N_FORMS * (topic == _TOPIC_YRKE)
    title = _TITLES[form_key * _N_SUBJECTS + subject]

    context = _CONTEXT_T.pick(rng, topic)
    need = _NEED_T.pick(rng, np.where(c["has_need"], topic, _N_TOPICS))
    need_first = rng.random(n) < 0.5
    first = np.where(need_first, need, context)
    second = np.where(need_first, context, need)

    opener = _OPENERS.pick(rng, np.zeros(n, dtype=np.int64))
    insats = _INSATS.pick(rng, form_key)
    forfl = _FORFL_T.pick(rng, c["has_forflyttning"].astype(np.int64))
    routine = _ROUTINE_T.pick(rng, c["has_routine"].astype(np.int64))

    is_lecture = form == _FORM_FORELASNING
    scope = _SCOPE_T.pick(rng, is_lecture.astype(np.int64))
    start_month = period_start.astype("datetime64[M]").astype(np.int64) % 12
    start_year = period_start.astype("datetime64[Y]").astype(np.int64) + 1970
    months = np.maximum(np.rint(duration_days / 30.0), 1).astype(np.int64)
    dur_open = _DURATION_T.pick(rng, np.zeros(n, dtype=np.int64))
    dur_open = np.where(is_lecture, "", dur_open)
    dur_months = np.where(is_lecture, "", _num_str(months))
    dur_unit = np.where(is_lecture, "", np.where(months == 1, " månad.", " månader."))

    prov_sent = _PROVIDER_SENT_T.pick(rng, provider_type)
    is_ext = provider_type == 2
    prov_name = np.where(is_ext, provider, "")
    prov_stop = np.where(is_ext, ".", "")
    samverkan = _SAMVERKAN_T.pick(rng, np.zeros(n, dtype=np.int64))

    cols = (first, " ", second, " ", opener, insats, _SUBJ_NAME[subject], " för ",
            _num_str(c["participants"]), " ", _TARGET_ARR[target], ".", forfl, routine,
            " ", scope, _SEASONS[start_month], _num_str(start_year), ".", dur_open,
            dur_months, dur_unit, prov_sent, prov_name, prov_stop, samverkan)
    cols = [np.broadcast_to(np.asarray(x, dtype=object), (n,)) for x in cols]
    return title, _join_str(cols, n)


def simulate(n: int, *, n_handlers: int = 8, handler_sd: float = 0.5,
             period_effect: float = -0.4, base_rate: float = 0.7,
             seed: int | None = None) -> SimulatedApplications:
    """Simulate applications and their decisions from a known process.

    The process is described in the module docstring of ``kompred._simulate``: topic,
    form, cost, three text signals, handler and agreement period enter the log-odds of a
    grant; the decision is Bernoulli(``p_true``). The true values are returned beside
    the data.

    Parameters
    ----------
    n : int
        Number of applications (>= 1).
    n_handlers : int, default 8
        Number of case handlers, named ``"H01"``, ``"H02"``, ... (zero-padded to at
        least two digits). Each application is assigned one uniformly at random,
        independently of its content. With 0 the ``handler`` column is all missing
        (the ``str`` dtype's missing value, NaN) and every handler effect is zero.
    handler_sd : float, default 0.5
        SD of the handler effects on the log-odds scale (>= 0). The effects are drawn
        iid N(0, handler_sd) and not centred, so ``handler_sd`` is the population SD
        that a random-effects estimate targets.
    period_effect : float, default -0.4
        Added to the log-odds of applications under ``KOM-KR-2022`` (submitted from
        2022-10-01).
    base_rate : float, default 0.7
        Population approval rate (strictly between 0 and 1). The intercept is solved
        so that the average of ``p_true`` over the process equals it; a single
        sample's rate varies around it.
    seed : int or None
        Seed (>= 0) for :class:`numpy.random.SeedSequence`. The same seed gives
        identical output, text included. ``None`` draws fresh entropy; it is recorded
        in ``params["entropy"]`` and ``seed=params["entropy"]`` reproduces the run.

    Returns
    -------
    SimulatedApplications
        ``applications`` (canonical schema), ``truth`` (one row per application,
        same order), ``handler_effects`` (Series by pseudonym) and ``params``.

    Raises
    ------
    kompred.exceptions.ValidationError
        (a ValueError) If an argument has the wrong type or is out of range.

    Examples
    --------
    >>> sim = simulate(200, n_handlers=5, seed=1)
    >>> sim.applications.shape
    (200, 20)
    >>> list(sim.truth.columns[:6])
    ['id', 'p_true', 'logit_content', 'handler_effect', 'period_effect', 'logit_true']
    >>> sim.applications["id"].iloc[0], sorted(sim.handler_effects.index)[:2]
    ('SIM-000001', ['H01', 'H02'])
    >>> sorted(sim.applications["decision"].unique())
    ['avslag', 'beviljad']
    >>> again = simulate(200, n_handlers=5, seed=1)
    >>> again.applications.equals(sim.applications) and again.truth.equals(sim.truth)
    True
    >>> 0.5 < sim.oracle_auc() <= 1.0
    True
    """
    n, n_handlers, handler_sd, period_effect, base_rate, seed = _validate(
        n, n_handlers, handler_sd, period_effect, base_rate, seed)

    ss = np.random.SeedSequence(seed)
    rng_content, rng_text, rng_handler, rng_decision = (
        np.random.default_rng(s) for s in ss.spawn(4))

    # ---- content -------------------------------------------------------------------
    c = _draw_content(rng_content, n)
    topic, form = c["topic"], c["form"]
    subject = _SUBJECTS_BY_TOPIC.pick(rng_content, topic)
    target = _TARGETS_BY_SUBJECT.pick(rng_content, subject)
    employer = np.searchsorted(np.cumsum(_EMPLOYER_P), rng_content.random(n), side="right")
    employer = np.minimum(employer, len(EMPLOYERS) - 1)
    unit = _UNITS.pick(rng_content, employer * len(KINDS) + _TARGET_KIND[target])
    u = rng_content.random(n)
    provider_type = np.minimum((u[:, None] >= _PTYPE_CDF[form]).sum(axis=1), 2)
    ext = _EXT_PROVIDERS.pick(rng_content, topic)
    provider = np.where(provider_type == 0, "Omställningsfonden",
                        np.where(provider_type == 1, _EMPLOYER_ARR[employer], ext))

    submitted = c["submitted"]
    decision_date = submitted + rng_content.integers(7, 46, size=n).astype("timedelta64[D]")
    period_start = submitted + rng_content.integers(50, 181, size=n).astype("timedelta64[D]")
    lo, hi = _DURATION[form, 0], _DURATION[form, 1]
    duration = lo + np.floor(rng_content.random(n) * (hi - lo + 1)).astype(np.int64)
    period_end = period_start + duration.astype("timedelta64[D]")
    new_agreement = submitted >= KOMKR2022_FROM

    # ---- handlers ------------------------------------------------------------------
    if n_handlers > 0:
        width = max(2, len(str(n_handlers)))
        names = np.array([f"H{i:0{width}d}" for i in range(1, n_handlers + 1)], dtype=object)
        effects = rng_handler.normal(0.0, 1.0, size=n_handlers) * handler_sd
        h = rng_handler.integers(0, n_handlers, size=n)
        handler_col = pd.array(names[h], dtype="str")
        handler_eff = effects[h]
        handler_effects = pd.Series(effects, index=pd.Index(names, dtype="str", name="handler"),
                                    name="handler_effect")
    else:
        handler_col = pd.array(np.full(n, None, dtype=object), dtype="str")
        handler_eff = np.zeros(n)
        handler_effects = pd.Series(np.zeros(0), index=pd.Index([], dtype="str", name="handler"),
                                    name="handler_effect")

    # ---- log-odds and decisions ----------------------------------------------------
    sd_eff = handler_sd if n_handlers > 0 else 0.0
    intercept = _intercept(sd_eff, period_effect, base_rate)
    logit_content = intercept + _content_logit(c)
    period_eff = np.where(new_agreement, period_effect, 0.0)
    logit_true = logit_content + handler_eff + period_eff
    p_true = expit(logit_true)
    granted = rng_decision.random(n) < p_true
    reduced = rng_decision.random(n) < P_GRANT_REDUCED
    share = 0.60 + 0.35 * rng_decision.random(n)
    granted_sek = np.where(reduced, np.round(c["cost"] * share / 100.0) * 100.0, c["cost"])
    granted_sek = np.where(granted, granted_sek, np.nan)

    # ---- text ----------------------------------------------------------------------
    title, description = _text(rng_text, c, subject, target, provider_type, provider,
                               period_start, duration)

    width = max(6, len(str(n)))
    ids = np.char.add("SIM-", np.char.zfill(np.arange(1, n + 1).astype(str), width))
    ids = pd.array(ids.astype(object), dtype="str")

    def ns(x: np.ndarray) -> np.ndarray:
        return x.astype("datetime64[ns]")

    applications = pd.DataFrame({
        "id": ids,
        "employer": pd.array(_EMPLOYER_ARR[employer], dtype="str"),
        "unit": pd.array(unit, dtype="str"),
        "agreement": pd.array(np.where(new_agreement, "KOM-KR-2022", "KOM-KR-2020")
                              .astype(object), dtype="str"),
        "fund_period": pd.array(np.where(submitted >= PERIOD_2024_FROM, "2024-2026",
                                         "2021-2023").astype(object), dtype="str"),
        "submitted": ns(submitted),
        "title": pd.array(title, dtype="str"),
        "description": description,
        "insats_form": pd.array(_FORMS_ARR[form], dtype="str"),
        "provider_type": pd.array(_PTYPES_ARR[provider_type], dtype="str"),
        "provider": pd.array(provider.astype(object), dtype="str"),
        "cost_sek": c["cost"],
        "participants": pd.array(c["participants"], dtype="Int64"),
        "period_start": ns(period_start),
        "period_end": ns(period_end),
        "decision": pd.array(np.where(granted, "beviljad", "avslag").astype(object),
                             dtype="str"),
        "decision_date": ns(decision_date),
        "granted_sek": granted_sek,
        "handler": handler_col,
        "topic": pd.array(_TOPICS_ARR[topic], dtype="str"),
    })
    truth = pd.DataFrame({
        "id": applications["id"].array,
        "p_true": p_true,
        "logit_content": logit_content,
        "handler_effect": handler_eff,
        "period_effect": period_eff,
        "logit_true": logit_true,
        "log_cost_ratio": c["log_cost_ratio"],
        "has_forflyttning": c["has_forflyttning"],
        "has_routine": c["has_routine"],
        "has_need": c["has_need"],
    })
    params = {
        "n": n,
        "n_handlers": n_handlers,
        "handler_sd": handler_sd,
        "period_effect": period_effect,
        "base_rate": base_rate,
        "seed": seed,
        "entropy": ss.entropy,
        "intercept": intercept,
        "topic_probs": dict(zip(TOPICS, _TOPIC_P.tolist(), strict=True)),
        "topic_effects": dict(TOPIC_EFFECTS),
        "form_probs": {t: dict(zip(FORMS, FORM_PROBS[t], strict=True)) for t in TOPICS},
        "form_effects": dict(FORM_EFFECTS),
        "cost_effect": COST_EFFECT,
        "cost_sigma": COST_SIGMA,
        "cost_median_topic": dict(COST_MEDIAN_TOPIC),
        "cost_form_multiplier": dict(COST_FORM_MULT),
        "participants_median": dict(PARTICIPANTS_MEDIAN),
        "text_effects": dict(TEXT_EFFECTS),
        "agreement_cutoff": str(KOMKR2022_FROM),
        "submitted_range": (str(DATE_FIRST), str(DATE_LAST)),
        "p_grant_reduced": P_GRANT_REDUCED,
    }
    return SimulatedApplications(applications=applications, truth=truth,
                                 handler_effects=handler_effects, params=params)
