"""Text matching for the rules: Swedish terms with word-boundary markers, evidence, amounts.

A term is a regular expression with ``~`` at an end meaning "no letter may be next to it"
(:func:`_rx`); å, ä, ö and é also match a, a, o and e. :func:`_find` returns each match
widened to its whole word, the way evidence is shown.

>>> _find(_rx("pensionsavgång"), "Flera pensionsavgangar väntas.")
['pensionsavgangar']
>>> [a[0] for a in _amounts("Kostnad 1,5 mkr, 30 000 kr per deltagare")]
[1500000.0, 30000.0]
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Iterable
from typing import Any

import numpy as np

from ..render.numbers import format_sek
from ..schema import parse_number
from ..text.pii import redact_personnummer

#: What redacted personnummer look like in evidence.
PNR_EVIDENCE = "[PERSONNUMMER]"
SNR_EVIDENCE = "[SAMORDNINGSNUMMER]"
_MAX_EVIDENCE = 10
_DASHES = str.maketrans({c: "-" for c in "\u2010\u2011\u2012\u2013\u2014\u2015\u2212"})
_INVISIBLE = dict.fromkeys(map(ord, "\u00ad\u200b\u2060\ufeff"))

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


_kr = format_sek  # "12 500 kr": the one Swedish money format (kompred.render.numbers)



def _to_number(value: Any) -> float | None:
    """A number cell, or None when it is empty or not a number."""
    x = parse_number(value)
    return None if x is None or np.isnan(x) else x


def _cased_text(text: str) -> str:
    """NFC, personnummer masked, ASCII dashes, no invisible characters, one space.

    Like :func:`kompred.text.normalize_text` but keeping case and digits: the rules need
    amounts, dates and counts, show evidence as written, and match acronyms (OB, BEA) by case.
    """
    text = unicodedata.normalize("NFC", text)
    text = redact_personnummer(text, PNR_EVIDENCE)
    text = text.translate(_DASHES).translate(_INVISIBLE)
    return " ".join(text.split())


_AMOUNT_RX = re.compile(
    r"(?<![\d.,])(?P<num>\d{1,3}(?:[ \u00a0\u202f.]\d{3})+|\d+)(?:,(?P<dec>\d+))?\s*"
    r"(?P<unit>tkr|mkr|msek|ksek|miljoner|miljon|kr|kronor|sek|:-)(?![^\W\d_])",
    re.IGNORECASE,
)
_PER_PARTICIPANT_RX = re.compile(
    r"^\s*(?:/|per |i snitt per |och )?\s*(?:deltagare|person|pers\b|medarbetare|st\b|anställd)",
    re.IGNORECASE,
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


# --------------------------------------------------------------------------------------------
# Vocabulary shared by several rules
# --------------------------------------------------------------------------------------------

#: A concrete kompetensförsörjning need (no_competence_need; also a background for
#: missing_fields).
_NEED_RX = _rx(
    # vacancies, pensions, recruitment
    "pensionsavgång", "~(?:går|gå|gått|kommer att gå|ska gå) i pension~", "~pensioneras~",
    "~pensionering", "rekryteringssvårighet", "rekryteringsbehov", "rekryteringsläge",
    r"~svår\w* att (?:rekrytera|hitta|få tag på|behålla)~", "~svårrekryter", "~vakans",
    "~vakant", r"\w+brist(?:en|er)?~", r"~brist(?:en)? på~", "personalomsättning",
    r"~(?:behöver|behövs) (?:\w+ )?fler~",
    r"~(?:hög|ökad|stor) (?:personal)?omsättning~", "kompetensförsörjning", "chefsförsörjning",
    "~kompetensbehov", "~saknar (?:kockar|sjuksköterskor|behörig|utbildad|kvalificerad)",
    # demography
    "~demografi", r"~(?:fler|allt fler|ökande antal) (?:äldre|barn|elever|invånare)~",
    r"~(?:andelen|antalet) (?:invånare|äldre) (?:\w+ ){0,3}(?:ökar|växer)~",
    # new requirements, law, behörighet
    r"~(?:nya|ökade|skärpta|högre|ändrade|förändrade|skärpt|nytt) (?:\w+)?krav",
    r"~ställer (?:\w+ ){0,3}krav~", r"\w*krav(?:en)? (?:\w+ ){0,4}(?:ökar|skärps|höjs|ökat|skärpts|höjts)~",
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
    # organisation, mission, political decisions, new units
    r"~(?:ny|nya|nytt) \w*(?:boende|boendet|förskola|förskolan|skola|skolan|enhet|enheten)~",
    "~öppnandet av~",
    "~omorganis", "~omställning", r"~(?:ett )?(?:nytt|utökat|förändrat) uppdrag",
    r"~politisk\w* (?:beslut|mål|prioritering|inriktning)", r"~\w*nämnd(?:en|ens)?~",
    "fullmäktige",
    r"~(?:stadens|kommunens|regionens|förvaltningens|nämndens) (?:\w+ ){0,2}"
    r"(?:mål(?:et|en)?|\w*strategi\w*|beslut\w*|miljöprogram\w*|handlingsprogram\w*|"
    r"\w*plan(?:en)?)~",
    r"\w+strategi(?:n)?~", "~tar över~",
)
