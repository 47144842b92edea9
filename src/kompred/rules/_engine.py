"""The pre-submission checklist: one rule per function, each citing the rule it enforces.

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

The rules (code, what it checks, source; [Sx] refers to the source list of the project's domain
brief, ``domain.md``)
--------------------------------------------------------------------------------------------
``missing_fields``
    The five form fields are filled in: bakgrund och behov, insats, utförare, kostnad, period
    (from the columns or the text). Omställningsfonden, Ansökan steg för steg [S1]; domain.md
    §5, §11.1.
``no_competence_need``
    A concrete kompetensförsörjning need is stated (pensionsavgångar, rekryteringsläge,
    demografi, nya krav, behörighet, nya arbetssätt, omorganisation, politiska beslut).
    Omställningsfonden, Kriterier för beviljande [S2]; domain.md §4 kriterium 2, §11.4.
    Only KOM-KR (TLO-KL had the purpose of avoiding arbetsbrist instead).
``routine_training``
    The insats goes beyond löpande kompetensutveckling: a kompetensförflyttning is stated, and
    wording typical of routine training is flagged. [S2], SKR Frågor och svar om KOM-KR [S3];
    domain.md §4 kriterium 4, §11.5 (gray zone: [S21]).
``one_off_lecture``
    A one-off lecture, seminar or inspiration day. Stockholms stad's report on 2021–2023
    (rejected: föreläsning om palliativ vård, föreläsning om hållbart arbetsliv); [S2];
    domain.md §4 kriterium 4.
``no_samverkan``
    Samverkan or MBL-förhandling with the unions took place, protokollförd, before the
    application. [S3]; domain.md §4 kriterium 5, §11.3.
``participants_not_employed``
    The participants are employed when the application is made and throughout the insats
    (temporary staff are fine; planned recruits are not). [S2]; domain.md §4 kriterium 1, §11.2.
``ineligible_costs``
    Only eligible cost types; wages and substitute costs go to manual check (UNVERIFIED).
    [S3], Kommunalarbetaren [S32], [S33]; domain.md §3, §4 kriterium 7, §11.8.
``cost_per_participant_high``
    Cost per participant against similar granted applications (above their 90th percentile,
    with at least 5 of them, is a warning). The fund's rimlighetsbedömning under TLO-KL [S7];
    domain.md §11.9.
``dates``
    The insats starts after approval and ends in time for rekvirering by the period's deadline
    (2029-12-31 for 2024–2026); under TLO-KL the complete anmälan was due 2019-11-29. [S1],
    [S4], [S10]; domain.md §1, §2, §11.11.
``new_ground_health``
    Health, rehabilitation and subsidised-employment insatser are new ground under the 2024
    avsiktsförklaring: check with the fund. Avsiktsförklaring om kompetensförsörjning av
    välfärden (2024-03-28); TLO-KL practice [S10], [S14]; domain.md §9, §11.16. Only KOM-KR.
``personnummer``
    No personnummer or samordningsnummer in the application; they are masked in every output.
    Dataskyddsförordningen art. 5.1 c (uppgiftsminimering).

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
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import date, timedelta
from types import MappingProxyType
from typing import Any

import numpy as np
import pandas as pd

from ..exceptions import ValidationError
from ..featurize import find_personnummer, redact_personnummer
from ..schema import (
    AGREEMENTS,
    FUND_PERIODS,
    KOM_KR,
    FundPeriod,
    agreement_for,
    canonical_column,
    column_names,
    fund_period,
    fund_period_for,
    is_blank,
    join_texts,
    normalize_agreement,
    normalize_fund_period,
    normalize_insats_form,
    normalize_provider_type,
    parse_number,
    to_date,
)

__all__ = [
    "FUND_PERIODS",
    "MANUELL",
    "INFO",
    "OK",
    "RULES",
    "RULES_BY_CODE",
    "SAKNAS",
    "STATUSES",
    "VARNING",
    "FundPeriod",
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
    "check_routine_training",
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

#: What redacted personnummer look like in evidence.
PNR_EVIDENCE = "[PERSONNUMMER]"
SNR_EVIDENCE = "[SAMORDNINGSNUMMER]"
_MAX_EVIDENCE = 10


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
        Where the rule comes from (document, [Sx] and URL from the domain brief's source list).
    evidence : tuple of str
        The words and phrases that were matched (personnummer only in masked form).
    """

    code: str
    status: str
    message: str
    rule: str
    source: str
    evidence: tuple[str, ...] = ()


@dataclass(frozen=True)
class Rule:
    """One item of the checklist.

    Attributes
    ----------
    code : str
        Stable id, the same as the ``code`` of its results.
    title : str
        Short Swedish title.
    check : callable
        ``check(application, *, context=None) -> RuleResult``.
    agreements : tuple of str
        Agreement versions (:data:`kompred.schema.AGREEMENTS`) the rule applies to.
    periods : tuple of str or None
        Fund periods the rule applies to; None means every period. Period-specific details
        inside a rule (such as the rekvirering deadline) come from :data:`FUND_PERIODS`.
    rule : str
        The rule text, in Swedish.
    source : str
        Its source.
    """

    code: str
    title: str
    check: Callable[..., RuleResult]
    agreements: tuple[str, ...]
    rule: str
    source: str
    periods: tuple[str, ...] | None = None

    def applies_to(self, agreement: str | None, fund_period: str | None) -> bool:
        """Whether the rule applies to this agreement version and fund period (None: unknown)."""
        if agreement is not None and agreement not in self.agreements:
            return False
        return not (
            self.periods is not None and fund_period is not None and fund_period not in self.periods
        )



# Sources (domain.md's source list).
_S1 = (
    "Omställningsfonden, Ansökan steg för steg [S1] https://www.omstallningsfonden.se/"
    "arbeta-med-omstallning/forebyggande-insatser/ansokan-steg-for-steg/"
)
_S2 = (
    "Omställningsfonden, Kriterier för beviljande av förebyggande insatser [S2] "
    "https://www.omstallningsfonden.se/arbetsgivare/forebyggande-insatser/"
    "kriterier-for-beviljande-av-forebyggande-insatser/"
)
_S3 = (
    "SKR, Frågor och svar om KOM-KR [S3] https://skr.se/skr/arbetsgivarekollektivavtal/"
    "kollektivavtal/kompetensochomstallningsavtal/fragorochsvaromkomkr.36065.html"
)
_S4 = (
    "Omställningsfonden, Nya medel för förebyggande insatser (2024-01-22) [S4] "
    "https://www.omstallningsfonden.se/om-oss/nyhetsrum/nya-medel-for-forebyggande-insatser/"
)
_S7 = "Omställningsfonden, TLO-KL Ansöka om medel [S7] http://omstallningsfonden.se/tlo-kl/ansoka-om-medel/"
_S10 = (
    "Omställningsfonden, Tolkningar och förtydliganden i TLO-KL [S10] "
    "http://omstallningsfonden.se/2018/05/tolkningar-och-fortydliganden-i-tlo-kl/"
)
_S14 = (
    "Omställningsfonden, Tidig lokal omställning 2017–april 2020 [S14] "
    "https://www.omstallningsfonden.se/arbeta-med-omstallning/forebyggande-insatser/"
    "tidig-lokal-omstallning-2017-april-2020/"
)
_S21 = (
    "Omställningsfonden, 750 miljoner till kompetensutveckling i välfärden [S21] "
    "https://www.omstallningsfonden.se/om-oss/nyhetsrum/750-miljoner-till-kompetensutveckling-i-valfarden/"
)
_S32 = (
    "Kommunalarbetaren 2022-03-07 (Karlskrona: kommunen stod för lönekostnaderna) [S32] "
    "https://ka.se/2022/03/07/underskoterskan-johan-vidareutbildade-sig-utan-att-behova-ta-lan/"
)
_S33 = (
    "Kommunalarbetaren 2024-01-19 [S33] https://ka.se/2024/01/19/"
    "tre-satt-att-fa-betalda-studier-for-dig-som-har-jobb-ar-vikarie-eller-blivit-uppsagd/"
)
_STHLM = (
    "Stockholms stad, Redovisning av förebyggande insatser via Omställningsfonden 2021–2023 "
    "(avslag: föreläsning om palliativ vård, föreläsning om att främja ett hållbart arbetsliv)"
)
_AVSIKT = (
    "Avsiktsförklaring om kompetensförsörjning av välfärden, SKR, Sobona och de fackliga "
    "organisationerna, 2024-03-28 (gäller t.o.m. 2026-12-31)"
)
_GDPR = (
    "Dataskyddsförordningen (EU) 2016/679 art. 5.1 c, uppgiftsminimering "
    "https://eur-lex.europa.eu/eli/reg/2016/679/oj"
)

# --------------------------------------------------------------------------------------------
# Text matching
# --------------------------------------------------------------------------------------------

_LETTER = r"[^\W\d_]"
_FOLD = {"å": "åa", "ä": "äa", "ö": "öo", "é": "ée"}


def _fold(pattern: str) -> str:
    """Let å, ä, ö and é in a pattern also match a, a, o and e (common typos, ASCII keyboards)."""
    out, in_class, escaped = [], False, False
    for ch in pattern:
        if escaped:
            out.append(ch)
            escaped = False
        elif ch == "\\":
            out.append(ch)
            escaped = True
        elif ch == "[" and not in_class:
            out.append(ch)
            in_class = True
        elif ch == "]" and in_class:
            out.append(ch)
            in_class = False
        elif ch in _FOLD:
            out.append(_FOLD[ch] if in_class else f"[{_FOLD[ch]}]")
        else:
            out.append(ch)
    return "".join(out)


