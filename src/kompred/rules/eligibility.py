"""Eligibility: samverkan with the unions before the application, participants employed now,
no training of recruits before their employment starts.

Criteria 5 and 1 (:data:`kompred.schema.CRITERIA`): SKR's Frågor och svar om KOM-KR and
Omställningsfonden's Kriterier för beviljande.
"""

from __future__ import annotations

import re

from ..schema import SOURCES, to_date
from ._engine import INFO, MANUELL, OK, SAKNAS, VARNING, Finding, _App, rule
from ._text import _before, _find, _quote, _rx

# --------------------------------------------------------------------------------------------
# Samverkan / MBL
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


@rule(
    id="no_samverkan", title="Samverkan eller MBL före ansökan", criterion="samverkan",
    severity=SAKNAS, source=SOURCES["S3"],
    text="Samverkan eller MBL-förhandling med de lokala fackliga organisationerna ska ha skett "
         "före ansökan och vara protokollförd.",
)
def check_no_samverkan(app: _App) -> Finding:
    """Rule ``no_samverkan``: samverkan or MBL with the unions, protokollförd, before the
    application.

    ``ok`` when the text mentions MBL, förhandling, the unions, a protocol or a samverkansgrupp
    (FSG/LSG/CSG...), dated before submission if a date is given; ``varning`` when it is only
    planned ("ska samverkas") or dated after submission, or when "samverkan" seems to mean
    cooperation with other actors; ``saknas`` when nothing is said.
    """
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
        return Finding(
            VARNING,
            f"Samverkan/MBL verkar vara planerad men inte genomförd ({_quote(future)}). Den ska "
            "ha skett och vara protokollförd innan ansökan skickas. Ange datum för den "
            "protokollförda samverkan/MBL.",
            [*future, *union],
        )
    if late:
        return Finding(
            VARNING,
            f"Datumet för samverkan/MBL ({', '.join(late)}) ligger efter ansökningsdatumet "
            f"({submitted.isoformat()}). Samverkan/MBL ska ske och protokollföras före ansökan.",
            [*union, *late],
        )
    if union:
        dated = "" if _ISO_DATE_RX.search(cased_lower) else (
            " Ange gärna datum och protokollets beteckning.")
        return Finding(
            OK,
            f"Texten nämner samverkan/MBL med arbetstagarorganisationerna ({_quote(union)}). "
            f"Kontrollera att den är protokollförd och skedde före ansökan.{dated}",
            union,
        )
    general = _find(_SAMVERKAN_RX, app.text)
    if general:
        other = bool(_OTHER_ACTOR_RX.search(app.text))
        why = (" Här verkar det handla om samverkan med andra aktörer." if other else "")
        return Finding(
            VARNING,
            f"Texten nämner {_quote(general)} men inte att det gäller de fackliga "
            f"organisationerna.{why} Kriteriet kräver samverkan eller MBL-förhandling med de "
            "lokala fackliga organisationerna, protokollförd före ansökan: ange datum för "
            "protokollförd samverkan/MBL.",
            general,
        )
    return Finding(
        SAKNAS,
        "Samverkan eller MBL saknas i texten: ange datum för protokollförd samverkan/MBL med de "
        "lokala fackliga organisationerna. Den ska ha skett före ansökan.",
    )


# --------------------------------------------------------------------------------------------
# Participants employed now
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


@rule(
    id="participants_not_employed", title="Deltagarna är anställda", criterion="employed",
    severity=VARNING, source=(SOURCES["S2"], SOURCES["S28"]),
    text="Deltagarna ska vara anställda hos arbetsgivaren när ansökan görs och under hela "
         "insatsen; både tillsvidare- och tidsbegränsat anställda får delta.",
)
def check_participants_not_employed(app: _App) -> Finding:
    """Rule ``participants_not_employed``: participants are employed now.

    ``varning`` for planned recruits ("ska rekryteras", "framtida medarbetare", "praktikanter",
    "ej anställda"); ``manuell kontroll`` for "nyanställda"/"nyrekryterade" (fine if already
    employed on the application date); ``info`` for temporary staff (fine, if employed on the
    application date and throughout the insats); ``ok`` otherwise. "Svårt att rekrytera" is a
    need, not a participant, and is not flagged.
    """
    not_employed = _find(_NOT_EMPLOYED_RX, app.text)
    newly = _find(_NEWLY_HIRED_RX, app.text)
    temporary = _find(_TEMPORARY_RX, app.text)
    reminder = ("Deltagarna ska vara anställda hos arbetsgivaren när ansökan görs och under hela "
                "insatsen. En deltagare får bytas ut, men bara mot någon som också var anställd "
                "när ansökan gjordes.")
    if not_employed:
        return Finding(
            VARNING,
            f"Texten tyder på att några deltagare inte är anställda ännu ({_quote(not_employed)}). "
            f"{reminder} Framtida medarbetare kan inte ingå (undantag: särskilda medel, som "
            "pilotprojektet 2025 i Norrbotten och Västerbotten).",
            [*not_employed, *newly],
        )
    if newly:
        return Finding(
            MANUELL,
            f"Texten nämner {_quote(newly)}. Det går bra om de redan är anställda när ansökan "
            f"skickas, men inte om de anställs senare. {reminder}",
            [*newly, *temporary],
        )
    if temporary:
        return Finding(
            INFO,
            f"Texten nämner tidsbegränsat anställda ({_quote(temporary)}). Det går bra: både "
            "tillsvidare- och tidsbegränsat anställda får delta, om anställningen gäller när "
            "ansökan görs och under hela insatsen.",
            temporary,
        )
    return Finding(
        OK,
        f"Inget i texten tyder på att deltagarna inte är anställda. {reminder} Tidsbegränsat "
        "anställda går bra.",
    )


