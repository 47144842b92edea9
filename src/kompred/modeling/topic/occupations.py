"""Training towards an occupation: a job-title lexicon (a feature helper of the topic classifier).

Real texts tell a change of job in many ways: "läser till undersköterska", "vidareutbildar sig
till drifttekniker", "blir förskollärare", "från vårdbiträde till undersköterska". The character
n-grams see the job titles, but a job title alone says little: "kursen riktar sig till
undersköterskor" is about any subject. :func:`occupation_marks` finds the phrases that put a
title of :data:`OCCUPATIONS` after a verb of becoming or studying (or after "från ... till"), and
the classifier appends :data:`MARK` for them, so every such text shares one feature whatever the
title.

The lexicon is general vocabulary of Swedish municipal and regional work, not a list of the
evaluation texts' words.

>>> occupation_marks("tolv vårdbiträden läser nu till undersköterska på arbetstid")
['läser nu till undersköterska']
>>> occupation_marks("kursen riktar sig till undersköterskor och sjuksköterskor")
[]
>>> occupation_marks("från vårdbiträde till undersköterska: elva medarbetare har fått titeln")
['från vårdbiträde till undersköterska']
>>> occupation_marks("utbildningen till silviasyster ger spetskompetens")  # a certificate, no title
[]
"""

from __future__ import annotations

import re

__all__ = ["MARK", "OCCUPATIONS", "occupation_marks"]

#: Occupations an insats can train towards, as stems that match their inflected forms
#: ("undersköterska", "-or", "-orna"; "barnskötare", "-n", "-na"). Lowercase.
OCCUPATIONS: tuple[str, ...] = (
    "underskötersk", "specialistunderskötersk", "sjukskötersk", "specialistsjukskötersk",
    "distriktsskötersk", "barnmorsk", "tandskötersk", "tandhygienist", "skötare", "vårdare",
    "barnskötar", "förskollärar", "lärare", "lärar", "fritidspedagog", "fritidsledar",
    "elevassistent", "stödassistent", "stödpedagog", "behandlingsassistent", "behandlingspedagog",
    "socialpedagog", "socionom", "socialsekreterar", "biståndshandläggar", "personlig assistent",
    "personliga assistent", "kock", "köksmästar", "måltidsbiträd", "lokalvårdar", "städledar",
    "fastighetsskötar", "fastighetstekniker", "drifttekniker", "vaktmästar", "yrkesförar",
    "chaufför", "busschaufför", "arbetsterapeut", "fysioterapeut", "dietist", "läkare",
    "specialistläkar", "ambulanssjukvårdar", "aktivitetsledar", "vårdbiträd",
)

#: The words appended to a text that trains towards an occupation.
MARK = "utbildning mot nytt yrke"

_TITLE = r"(?:" + "|".join(sorted(OCCUPATIONS, key=len, reverse=True)) + r")[a-zåäö]{0,5}"
# verbs of studying or becoming; "till" must follow a studying verb, not "riktar sig till"
_STUDY = r"(?:utbild\w*|vidareutbild\w*|läs\w*|studer\w*|validera\w*|omskola\w*|kvalificera\w*)"
_PATTERNS = (
    re.compile(rf"\b{_STUDY}(?:\s+(?:sig|nu|vidare|att|för|på))*\s+till\s+(?:\w+\s+)?{_TITLE}\b"),
    re.compile(rf"\b(?:bli|blir|blivit|blev|bliva)\s+(?:\w+\s+)?{_TITLE}\b"),
    re.compile(rf"\bfrån\s+{_TITLE}\s+till\s+{_TITLE}\b"),
    re.compile(rf"\b(?:nya|nyblivna|blivande|färdiga|nyutbildade)\s+{_TITLE}\b"),
)


def occupation_marks(text: str) -> list[str]:
    """The phrases of a normalized (lowercase) text that train towards an occupation.

    Parameters
    ----------
    text : str
        A text after :func:`kompred.text.normalize_text`.

    Returns
    -------
    list of str
        The matched phrases, in order of the patterns; empty when the text names no such change.
    """
    return [m.group(0) for p in _PATTERNS for m in p.finditer(text)]