def _term(term: str) -> str:
    # "~" at the start: no letter may precede; "~" at the end: no letter may follow. Without it
    # the term also matches inside compounds ("pensionsavgång" in "pensionsavgångarna").
    left = term.startswith("~")
    right = len(term) > 1 and term.endswith("~")
    core = term[1 if left else 0 : len(term) - 1 if right else len(term)]
    if "~" in core:
        raise ValueError(f"'~' marks a word boundary only at the ends of a term; got {term!r}")
    return (f"(?<!{_LETTER})" if left else "") + _fold(core) + (f"(?!{_LETTER})" if right else "")


def _rx(*terms: str, case: bool = False) -> re.Pattern[str]:
    """Compile alternatives written with the ``~`` boundary markers (see :func:`_term`)."""
    body = "|".join(f"(?:{_term(t)})" for t in terms)
    return re.compile(body, 0 if case else re.IGNORECASE)


def _expand(text: str, start: int, end: int) -> str:
    """The match widened to whole words: "avgång" inside "pensionsavgångar" gives the word."""
    while start > 0 and text[start - 1].isalpha():
        start -= 1
    while end < len(text) and text[end].isalpha():
        end += 1
    return text[start:end].strip(" ,.;:()\"'")


def _before(text: str, start: int, width: int = 50, stops: str = ".!?;") -> str:
    piece = text[max(0, start - width) : start]
    cut = max(piece.rfind(c) for c in stops)
    return piece[cut + 1 :] if cut >= 0 else piece


def _after(text: str, end: int, width: int = 50, stops: str = ".!?;") -> str:
    piece = text[end : end + width]
    cuts = [i for i in (piece.find(c) for c in stops) if i >= 0]
    return piece[: min(cuts)] if cuts else piece


def _find(
    rx: re.Pattern[str], text: str, *, skip: Callable[[str, re.Match[str]], bool] | None = None
) -> list[str]:
    """Whole-word evidence of every match of ``rx`` in ``text``, unique and in order."""
    found: list[str] = []
    seen: set[str] = set()
    for m in rx.finditer(text):
        if skip is not None and skip(text, m):
            continue
        word = _expand(text, m.start(), m.end())
        key = word.lower()
        if word and key not in seen:
            seen.add(key)
            found.append(word)
    return found


def _ev(*groups: Iterable[str]) -> tuple[str, ...]:
    out: list[str] = []
    for g in groups:
        for item in g:
            if item not in out:
                out.append(item)
    return tuple(out[:_MAX_EVIDENCE])


def _quote(words: Iterable[str], limit: int = 5) -> str:
    words = list(words)
    shown = ", ".join(f"”{w}”" for w in words[:limit])
    return shown + (f" m.fl. ({len(words)} träffar)" if len(words) > limit else "")


def _kr(value: float) -> str:
    return f"{round(value):,}".replace(",", " ") + " kr"


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
_DASHES = str.maketrans({c: "-" for c in "\u2010\u2011\u2012\u2013\u2014\u2015\u2212"})
_INVISIBLE = dict.fromkeys(map(ord, "\u00ad\u200b\u2060\ufeff"))


_missing = is_blank  # an empty cell: None, NA, NaN or only whitespace


def _to_number(value: Any) -> float | None:
    """A number cell, or None when it is empty or not a number."""
    x = parse_number(value)
    return None if x is None or np.isnan(x) else x


def _cased_text(text: str) -> str:
    """NFC, personnummer masked, ASCII dashes, no invisible characters, one space.

    Like :func:`kompred.featurize.normalize_text` but keeping case and digits: the rules need
    amounts, dates and counts, show evidence as written, and match acronyms (OB, BEA) by case.
    """
    text = unicodedata.normalize("NFC", text)
    text = redact_personnummer(text, PNR_EVIDENCE)
    text = text.translate(_DASHES).translate(_INVISIBLE)
    return " ".join(text.split())


@dataclass(frozen=True)
class _App:
    """An application prepared once for all rules (internal)."""

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


def _result(code: str, status: str, message: str, evidence: Iterable[str] = ()) -> RuleResult:
    meta = _META[code]
    return RuleResult(code, status, message, meta["rule"], meta["source"], _ev(evidence))


_META: dict[str, dict[str, str]] = {
    "missing_fields": {
        "title": "Formulärets fem fält",
        "rule": "Anmälan ska ange bakgrund och behov, vilken insats som ska genomföras, utförare, "
                "kostnad och period för genomförande.",
        "source": f"{_S1}; domain.md §5, §11.1",
    },
    "no_competence_need": {
        "title": "Kompetensförsörjningsbehov",
        "rule": "Insatsen ska tillgodose arbetsgivarens kompetensförsörjningsbehov på kort sikt "
                "(t.ex. vakans genom pensionsavgång) eller lång sikt (t.ex. demografi, politiska "
                "beslut).",
        "source": f"{_S2}; domain.md §4 kriterium 2, §11.4",
    },
    "routine_training": {
        "title": "Utöver löpande kompetensutveckling",
        "rule": "Insatsen ska vara en kompetensförflyttning utöver normal kompetensutveckling "
                "inom tjänsten (ny roll, nya arbetsuppgifter, formell kompetens, behörighet).",
        "source": f"{_S2}; {_S3}; domain.md §4 kriterium 4, §11.5; gråzon: {_S21}",
    },
    "one_off_lecture": {
        "title": "Enstaka föreläsning",
        "rule": "En enstaka föreläsning, ett seminarium eller en inspirationsdag ger sällan den "
                "kompetensförflyttning som krävs.",
        "source": f"{_STHLM}; {_S2}; domain.md §4 kriterium 4",
    },
    "no_samverkan": {
        "title": "Samverkan eller MBL före ansökan",
        "rule": "Samverkan eller MBL-förhandling med de lokala fackliga organisationerna ska ha "
                "skett före ansökan och vara protokollförd.",
        "source": f"{_S3}; domain.md §4 kriterium 5, §11.3",
    },
    "participants_not_employed": {
        "title": "Deltagarna är anställda",
        "rule": "Deltagarna ska vara anställda hos arbetsgivaren när ansökan görs och under hela "
                "insatsen; både tillsvidare- och tidsbegränsat anställda får delta.",
        "source": f"{_S2}; domain.md §4 kriterium 1, §11.2",
    },
    "ineligible_costs": {
        "title": "Kostnadsslag",
        "rule": "Medlen ska användas till det avtalet avser: utbildning/validering, merkostnader "
                "(litteratur, resor, logi), handledning/coachning, annan kompetenshöjande insats "
                "och samordning. Om lön och vikarier kan ersättas är inte bekräftat.",
        "source": f"{_S3}; {_S32}; {_S33}; domain.md §3, §4 kriterium 7, §11.8",
    },
    "cost_per_participant_high": {
        "title": "Kostnad per deltagare",
        "rule": "Kostnaden ska vara rimlig; fonden har gjort en rimlighetsbedömning av "
                "kostnaderna.",
        "source": f"{_S7}; domain.md §11.9",
    },
    "dates": {
        "title": "Datum och tidsfrister",
        "rule": "Insatsen får genomföras först när fonden godkänt anmälan, och ska rekvireras "
                "senast tre år efter medelsperiodens slut (2029-12-31 för 2024–2026).",
        "source": f"{_S1}; {_S4}; TLO-KL: {_S10}; domain.md §1, §2, §11.11",
    },
    "new_ground_health": {
        "title": "Hälsa, rehabilitering, subventionerad anställning",
        "rule": "Insatser för hälsa, rehabilitering och personer i subventionerad anställning är "
                "avsikter i avsiktsförklaringen 2024, inte gällande regler: stäm av med fonden.",
        "source": f"{_AVSIKT}; TLO-KL: {_S10}; {_S14}; domain.md §9, §11.16",
    },
    "personnummer": {
        "title": "Personnummer",
        "rule": "Ansökan ska inte innehålla personnummer eller samordningsnummer.",
        "source": f"{_GDPR}; kompred maskerar personnummer i allt den visar",
    },
}

# --------------------------------------------------------------------------------------------
# 1. The five form fields
# --------------------------------------------------------------------------------------------