# --------------------------------------------------------------------------------------------
# Recruitment: training people before their employment starts
# --------------------------------------------------------------------------------------------

_PEOPLE_WORD = (r"(?:de|dem|dessa|deltagarna|medarbetarna|personerna|kandidaterna|hon|han|"
                r"vi|nya medarbetare|de nya|de nyanställda|de nyrekryterade)")
_MONTH_NAMES = ("januari|februari|mars|april|maj|juni|juli|augusti|september|oktober|november|"
                "december")
_BEFORE_START_RX = _rx(
    # "innan de anställs", "innan deltagarna får sin anställning"
    rf"~(?:innan|före|inför att) {_PEOPLE_WORD} (?:\w+ ){{0,2}}(?:anställs|nyanställs|"
    r"får (?:sin |en )?anställning)~",
    # "innan de börjar i augusti", "innan de tillträder sina tjänster"; not "innan de börjar
    # arbeta med språket" (a new task for staff already employed)
    rf"~(?:innan|före|inför att) {_PEOPLE_WORD} (?:\w+ ){{0,2}}(?:börjar|tillträder|påbörjar|"
    r"startar)(?:(?= ?[.,;:!?)]|$)| (?:sin anställning|sin tjänst|sina tjänster|sitt (?:nya )?"
    r"(?:arbete|jobb)|sina (?:nya )?(?:arbeten|jobb)|i tjänst|hos (?:oss|\w+)|(?:att )?"
    r"(?:arbeta|jobba) hos|på (?:\w+ )?(?:boendet|enheten|arbetsplatsen|förskolan|skolan|"
    rf"kontoret)|i (?:{_MONTH_NAMES}|\w*tjänsten|verksamheten)|(?:till|under|i) (?:hösten|"
    r"våren|sommaren)))",
    r"~(?:innan|före|inför) (?:själva |sin |deras )?(?:anställning(?:en|ens)?|tillträde(?:t)?|"
    r"första arbetsdag(?:en)?|tjänstgöring(?:en|ens)?)(?: (?:start|början|börjar|påbörjas))?~",
    r"~(?:innan|före) (?:anställningen|tjänsten) (?:startar|börjar|påbörjas)~",
    # "nyanställda som ska börja", "nya medarbetare som kommer att börja"
    r"~(?:nyanställda|nyrekryterade|nya medarbetare|nya kollegor|nya undersköterskor|"
    r"nya \w+ som anställs) som (?:ska|kommer att) (?:börja|tillträda|anställas|starta)~",
)
_RECRUIT_RX = _rx(
    "rekryteringsutbildning", "~anställningsgaranti", "~arbetsmarknadsutbildning",
    # "vi rekryterar 15 undersköterskor ... och vill utbilda dem"
    r"~(?:rekryterar|nyrekryterar|anställer|nyanställer|rekrytera|nyrekrytera|anställa|"
    r"nyanställa) (?:[\w-]+ ){0,8}(?:och|som|för att|vilka) (?:[\w-]+ ){0,4}"
    r"(?:utbild\w*|grundutbild\w*|introducer\w*|\w*utbildning\w*)",
    r"~(?:som en del av|i samband med|inom ramen för) (?:\w+ )?rekrytering(?:en|sprocessen)?~",
)
_HIRED_AFTER_RX = _rx(
    r"~(?:anställs|anställas|erbjuds (?:\w+ )?anställning|får (?:\w+ )?anställning|garanteras "
    r"(?:\w+ )?anställning) (?:[\w-]+ ){0,4}(?:efter|när|vid) (?:\w+ ){0,2}"
    r"(?:utbildning\w*|kurs\w*|examen)",
    r"~anställning efter (?:avslutad|godkänd|genomförd|fullföljd) (?:utbildning|kurs)~",
)
# "svårt att rekrytera och vi vill därför utbilda": a need; "i stället för att rekrytera": not
# a recruitment. The cue is read in the 40 characters before the match.
_NOT_RECRUITING_BEFORE = _rx(
    "~svår", r"~svårigheter (?:med|att)~", r"~i ?stället för~", "~istf~", r"~inte (?:behöva|kan)~",
    r"~slipp", r"~utan att~", r"~minska\w* (?:\w+ )?behov", r"~kan (?:vi )?inte~", "~behöver inte~",
    r"~(?:att )?undvika att~", r"~(?:i |för )?(?:stället|istället)~",
)
_NEGATED_GAP = _rx(r"~(?:inte|ej|utan|istället|stället)~")
_EXISTING_STAFF_RX = _rx(
    r"~befintlig\w* (?:\w+ )?(?:personal|medarbetare|anställda|\w+biträden|\w+skötare|"
    r"\w+assistenter)~", r"~redan (?:är )?anställda~", "~tillsvidareanställda~",
    r"~(?:som )?(?:i dag|idag|redan|nu) (?:arbetar|jobbar|är anställda|tjänstgör)~",
    r"~(?:våra|egna) (?:\w+ )?(?:medarbetare|anställda)~",
)
_SPECIAL_MONEY_RX = _rx(
    "~pilotprojekt", r"~särskilda medel~", r"~riktade (?:medel|omställningsinsatser)~",
)


