"""The simulator's Swedish vocabulary: target groups, subjects, employers, units, providers and
the sentence fragments descriptions are assembled from (all fictional; :mod:`kompred._simulate`
draws from them).

Kept apart from the process so that the numbers that drive decisions and the words that dress
them can be read and changed separately; changing a phrase changes simulated texts, not effects.
"""

from __future__ import annotations

import numpy as np

# --------------------------------------------------------------------------------------
# Vocabulary
# --------------------------------------------------------------------------------------

# Unit kinds: which förvaltning employs a target group.
KINDS = ("förskola", "skola", "äldre", "social", "service", "ledning")

# Target group -> unit kind.
TARGETS = {
    "förskoleassistenter": "förskola",
    "outbildade barnskötare": "förskola",
    "barnskötare": "förskola",
    "resurspersoner i skolan": "skola",
    "elevassistenter": "skola",
    "fritidsledare": "skola",
    "vårdbiträden": "äldre",
    "omsorgsassistenter": "äldre",
    "undersköterskor": "äldre",
    "personal i hemtjänsten": "äldre",
    "personal på särskilt boende": "äldre",
    "sjuksköterskor": "äldre",
    "personal inom LSS": "social",
    "boendestödjare": "social",
    "socialsekreterare": "social",
    "biståndshandläggare": "social",
    "personal på HVB-hem": "social",
    "kökspersonal": "service",
    "måltidsbiträden": "service",
    "lokalvårdare": "service",
    "administratörer": "ledning",
    "enhetschefer": "ledning",
    "första linjens chefer": "ledning",
}
_TARGET_NAMES = tuple(TARGETS)
_TARGET_IDX = {t: i for i, t in enumerate(_TARGET_NAMES)}

_SPRAK_TARGETS = (
    "undersköterskor", "vårdbiträden", "barnskötare", "kökspersonal", "lokalvårdare",
    "elevassistenter", "personal i hemtjänsten",
)
_BEMOT_TARGETS = (
    "personal inom LSS", "socialsekreterare", "elevassistenter", "personal på HVB-hem",
    "personal i hemtjänsten", "boendestödjare",
)
_ALDRE_TARGETS = (
    "undersköterskor", "vårdbiträden", "personal i hemtjänsten",
    "personal på särskilt boende", "sjuksköterskor",
)

# Subjects per topic: (subject phrase, target groups). For yrkesutbildning the subject
# is the occupation the insats leads to.
SUBJECTS = {
    "yrkesutbildning": (
        ("barnskötare", ("förskoleassistenter", "outbildade barnskötare")),
        ("elevassistent", ("resurspersoner i skolan", "fritidsledare")),
        ("förskollärare", ("barnskötare",)),
        ("undersköterska", ("vårdbiträden", "omsorgsassistenter")),
        ("kock med inriktning specialkost", ("kökspersonal", "måltidsbiträden")),
        ("stödassistent", ("personal inom LSS", "boendestödjare")),
    ),
    "språk": (
        ("yrkessvenska", _SPRAK_TARGETS),
        ("svenska som andraspråk", _SPRAK_TARGETS),
        ("språkutveckling på arbetsplatsen", _SPRAK_TARGETS),
        ("skriftlig dokumentation på svenska", _SPRAK_TARGETS),
    ),
    "bemötande": (
        ("lågaffektivt bemötande", _BEMOT_TARGETS),
        ("konflikthantering", _BEMOT_TARGETS),
        ("motiverande samtal", _BEMOT_TARGETS),
        ("utmanande samtal", _BEMOT_TARGETS),
        ("ledarskap", ("enhetschefer", "första linjens chefer")),
        ("arbete med personer med förvärvad hjärnskada", ("personal inom LSS", "boendestödjare")),
        ("kommunikation med personer med demenssjukdom", _ALDRE_TARGETS),
        ("att förebygga hot och våld", _BEMOT_TARGETS),
    ),
    "blandat": (
        ("otillåten påverkan", ("socialsekreterare", "biståndshandläggare", "administratörer")),
        ("klimatsmart mat", ("kökspersonal", "måltidsbiträden")),
        ("anhörigstöd", ("undersköterskor", "biståndshandläggare", "personal i hemtjänsten")),
        ("digital mognad", ("administratörer", "socialsekreterare", "enhetschefer")),
        ("hållbart arbetsliv", ("enhetschefer", "första linjens chefer", "undersköterskor")),
        ("förändringsledning", ("enhetschefer", "första linjens chefer")),
    ),
    "äldre": (
        ("äldre och sexualitet", _ALDRE_TARGETS),
        ("psykisk ohälsa hos äldre", _ALDRE_TARGETS),
        ("fotvård inom vård och omsorg", _ALDRE_TARGETS),
        ("demenssjukdom", _ALDRE_TARGETS),
        ("palliativ vård", _ALDRE_TARGETS),
    ),
}