_BACKGROUND_RX = _rx(
    "~bakgrund", "~behov", "behöver~", "behövs~", "~saknar~", "~saknas~", "brist", "~krav",
    "~problem", "svårighet", "~ökar~", "~ökat~", "~ökning", "~minskar~", "~för att~",
    "~eftersom~", "~därför~", "~syfte", "~mål(?:et)?~", "~inför", "pension", "rekryter",
    "~kräv", "~oftare~", "uppdrag", r"~(?:inte|ingen) (?:har )?(?:\w+ )?kompetens",
    r"~(?:har|haft) (?:\w+ )?(?:fall|situationer|incidenter)~", "~osäker",
)
#: A description this long (in words, with at least two sentences) is taken to include a
#: background even when none of the cue words above occurs.
_BACKGROUND_MIN_WORDS = 40
_INSATS_RX = _rx(
    "utbild", "~kurs", "~insats", "handledning", "coachning", "~validering", "~program",
    "föreläs", "~läser~", "~läsa~", "~mentorskap", "~workshop", "~träning", "~utbildas~",
    "~fortbildning", "~seminari", "~handleds~",
)
_PROVIDER_RX = _rx(
    "~utförs av~", "~genomförs av~", "~ges av~", "~anordnas av~", "~leds av~", "~hålls av~",
    "leverantör", "anordnare", "~i egen regi~", "~egen regi~", "~omställningsfonden~",
    "~komvux", "yrkeshögskola", "folkhögskola", "~högskola", "~universitet", "konsult",
    "~extern\\w* (?:utbildnings)?(?:aktör|utbildare|föreläsare|part)", "~upphandla",
    "företagshälsovård", "~via ", "~egen personal~", "~egna (?:medarbetare|utbildare)~",
    "~studieförbund", "~lärosäte",
)
_AMOUNT_RX = re.compile(
    r"(?<![\d.,])(?P<num>\d{1,3}(?:[ \u00a0\u202f.]\d{3})+|\d+)(?:,(?P<dec>\d+))?\s*"
    r"(?P<unit>tkr|mkr|msek|ksek|miljoner|miljon|kr|kronor|sek|:-)(?![^\W\d_])",
    re.IGNORECASE,
)
_PER_PARTICIPANT_RX = re.compile(
    r"^\s*(?:/|per |i snitt per |och )?\s*(?:deltagare|person|pers\b|medarbetare|st\b|anställd)",
    re.IGNORECASE,
)
_MONTHS = (
    "januari|februari|mars|april|maj|juni|juli|augusti|september|oktober|november|december|"
    "jan|feb|apr|aug|sept?|okt|nov|dec"
)
_PERIOD_RX = _rx(
    r"~(?:19|20)\d\d-\d\d-\d\d~",
    r"(?<!\d)\d{1,2}/\d{1,2}[-/ ](?:19|20)?\d\d(?!\d)",
    rf"~(?:{_MONTHS})\.?(?: (?:19|20)?\d\d)?~",
    r"~(?:ht|vt)[ -]?(?:20)?\d\d~",
    r"~(?:höst|vår)(?:terminen|en)(?: (?:20)?\d\d)?~", r"~(?:höst|vår) (?:20)?\d\d~",
    "~läsåret~",
    r"~(?:v\.|vecka) ?\d{1,2}~",
    r"~v\d{1,2}~",
    r"~(?:under|från|fr\.o\.m\.?|from|till|tom|t\.o\.m\.?|start\w*|period\w*|mellan|efter|"
    r"senast|klar\w*|avslutas) (?:[^\W\d_]+ ){0,2}(?:19|20)\d\d~",
    r"(?<!\d)(?:19|20)\d\d ?[-/] ?(?:19|20)?\d\d(?!\d)",
    r"~(?:kvartal|q)[ ]?[1-4]~",
)


def _amounts(cased: str) -> list[tuple[float, bool, str]]:
    """Amounts in SEK found in the text: (value, is per participant, text as written)."""
    out = []
    for m in _AMOUNT_RX.finditer(cased):
        digits = re.sub(r"[ \u00a0\u202f.]", "", m.group("num"))
        value = float(digits + ("." + m.group("dec") if m.group("dec") else ""))
        unit = m.group("unit").lower()
        if unit in ("tkr", "ksek"):
            value *= 1_000
        elif unit in ("mkr", "msek", "miljoner", "miljon"):
            value *= 1_000_000
        per = bool(_PER_PARTICIPANT_RX.match(cased[m.end() : m.end() + 25]))
        out.append((value, per, m.group(0)))
    return out


def check_missing_fields(application: Any, *, context: Any = None) -> RuleResult:
    """Rule ``missing_fields``: the five form fields are filled in [S1].

    A field counts as filled when its column has a value or when the text says it: a free-text
    draft often has everything in the description only. Bakgrund och behov needs a description
    that motivates the insats (words such as "behov", "saknar", "krav", "för att"); insats needs
    an insatsform, a title or words such as "utbildning", "kurs", "handledning"; utförare needs
    ``provider_type``/``provider`` or phrases such as "utförs av", "leverantör", "Komvux",
    "i egen regi"; kostnad needs ``cost_sek`` or an amount in kr; period needs
    ``period_start``/``period_end`` or dates, month names, "ht/vt 2025", "v. 12" in the text.
    """
    app = _prepare(application, context)
    description = app.get("description")
    desc_text = _cased_text(description).lower() if isinstance(description, str) else ""
    found: dict[str, list[str]] = {}
    missing: list[str] = []

    bg = _find(_BACKGROUND_RX, desc_text) or _find(_NEED_RX, desc_text)
    long_enough = (len(desc_text.split()) >= _BACKGROUND_MIN_WORDS
                   and len(re.findall(r"[.!?](?:\s|$)", desc_text)) >= 2)
    if desc_text and (bg or long_enough):
        found["bakgrund och behov"] = bg[:2] or ["beskrivning"]
    else:
        missing.append("bakgrund och behov")

    form = normalize_insats_form(app.get("insats_form"))
    if form is not None:
        found["insats"] = [form]
    else:
        words = _find(_INSATS_RX, app.text)
        if words:
            found["insats"] = words[:2]
        else:
            missing.append("insats")

    ptype, provider = app.get("provider_type"), app.get("provider")
    if ptype is not None or provider is not None:
        shown = normalize_provider_type(ptype) or (str(ptype) if ptype is not None else None)
        found["utförare"] = [shown or "leverantör angiven"]
    else:
        words = _find(_PROVIDER_RX, app.text)
        if words:
            found["utförare"] = words[:2]
        else:
            missing.append("utförare")

    cost = app.get("cost_sek")
    cost_value = _to_number(cost)
    if (cost_value is not None and cost_value > 0) or (
        isinstance(cost, str) and re.search(r"[1-9]", cost)
    ):
        found["kostnad"] = ["kostnad angiven"]
    else:
        amounts = [a[2] for a in _amounts(app.cased)]
        if amounts:
            found["kostnad"] = amounts[:2]
        else:
            missing.append("kostnad")

    if app.get("period_start") is not None or app.get("period_end") is not None:
        found["period"] = ["period angiven"]
    else:
        words = _find(_PERIOD_RX, app.cased)
        if words:
            found["period"] = [w.lower() for w in words[:2]]
        else:
            missing.append("period")

    evidence = [f"{name}: {w}" for name, words in found.items() for w in words[:1]]
    if not missing:
        return _result("missing_fields", OK, "Alla fem fälten finns: bakgrund och behov, insats, "
                       "utförare, kostnad och period.", evidence)
    hints = {
        "bakgrund och behov": "beskriv varför insatsen behövs och vilket behov den möter",
        "insats": "beskriv vilken insats som ska genomföras (t.ex. utbildning, validering, "
                  "handledning)",
        "utförare": "ange om insatsen genomförs av Omställningsfonden, i egen regi eller av en "
                    "extern leverantör",
        "kostnad": "ange den budgeterade kostnaden i kronor",
        "period": "ange start- och slutdatum för genomförandet",
    }
    todo = "; ".join(hints[m] for m in missing)
    noun = "Fältet" if len(missing) == 1 else "Fälten"
    names = missing[0] if len(missing) == 1 else f"{', '.join(missing[:-1])} och {missing[-1]}"
    message = (f"{noun} {names} saknas eller går inte att hitta i texten. "
               f"Komplettera: {todo}.")
    return _result("missing_fields", SAKNAS, message, evidence)


# --------------------------------------------------------------------------------------------
# 2. A concrete kompetensförsörjning need
# --------------------------------------------------------------------------------------------