def _not_recruiting(text: str, m: re.Match[str]) -> bool:
    return bool(
        _NOT_RECRUITING_BEFORE.search(_before(text, m.start(), 40, stops=".!?;"))
        or _NEGATED_GAP.search(m.group(0))
    )


@rule(
    id="recruitment_training", title="Rekrytering och utbildning före anställning",
    criterion="employed", severity=VARNING, source=(SOURCES["S2"], SOURCES["S28"]),
    text="Förebyggande insatser gäller arbetsgivarens egen personal: utbildning av personer som "
         "rekryteras eller ännu inte har börjat sin anställning kan inte beviljas (undantag: "
         "särskilda medel som uttryckligen omfattar nyrekryterade).",
)
def check_recruitment_training(app: _App) -> Finding:
    """Rule ``recruitment_training``: the insats does not train recruits before they start.

    ``varning`` when the insats trains people before their employment starts ("innan de
    börjar", "före anställningens start", "nyanställda som ska börja"), is part of a
    recruitment ("vi rekryterar ... och utbildar dem", "rekryteringsutbildning",
    "anställningsgaranti"), or leads to employment afterwards ("anställs efter avslutad
    utbildning") without saying the participants are already employed; with that said, ``info``.
    ``manuell kontroll`` instead of ``varning`` when the text names special money (the 2025
    pilot in Norrbotten and Västerbotten also covered nyrekryteringar). A recruitment need
    ("svårt att rekrytera", "i stället för att rekrytera utbildar vi") is not flagged.

    >>> check_recruitment_training({"description": "Vi rekryterar 12 undersköterskor till "
    ...     "det nya boendet och utbildar dem innan de börjar."}).status
    'varning'
    >>> check_recruitment_training({"description": "Det är svårt att rekrytera, så vi "
    ...     "utbildar befintliga vårdbiträden till undersköterskor."}).status
    'ok'
    """
    before = _find(_BEFORE_START_RX, app.text, skip=_not_recruiting)
    recruit = _find(_RECRUIT_RX, app.text, skip=_not_recruiting)
    after = _find(_HIRED_AFTER_RX, app.text)
    existing = _find(_EXISTING_STAFF_RX, app.text)
    special = _find(_SPECIAL_MONEY_RX, app.text)
    rule_text = ("Förebyggande insatser gäller arbetsgivarens egen personal: deltagarna ska vara "
                 "anställda när ansökan görs och under hela insatsen, och en deltagare får bara "
                 "bytas mot någon som också var anställd då.")
    strong = [*before, *recruit]
    if strong or (after and not existing):
        found = [*strong, *after]
        if special:
            return Finding(
                MANUELL,
                f"Insatsen ser ut att utbilda personer som rekryteras eller ännu inte har börjat "
                f"sin anställning ({_quote(found)}). {rule_text} Texten nämner "
                f"{_quote(special)}: särskilda medel kan omfatta nyrekryterade (som "
                "pilotprojektet 2025 i Norrbotten och Västerbotten). Stäm av med fonden att "
                "insatsen ryms i dem.",
                [*found, *special],
            )
        return Finding(
            VARNING,
            f"Insatsen ser ut att utbilda personer som rekryteras eller ännu inte har börjat sin "
            f"anställning ({_quote(found)}). {rule_text} Utbildning före anställningens start "
            "eller som en del av rekryteringen kan inte beviljas. Rikta insatsen till redan "
            "anställda, eller skriv ut att deltagarna redan är anställda hos er.",
            found,
        )
    if after:
        return Finding(
            INFO,
            f"Texten säger att deltagarna anställs efter utbildningen ({_quote(after)}) och att "
            f"de redan arbetar hos er ({_quote(existing)}). Det går bra om de är anställda när "
            "ansökan görs, t.ex. i en annan befattning: skriv ut det tydligt.",
            [*after, *existing],
        )
    return Finding(OK, "Inget tyder på att insatsen utbildar personer som rekryteras eller ännu "
                   "inte har börjat sin anställning.")
