"""The canonical application table: one row per application ("anmälan om insats").

The columns follow Omställningsfonden's form (bakgrund och behov, insats, utförare, kostnad,
period) and the decision that followed. Internal names are English ``snake_case``; the Swedish
headers people write in Excel ("Beskrivning", "Förvaltning", "Beslut", "Handläggare",
"Kostnad (kr)" ...) are accepted as aliases.

Only ``description`` is needed to score an application; ``decision`` is needed to train.

>>> from kompred.schema import canonical_column
>>> canonical_column("Kostnad (kr)")
'cost_sek'
>>> canonical_column("  BESLUT ")
'decision'
>>> canonical_column("Okänd kolumn") is None
True
>>> normalize_decision("Ej beviljad")
'avslag'
"""

from __future__ import annotations

import math
import re
import unicodedata
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

__all__ = [
    "AGREEMENTS",
    "COLUMNS",
    "DECISIONS",
    "INSATS_FORMS",
    "PROVIDER_TYPES",
    "ColumnSpec",
    "canonical_column",
    "column_names",
    "is_blank",
    "is_missing",
    "normalize_agreement",
    "normalize_decision",
    "normalize_insats_form",
    "normalize_provider_type",
]

# Dates of the agreement versions (domain.md §1): KOM-KR replaced TLO-KL on 2020-05-01; its new
# version (lydelse) applies from 2022-10-01.
KOM_KR_START = "2020-05-01"
KOM_KR_2022_START = "2022-10-01"


@dataclass(frozen=True)
class ColumnSpec:
    """One column of the canonical table."""

    name: str
    kind: str  # "str", "text", "date", "float", "int", "category"
    description: str
    aliases: tuple[str, ...] = ()
    values: tuple[str, ...] = field(default=())


DECISIONS = ("beviljad", "avslag", "okänd")
INSATS_FORMS = ("utbildning", "validering", "handledning", "föreläsning", "annan")
PROVIDER_TYPES = ("omställningsfonden", "egen regi", "extern leverantör")
AGREEMENTS = ("TLO-KL", "KOM-KR-2020", "KOM-KR-2022")

COLUMNS: tuple[ColumnSpec, ...] = (
    ColumnSpec("id", "str", "Unique application id.",
               ("id", "ärende", "ärendenummer", "ärende-id", "ärendeid", "diarienummer", "dnr",
                "ansökan", "ansökan-id", "ansökans id", "ansöknings-id", "löpnummer", "nr")),
    ColumnSpec("employer", "str", "The employer that applies (kommun, region, company).",
               ("arbetsgivare", "kommun", "region", "organisation", "sökande")),
    ColumnSpec("unit", "str", "Förvaltning or stadsdelsförvaltning within the employer.",
               ("förvaltning", "enhet", "verksamhet", "stadsdelsförvaltning", "avdelning")),
    ColumnSpec("agreement", "category", "Agreement version that governs the rules.",
               ("avtal", "avtalsversion", "avtalsperiod"), AGREEMENTS),
    ColumnSpec("fund_period", "str", "The fund's money period, e.g. 2021-2023.",
               ("medelsperiod", "fondperiod", "period (medel)", "medel period")),
    ColumnSpec("submitted", "date", "Date the application was sent.",
               ("inskickad", "ansökningsdatum", "ansökt datum", "inkommen", "inkom", "datum",
                "ansökan inskickad", "anmälningsdatum")),
    ColumnSpec("title", "str", "Short name of the insats.",
               ("rubrik", "titel", "insats", "insatsens namn", "benämning", "namn")),
    ColumnSpec("description", "text", "Bakgrund och behov + vilken insats, as written in the form.",
               ("beskrivning", "bakgrund och behov", "text", "ansökningstext", "beskrivning av insats",
                "insatsbeskrivning", "bakgrund", "motivering")),
    ColumnSpec("insats_form", "category", "Form of the insats.",
               ("insatsform", "form", "typ av insats", "insatstyp"), INSATS_FORMS),
    ColumnSpec("provider_type", "category", "Who carries out the insats.",
               ("utförare", "utförartyp", "typ av utförare"), PROVIDER_TYPES),
    ColumnSpec("provider", "str", "Supplier's name or description (optional).",
               ("leverantör", "utbildningsanordnare", "anordnare")),
    ColumnSpec("cost_sek", "float", "Applied amount in SEK.",
               ("kostnad", "kostnad (kr)", "kostnad kr", "kostnad sek", "belopp", "sökt belopp",
                "sökt belopp (kr)", "ansökt belopp", "budget", "budgeterad kostnad")),
    ColumnSpec("participants", "int", "Number of participants.",
               ("antal deltagare", "deltagare", "antal", "antal personer")),
    ColumnSpec("period_start", "date", "Start of the insats.",
               ("startdatum", "period från", "start", "från", "period start")),
    ColumnSpec("period_end", "date", "End of the insats.",
               ("slutdatum", "period till", "slut", "till", "period slut")),
    ColumnSpec("decision", "category", "The fund's decision.",
               ("beslut", "status", "utfall", "beslutsstatus"), DECISIONS),
    ColumnSpec("decision_date", "date", "Date of the decision.",
               ("beslutsdatum", "beslutad", "datum för beslut")),
    ColumnSpec("granted_sek", "float", "Granted amount in SEK.",
               ("beviljat belopp", "beviljat", "beviljat (kr)", "beviljat kr", "beviljade medel")),
    ColumnSpec("handler", "str", "Pseudonym of the fund's case handler (optional).",
               ("handläggare", "handläggare (pseudonym)", "beslutsfattare")),
    ColumnSpec("topic", "category", "Topic id from the taxonomy (optional hand label).",
               ("ämne", "kategori", "område", "ämnesområde", "tema")),
)

