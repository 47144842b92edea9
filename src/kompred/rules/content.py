"""The content: a competence need, a shift beyond routine training, not a one-off lecture.

Criteria 2 and 4 (:data:`kompred.schema.CRITERIA`): Omställningsfonden's Kriterier för
beviljande and SKR's Frågor och svar om KOM-KR; Stockholms stad's report on 2021–2023 for the
rejected lectures.
"""

from __future__ import annotations

import re

from ..schema import KOM_KR, SOURCES, normalize_insats_form
from ._engine import INFO, OK, SAKNAS, VARNING, Finding, _App, rule
from ._text import _NEED_RX, _after, _cased_text, _find, _quote, _rx

# --------------------------------------------------------------------------------------------
# A concrete kompetensförsörjning need
# --------------------------------------------------------------------------------------------

_NEED_WEAK_RX = _rx(
    "~allt fler~", "~allt oftare~", "~ökar~", "~ökat~", "~ökning", "~saknar~", "~brister~",
    "~svårigheter~", r"~fler \w+ med~", "~osäker", r"~utan (?:insatsen|utbildningen)~",
    "~riskerar~", r"~(?:inte|ingen) (?:har )?kompetens~",
)


@rule(
    id="no_competence_need", title="Kompetensförsörjningsbehov", criterion="competence_need",
    severity=SAKNAS, source=SOURCES["S2"], agreements=KOM_KR,
    text="Insatsen ska tillgodose arbetsgivarens kompetensförsörjningsbehov på kort sikt "
         "(t.ex. vakans genom pensionsavgång) eller lång sikt (t.ex. demografi, politiska "
         "beslut).",
)
def check_no_competence_need(app: _App) -> Finding:
    """Rule ``no_competence_need``: a concrete kompetensförsörjning need is stated.

    Looks for the needs the fund names (pensionsavgångar, vakanser, rekryteringsläge,
    demografi, politiska beslut) and the other needs a reviewer accepts (nya krav och
    lagkrav, behörighet, nya arbetssätt, omorganisation). A text with only a general change ("allt
    fler", "ökar", "saknar") gets ``info``; nothing gets ``saknas``.
    """
    if not app.text:
        return Finding(SAKNAS, "Det finns ingen text att bedöma. Beskriv i "
                       "bakgrund och behov vilket kompetensförsörjningsbehov insatsen möter.")
    strong = _find(_NEED_RX, app.text)
    if strong:
        return Finding(OK, f"Texten anger ett kompetensförsörjningsbehov: "
                       f"{_quote(strong)}.", strong)
    weak = _find(_NEED_WEAK_RX, app.text)
    if weak:
        return Finding(
            INFO,
            f"Texten beskriver en förändring ({_quote(weak)}) men säger inte tydligt vilket "
            "kompetensförsörjningsbehov arbetsgivaren har. Skriv ut kopplingen: t.ex. "
            "pensionsavgångar, svårt att rekrytera, nya krav eller behörighetskrav, nya "
            "arbetssätt eller politiska beslut, och vad som händer om kompetensen saknas.",
            weak,
        )
    return Finding(
        SAKNAS,
        "Vi hittar inget konkret kompetensförsörjningsbehov i texten. Fonden beviljar bara "
        "insatser som möter arbetsgivarens behov på kort sikt (t.ex. vakans genom "
        "pensionsavgång) eller lång sikt (t.ex. demografi, politiska beslut). Beskriv behovet "
        "i bakgrund och behov.",
    )


# --------------------------------------------------------------------------------------------
# Beyond löpande kompetensutveckling
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