_NEED_RX = _rx(
    # vacancies, pensions, recruitment
    "pensionsavgång", "~(?:går|gå|gått|kommer att gå|ska gå) i pension~", "~pensioneras~",
    "~pensionering", "rekryteringssvårighet", "rekryteringsbehov", "rekryteringsläge",
    r"~svår\w* att (?:rekrytera|hitta|få tag på|behålla)~", "~svårrekryter", "~vakans",
    "~vakant", r"\w+brist(?:en|er)?~", "~brist på~", "personalomsättning",
    r"~(?:hög|ökad|stor) (?:personal)?omsättning~", "kompetensförsörjning", "chefsförsörjning",
    "~kompetensbehov", "~saknar (?:kockar|sjuksköterskor|behörig|utbildad|kvalificerad)",
    # demography
    "~demografi", r"~(?:fler|allt fler|ökande antal) (?:äldre|barn|elever|invånare)~",
    r"~(?:andelen|antalet) (?:invånare|äldre) (?:\w+ ){0,3}(?:ökar|växer)~",
    # new requirements, law, behörighet
    r"~(?:nya|ökade|skärpta|högre|ändrade|förändrade|skärpt|nytt) (?:\w+)?krav",
    r"~ställer (?:\w+ ){0,3}krav~", r"\w*krav(?:en)? (?:\w+ ){0,4}(?:ökar|skärps|höjs)~",
    r"~(?:klara|möta|uppfylla|leva upp till) (?:\w+ )?\w*krav", "~krävs~", "~yrkestitel",
    r"~(?:ny|ökad|fördjupad|annan) kompetens~",
    r"~(?:nya|förändrade|ändrade|utökade) arbetsuppgifter~", "~handlingsplan",
    "~lagkrav", "~lagändring", r"~(?:ny|nya|ändrad) (?:lag|lagstiftning|föreskrift)",
    "~lagstiftning", "~föreskrift", "~behörighet", "~obehörig", "legitimation",
    "skyddad yrkestitel", r"~formell\w* (?:kompetens|utbildning|behörighet)",
    "~outbildad", r"~saknar (?:\w+ ){0,2}(?:utbildning|kompetens)~",
    # new ways of working, technology
    r"~(?:nya|nytt|ändrade|förändrade) arbetssätt", r"~ny(?:a)? arbetsmodell",
    r"~nya (?:arbetsmetoder|arbetsprocesser|rutiner)\w*",
    r"~(?:ny|nytt|nya) (?:\w+)?(?:teknik|system|plattform)\w*",
    "välfärdsteknik", "~digitaliser", "~införande", "~införs~", "~införa~", "~införandet~",
    r"~(?:förvaltningen|stadsdelen|kommunen|regionen|vi|verksamheten|hemtjänsten|skolan|"
    r"skolorna|nämnden) inför~",
    # organisation, mission, political decisions
    "~omorganis", "~omställning", r"~(?:ett )?(?:nytt|utökat|förändrat) uppdrag",
    r"~politisk\w* (?:beslut|mål|prioritering|inriktning)", r"~\w*nämnd(?:en|ens)?~",
    "fullmäktige",
    r"~(?:stadens|kommunens|regionens|förvaltningens|nämndens) (?:\w+ ){0,2}"
    r"(?:mål(?:et|en)?|\w*strategi\w*|beslut\w*|miljöprogram\w*|handlingsprogram\w*|"
    r"\w*plan(?:en)?)~",
    r"\w+strategi(?:n)?~", "~tar över~",
)
_NEED_WEAK_RX = _rx(
    "~allt fler~", "~allt oftare~", "~ökar~", "~ökat~", "~ökning", "~saknar~", "~brister~",
    "~svårigheter~", r"~fler \w+ med~", "~osäker", r"~utan (?:insatsen|utbildningen)~",
    "~riskerar~", r"~(?:inte|ingen) (?:har )?kompetens~",
)


def check_no_competence_need(application: Any, *, context: Any = None) -> RuleResult:
    """Rule ``no_competence_need``: a concrete kompetensförsörjning need is stated [S2].

    Looks for the needs the fund names (pensionsavgångar, vakanser, rekryteringsläge,
    demografi, politiska beslut) and those domain.md §11.4 adds (nya krav och lagkrav,
    behörighet, nya arbetssätt, omorganisation). A text with only a general change ("allt
    fler", "ökar", "saknar") gets ``info``; nothing gets ``saknas``.
    """
    app = _prepare(application, context)
    if not app.text:
        return _result("no_competence_need", SAKNAS, "Det finns ingen text att bedöma. Beskriv i "
                       "bakgrund och behov vilket kompetensförsörjningsbehov insatsen möter.")
    strong = _find(_NEED_RX, app.text)
    if strong:
        return _result("no_competence_need", OK, f"Texten anger ett kompetensförsörjningsbehov: "
                       f"{_quote(strong)}.", strong)
    weak = _find(_NEED_WEAK_RX, app.text)
    if weak:
        return _result(
            "no_competence_need", INFO,
            f"Texten beskriver en förändring ({_quote(weak)}) men säger inte tydligt vilket "
            "kompetensförsörjningsbehov arbetsgivaren har. Skriv ut kopplingen: t.ex. "
            "pensionsavgångar, svårt att rekrytera, nya krav eller behörighetskrav, nya "
            "arbetssätt eller politiska beslut, och vad som händer om kompetensen saknas.",
            weak,
        )
    return _result(
        "no_competence_need", SAKNAS,
        "Vi hittar inget konkret kompetensförsörjningsbehov i texten. Fonden beviljar bara "
        "insatser som möter arbetsgivarens behov på kort sikt (t.ex. vakans genom "
        "pensionsavgång) eller lång sikt (t.ex. demografi, politiska beslut). Beskriv behovet "
        "i bakgrund och behov.",
    )


# --------------------------------------------------------------------------------------------
# 3. Beyond löpande kompetensutveckling
# --------------------------------------------------------------------------------------------

_SHIFT_RX = _rx(
    r"~ny(?:a)? (?:yrkes)?roll(?:er|en)?~", r"~nya (?:arbets)?uppgifter~",
    r"~nytt (?:arbetsområde|ansvarsområde)~", r"~nya (?:arbetsområden|ansvarsområden)~",
    r"~utökat (?:\w+)?ansvar~", r"~formell\w* (?:kompetens|utbildning|behörighet|yrkesroll)",
    "~behörighet", "~legitimation", "lärarlegitimation", "~yrkesbevis", "skyddad yrkestitel",
    "~yrkestitel", "~validering", "~valideras~", "högskolepoäng", "~hp~", "yh-poäng",
    "~certifiering", "~certifieras~", "~certifikat", "examen~", "~examina~", r"~utbildas till~",
    r"~(?:går|gå) från \w+ till~", r"~(?:gå|går) vidare till~", "~uppdragsutbildning",
    "~vidareutbildning", "specialistundersköterska", "kompetensförflyttning",
    r"~ta sig an nya~", r"~kompletterande pedagogisk utbildning~", "~kpu~",
    r"~(?:undersköterske|barnskötar|stödassistent|elevassistent|kock|förskollärar)utbildning",
    r"~blir (?:därefter |sedan |då )?(?:\w+ )?(?:\w*ombud|resurspersoner|handledare|"
    r"instruktörer|samordnare|specialister?)~",
    r"~utbilda[sr]? (?:\w+ ){0,3}till (?:\w+ )?\w*ombud~",
    r"~utbilda[sr]? (?:\d+ )?(?:\w+ )?\w*ombud~", r"~(?:rollen|uppdraget|befattningen) är ny~",
    r"~ny befattning~",
)
_ROUTINE_RX = _rx(
    "~årlig", "~årligen~", "~varje år~", r"~en gång (?:per|om|i|varje) år(?:et)?~",
    "~repetition", "~repeter", "~uppdater", "~påfyllnad", "~introduktion", "~obligatorisk",
    "~arbetsplatsträff", r"~kick-?off", "~planeringsdag", "~personaldag", "~inspirationsdag",
    "~studiedag", "~fortbildningsdag", r"~(?:hålla|hålls|hållas) (?:\w+ )?vid liv~",
    "~uppfräschning",
)
_APT_RX = _rx("~apt~")
_NYANLANDA_RX = _rx("~nyanländ")


def _skip_newcomers(text: str, m: re.Match[str]) -> bool:
    # "introduktionsutbildning för nyanlända" describes a target group (newly arrived people,
    # often in etableringsjobb: see new_ground_health), not the routine introduction of staff.
    return m.group(0).lower().startswith("introdukt") and bool(
        _NYANLANDA_RX.search(_after(text, m.end(), 40))
    )


def check_routine_training(application: Any, *, context: Any = None) -> RuleResult:
    """Rule ``routine_training``: beyond löpande kompetensutveckling [S2][S3].

    Looks for a stated kompetensförflyttning (ny roll, nya arbetsuppgifter, formell kompetens,
    behörighet, yrkesbevis, skyddad yrkestitel, validering, högskolepoäng/hp, certifiering) and
    for wording typical of routine training ("årlig", "repetition", "uppdatering",
    "introduktion", "obligatorisk", "APT", "kick-off", "planeringsdag", "personaldag",
    "inspirationsdag"). Routine wording without a förflyttning gives ``varning``; with one,
    ``info``; a förflyttning alone, ``ok``; neither, ``info`` (state the förflyttning).
    "Introduktion" followed by "nyanlända" is not counted as routine.
    """
    app = _prepare(application, context)
    shift = _find(_SHIFT_RX, app.text)
    if normalize_insats_form(app.get("insats_form")) == "validering":
        shift.insert(0, "insatsform: validering")
    routine = _find(_ROUTINE_RX, app.text, skip=_skip_newcomers) + _find(_APT_RX, app.text)
    gray = ("Rutinbetonade ord diskvalificerar inte automatiskt: fonden har själv använt "
            "”socialsekreterare som uppdaterar sina digitala kunskaper” som exempel. Men behovet "
            "måste motiveras.")
    if routine and not shift:
        return _result(
            "routine_training", VARNING,
            f"Texten innehåller ord som brukar läsas som löpande kompetensutveckling "
            f"({_quote(routine)}) och anger ingen kompetensförflyttning. {gray} Beskriv vad "
            "deltagarna ska kunna göra efteråt som de inte kan i dag: en ny roll, nya "
            "arbetsuppgifter, formell kompetens eller behörighet.",
            routine,
        )
    if routine:
        return _result(
            "routine_training", INFO,
            f"Texten anger en kompetensförflyttning ({_quote(shift)}) men innehåller också ord "
            f"som brukar läsas som löpande kompetensutveckling ({_quote(routine)}). {gray} Se "
            "till att förflyttningen står först och tydligt.",
            [*shift, *routine],
        )
    if shift:
        return _result("routine_training", OK, f"Texten anger en kompetensförflyttning: "
                       f"{_quote(shift)}.", shift)
    return _result(
        "routine_training", INFO,
        "Texten säger inte uttryckligen vilken kompetensförflyttning insatsen ger. Insatsen ska "
        "gå utöver normal kompetensutveckling i tjänsten. Skriv ut vad deltagarna går till: ny "
        "roll, nya arbetsuppgifter, formell kompetens, behörighet, yrkesbevis eller poäng.",
    )


