"""The form: the five fields the anmälan om insats asks for.

Omställningsfonden, Ansökan steg för steg (:data:`kompred.schema.SOURCES` ``"S1"``).
"""

from __future__ import annotations

import re

from ..schema import SOURCES, normalize_insats_form, normalize_provider_type
from ._engine import OK, SAKNAS, Finding, _App, rule
from ._text import _NEED_RX, _amounts, _cased_text, _find, _rx, _to_number

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



@rule(
    id="missing_fields", title="Formulärets fem fält", criterion="form", severity=SAKNAS,
    source=SOURCES["S1"],
    text="Anmälan ska ange bakgrund och behov, vilken insats som ska genomföras, utförare, "
         "kostnad och period för genomförande.",
)
def check_missing_fields(app: _App) -> Finding:
    """Rule ``missing_fields``: the five form fields are filled in.

    A field counts as filled when its column has a value or when the text says it: a free-text
    draft often has everything in the description only. Bakgrund och behov needs a description
    that motivates the insats (words such as "behov", "saknar", "krav", "för att"); insats needs
    an insatsform, a title or words such as "utbildning", "kurs", "handledning"; utförare needs
    ``provider_type``/``provider`` or phrases such as "utförs av", "leverantör", "Komvux",
    "i egen regi"; kostnad needs ``cost_sek`` or an amount in kr; period needs
    ``period_start``/``period_end`` or dates, month names, "ht/vt 2025", "v. 12" in the text.
    """
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
        return Finding(OK, "Alla fem fälten finns: bakgrund och behov, insats, "
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
    return Finding(SAKNAS, message, evidence)