_BY_NAME = {c.name: c for c in COLUMNS}


def column_names() -> list[str]:
    """The canonical column names, in order."""
    return [c.name for c in COLUMNS]


def is_missing(value: object) -> bool:
    """True for None, pandas' NA and NaT, and float NaN (not for empty strings)."""
    if value is None or value is pd.NA or value is pd.NaT:
        return True
    return isinstance(value, float | np.floating) and math.isnan(value)


def is_blank(value: object) -> bool:
    """True for a missing value or a string of only whitespace: an empty spreadsheet cell."""
    if isinstance(value, str):
        return not value.strip()
    if is_missing(value):
        return True
    try:
        return bool(pd.isna(value))
    except (TypeError, ValueError):
        return False


def _norm(text: str) -> str:
    """Lowercase, NFC, collapse whitespace and drop surrounding punctuation, for matching."""
    text = unicodedata.normalize("NFC", str(text)).replace("\ufeff", "").strip().lower()
    text = re.sub(r"[\s_]+", " ", text)
    return text.strip(" :;.*")


_ALIASES: dict[str, str] = {}
for _c in COLUMNS:
    _ALIASES[_norm(_c.name)] = _c.name
    for _a in _c.aliases:
        _ALIASES[_norm(_a)] = _c.name


def canonical_column(header: str) -> str | None:
    """Map a header as written in a file to its canonical column name, or None if unknown."""
    return _ALIASES.get(_norm(header))


def _value_map(pairs: dict[str, tuple[str, ...]]) -> dict[str, str]:
    out = {}
    for canon, aliases in pairs.items():
        out[_norm(canon)] = canon
        for a in aliases:
            out[_norm(a)] = canon
    return out


_DECISION_MAP = _value_map({
    "beviljad": ("beviljat", "beviljade", "bevilja", "bifall", "bifallen", "godkänd", "godkänt",
                 "godkännande", "ja", "approved", "granted", "1", "true"),
    "avslag": ("avslagen", "avslaget", "avslogs", "ej beviljad", "ej beviljat", "inte beviljad",
               "ej godkänd", "ej godkänt", "nej", "rejected", "denied", "0", "false"),
    "okänd": ("okänt", "ej beslutad", "pågår", "under handläggning", "inget beslut", "unknown",
              "komplettering", "återkallad", "återtagen"),
})
_FORM_MAP = _value_map({
    "utbildning": ("kurs", "utbildningsinsats", "fortbildning", "education", "training"),
    "validering": ("validation",),
    "handledning": ("handledning/coachning", "coachning", "handledning och coachning", "mentorskap",
                    "coaching"),
    "föreläsning": ("forelasning", "föreläsningar", "seminarium", "inspirationsdag", "lecture"),
    "annan": ("annat", "annan kompetenshöjande insats", "övrigt", "other"),
})
_PROVIDER_MAP = _value_map({
    "omställningsfonden": ("omstallningsfonden", "fonden", "of"),
    "egen regi": ("egen", "i egen regi", "internt", "intern"),
    "extern leverantör": ("extern", "egen leverantör", "leverantör", "extern aktör",
                          "extern utbildningsanordnare", "annan aktör"),
})
_AGREEMENT_MAP = _value_map({
    "TLO-KL": ("tlo", "tlo kl", "tlokl"),
    "KOM-KR-2020": ("kom-kr 2020", "kom kr 2020", "kom-kr", "kom kr", "komkr 2020"),
    "KOM-KR-2022": ("kom-kr 2022", "kom kr 2022", "kom-kr i lydelse 2022-10-01", "komkr 2022",
                    "kom-kr-2022-10-01"),
})


def _normalize(value: object, mapping: dict[str, str]) -> str | None:
    if is_blank(value):
        return None
    return mapping.get(_norm(str(value)))


def normalize_decision(value: object) -> str | None:
    """Map a decision as written (Beviljad, Ej beviljad, Avslag, Ja/Nej, 1/0) to its code.

    Returns None when the value is not recognised; missing values (None, NaN, ``pd.NA``,
    ``NaT``, blank strings) map to ``"okänd"``.

    >>> normalize_decision("Ej beviljad"), normalize_decision(pd.NA), normalize_decision("kanske")
    ('avslag', 'okänd', None)
    """
    if is_blank(value):
        return "okänd"
    return _normalize(value, _DECISION_MAP)


def normalize_insats_form(value: object) -> str | None:
    """Map an insats form as written to one of :data:`INSATS_FORMS`, or None."""
    return _normalize(value, _FORM_MAP)


def normalize_provider_type(value: object) -> str | None:
    """Map a provider type as written to one of :data:`PROVIDER_TYPES`, or None."""
    return _normalize(value, _PROVIDER_MAP)


def normalize_agreement(value: object) -> str | None:
    """Map an agreement version as written to one of :data:`AGREEMENTS`, or None."""
    return _normalize(value, _AGREEMENT_MAP)


def value_choices(column: str) -> tuple[str, ...]:
    """The allowed values of a categorical column, with every alias accepted for them."""
    maps = {"decision": _DECISION_MAP, "insats_form": _FORM_MAP,
            "provider_type": _PROVIDER_MAP, "agreement": _AGREEMENT_MAP}
    return tuple(maps[column])