# --------------------------------------------------------------------------------------------
# 4. One-off lecture
# --------------------------------------------------------------------------------------------

_LECTURE_RX = _rx(
    "föreläsning(?!ar)", "~föredrag", "~föreläsare~", r"~seminari(?:um|et)~", "~webbinari",
    "~webinar", "~inspirationsdag", "~temadag", r"~konferens(?:en)?~", "~frukostmöte",
    "~talare~", "talararvode",
)
_ONE_OFF_RX = _rx(
    r"~(?:en|ett|1) (?:eftermiddag|förmiddag|kväll|halvdag|heldag|tillfälle|pass)~",
    r"~(?:en|1) dag~", "~samma dag~", r"~halvdag(?:en|s)?~", "~föreläsningseftermiddag",
)
_COURSE_RX = _rx(
    r"dagar~", r"\w*dagars", r"~modul", "handledning", "~uppföljning", "~termin", "~veckor~",
    "~månader~", "~hp~", "yh-poäng", "högskolepoäng", "~utbildningsdagar", "~träffar~",
    "~tillfällen~", "~halvfart~", "~kvartsfart~", "~distans", r"~ggr~",
    r"~(?:gång|gånger) (?:per|i|om|varje) (?:vecka|veckan|månad|månaden)~",
    r"~(?:per|i|/) ?(?:vecka|veckan|månad|månaden)~",
)


def check_one_off_lecture(application: Any, *, context: Any = None) -> RuleResult:
    """Rule ``one_off_lecture``: a one-off lecture or inspiration day.

    ``varning`` when the insatsform is "föreläsning", when the title names a lecture, or when
    the text names a lecture, seminar or single half-day/afternoon without anything that makes
    it a longer insats (several days, modules, handledning, uppföljning, terms, credits).
    Lectures inside a longer insats give ``info``. Stockholms stad's rejected examples include
    a föreläsning om palliativ vård and one om att främja ett hållbart arbetsliv.
    """
    app = _prepare(application, context)
    form = normalize_insats_form(app.get("insats_form"))
    lecture = _find(_LECTURE_RX, app.text)
    one_off = _find(_ONE_OFF_RX, app.text)
    course = _find(_COURSE_RX, app.text)
    title = app.get("title")
    title_lecture = bool(isinstance(title, str) and _LECTURE_RX.search(_cased_text(title)))
    evidence = ([f"insatsform: {form}"] if form == "föreläsning" else []) + lecture + one_off
    warn = (
        "Enstaka föreläsningar och inspirationsdagar får ofta avslag: Stockholms stad fick t.ex. "
        "avslag på en föreläsning om palliativ vård och en om att främja ett hållbart arbetsliv. "
        "Om insatsen ska ge en kompetensförflyttning, bygg ut den till en utbildning med flera "
        "tillfällen, uppföljning eller handledning och beskriv vad deltagarna ska kunna efteråt."
    )
    if form == "föreläsning" or title_lecture or (lecture and not course):
        what = "Insatsen är en föreläsning" if form == "föreläsning" else (
            f"Insatsen ser ut som en enstaka föreläsning eller ett evenemang ({_quote(lecture)})")
        return _result("one_off_lecture", VARNING, f"{what}. {warn}", evidence)
    if one_off and not course:
        return _result(
            "one_off_lecture", VARNING,
            f"Insatsen ser ut att vara ett enstaka tillfälle ({_quote(one_off)}). {warn}",
            evidence,
        )
    if lecture:
        return _result(
            "one_off_lecture", INFO,
            f"Texten nämner {_quote(lecture)} men också delar av en längre insats "
            f"({_quote(course)}). Se till att det framgår att föreläsningen ingår i en större "
            "utbildning.",
            [*lecture, *course],
        )
    return _result("one_off_lecture", OK, "Inget tyder på en enstaka föreläsning.", course[:3])


# --------------------------------------------------------------------------------------------
# 5. Samverkan / MBL
# --------------------------------------------------------------------------------------------

_UNION_RX = _rx(
    "~mbl", "förhandl", "~facklig", r"~fack(?:et|en)~", "~protokoll", "samverkansgrupp",
    "samverkansavtal", "~arbetstagarorganisation", r"~(?:fsg|lsg|csg|osg|asg|ssg)~",
    r"~samverka(?:t|ts|d|de|s|n)? (?:\w+ ){0,3}(?:fack|arbetstagar)",
    "~vårdförbundet", "~lärarförbundet", "~akademikerförbundet",
)
_SAMVERKAN_RX = _rx(r"~samverk\w*")
_FUTURE_RX = _rx(
    r"~(?:ska|kommer att|kommer|planeras|planerar att|avser att) (?:\w+ ){0,3}"
    r"(?:samverka|samverkas|förhandla|förhandlas|mbl|protokollföras)",
    r"~(?:samverkas|förhandlas|mbl-förhandlas) (?:\w+ ){0,3}(?:efter|senare|i samband med beslut)",
)
_ISO_DATE_RX = re.compile(r"(?<!\d)((?:19|20)\d\d-\d\d-\d\d)(?!\d)")
_OTHER_ACTOR_RX = _rx(
    r"~med (?:\w+ ){0,3}(?:hälso|sjukvård|region|skola|skolan|polis|arbetsförmedling|"
    r"försäkringskassa|brukare|anhörig|andra|externa|myndighet|civilsamhälle|förening)"
)


def check_no_samverkan(application: Any, *, context: Any = None) -> RuleResult:
    """Rule ``no_samverkan``: samverkan or MBL with the unions, protokollförd, before the
    application [S3].

    ``ok`` when the text mentions MBL, förhandling, the unions, a protocol or a samverkansgrupp
    (FSG/LSG/CSG...), dated before submission if a date is given; ``varning`` when it is only
    planned ("ska samverkas") or dated after submission, or when "samverkan" seems to mean
    cooperation with other actors; ``saknas`` when nothing is said.
    """
    app = _prepare(application, context)
    union = _find(_UNION_RX, app.text)
    cased_lower = app.cased.lower()
    future = _find(_FUTURE_RX, app.text)
    submitted = to_date(app.get("submitted")) or app.today
    late: list[str] = []
    if union:
        for m in _UNION_RX.finditer(cased_lower):
            for d in _ISO_DATE_RX.findall(cased_lower[m.end() : m.end() + 60]):
                day = to_date(d)
                if day is not None and day > submitted:
                    late.append(d)
    if future:
        return _result(
            "no_samverkan", VARNING,
            f"Samverkan/MBL verkar vara planerad men inte genomförd ({_quote(future)}). Den ska "
            "ha skett och vara protokollförd innan ansökan skickas. Ange datum för den "
            "protokollförda samverkan/MBL.",
            [*future, *union],
        )
    if late:
        return _result(
            "no_samverkan", VARNING,
            f"Datumet för samverkan/MBL ({', '.join(late)}) ligger efter ansökningsdatumet "
            f"({submitted.isoformat()}). Samverkan/MBL ska ske och protokollföras före ansökan.",
            [*union, *late],
        )
    if union:
        dated = "" if _ISO_DATE_RX.search(cased_lower) else (
            " Ange gärna datum och protokollets beteckning.")
        return _result(
            "no_samverkan", OK,
            f"Texten nämner samverkan/MBL med arbetstagarorganisationerna ({_quote(union)}). "
            f"Kontrollera att den är protokollförd och skedde före ansökan.{dated}",
            union,
        )
    general = _find(_SAMVERKAN_RX, app.text)
    if general:
        other = bool(_OTHER_ACTOR_RX.search(app.text))
        why = (" Här verkar det handla om samverkan med andra aktörer." if other else "")
        return _result(
            "no_samverkan", VARNING,
            f"Texten nämner {_quote(general)} men inte att det gäller de fackliga "
            f"organisationerna.{why} Kriteriet kräver samverkan eller MBL-förhandling med de "
            "lokala fackliga organisationerna, protokollförd före ansökan: ange datum för "
            "protokollförd samverkan/MBL.",
            general,
        )
    return _result(
        "no_samverkan", SAKNAS,
        "Samverkan eller MBL saknas i texten: ange datum för protokollförd samverkan/MBL med de "
        "lokala fackliga organisationerna. Den ska ha skett före ansökan.",
    )


# --------------------------------------------------------------------------------------------
# 6. Participants employed now
# --------------------------------------------------------------------------------------------