@rule(
    id="routine_training", title="Utöver löpande kompetensutveckling",
    criterion="beyond_routine", severity=VARNING,
    source=(SOURCES["S2"], SOURCES["S3"], SOURCES["S21"]),
    text="Insatsen ska vara en kompetensförflyttning utöver normal kompetensutveckling inom "
         "tjänsten (ny roll, nya arbetsuppgifter, formell kompetens, behörighet).",
)
def check_routine_training(app: _App) -> Finding:
    """Rule ``routine_training``: beyond löpande kompetensutveckling.

    Looks for a stated kompetensförflyttning (ny roll, nya arbetsuppgifter, formell kompetens,
    behörighet, yrkesbevis, skyddad yrkestitel, validering, högskolepoäng/hp, certifiering) and
    for wording typical of routine training ("årlig", "repetition", "uppdatering",
    "introduktion", "obligatorisk", "APT", "kick-off", "planeringsdag", "personaldag",
    "inspirationsdag"). Routine wording without a förflyttning gives ``varning``; with one,
    ``info``; a förflyttning alone, ``ok``; neither, ``info`` (state the förflyttning).
    "Introduktion" followed by "nyanlända" is not counted as routine.
    """
    shift = _find(_SHIFT_RX, app.text)
    if normalize_insats_form(app.get("insats_form")) == "validering":
        shift.insert(0, "insatsform: validering")
    routine = _find(_ROUTINE_RX, app.text, skip=_skip_newcomers) + _find(_APT_RX, app.text)
    gray = ("Rutinbetonade ord diskvalificerar inte automatiskt: fonden har själv använt "
            "”socialsekreterare som uppdaterar sina digitala kunskaper” som exempel. Men behovet "
            "måste motiveras.")
    if routine and not shift:
        return Finding(
            VARNING,
            f"Texten innehåller ord som brukar läsas som löpande kompetensutveckling "
            f"({_quote(routine)}) och anger ingen kompetensförflyttning. {gray} Beskriv vad "
            "deltagarna ska kunna göra efteråt som de inte kan i dag: en ny roll, nya "
            "arbetsuppgifter, formell kompetens eller behörighet.",
            routine,
        )
    if routine:
        return Finding(
            INFO,
            f"Texten anger en kompetensförflyttning ({_quote(shift)}) men innehåller också ord "
            f"som brukar läsas som löpande kompetensutveckling ({_quote(routine)}). {gray} Se "
            "till att förflyttningen står först och tydligt.",
            [*shift, *routine],
        )
    if shift:
        return Finding(OK, f"Texten anger en kompetensförflyttning: "
                       f"{_quote(shift)}.", shift)
    return Finding(
        INFO,
        "Texten säger inte uttryckligen vilken kompetensförflyttning insatsen ger. Insatsen ska "
        "gå utöver normal kompetensutveckling i tjänsten. Skriv ut vad deltagarna går till: ny "
        "roll, nya arbetsuppgifter, formell kompetens, behörighet, yrkesbevis eller poäng.",
    )


# --------------------------------------------------------------------------------------------
# One-off lecture
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


@rule(
    id="one_off_lecture", title="Enstaka föreläsning", criterion="beyond_routine",
    severity=VARNING, source=(SOURCES["STHLM"], SOURCES["S2"]),
    text="En enstaka föreläsning, ett seminarium eller en inspirationsdag ger sällan den "
         "kompetensförflyttning som krävs.",
)
def check_one_off_lecture(app: _App) -> Finding:
    """Rule ``one_off_lecture``: a one-off lecture or inspiration day.

    ``varning`` when the insatsform is "föreläsning", when the title names a lecture, or when
    the text names a lecture, seminar or single half-day/afternoon without anything that makes
    it a longer insats (several days, modules, handledning, uppföljning, terms, credits).
    Lectures inside a longer insats give ``info``. Stockholms stad's rejected examples include
    a föreläsning om palliativ vård and one om att främja ett hållbart arbetsliv.
    """
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
        return Finding(VARNING, f"{what}. {warn}", evidence)
    if one_off and not course:
        return Finding(
            VARNING,
            f"Insatsen ser ut att vara ett enstaka tillfälle ({_quote(one_off)}). {warn}",
            evidence,
        )
    if lecture:
        return Finding(
            INFO,
            f"Texten nämner {_quote(lecture)} men också delar av en längre insats "
            f"({_quote(course)}). Se till att det framgår att föreläsningen ingår i en större "
            "utbildning.",
            [*lecture, *course],
        )
    return Finding(OK, "Inget tyder på en enstaka föreläsning.", course[:3])
