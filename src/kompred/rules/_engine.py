"""The checklist's engine: statuses, results, the prepared application and the rule registry.

A rule is one function decorated with :func:`rule`. It receives the application prepared once
(:class:`_App`: the values under canonical keys, the masked text, the agreement version and
fund period, the context) and returns a :class:`Finding`. The decorator records the rule's id,
the criterion it checks (:data:`kompred.schema.CRITERIA`), its severity and its public sources
(:data:`kompred.schema.SOURCES`) in a :class:`Registry`, and turns the function into the public
``check(application, *, context=None) -> RuleResult``. The registry rejects a rule without a
criterion or a source with a URL, and an id that is already taken.

>>> reg = Registry()
>>> @reg.rule(id="has_title", title="Titel", criterion="form", severity=SAKNAS,
...           source=SOURCES["S1"], text="Anmälan har en titel.")
... def check_has_title(app):
...     return Finding(OK, "Titel finns.") if app.get("title") else Finding(SAKNAS, "Ange titel.")
>>> check_has_title({"title": "Kurs i svenska"}).status
'ok'
>>> [r.status for r in reg.run({}, context={"today": "2025-03-01"})]
['saknas']
>>> reg.rule(id="has_title", title="T", criterion="form", severity=SAKNAS,
...          source=SOURCES["S1"], text="T.")(lambda app: Finding(OK, ""))
Traceback (most recent call last):
...
ValueError: rule id 'has_title' is already registered
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import date
from types import MappingProxyType
from typing import Any, NamedTuple

import numpy as np
import pandas as pd

from ..exceptions import ValidationError
from ..schema import (
    AGREEMENTS,
    CRITERIA,
    FUND_PERIODS,
    SOURCES,  # noqa: F401  (the module docstring's example uses it)
    Source,
    agreement_for,
    canonical_column,
    column_names,
    fund_period_for,
    is_blank,
    join_texts,
    normalize_agreement,
    normalize_fund_period,
    to_date,
)
from ._text import _cased_text, _ev

__all__ = [
    "DEFAULT_DECISION_LEAD_DAYS",
    "INFO",
    "MANUELL",
    "OK",
    "REGISTRY",
    "SAKNAS",
    "STATUSES",
    "VARNING",
    "Finding",
    "Registry",
    "Rule",
    "RuleResult",
    "agreement_of",
    "rule",
    "run_rules",
    "summarize",
]

# --------------------------------------------------------------------------------------------
# Statuses, results, rules
# --------------------------------------------------------------------------------------------

SAKNAS = "saknas"
VARNING = "varning"
MANUELL = "manuell kontroll"
INFO = "info"
OK = "ok"
#: Every status a rule can give, most serious first.
STATUSES: tuple[str, ...] = (SAKNAS, VARNING, MANUELL, INFO, OK)
_SEVERITY = {s: i for i, s in enumerate(STATUSES)}


@dataclass(frozen=True)
class RuleResult:
    """The outcome of one rule for one application.

    Attributes
    ----------
    code : str
        Stable snake_case id of the rule (e.g. ``"no_samverkan"``).
    status : str
        One of :data:`STATUSES`.
    message : str
        Swedish, for an HR officer: what was found and what to do.
    rule : str
        The rule, in Swedish, in one sentence.
    source : str
        The public documents the rule rests on, each as publisher, title and URL.
    evidence : tuple of str
        The words and phrases that were matched (personnummer only in masked form).
    """

    code: str
    status: str
    message: str
    rule: str
    source: str
    evidence: tuple[str, ...] = ()


class Finding(NamedTuple):
    """What a rule function returns: a status, a Swedish message and the matched evidence."""

    status: str
    message: str
    evidence: Iterable[str] = ()


_CODE_RX = re.compile(r"[a-z][a-z0-9_]*")
_PERIOD_NAMES = tuple(p.name for p in FUND_PERIODS)


def _sources(source: Source | Iterable[Source] | None) -> tuple[Source, ...]:
    if source is None:
        return ()
    return (source,) if isinstance(source, Source) else tuple(source)


@dataclass(frozen=True)
class Rule:
    """One item of the checklist (made by :func:`rule`; validated when made).

    Attributes
    ----------
    code : str
        Stable snake_case id, the same as the ``code`` of its results.
    title : str
        Short Swedish title.
    check : callable
        ``check(application, *, context=None) -> RuleResult``.
    agreements : tuple of str
        Agreement versions (:data:`kompred.schema.AGREEMENTS`) the rule applies to.
    rule : str
        The rule text, in Swedish.
    criterion : str
        Key of the requirement it checks in :data:`kompred.schema.CRITERIA`.
    severity : str
        The most serious status the rule may give. A more serious finding is shown at this
        status: this is how a rule whose warnings are not precise enough is shown as
        information.
    sources : tuple of Source
        The public documents it rests on; at least one has a URL.
    periods : tuple of str or None
        Fund periods the rule applies to; None means every period. Period-specific details
        inside a rule (such as the rekvirering deadline) come from
        :data:`kompred.schema.FUND_PERIODS`.
    """

    code: str
    title: str
    check: Callable[..., RuleResult]
    agreements: tuple[str, ...]
    rule: str
    criterion: str = field(kw_only=True)
    severity: str = field(kw_only=True)
    sources: tuple[Source, ...] = field(kw_only=True)
    periods: tuple[str, ...] | None = None

    def __post_init__(self) -> None:
        name = f"rule {self.code!r}"
        if not isinstance(self.code, str) or not _CODE_RX.fullmatch(self.code):
            raise ValueError(f"expected a snake_case rule id; got {self.code!r}")
        for attr in ("title", "rule"):
            value = getattr(self, attr)
            if not isinstance(value, str) or not value.strip():
                raise ValueError(f"{name}: expected a non-empty {attr}; got {value!r}")
        if not callable(self.check):
            raise TypeError(f"{name}: expected a callable check; got {type(self.check).__name__}")
        if self.criterion not in CRITERIA:
            raise ValueError(
                f"{name}: expected a criterion among {list(CRITERIA)}; got {self.criterion!r}"
            )
        if self.severity not in STATUSES or self.severity == OK:
            raise ValueError(f"{name}: expected a severity among {list(STATUSES[:-1])}; "
                             f"got {self.severity!r}")
        if not self.sources or not all(isinstance(s, Source) for s in self.sources):
            raise ValueError(f"{name}: expected one or more kompred.schema.Source as source; "
                             f"got {self.sources!r}")
        if not any(s.url for s in self.sources):
            raise ValueError(f"{name}: expected at least one public source with a URL")
        if not self.agreements or not set(self.agreements) <= set(AGREEMENTS):
            raise ValueError(f"{name}: expected agreements among {list(AGREEMENTS)}; "
                             f"got {self.agreements!r}")
        if self.periods is not None and (
            not self.periods or not set(self.periods) <= set(_PERIOD_NAMES)
        ):
            raise ValueError(f"{name}: expected periods among {list(_PERIOD_NAMES)} or None; "
                             f"got {self.periods!r}")

    @property
    def source(self) -> str:
        """The sources as one line: ``"Publisher: Title, URL; …"``."""
        return "; ".join(s.cite() for s in self.sources)

    def applies_to(self, agreement: str | None, fund_period: str | None) -> bool:
        """Whether the rule applies to this agreement version and fund period (None: unknown)."""
        if agreement is not None and agreement not in self.agreements:
            return False
        return not (
            self.periods is not None and fund_period is not None and fund_period not in self.periods
        )

    def result(self, finding: Finding) -> RuleResult:
        """The :class:`RuleResult` of a finding, its status capped at :attr:`severity`."""
        status, message, evidence = finding
        if status not in _SEVERITY:
            raise ValueError(f"rule {self.code!r} returned status {status!r}; expected one of "
                             f"{list(STATUSES)}")
        if _SEVERITY[status] < _SEVERITY[self.severity]:
            status = self.severity
        return RuleResult(self.code, status, message, self.rule, self.source, _ev(evidence))


# --------------------------------------------------------------------------------------------
# The application, prepared once
# --------------------------------------------------------------------------------------------

_CANONICAL = frozenset(column_names())
_CONTEXT_KEYS = frozenset(
    {"similar_granted_cost_per_participant", "today", "agreement", "fund_period",
     "decision_lead_days"}
)  # fmt: skip
#: Days between submission and a plausible decision when the caller gives none. An assumption
#: (the fund publishes no handling time), used only to warn about starts right after submission.
DEFAULT_DECISION_LEAD_DAYS = 14

_missing = is_blank  # an empty cell: None, NA, NaN or only whitespace


@dataclass(frozen=True)
class _App:
    """An application prepared once for all rules (what a rule function receives)."""

    values: Mapping[str, Any]
    text: str  # title + description: lowercase, masked, digits kept (see _cased_text)
    cased: str  # title + description, case and digits kept, masked
    raw_fields: tuple[tuple[str, str], ...]  # every string field as given (personnummer rule)
    agreement: str | None
    agreement_inferred: bool
    fund_period: str | None
    fund_period_inferred: bool
    today: date
    similar: np.ndarray | None
    lead_days: int

    def get(self, key: str) -> Any:
        value = self.values.get(key)
        return None if _missing(value) else value


def _as_mapping(application: Any) -> dict[str, Any]:
    if isinstance(application, pd.Series):
        items = application.to_dict().items()
    elif isinstance(application, Mapping):
        items = application.items()
    else:
        raise TypeError(
            "expected an application as a dict or a pandas Series (one row of the application "
            f"table); got {type(application).__name__}"
        )
    out: dict[str, Any] = {}
    for key, value in items:
        if isinstance(key, str):
            name = key if key in _CANONICAL else (canonical_column(key) or key)
        else:
            name = str(key)
        if name not in out or (_missing(out[name]) and not _missing(value)):
            out[name] = value
    return out


def _check_context(context: Any) -> dict[str, Any]:
    if context is None:
        return {}
    if not isinstance(context, Mapping):
        raise ValidationError(f"expected context to be a dict or None; got {type(context).__name__}")
    unknown = sorted(set(map(str, context)) - _CONTEXT_KEYS)
    if unknown:
        raise ValidationError(
            f"expected context keys among {sorted(_CONTEXT_KEYS)}; got unknown key(s) {unknown}"
        )
    return dict(context)


def _prepare(application: Any, context: Any = None) -> _App:
    if isinstance(application, _App):
        return application
    ctx = _check_context(context)
    values = _as_mapping(application)

    today = ctx.get("today")
    if today is None:
        today = date.today()
    else:
        parsed = to_date(today)
        if parsed is None:
            raise ValidationError(f"expected context['today'] to be a date; got {today!r}")
        today = parsed

    lead = ctx.get("decision_lead_days", DEFAULT_DECISION_LEAD_DAYS)
    if isinstance(lead, bool) or not isinstance(lead, int | np.integer) or lead < 0:
        raise ValidationError(
            f"expected context['decision_lead_days'] to be a non-negative int; got {lead!r}"
        )

    similar = ctx.get("similar_granted_cost_per_participant")
    if similar is not None:
        try:
            arr = np.asarray(similar, dtype=float).ravel()
        except (TypeError, ValueError) as exc:
            raise ValidationError(
                "expected context['similar_granted_cost_per_participant'] to be numbers; "
                f"got {type(similar).__name__}"
            ) from exc
        similar = arr[np.isfinite(arr) & (arr > 0)]

    reference = to_date(values.get("submitted")) or today
    override = ctx.get("agreement")
    if override is not None:
        agreement = normalize_agreement(override)
        if agreement is None:
            raise ValidationError(
                f"expected context['agreement'] to be one of {list(AGREEMENTS)}; got {override!r}"
            )
        inferred = False
    else:
        agreement = normalize_agreement(values.get("agreement"))
        inferred = agreement is None
        if agreement is None:
            agreement = agreement_for(reference)

    period = normalize_fund_period(ctx.get("fund_period")) or normalize_fund_period(
        values.get("fund_period")
    )
    period_inferred = period is None
    if period is None:
        period = fund_period_for(reference)

    def text_of(key: str) -> str:
        v = values.get(key)
        return v if isinstance(v, str) and not _missing(v) else ""

    joined = join_texts(text_of("title"), text_of("description"))
    raw_fields = tuple(
        (str(k), v) for k, v in values.items() if isinstance(v, str) and v.strip()
    )
    return _App(
        values=MappingProxyType(values),
        text=_cased_text(joined).lower(),
        cased=_cased_text(joined),
        raw_fields=raw_fields,
        agreement=agreement,
        agreement_inferred=inferred,
        fund_period=period,
        fund_period_inferred=period_inferred,
        today=today,
        similar=similar,
        lead_days=int(lead),
    )


# --------------------------------------------------------------------------------------------
# The registry
# --------------------------------------------------------------------------------------------


class Registry:
    """An ordered set of rules with unique ids; results come back in registration order.

    The checklist is :data:`REGISTRY`, filled by the family modules of :mod:`kompred.rules`.
    A fresh ``Registry()`` is for trying rules out without touching the checklist.
    """

    def __init__(self) -> None:
        self._rules: dict[str, Rule] = {}

    def add(self, item: Rule) -> Rule:
        """Register a :class:`Rule`; its id must be new."""
        if not isinstance(item, Rule):
            raise TypeError(f"expected a Rule; got {type(item).__name__}")
        if item.code in self._rules:
            raise ValueError(f"rule id {item.code!r} is already registered")
        self._rules[item.code] = item
        return item

    def rule(
        self,
        *,
        id: str,
        title: str,
        criterion: str,
        severity: str,
        source: Source | Iterable[Source],
        text: str,
        agreements: Iterable[str] = AGREEMENTS,
        periods: Iterable[str] | None = None,
    ) -> Callable[[Callable[[_App], Finding]], Callable[..., RuleResult]]:
        """Decorator: register ``fn(app) -> Finding`` as a rule and return its public check.

        Parameters
        ----------
        id : str
            Stable snake_case id of the rule, unique in the registry.
        title : str
            Short Swedish title.
        criterion : str
            Key in :data:`kompred.schema.CRITERIA` of the requirement the rule checks.
        severity : str
            The most serious status the rule may give (see :attr:`Rule.severity`).
        source : Source or iterable of Source
            The public documents the rule rests on (from :data:`kompred.schema.SOURCES`).
        text : str
            The rule, in Swedish, in one sentence (shown with every result).
        agreements : iterable of str, default all versions
            Agreement versions the rule applies to.
        periods : iterable of str, optional
            Fund periods the rule applies to; None means every period.

        Returns
        -------
        callable
            ``check(application, *, context=None) -> RuleResult``, with the :class:`Rule` as its
            ``rule`` attribute.
        """

        def register(fn: Callable[[_App], Finding]) -> Callable[..., RuleResult]:
            @functools.wraps(fn)
            def check(application: Any, *, context: Any = None) -> RuleResult:
                return made.result(Finding(*fn(_prepare(application, context))))

            made = Rule(
                code=id, title=title, check=check, agreements=tuple(agreements), rule=text,
                criterion=criterion, severity=severity, sources=_sources(source),
                periods=None if periods is None else tuple(periods),
            )
            self.add(made)
            check.rule = made  # type: ignore[attr-defined]
            return check

        return register

    @property
    def rules(self) -> tuple[Rule, ...]:
        """The rules, in registration order."""
        return tuple(self._rules.values())

    def by_code(self) -> Mapping[str, Rule]:
        """The rules by id (read-only)."""
        return MappingProxyType(dict(self._rules))

    def run(self, application: Any, *, context: Mapping[str, Any] | None = None
            ) -> list[RuleResult]:
        """Every rule that applies to the application's agreement and period (see run_rules)."""
        app = _prepare(application, context)
        return [r.check(app) for r in self._rules.values()
                if r.applies_to(app.agreement, app.fund_period)]

    def __iter__(self) -> Iterator[Rule]:
        return iter(self.rules)

    def __len__(self) -> int:
        return len(self._rules)

    def __contains__(self, code: object) -> bool:
        return code in self._rules