EMPLOYERS = (
    "Stockholms stad", "Göteborgs stad", "Malmö stad", "Uppsala kommun",
    "Linköpings kommun", "Örebro kommun", "Västerås stad", "Umeå kommun",
    "Karlskrona kommun", "Sundsvalls kommun", "Botkyrka kommun", "Luleå kommun",
)
EMPLOYER_WEIGHTS = (3,) + (1,) * (len(EMPLOYERS) - 1)

_STHLM_SDF = (
    "Bromma sdf", "Enskede-Årsta-Vantör sdf", "Farsta sdf", "Hägersten-Älvsjö sdf",
    "Hässelby-Vällingby sdf", "Järva sdf", "Kungsholmens sdf", "Norra Innerstaden sdf",
    "Skärholmens sdf", "Södermalms sdf",
)
_STHLM_UNITS = {
    "förskola": ("Förskoleförvaltningen",),
    "skola": ("Utbildningsförvaltningen",),
    "äldre": _STHLM_SDF,
    "social": _STHLM_SDF + ("Arbetsmarknadsförvaltningen",),
    "service": ("Serviceförvaltningen",),
    "ledning": ("Stadsledningskontoret", "Arbetsmarknadsförvaltningen", "Serviceförvaltningen"),
}


def _other_units(employer: str) -> dict[str, tuple[str, ...]]:
    ledning = "Stadsledningskontoret" if employer.endswith("stad") else "Kommunledningskontoret"
    return {
        "förskola": ("Förskoleförvaltningen", "Barn- och utbildningsförvaltningen"),
        "skola": ("Grundskoleförvaltningen", "Barn- och utbildningsförvaltningen"),
        "äldre": ("Vård- och omsorgsförvaltningen", "Äldreförvaltningen"),
        "social": ("Socialförvaltningen", "Funktionsstödsförvaltningen"),
        "service": ("Serviceförvaltningen", "Måltidsservice"),
        "ledning": (ledning, "Vård- och omsorgsförvaltningen", "Socialförvaltningen"),
    }


EXTERNAL_PROVIDERS = {  # fictional supplier names
    "yrkesutbildning": ("Yrkesakademin Norden AB", "Vård- och omsorgscollege Mitt",
                        "Pedagogakademin AB", "Kompetensvux Sverige AB"),
    "språk": ("Språkverkstaden AB", "Yrkessvenska i Sverige AB", "Folkbildning Språk och Arbete"),
    "bemötande": ("Bemötandeinstitutet AB", "Samtalsakademin AB", "Ledarskapsforum AB",
                  "Lugna Metoder Utbildning AB"),
    "blandat": ("Kompetenscentrum Syd AB", "Arbetslivsakademin AB", "Utbildningsbolaget Mitt AB",
                "Förändringskraft Sverige AB"),
    "äldre": ("Äldrevårdsakademin AB", "Demenscentrum Utbildning AB",
              "Palliativt Kunskapscentrum AB", "Fotvårdsskolan Mälardalen AB"),
}
PROVIDER_TYPES = ("omställningsfonden", "egen regi", "extern leverantör")
PROVIDER_TYPE_PROBS = (  # by form, FORMS order
    (0.15, 0.20, 0.65),
    (0.10, 0.30, 0.60),
    (0.25, 0.35, 0.40),
    (0.05, 0.15, 0.80),
    (0.20, 0.40, 0.40),
)

