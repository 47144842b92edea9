"""What the fund requires of an application: its seven criteria and the other requirements.

All seven criteria must be met (Omställningsfonden's Kriterier för beviljande, SKR's Frågor och
svar om KOM-KR). The other requirements come from the form, the fund's assessment and the law.
Each checklist rule in :mod:`kompred.rules` names the one it checks, by key.

>>> CRITERIA["employed"].number, CRITERIA["employed"].sources[0].key
(1, 'S2')
>>> [c.key for c in CRITERIA.values() if c.number is None]
['form', 'reasonable_cost', 'timing', 'data_protection']
"""

from __future__ import annotations

from dataclasses import dataclass

from .sources import SOURCES, Source

__all__ = ["CRITERIA", "Criterion"]


@dataclass(frozen=True)
class Criterion:
    """One requirement of an application.

    Attributes
    ----------
    key : str
        Stable snake_case id.
    number : int or None
        1–7 for the fund's seven criteria, None for a requirement of the form, the assessment
        or the law.
    text : str
        The requirement, in Swedish, in one sentence.
    sources : tuple of Source
        The public documents that state it.
    """

    key: str
    number: int | None
    text: str
    sources: tuple[Source, ...]

    def label(self) -> str:
        """``"Kriterium 1: …"`` for the seven criteria, else the text.

        >>> CRITERIA["samverkan"].label()[:13]
        'Kriterium 5: '
        """
        return f"Kriterium {self.number}: {self.text}" if self.number else self.text


_S = SOURCES
CRITERIA: dict[str, Criterion] = {c.key: c for c in (
    Criterion("employed", 1, "Deltagaren är anställd hos arbetsgivaren när ansökan görs och under "
              "hela insatsen (tillsvidare eller tidsbegränsat).", (_S["S2"],)),
    Criterion("competence_need", 2, "Insatsen tillgodoser arbetsgivarens "
              "kompetensförsörjningsbehov på kort eller lång sikt.", (_S["S2"],)),
    Criterion("early_omstallning", 3, "Insatsen tillgodoser arbetstagarens behov av tidig "
              "omställning genom kompetensutveckling, för ökad anställningstrygghet.", (_S["S3"],)),
    Criterion("beyond_routine", 4, "Insatsen går utöver löpande kompetensutveckling inom den "
              "befintliga anställningen.", (_S["S2"], _S["S3"])),
    Criterion("samverkan", 5, "Samverkan eller MBL-förhandling med de lokala fackliga "
              "organisationerna har skett före ansökan och är protokollförd.", (_S["S3"],)),
    Criterion("provider", 6, "Utförare är Omställningsfonden, arbetsgivaren själv eller en annan "
              "aktör.", (_S["S3"],)),
    Criterion("agreement_purpose", 7, "Medlen används till det avtalet avser.", (_S["S3"],)),
    Criterion("form", None, "Anmälan anger bakgrund och behov, insats, utförare, kostnad och "
              "period för genomförande.", (_S["S1"],)),
    Criterion("reasonable_cost", None, "Kostnaderna är rimliga (fondens rimlighetsbedömning) och "
              "ryms i tillgängliga medel.", (_S["S7"], _S["S1"])),
    Criterion("timing", None, "Insatsen genomförs efter fondens godkännande och rekvireras inom "
              "medelsperiodens tidsfrist.", (_S["S1"], _S["S4"])),
    Criterion("data_protection", None, "Ansökan innehåller inte fler personuppgifter än som "
              "behövs.", (_S["GDPR"],)),
)}  # fmt: skip
