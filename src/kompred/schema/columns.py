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
"""

from __future__ import annotations

from dataclasses import dataclass, field

from .agreements import AGREEMENTS
from .decisions import DECISION_MAP, DECISIONS
from .values import (
    AGREEMENT_MAP,
    FORM_MAP,
    INSATS_FORMS,
    PROVIDER_MAP,
    PROVIDER_TYPES,
    normalize_token,
)

__all__ = ["COLUMNS", "ColumnSpec", "canonical_column", "column_names", "value_choices"]


@dataclass(frozen=True)
class ColumnSpec:
    """One column of the canonical table."""

    name: str
    kind: str  # "str", "text", "date", "float", "int", "category"
    description: str
    aliases: tuple[str, ...] = ()
    values: tuple[str, ...] = field(default=())


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


_ALIASES: dict[str, str] = {}
for _c in COLUMNS:
    _ALIASES[normalize_token(_c.name)] = _c.name
    for _a in _c.aliases:
        _ALIASES[normalize_token(_a)] = _c.name


def canonical_column(header: str) -> str | None:
    """Map a header as written in a file to its canonical column name, or None if unknown."""
    return _ALIASES.get(normalize_token(header))


def value_choices(column: str) -> tuple[str, ...]:
    """The allowed values of a categorical column, with every alias accepted for them."""
    maps = {"decision": DECISION_MAP, "insats_form": FORM_MAP,
            "provider_type": PROVIDER_MAP, "agreement": AGREEMENT_MAP}
    return tuple(maps[column])