_NOT_EMPLOYED_RX = _rx(
    r"~(?:ska|som|kommer att|planeras|planerar att|vi ska|avser att) (?:\w+ ){0,2}"
    r"(?:rekryteras|anställas|nyanställas|nyrekryteras)~",
    r"~(?:som|vi) (?:\w+ )?(?:ska|kommer att) (?:rekrytera|anställa|nyanställa)~",
    r"~(?:som )?(?:nyanställs|anställs|rekryteras) (?:under|i|till|efter|inför|hösten|våren)~",
    r"~(?:framtida|blivande|kommande|presumtiva) (?:medarbetare|anställda|kollegor|"
    r"undersköterskor|sjuksköterskor|lärare|personal|chefer)~",
    r"~(?:ännu inte|inte ännu|ej|inte) (?:är |blivit )?anställd\w*",
    r"~praktikant", r"~arbetssökande~", r"~timavlönade som inte är anställda~",
    r"~(?:inte|ej) (?:har )?(?:någon )?anställning~", "~utan anställning~",
)
_NEWLY_HIRED_RX = _rx("~nyanställd", "~nyrekryterade~", "~nyrekryterad~")
_TEMPORARY_RX = _rx(
    "~timavlönad", "~timanställd", "~visstidsanställd", r"~tidsbegränsat anställd",
    "~vikariat", r"~(?:sommar)?vikarier(?:na)? (?:som|ska|deltar|går|läser)~",
    "~behovsanställd",
)


def check_participants_not_employed(application: Any, *, context: Any = None) -> RuleResult:
    """Rule ``participants_not_employed``: participants are employed now [S2].

    ``varning`` for planned recruits ("ska rekryteras", "framtida medarbetare", "praktikanter",
    "ej anställda"); ``manuell kontroll`` for "nyanställda"/"nyrekryterade" (fine if already
    employed on the application date); ``info`` for temporary staff (fine, if employed on the
    application date and throughout the insats); ``ok`` otherwise. "Svårt att rekrytera" is a
    need, not a participant, and is not flagged.
    """
    app = _prepare(application, context)
    not_employed = _find(_NOT_EMPLOYED_RX, app.text)
    newly = _find(_NEWLY_HIRED_RX, app.text)
    temporary = _find(_TEMPORARY_RX, app.text)
    reminder = ("Deltagarna ska vara anställda hos arbetsgivaren när ansökan görs och under hela "
                "insatsen. En deltagare får bytas ut, men bara mot någon som också var anställd "
                "när ansökan gjordes.")
    if not_employed:
        return _result(
            "participants_not_employed", VARNING,
            f"Texten tyder på att några deltagare inte är anställda ännu ({_quote(not_employed)}). "
            f"{reminder} Framtida medarbetare kan inte ingå (undantag: särskilda medel, som "
            "pilotprojektet 2025 i Norrbotten och Västerbotten).",
            [*not_employed, *newly],
        )
    if newly:
        return _result(
            "participants_not_employed", MANUELL,
            f"Texten nämner {_quote(newly)}. Det går bra om de redan är anställda när ansökan "
            f"skickas, men inte om de anställs senare. {reminder}",
            [*newly, *temporary],
        )
    if temporary:
        return _result(
            "participants_not_employed", INFO,
            f"Texten nämner tidsbegränsat anställda ({_quote(temporary)}). Det går bra: både "
            "tillsvidare- och tidsbegränsat anställda får delta, om anställningen gäller när "
            "ansökan görs och under hela insatsen.",
            temporary,
        )
    return _result(
        "participants_not_employed", OK,
        f"Inget i texten tyder på att deltagarna inte är anställda. {reminder} Tidsbegränsat "
        "anställda går bra.",
    )


# --------------------------------------------------------------------------------------------
# 7. Eligible cost types
# --------------------------------------------------------------------------------------------

_WAGE_RX = _rx(
    r"~lön(?:er|en|erna)?~", r"~lönekostnad\w*", r"~löneersättning\w*", r"~lönebortfall\w*",
    r"~lönemedel~", r"~lönetillägg\w*", r"(?:tim|månads|studie|praktik)lön(?:er|en)?~",
    r"~vikariekostnad\w*", r"~vikarietäckning\w*", r"~vikarieersättning\w*",
    r"~(?:kostnad\w*|ersättning|medel|pengar|lön) (?:\w+ ){0,2}(?:för|till) vikarie\w*",
    r"~vikarie(?:r)? (?:under|för) (?:\w+ )?(?:studie|utbildnings|kurs)tid\w*",
    r"~ersättning för (?:förlorad )?arbets(?:tid|inkomst)~", r"~ob-(?:tillägg|ersättning)\w*",
    r"~övertidsersättning\w*", r"~övertid~", r"~arbetsgivaravgift\w*", r"~sociala avgifter~",
)
_OB_RX = _rx("~OB~", case=True)
_HOSPITALITY_RX = _rx(
    "~fika~", "~förtäring~", "~representation~", r"~middag(?:ar)?~", "~lunch", "~mingel",
    "~festlig", "~underhållning",
)
_EMPLOYER_PAYS_BEFORE = _rx(
    r"~står (?:\w+ )?för~", "~bekostar~", "~betalar~", "~finansierar~",
    r"~ansvarar (?:\w+ )?för~", r"~(?:söker|söks|ansöker|ingår) (?:vi )?(?:inte|ej)~",
)
_EMPLOYER_PAYS_AFTER = _rx(
    r"~(?:betalas|bekostas|finansieras|står) (?:\w+ ){0,3}(?:av|för)? ?(?:arbetsgivaren|"
    r"förvaltningen|kommunen|stadsdelen|regionen|oss|verksamheten|egen budget|vi)",
    r"~(?:ingår|söks|ansöks) (?:inte|ej)~", r"~(?:inte|ej) (?:med )?i (?:ansökan|budgeten)~",
)


def _employer_pays(text: str, m: re.Match[str]) -> bool:
    before = _before(text, m.start(), 45, stops=".!?;,")
    after = _after(text, m.end(), 45, stops=".!?;,")
    return bool(_EMPLOYER_PAYS_BEFORE.search(before) or _EMPLOYER_PAYS_AFTER.search(after))


def check_ineligible_costs(application: Any, *, context: Any = None) -> RuleResult:
    """Rule ``ineligible_costs``: only eligible cost types [S3][S32][S33].

    Wages and substitute costs (lön, lönekostnader, vikariekostnad, ersättning för arbetstid,
    OB, övertid) go to ``manuell kontroll``: whether the fund reimburses them is UNVERIFIED (in
    Karlskrona's case the kommun paid the wages). Mentions the text says the employer pays
    ("Stadsdelen står för lön") give ``ok``. Food and hospitality (fika, förtäring, middag) are
    not among the listed cost types: also ``manuell kontroll``. Words such as "lönsam",
    "löneadministratör", "lönesamtal" and "lönebidrag" are not wage costs and are not matched.
    """
    app = _prepare(application, context)
    wages = _find(_WAGE_RX, app.text, skip=_employer_pays) + _find(_OB_RX, app.cased)
    paid_by_employer = [w for w in _find(_WAGE_RX, app.text) if w.lower() not in
                        {x.lower() for x in wages}]
    hospitality = _find(_HOSPITALITY_RX, app.text)
    eligible = ("Kostnader som kan ersättas: utbildning och validering, merkostnader (litteratur, "
                "resor, logi), handledning/coachning, annan kompetenshöjande insats och "
                "samordning.")
    if wages or hospitality:
        parts = []
        if wages:
            parts.append(
                f"Texten nämner löne- eller vikariekostnader ({_quote(wages)}). Om fonden "
                "ersätter lön eller vikarier är inte bekräftat i de offentliga källorna; i "
                "Karlskronas uppmärksammade fall betalade fonden utbildningen medan kommunen stod "
                "för lönekostnaderna. Stäm av med fonden eller lyft ut posten ur ansökan."
            )
        if hospitality:
            parts.append(
                f"Texten nämner {_quote(hospitality)}: det hör inte till de kostnadsslag som "
                "räknas upp. Stäm av eller lyft ut posten."
            )
        return _result("ineligible_costs", MANUELL, " ".join(parts) + " " + eligible,
                       [*wages, *hospitality])
    if paid_by_employer:
        return _result(
            "ineligible_costs", OK,
            f"Lön nämns ({_quote(paid_by_employer)}) men texten säger att arbetsgivaren står för "
            f"den, vilket stämmer med hur fonden brukar finansiera. {eligible}",
            paid_by_employer,
        )
    return _result("ineligible_costs", OK,
                   f"Inga löne-, vikarie- eller representationskostnader hittades. {eligible}")


# --------------------------------------------------------------------------------------------
# 8. Cost per participant
# --------------------------------------------------------------------------------------------

#: At least this many similar granted applications are needed to compare against.
MIN_SIMILAR = 5
#: Percentile of the similar granted applications' cost per participant above which to warn.
COST_PERCENTILE = 90
# "(totalt) 24 (anställda) undersköterskor": a number before a word for people. Occupations are
# recognised by their plural endings (-are, -erskor, -biträden, -assistenter, -chefer, ...), so
# "30 hp", "6 dagar", "12 månader" and "2 ggr" are not counts of participants.
_PEOPLE = (
    r"deltagare|personer|pers\b|medarbetare|anställda|usk|\w*(?:are|erskor|biträden|assistenter|"
    r"chefer|ledare|stödjare|ombud|kockar|pedagoger|terapeuter|tekniker|ingenjörer|vårdare|"
    r"arbetare|läkare)"
)
_COUNT_RX = re.compile(
    r"(?<![\d,.])(?:(?P<total>totalt|sammanlagt|sammantaget|i alla) (?:ca |cirka |omkring )?)?"
    rf"(?P<n>\d{{1,4}}) ?(?:st )?(?:[^\W\d_]+ )?(?:{_PEOPLE})(?![^\W\d_])",
    re.IGNORECASE,
)


