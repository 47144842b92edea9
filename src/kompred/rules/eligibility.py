"""Eligibility: samverkan with the unions before the application, participants employed now.

Criteria 5 and 1 (:data:`kompred.schema.CRITERIA`): SKR's Frågor och svar om KOM-KR and
Omställningsfonden's Kriterier för beviljande.
"""

from __future__ import annotations

import re

from ..schema import SOURCES, to_date
from ._engine import INFO, MANUELL, OK, SAKNAS, VARNING, Finding, _App, rule
from ._text import _find, _quote, _rx

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
        return Finding(VARNING,
            f"Samverkan/MBL verkar vara planerad men inte genomförd ({_quote(future)}). Den ska "
            "ha skett och vara protokollförd innan ansökan skickas. Ange datum för den "
            "protokollförda samverkan/MBL.",
            [*future, *union],
        )
    if late:
        return Finding(VARNING,
            f"Datumet för samverkan/MBL ({', '.join(late)}) ligger efter ansökningsdatumet "
            f"({submitted.isoformat()}). Samverkan/MBL ska ske och protokollföras före ansökan.",
            [*union, *late],
        )
    if union:
        dated = "" if _ISO_DATE_RX.search(cased_lower) else (
            " Ange gärna datum och protokollets beteckning.")
        return Finding(OK,
            f"Texten nämner samverkan/MBL med arbetstagarorganisationerna ({_quote(union)}). "
            f"Kontrollera att den är protokollförd och skedde före ansökan.{dated}",
            union,
        )
    general = _find(_SAMVERKAN_RX, app.text)
    if general:
        other = bool(_OTHER_ACTOR_RX.search(app.text))
        why = (" Här verkar det handla om samverkan med andra aktörer." if other else "")
        return Finding(VARNING,
            f"Texten nämner {_quote(general)} men inte att det gäller de fackliga "
            f"organisationerna.{why} Kriteriet kräver samverkan eller MBL-förhandling med de "
            "lokala fackliga organisationerna, protokollförd före ansökan: ange datum för "
            "protokollförd samverkan/MBL.",
            general,
        )
    return Finding(SAKNAS,
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
        return Finding(VARNING,
            f"Texten tyder på att några deltagare inte är anställda ännu ({_quote(not_employed)}). "
            f"{reminder} Framtida medarbetare kan inte ingå (undantag: särskilda medel, som "
            "pilotprojektet 2025 i Norrbotten och Västerbotten).",
            [*not_employed, *newly],
        )
    if newly:
        return Finding(MANUELL,
            f"Texten nämner {_quote(newly)}. Det går bra om de redan är anställda när ansökan "
            f"skickas, men inte om de anställs senare. {reminder}",
            [*newly, *temporary],
        )
    if temporary:
        return Finding(INFO,
            f"Texten nämner tidsbegränsat anställda ({_quote(temporary)}). Det går bra: både "
            "tillsvidare- och tidsbegränsat anställda får delta, om anställningen gäller när "
            "ansökan görs och under hela insatsen.",
            temporary,
        )
    return Finding(OK,
        f"Inget i texten tyder på att deltagarna inte är anställda. {reminder} Tidsbegränsat "
        "anställda går bra.",
    )
