"""Costs: only the cost types the agreement covers, and a reasonable cost per participant.

Criterion 7 and the fund's rimlighetsbedömning (:data:`kompred.schema.CRITERIA`): SKR's Frågor
och svar om KOM-KR, Kommunalarbetaren's reports, Omställningsfonden's TLO-KL pages.
"""

from __future__ import annotations

import re

import numpy as np

from ..schema import SOURCES
from ._engine import INFO, MANUELL, OK, SAKNAS, VARNING, Finding, _App, rule
from ._text import _after, _amounts, _before, _find, _kr, _quote, _rx, _to_number

# --------------------------------------------------------------------------------------------
# Eligible cost types
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


@rule(
    id="ineligible_costs", title="Kostnadsslag", criterion="agreement_purpose",
    severity=MANUELL, source=(SOURCES["S3"], SOURCES["S32"], SOURCES["S33"]),
    text="Medlen ska användas till det avtalet avser: utbildning/validering, merkostnader "
         "(litteratur, resor, logi), handledning/coachning, annan kompetenshöjande insats och "
         "samordning. Om lön och vikarier kan ersättas är inte bekräftat.",
)
def check_ineligible_costs(app: _App) -> Finding:
    """Rule ``ineligible_costs``: only eligible cost types.

    Wages and substitute costs (lön, lönekostnader, vikariekostnad, ersättning för arbetstid,
    OB, övertid) go to ``manuell kontroll``: whether the fund reimburses them is UNVERIFIED (in
    Karlskrona's case the kommun paid the wages). Mentions the text says the employer pays
    ("Stadsdelen står för lön") give ``ok``. Food and hospitality (fika, förtäring, middag) are
    not among the listed cost types: also ``manuell kontroll``. Words such as "lönsam",
    "löneadministratör", "lönesamtal" and "lönebidrag" are not wage costs and are not matched.
    """
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
        return Finding(MANUELL, " ".join(parts) + " " + eligible,
                       [*wages, *hospitality])
    if paid_by_employer:
        return Finding(
            OK,
            f"Lön nämns ({_quote(paid_by_employer)}) men texten säger att arbetsgivaren står för "
            f"den, vilket stämmer med hur fonden brukar finansiera. {eligible}",
            paid_by_employer,
        )
    return Finding(
        OK,
                   f"Inga löne-, vikarie- eller representationskostnader hittades. {eligible}")


# --------------------------------------------------------------------------------------------
# Cost per participant
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


_NUMBER_WORDS = {w: i for i, w in enumerate(
    "två tre fyra fem sex sju åtta nio tio elva tolv tretton fjorton femton sexton sjutton "
    "arton nitton tjugo".split(), start=2)}
_NUMBER_WORD_RX = re.compile(rf"(?<![^\W\d_])({'|'.join(_NUMBER_WORDS)})(?![^\W\d_])",
                             re.IGNORECASE)


def _participants_from_text(cased: str) -> int | None:
    # "nio elevassistenter": counts written as words (2-20) are read as digits.
    cased = _NUMBER_WORD_RX.sub(lambda m: str(_NUMBER_WORDS[m.group(1).lower()]), cased)
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


@rule(
    id="cost_per_participant_high", title="Kostnad per deltagare", criterion="reasonable_cost",
    severity=SAKNAS, source=SOURCES["S7"],
    text="Kostnaden ska vara rimlig; fonden har gjort en rimlighetsbedömning av kostnaderna.",
)
def check_cost_per_participant(app: _App) -> Finding:
    """Rule ``cost_per_participant_high``: cost per participant against similar granted ones.

    Computes ``cost_sek / participants`` (from the columns, or from the text when a column is
    empty and the text is unambiguous). With ``context["similar_granted_cost_per_participant"]``
    holding at least :data:`MIN_SIMILAR` values, a cost above their 90th percentile gives
    ``varning``; otherwise ``ok``. Without them, ``info`` ("kan inte jämföras"). Missing
    participants give ``saknas``. Under TLO-KL the fund made a rimlighetsbedömning.
    """
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
            return Finding(
                SAKNAS,
                           "Både kostnad och antal deltagare saknas. Ange dem så att kostnaden "
                           "per deltagare kan beräknas och bedömas.", evidence)
        return Finding(
            INFO,
                       "Kostnaden saknas, så kostnaden per deltagare kan inte beräknas. Ange "
                       "den budgeterade kostnaden i kronor.", evidence)
    elif n is None:
        return Finding(
            SAKNAS,
                       f"Antal deltagare saknas{note}. Ange antalet så att kostnaden per "
                       "deltagare kan beräknas; fonden bedömer om kostnaderna är rimliga.",
                       evidence)
    else:
        per = cost / n
    evidence.insert(0, f"{_kr(per)} per deltagare")
    similar = app.similar
    if similar is None or similar.size < MIN_SIMILAR:
        have = 0 if similar is None else int(similar.size)
        return Finding(
            INFO,
            f"Kostnad per deltagare: {_kr(per)}{note}. Den kan inte jämföras med liknande "
            f"beviljade ansökningar: det behövs minst {MIN_SIMILAR}, här finns {have}.",
            evidence,
        )
    p90 = float(np.percentile(similar, COST_PERCENTILE))
    median = float(np.median(similar))
    figures = (f"{_kr(per)} per deltagare{note}, mot median {_kr(median)} och 90:e percentil "
               f"{_kr(p90)} bland {similar.size} liknande beviljade ansökningar")
    if per > p90:
        return Finding(
            VARNING,
            f"Kostnaden är hög: {figures}. Fonden bedömer om kostnaderna är rimliga; förklara "
            "vad som driver kostnaden (t.ex. längd, poäng, examination) eller se över budgeten.",
            evidence,
        )
    return Finding(OK, f"Kostnaden ligger i nivå med liknande "
                   f"beviljade ansökningar: {figures}.", evidence)