def _participants_from_text(cased: str) -> int | None:
    totals, counts = [], set()
    for m in _COUNT_RX.finditer(cased):
        if "/" in cased[m.end() : m.end() + 2]:
            continue  # "18 pers/grupp"
        n = int(m.group("n"))
        if m.group("total"):
            totals.append(n)
        else:
            counts.add(n)
    # A total if the text names one; otherwise the largest count (subgroups are smaller:
    # "35 medarbetare, varav 8 utbildas till digitala ombud").
    if totals:
        return max(totals)
    return max(counts) if counts else None


def check_cost_per_participant(application: Any, *, context: Any = None) -> RuleResult:
    """Rule ``cost_per_participant_high``: cost per participant against similar granted ones.

    Computes ``cost_sek / participants`` (from the columns, or from the text when a column is
    empty and the text is unambiguous). With ``context["similar_granted_cost_per_participant"]``
    holding at least :data:`MIN_SIMILAR` values, a cost above their 90th percentile gives
    ``varning``; otherwise ``ok``. Without them, ``info`` ("kan inte jämföras"). Missing
    participants give ``saknas``. Under TLO-KL the fund made a rimlighetsbedömning [S7].
    """
    app = _prepare(application, context)
    notes: list[str] = []
    evidence: list[str] = []
    cost = _to_number(app.get("cost_sek"))
    per_from_text: float | None = None
    if cost is None or cost <= 0:
        cost = None
        amounts = _amounts(app.cased)
        totals = [a for a in amounts if not a[1]]
        pers = [a for a in amounts if a[1]]
        if totals:
            best = max(totals, key=lambda a: a[0])
            cost = best[0]
            evidence.append(best[2])
            notes.append(f"kostnaden {_kr(cost)} är hämtad ur texten")
        elif pers:
            per_from_text = pers[0][0]
            evidence.append(pers[0][2])
    n = _to_number(app.get("participants"))
    if n is None or n <= 0:
        n = None
        parsed = _participants_from_text(app.cased)
        if parsed:
            n = float(parsed)
            notes.append(f"antalet deltagare ({parsed}) är hämtat ur texten, kontrollera det")
            evidence.append(f"{parsed} deltagare")
    note = (" (" + "; ".join(notes) + ")") if notes else ""

    if per_from_text is not None and cost is None:
        per = per_from_text
    elif cost is None:
        if n is None:
            return _result("cost_per_participant_high", SAKNAS,
                           "Både kostnad och antal deltagare saknas. Ange dem så att kostnaden "
                           "per deltagare kan beräknas och bedömas.", evidence)
        return _result("cost_per_participant_high", INFO,
                       "Kostnaden saknas, så kostnaden per deltagare kan inte beräknas. Ange "
                       "den budgeterade kostnaden i kronor.", evidence)
    elif n is None:
        return _result("cost_per_participant_high", SAKNAS,
                       f"Antal deltagare saknas{note}. Ange antalet så att kostnaden per "
                       "deltagare kan beräknas; fonden bedömer om kostnaderna är rimliga.",
                       evidence)
    else:
        per = cost / n
    evidence.insert(0, f"{_kr(per)} per deltagare")
    similar = app.similar
    if similar is None or similar.size < MIN_SIMILAR:
        have = 0 if similar is None else int(similar.size)
        return _result(
            "cost_per_participant_high", INFO,
            f"Kostnad per deltagare: {_kr(per)}{note}. Den kan inte jämföras med liknande "
            f"beviljade ansökningar: det behövs minst {MIN_SIMILAR}, här finns {have}.",
            evidence,
        )
    p90 = float(np.percentile(similar, COST_PERCENTILE))
    median = float(np.median(similar))
    figures = (f"{_kr(per)} per deltagare{note}, mot median {_kr(median)} och 90:e percentil "
               f"{_kr(p90)} bland {similar.size} liknande beviljade ansökningar")
    if per > p90:
        return _result(
            "cost_per_participant_high", VARNING,
            f"Kostnaden är hög: {figures}. Fonden bedömer om kostnaderna är rimliga; förklara "
            "vad som driver kostnaden (t.ex. längd, poäng, examination) eller se över budgeten.",
            evidence,
        )
    return _result("cost_per_participant_high", OK, f"Kostnaden ligger i nivå med liknande "
                   f"beviljade ansökningar: {figures}.", evidence)


# --------------------------------------------------------------------------------------------
# 9. Dates
# --------------------------------------------------------------------------------------------

#: A period longer than this many days gets a note.
LONG_PERIOD_DAYS = 3 * 365
#: Ending less than this many days before the rekvirering deadline gets a note.
REKVIRERING_MARGIN_DAYS = 90


def check_dates(application: Any, *, context: Any = None) -> RuleResult:
    """Rule ``dates``: start after approval, end in time for rekvirering [S1][S4][S10].

    Gives ``varning`` when the period ends before it starts, starts before submission (or
    before ``decision_date``, or within ``decision_lead_days`` of submission: approval comes
    first), ends after the period's rekvirering deadline (2029-12-31 for 2024–2026), or, for
    TLO-KL 2017–2019, was submitted after 2019-11-29. ``info`` for a period longer than three
    years, an end close to the deadline, a start after the fund period, or missing dates.
    Without ``submitted`` the reference date is ``context["today"]`` (default: today).
    """
    app = _prepare(application, context)
    start, end = to_date(app.get("period_start")), to_date(app.get("period_end"))
    submitted = to_date(app.get("submitted"))
    decided = to_date(app.get("decision_date"))
    ref = submitted or app.today
    ref_name = "ansökningsdatumet" if submitted else "dagens datum"
    period = fund_period(app.fund_period)
    findings: list[tuple[str, str]] = []
    evidence = [f"{k}: {v.isoformat()}" for k, v in
                (("start", start), ("slut", end), ("inskickad", submitted)) if v is not None]
    for key in ("period_start", "period_end", "submitted"):
        if app.get(key) is not None and to_date(app.get(key)) is None:
            findings.append((INFO, f"Datumet i {key} ({app.get(key)!s:.30}) kunde inte läsas; "
                                   "skriv det som ÅÅÅÅ-MM-DD."))
    if start is None and end is None:
        findings.append((INFO, "Start- och slutdatum saknas, så tidsfristerna kan inte "
                               "kontrolleras. Ange period för genomförande."))
    if start is not None and end is not None and end < start:
        findings.append((VARNING, f"Slutdatum ({end}) ligger före startdatum ({start})."))
    if start is not None:
        if start < ref:
            findings.append((VARNING, f"Insatsen startar ({start}) före {ref_name} ({ref}). "
                                      "Insatsen får starta först efter att fonden godkänt "
                                      "anmälan."))
        elif decided is not None and start < decided:
            findings.append((VARNING, f"Insatsen startar ({start}) före beslutsdatumet "
                                      f"({decided}). Insatsen får starta först efter "
                                      "godkännande."))
        elif decided is None and start < ref + timedelta(days=app.lead_days):
            findings.append((VARNING, f"Insatsen startar {(start - ref).days} dagar efter "
                                      f"{ref_name} ({ref}). Insatsen får starta först efter "
                                      "godkännande; räkna med handläggningstid (här antas minst "
                                      f"{app.lead_days} dagar)."))
    elif end is not None and end < ref:
        findings.append((VARNING, f"Slutdatum ({end}) har redan passerat ({ref_name} {ref})."))
    if start is not None and end is not None and (end - start).days > LONG_PERIOD_DAYS:
        findings.append((INFO, f"Perioden är lång ({(end - start).days} dagar, över tre år). "
                               "Kontrollera att den ryms i medelsperioden och tidsfristen för "
                               "rekvirering."))
    if period is not None:
        deadline = period.rekvirering_deadline
        if deadline is not None and end is not None:
            if end > deadline:
                findings.append((VARNING, f"Insatsen slutar {end}, efter sista dag för "
                                          f"rekvirering för medelsperioden {period.name} "
                                          f"({deadline}). Alla insatser ska rekvireras senast "
                                          "tre år efter periodens slut."))
            elif (deadline - end).days < REKVIRERING_MARGIN_DAYS:
                findings.append((INFO, f"Insatsen slutar {end}, mindre än "
                                       f"{REKVIRERING_MARGIN_DAYS} dagar före sista dag för "
                                       f"rekvirering ({deadline}). Planera rekvireringen i tid."))
        if period.submission_cutoff is not None and submitted is not None and (
            submitted > period.submission_cutoff
        ):
            findings.append((VARNING, f"Ansökan skickades {submitted}, efter sista dag för "
                                      f"komplett anmälan i medelsperioden {period.name} "
                                      f"({period.submission_cutoff})."))
    else:
        which = f" ({app.fund_period})" if app.fund_period else ""
        findings.append((INFO, f"Medelsperioden{which} är okänd för kompred, så ingen tidsfrist "
                               "för rekvirering kunde kontrolleras. Stäm av fristen med fonden."))
    if not findings:
        deadline_note = ""
        if period is not None and period.rekvirering_deadline is not None:
            deadline_note = (f" Sista dag för rekvirering för {period.name} är "
                             f"{period.rekvirering_deadline}.")
        return _result("dates", OK, f"Datumen ser rimliga ut: insatsen startar efter "
                       f"{ref_name} och slutar i tid.{deadline_note}", evidence)
    status = min((s for s, _ in findings), key=_SEVERITY.__getitem__)
    inferred = (f" (Medelsperiod {app.fund_period} antagen utifrån {ref_name}.)"
                if app.fund_period_inferred and app.fund_period else "")
    return _result("dates", status, " ".join(m for _, m in findings) + inferred, evidence)


