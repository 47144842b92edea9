"""Scope: insatser on ground the agreement does not yet clearly cover (health, rehab, BEA).

Criterion 7 (:data:`kompred.schema.CRITERIA`): the 2024 Avsiktsförklaring om
kompetensförsörjning av välfärden, and TLO-KL practice (Omställningsfonden's Tolkningar och
förtydliganden i TLO-KL, Tidig lokal omställning 2017–april 2020).
"""

from __future__ import annotations

import re

from ..schema import KOM_KR, SOURCES
from ._engine import INFO, MANUELL, OK, Finding, _App, rule
from ._text import _after, _before, _find, _quote, _rx

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


@rule(
    id="new_ground_health", title="Hälsa, rehabilitering, subventionerad anställning",
    criterion="agreement_purpose", severity=MANUELL, agreements=KOM_KR,
    source=(SOURCES["AVSIKT"], SOURCES["S10"], SOURCES["S14"]),
    text="Insatser för hälsa, rehabilitering och personer i subventionerad anställning är "
         "avsikter i avsiktsförklaringen 2024, inte gällande regler: stäm av med fonden.",
)
def check_new_ground_health(app: _App) -> Finding:
    """Rule ``new_ground_health``: health, rehabilitation, subsidised employment.

    The 2024 avsiktsförklaring proposes widening förebyggande insatser to employees with early
    signs of ill-health or in rehabilitation, and to people in subsidised employment (BEA,
    etableringsjobb). These are intentions, not rules in force: an insats aimed at them gets
    ``manuell kontroll`` ("ny mark: stäm av med fonden"). Health words used only as motivation
    (sjukfrånvaro, stress, ohälsa) give ``info``. Words about the participants' clients
    ("psykisk ohälsa hos äldre", "vardagsrehabiliterande", "handledare inom arbetsträning") are
    not counted.
    """
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
        return Finding(
            MANUELL,
            f"Insatsen rör hälsa, rehabilitering eller subventionerad anställning "
            f"({_quote([*strong, *subsidised])}). Det är ny mark. {note} Stäm av med fonden "
            "innan ni skickar, och beskriv kompetensförflyttningen. Om orden gäller deltagarnas "
            "brukare eller klienter och inte deltagarna själva gäller inte regeln.",
            [*strong, *subsidised],
        )
    if weak:
        return Finding(
            INFO,
            f"Texten motiverar insatsen delvis med hälsa ({_quote(weak)}). Det går bra om "
            "insatsen i sig är kompetenshöjande. Är syftet främst att förebygga ohälsa är det "
            f"ny mark. {note} Stäm då av med fonden.",
            weak,
        )
    return Finding(OK, "Inget tyder på en insats för hälsa, rehabilitering "
                   "eller subventionerad anställning.")