# Title prefixes by form (yrkesutbildning, others).
_TITLE_YRKE = ("Utbildning till ", "Validering mot yrkesrollen som ",
               "Handledning inför rollen som ", "Föreläsning om rollen som ",
               "Arbetsplatslärande mot rollen som ")
_TITLE_OTHER = ("Utbildning i ", "Validering inom ", "Handledning i ", "Föreläsning om ",
                "Kompetensinsats inom ")

# Insats phrase by form (yrkesutbildning, others): how the insats is named in the text.
_INSATS_YRKE = (
    ("en utbildning till ", "en yrkesutbildning till ", "en fortbildning till "),
    ("validering mot yrkesrollen som ", "en valideringsinsats mot yrket ",
     "validering och kompletterande utbildning till "),
    ("handledning inför rollen som ", "handledning och coachning mot yrket "),
    ("en föreläsning om yrkesrollen som ", "ett föreläsningstillfälle om arbetet som "),
    ("arbetsplatsförlagt lärande mot rollen som ", "en kompetenshöjande insats mot rollen som "),
)
_INSATS_OTHER = (
    ("en utbildning i ", "en kurs i ", "en utbildningsinsats i "),
    ("validering inom ", "en valideringsinsats inom "),
    ("handledning i ", "grupphandledning i ", "coachning och handledning i "),
    ("en föreläsning om ", "en halvdagsföreläsning om ", "ett föreläsningstillfälle om "),
    ("en kompetenshöjande insats inom ", "ett utvecklingsprogram inom ",
     "ett arbetsplatslärande inom "),
)
_INSATS_OPENERS = ("Vi ansöker om medel för ", "Vi planerar ", "Förvaltningen vill genomföra ",
                   "Ansökan avser ")