#: The checklist: every rule of kompred.rules, in the order results are returned.
REGISTRY = Registry()
#: ``@rule(id=..., title=..., criterion=..., severity=..., source=..., text=...)`` registers a
#: function in :data:`REGISTRY`.
rule = REGISTRY.rule


def run_rules(application: Any, *, context: Mapping[str, Any] | None = None) -> list[RuleResult]:
    """Run every rule that applies to the application's agreement version and fund period.

    Parameters
    ----------
    application : dict or pandas Series
        One application (keys from :mod:`kompred.schema`; Swedish headers accepted; any key may
        be missing).
    context : dict, optional
        ``similar_granted_cost_per_participant``: cost per participant of similar granted
        applications (array-like); ``today``: the date drafts are checked against (default
        ``date.today()``); ``agreement``: agreement version overriding the application's;
        ``fund_period``: fund period overriding the application's; ``decision_lead_days``:
        assumed days from submission to decision (default 14).

    Returns
    -------
    list of RuleResult
        One per applicable rule, in the order of ``kompred.rules.RULES``. The agreement, when
        not given, is the version in force on ``submitted`` (or ``today``), from
        :func:`kompred.schema.agreement_for`.
    """
    return REGISTRY.run(application, context=context)


def agreement_of(application: Any, *, context: Mapping[str, Any] | None = None) -> str | None:
    """The agreement version the rules judge an application by (as :func:`run_rules` does).

    The application's own ``agreement`` when it names one, else the version in force on its
    ``submitted`` date (or ``context["today"]``), from :func:`kompred.schema.agreement_for`.

    >>> agreement_of({"submitted": "2022-09-30"}), agreement_of({"submitted": "2022-10-01"})
    ('KOM-KR-2020', 'KOM-KR-2022')
    """
    return _prepare(application, context).agreement


def summarize(results: Iterable[RuleResult]) -> dict[str, int]:
    """Count results per status: a dict with every status of :data:`STATUSES`, in that order.

    >>> summarize([RuleResult("dates", "ok", "", "", ""), RuleResult("x", "varning", "", "", "")])
    {'saknas': 0, 'varning': 1, 'manuell kontroll': 0, 'info': 0, 'ok': 1}
    """
    counts = dict.fromkeys(STATUSES, 0)
    for r in results:
        if not isinstance(r, RuleResult):
            raise TypeError(f"expected RuleResult items; got {type(r).__name__}")
        if r.status not in counts:
            raise ValueError(f"expected a status among {list(STATUSES)}; got {r.status!r}")
        counts[r.status] += 1
    return counts