# --------------------------------------------------------------------------------------------
# 10. Health, rehabilitation, subsidised employment: new ground
# --------------------------------------------------------------------------------------------

_HEALTH_STRONG_RX = _rx(
    "~rehabilitering", "~arbetsrehabilitering", r"~återgång i (?:arbete|arbetet|tjänst)~",
    "~arbetsåtergång", r"~återgå (?:\w+ )?(?:i|till) (?:arbete|arbetet|tjänst)~",
    r"~(?:del|heltids|långtids)?sjukskrivna~", "~sjukskriven~",
    r"~(?:deltids|långtids)sjukskriv", r"~tidiga tecken på (?:\w+ )?ohälsa~", "~friskvård",
    "~arbetsträning", "~arbetsförmåga", r"~rehabiliteringsprocess",
    r"~(?:ohälsa|sjukdom) (?:hos|bland) (?:våra |de |egna )?(?:medarbetare|anställda|personal)",
)
_SUBSIDISED_RX = _rx(
    "~etableringsjobb", "subventionerad anställning", "subventionerade anställningar",
    "~lönebidrag", "~nystartsjobb", "~introduktionsjobb", "~arbetsmarknadsanställ",
    r"~extratjänst", "~lönestöd", "~utvecklingsanställning", "~trygghetsanställning",
    "~bea-", r"~arbetsmarknadspolitisk\w* (?:insats|program|åtgärd)",
)
_BEA_RX = _rx("~BEA~", case=True)
_HEALTH_WEAK_RX = _rx(
    "~sjukskrivning", "~sjukfrånvaro", "~ohälsa", r"~stress(?:relaterad\w*)?~", "~utmattning",
    "~utbrändhet", "~återhämtning~", r"~hållbart arbetsliv", "~friskfaktor",
    "~stresshantering",
)
_CLIENT_RX = _rx(
    "~äldre~", r"~brukar(?:e|en|na)~", r"~(?:de )?boende~", r"~patient(?:er|en|erna)?~",
    r"~elev(?:er|en|erna)?~", r"~barn(?:en)?~", "~unga~", r"~ungdom(?:ar|arna)?~",
    r"~klient(?:er|en|erna)?~", "~invånare~", "~vårdtagar", "~omsorgstagar",
    r"~kund(?:er|erna)?~", r"~anhöriga?~", "~närstående~", "~vuxna~", r"~medborgar(?:e|na)~",
    r"~målgrupp(?:en|er)?~",
)
_SERVING_STAFF_RX = _rx(
    r"~(?:handledare|handläggare|jobbcoacher|coacher|arbetskonsulenter|arbetsledare|"
    r"instruktörer|arbetsterapeuter|fysioterapeuter) (?:\w+ ){0,2}(?:inom|för|i|av|med|på)~",
)


def _about_clients(text: str, m: re.Match[str]) -> bool:
    before, after = _before(text, m.start(), 50), _after(text, m.end(), 50)
    return bool(_CLIENT_RX.search(before) or _CLIENT_RX.search(after))


def _serving_clients(text: str, m: re.Match[str]) -> bool:
    return bool(_SERVING_STAFF_RX.search(_before(text, m.start(), 60)))


def check_new_ground_health(application: Any, *, context: Any = None) -> RuleResult:
    """Rule ``new_ground_health``: health, rehabilitation, subsidised employment (domain.md §9).

    The 2024 avsiktsförklaring proposes widening förebyggande insatser to employees with early
    signs of ill-health or in rehabilitation, and to people in subsidised employment (BEA,
    etableringsjobb). These are intentions, not rules in force: an insats aimed at them gets
    ``manuell kontroll`` ("ny mark: stäm av med fonden"). Health words used only as motivation
    (sjukfrånvaro, stress, ohälsa) give ``info``. Words about the participants' clients
    ("psykisk ohälsa hos äldre", "vardagsrehabiliterande", "handledare inom arbetsträning") are
    not counted.
    """
    app = _prepare(application, context)
    strong = _find(_HEALTH_STRONG_RX, app.text,
                   skip=lambda t, m: _about_clients(t, m) or _serving_clients(t, m))
    subsidised = _find(_SUBSIDISED_RX, app.text, skip=_serving_clients) + _find(
        _BEA_RX, app.cased, skip=_serving_clients
    )
    weak = _find(_HEALTH_WEAK_RX, app.text, skip=_about_clients)
    note = ("Enligt avsiktsförklaringen 2024 vill parterna bredda förebyggande insatser till "
            "medarbetare med tidiga tecken på ohälsa eller i rehabilitering och till personer i "
            "subventionerad anställning (BEA, etableringsjobb). Det är avsikter, inte gällande "
            "regler.")
    if strong or subsidised:
        return _result(
            "new_ground_health", MANUELL,
            f"Insatsen rör hälsa, rehabilitering eller subventionerad anställning "
            f"({_quote([*strong, *subsidised])}). Det är ny mark. {note} Stäm av med fonden "
            "innan ni skickar, och beskriv kompetensförflyttningen. Om orden gäller deltagarnas "
            "brukare eller klienter och inte deltagarna själva gäller inte regeln.",
            [*strong, *subsidised],
        )
    if weak:
        return _result(
            "new_ground_health", INFO,
            f"Texten motiverar insatsen delvis med hälsa ({_quote(weak)}). Det går bra om "
            "insatsen i sig är kompetenshöjande. Är syftet främst att förebygga ohälsa är det "
            f"ny mark. {note} Stäm då av med fonden.",
            weak,
        )
    return _result("new_ground_health", OK, "Inget tyder på en insats för hälsa, rehabilitering "
                   "eller subventionerad anställning.")


# --------------------------------------------------------------------------------------------
# 11. Personnummer
# --------------------------------------------------------------------------------------------


def check_personnummer(application: Any, *, context: Any = None) -> RuleResult:
    """Rule ``personnummer``: no personnummer or samordningsnummer in any text field.

    Every string field is searched with :func:`kompred.featurize.find_personnummer` (date and
    Luhn checked). ``evidence`` holds the field and the masked form only, never the number.
    """
    app = _prepare(application, context)
    evidence: list[str] = []
    n_pnr = n_snr = 0
    for name, text in app.raw_fields:
        for m in find_personnummer(text):
            token = SNR_EVIDENCE if m.kind == "samordningsnummer" else PNR_EVIDENCE
            if m.kind == "samordningsnummer":
                n_snr += 1
            else:
                n_pnr += 1
            item = f"{name}: {token}"
            if item not in evidence:
                evidence.append(item)
    if not evidence:
        return _result("personnummer", OK, "Inga personnummer eller samordningsnummer hittades.")
    what = []
    if n_pnr:
        what.append(f"{n_pnr} personnummer")
    if n_snr:
        what.append(f"{n_snr} samordningsnummer")
    fields = sorted({e.split(":")[0] for e in evidence})
    return _result(
        "personnummer", VARNING,
        f"Ansökan innehåller {' och '.join(what)} (i {', '.join(fields)}). Ta bort dem: "
        "ansökan behöver inga personuppgifter om deltagarna. Numren är maskerade i allt kompred "
        "visar.",
        evidence,
    )


# --------------------------------------------------------------------------------------------
# The checklist
# --------------------------------------------------------------------------------------------


def _rule(code: str, check: Callable[..., RuleResult], agreements: tuple[str, ...]) -> Rule:
    meta = _META[code]
    return Rule(code=code, title=meta["title"], check=check, agreements=agreements,
                rule=meta["rule"], source=meta["source"])


#: The checklist, in the order results are returned.
RULES: tuple[Rule, ...] = (
    _rule("missing_fields", check_missing_fields, AGREEMENTS),
    _rule("no_competence_need", check_no_competence_need, KOM_KR),
    _rule("routine_training", check_routine_training, AGREEMENTS),
    _rule("one_off_lecture", check_one_off_lecture, AGREEMENTS),
    _rule("no_samverkan", check_no_samverkan, AGREEMENTS),
    _rule("participants_not_employed", check_participants_not_employed, AGREEMENTS),
    _rule("ineligible_costs", check_ineligible_costs, AGREEMENTS),
    _rule("cost_per_participant_high", check_cost_per_participant, AGREEMENTS),
    _rule("dates", check_dates, AGREEMENTS),
    _rule("new_ground_health", check_new_ground_health, KOM_KR),
    _rule("personnummer", check_personnummer, AGREEMENTS),
)
#: The rules by code.
RULES_BY_CODE: Mapping[str, Rule] = MappingProxyType({r.code: r for r in RULES})


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
        One per applicable rule, in the order of :data:`RULES`. The agreement, when not given,
        is inferred from ``submitted`` (or ``today``): TLO-KL before 2020-05-01, KOM-KR-2020
        before 2022-10-01, KOM-KR-2022 after.
    """
    app = _prepare(application, context)
    return [r.check(app) for r in RULES if r.applies_to(app.agreement, app.fund_period)]


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