_CONTEXT = {
    "yrkesutbildning": (
        "Många medarbetare saknar formell utbildning för de uppgifter de utför.",
        "Andelen utbildad personal i verksamheten är låg.",
        "Verksamheten har flera medarbetare som arbetar utan yrkesexamen.",
    ),
    "språk": (
        "Många medarbetare har svenska som andraspråk.",
        "Brister i den skriftliga dokumentationen har uppmärksammats.",
        "Kommunikationen med brukare och anhöriga försvåras av språkliga hinder.",
    ),
    "bemötande": (
        "Personalen möter allt oftare situationer med utmanande beteenden.",
        "Antalet incidenter med hot och våld har ökat i verksamheten.",
        "Verksamheten vill utveckla ett mer enhetligt förhållningssätt i mötet med brukare.",
    ),
    "blandat": (
        "Verksamheten står inför förändrade arbetssätt.",
        "Digitaliseringen förändrar arbetsuppgifterna i verksamheten.",
        "Nya uppdrag har tillkommit i verksamheten.",
    ),
    "äldre": (
        "Andelen äldre brukare med komplexa behov ökar.",
        "Fler äldre med psykisk ohälsa och demenssjukdom bor kvar hemma.",
        "Vården och omsorgen om äldre blir alltmer komplex.",
    ),
}
_NEED_GENERIC = (
    "Inom fem år går många medarbetare i pension och vi behöver säkra kompetensförsörjningen.",
    "Förvaltningen har ett stort rekryteringsbehov och svårt att hitta personal med rätt kompetens.",
    "Nya krav i lagstiftningen innebär att verksamheten behöver fördjupad kompetens.",
    "Kommande pensionsavgångar gör att vi behöver bredda kompetensen hos befintlig personal.",
)
_NEED_TOPIC = {
    "yrkesutbildning": ("Rekryteringsbehovet av utbildad personal är stort de kommande åren.",
                        "Nya krav på formell kompetens gäller från nästa år."),
    "språk": ("Nya krav på dokumentation gör att språkkunskaperna måste stärkas för att klara "
              "kompetensförsörjningen.",
              "Rekryteringsbehovet är stort och vi behöver behålla medarbetare med annat modersmål."),
    "bemötande": ("Nya krav från tillsynsmyndigheten ställer högre krav på personalens kompetens.",
                  "Personalomsättningen och rekryteringsbehovet är stort i verksamheten."),
    "blandat": ("Nya krav i verksamhetens uppdrag innebär ett kompetensförsörjningsbehov.",
                "Pensionsavgångar bland erfarna medarbetare gör att kunskap behöver föras vidare."),
    "äldre": ("Pensionsavgångarna inom äldreomsorgen är stora de kommande åren.",
              "Demografin ger ett ökat rekryteringsbehov inom vård och omsorg."),
}
_NO_NEED = (
    "Verksamheten vill höja kvaliteten i det dagliga arbetet.",
    "Medarbetarna har efterfrågat mer kunskap inom området.",
    "Vi ser ett allmänt behov av att stärka kunskapen i arbetsgruppen.",
    "Enheten vill ge personalen möjlighet till fortbildning.",
    "Chefen har uppmärksammat att området behöver lyftas.",
)
_FORFLYTTNING = (
    " Insatsen innebär en tydlig kompetensförflyttning för deltagarna.",
    " Efter genomförd insats får deltagarna formell behörighet och kan ta sig an nya arbetsuppgifter.",
    " Deltagarna ska efter insatsen kunna gå in i en ny roll i verksamheten.",
    " Målet är att deltagarna ska nå den behörighet som krävs för tjänsten.",
    " Insatsen ger deltagarna kompetens för nya arbetsuppgifter som inte ingår i deras nuvarande tjänst.",
)
_NO_FORFLYTTNING = (
    "",
    "",
    " Insatsen stärker medarbetarnas kunskaper.",
    " Deltagarna får fördjupade kunskaper inom området.",
)
_ROUTINE = (
    " Insatsen är en årlig uppdatering för samtliga medarbetare.",
    " Det handlar om en repetition av den utbildning personalen gick tidigare.",
    " Insatsen ingår i den obligatoriska introduktionen för nyanställda.",
    " Innehållet tas upp på APT under terminen.",
    " Vi genomför en årlig uppdatering av kunskaperna på arbetsplatsträffar (APT).",
)
_SCOPE_OPENERS = (
    ("Insatsen genomförs under ", "Planerad start är under ", "Insatsen beräknas starta under ",
     "Genomförandet sker under "),
    ("Föreläsningen hålls under ", "Tillfället planeras till "),
)
_DURATION_OPENERS = (" Insatsen pågår i cirka ", " Den beräknas pågå i cirka ",
                     " Planerad längd är cirka ")
_SEASONS = np.array(["våren "] * 5 + ["sommaren "] * 3 + ["hösten "] * 4, dtype=object)
_PROVIDER_SENTENCES = (
    (" Insatsen genomförs av Omställningsfonden.", " Omställningsfonden är utförare.",
     " Vi önskar att Omställningsfonden genomför insatsen."),
    (" Insatsen genomförs i egen regi med interna utbildare.",
     " Utförare är verksamheten själv (egen regi).",
     " Insatsen genomförs i egen regi av erfarna kollegor."),
    (" Insatsen genomförs av ", " Utförare är ", " Vi har valt leverantören "),
)
_SAMVERKAN = (
    "",
    " Insatsen har samverkats med de fackliga organisationerna.",
    " MBL-förhandling har genomförts och protokollförts.",
    " Insatsen har samverkats lokalt.",
)
