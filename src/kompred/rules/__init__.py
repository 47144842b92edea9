"""The pre-submission checklist: a small engine and one module per family of rules.

An application is one row of the canonical table (a pandas Series or a dict with keys from
:mod:`kompred.schema`; Swedish headers such as ``"Beskrivning"`` are accepted too, and any key
may be missing). :func:`run_rules` runs every rule that applies to the application's agreement
version and fund period and returns one :class:`RuleResult` per rule, in the order of
:data:`RULES`. :func:`summarize` counts the statuses. Nothing here prints, reads files or
downloads anything.

Statuses (:data:`STATUSES`, most serious first)
-----------------------------------------------
``saknas``
    Something the form or the criteria require was not found (an empty field, no stated need,
    no samverkan). Add it before sending.
``varning``
    Something was found that often leads to avslag or breaks a rule (a one-off lecture, a start
    before approval, routine-training wording). Revise it or argue for it in the text.
``manuell kontroll``
    The rule's answer is not settled in the public sources (wages and substitute costs, health
    and rehabilitation insatser, newly hired participants). Check with the fund or by hand.
``info``
    A note, or the check could not be made (e.g. no similar granted applications to compare
    the cost with).
``ok``
    The check found what the rule asks for, or nothing that breaks it.

Most rules are text heuristics: they look for Swedish words and phrases (compounds,
inflections, upper or lower case, with or without å/ä/ö) in the title and description and
report what they matched in ``evidence``. They help a reviewer; they are not the fund's decision.
Every text is searched after personnummer have been masked, so ``evidence`` never holds one.

Layout
------
``_engine``
    statuses, :class:`RuleResult`, :class:`Rule`, the prepared application, the
    :class:`Registry` and its decorator :func:`rule`, :func:`run_rules`, :func:`summarize`
``_text``
    Swedish term matching, evidence, amounts
``form``, ``content``, ``eligibility``, ``costs``, ``dates``, ``scope``, ``privacy``
    the rules, one family per module; the order of the modules below is the order of results

Adding a rule is adding one function decorated with :func:`rule` to a family module: it
declares its id, the criterion it checks (:data:`kompred.schema.CRITERIA`), its severity and its
public sources (:data:`kompred.schema.SOURCES`), and returns a :class:`Finding`.

Examples
--------
>>> from datetime import date
>>> app = {
...     "title": "Undersköterskeutbildning för vårdbiträden",
...     "description": "Ett 30-tal pensionsavgångar väntas och undersköterska är en skyddad "
...     "yrkestitel. 20 vårdbiträden läser till undersköterska via Komvux. Samverkan i FSG "
...     "och protokoll 2025-02-03.",
...     "insats_form": "utbildning", "provider_type": "extern leverantör",
...     "cost_sek": 900_000, "participants": 20, "submitted": "2025-02-10",
...     "period_start": "2025-04-01", "period_end": "2026-06-30",
... }
>>> results = run_rules(app, context={"today": date(2025, 2, 10)})
>>> [(r.code, r.status) for r in results][:3]
[('missing_fields', 'ok'), ('no_competence_need', 'ok'), ('routine_training', 'ok')]
>>> summarize(results)["varning"]
0
>>> RULES_BY_CODE["no_samverkan"].criterion, RULES_BY_CODE["no_samverkan"].sources[0].key
('samverkan', 'S3')
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType

from ..schema import AGREEMENTS, CRITERIA, FUND_PERIODS, FundPeriod
from ..text.pii import find_personnummer, redact_personnummer  # noqa: F401  (former names)
from ._engine import (
    DEFAULT_DECISION_LEAD_DAYS,
    INFO,
    MANUELL,
    OK,
    REGISTRY,
    SAKNAS,
    STATUSES,
    VARNING,
    Finding,
    Registry,
    Rule,
    RuleResult,
    agreement_of,
    rule,
    run_rules,
    summarize,
)
from ._text import PNR_EVIDENCE, SNR_EVIDENCE

# The families, in the order their results are returned.
from .form import check_missing_fields  # isort: skip
from .content import (  # isort: skip
    check_no_competence_need,
    check_one_off_lecture,
    check_routine_training,
)
from .eligibility import (  # isort: skip
    check_no_samverkan,
    check_participants_not_employed,
    check_recruitment_training,
)
from .costs import (  # isort: skip
    COST_PERCENTILE,
    MIN_SIMILAR,
    check_cost_per_participant,
    check_ineligible_costs,
)
from .dates import LONG_PERIOD_DAYS, REKVIRERING_MARGIN_DAYS, check_dates  # isort: skip
from .scope import check_new_ground_health  # isort: skip
from .privacy import check_personnummer  # isort: skip

__all__ = [
    "COST_PERCENTILE",
    "DEFAULT_DECISION_LEAD_DAYS",
    "FUND_PERIODS",
    "INFO",
    "LONG_PERIOD_DAYS",
    "MANUELL",
    "MIN_SIMILAR",
    "OK",
    "PNR_EVIDENCE",
    "REGISTRY",
    "REKVIRERING_MARGIN_DAYS",
    "RULES",
    "RULES_BY_CODE",
    "SAKNAS",
    "SNR_EVIDENCE",
    "STATUSES",
    "VARNING",
    "Finding",
    "FundPeriod",
    "Registry",
    "Rule",
    "RuleResult",
    "agreement_of",
    "check_cost_per_participant",
    "check_dates",
    "check_ineligible_costs",
    "check_missing_fields",
    "check_new_ground_health",
    "check_no_competence_need",
    "check_no_samverkan",
    "check_one_off_lecture",
    "check_participants_not_employed",
    "check_personnummer",
    "check_recruitment_training",
    "check_routine_training",
    "rule",
    "run_rules",
    "summarize",
]

#: The checklist, in the order results are returned.
RULES: tuple[Rule, ...] = REGISTRY.rules
#: The rules by code.
RULES_BY_CODE: Mapping[str, Rule] = MappingProxyType({r.code: r for r in RULES})


def _describe(rules: tuple[Rule, ...]) -> str:
    # The list of rules in this docstring is written from the registry, so it cannot drift.
    lines = ["", "The rules (id, title, criterion, most serious status; the rule; its sources)",
             "-" * 78]
    for r in rules:
        versions = "" if set(r.agreements) == set(AGREEMENTS) else f" Bara {', '.join(r.agreements)}."
        lines += [f"``{r.code}``",
                  f"    {r.title}. {CRITERIA[r.criterion].label()} Högst: {r.severity}.",
                  f"    {r.rule}{versions}",
                  f"    Källor: {r.source}"]
    return "\n".join(lines) + "\n"


__doc__ = (__doc__ or "") + _describe(RULES)
