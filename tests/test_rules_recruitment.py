"""Tests for the rule ``recruitment_training``: no training of recruits before they start.

The fund pays only for people who are employed when the application is made (criterion 1,
Omställningsfonden's Kriterier för beviljande); a draft that trains staff who are being
recruited, before they start, must be warned. The texts are written for these tests.
"""

from __future__ import annotations

import pytest

from kompred.rules import RULES_BY_CODE, check_recruitment_training, run_rules

CTX = {"today": "2025-03-01"}


def status(text: str) -> str:
    return check_recruitment_training({"description": text}, context=CTX).status


@pytest.mark.parametrize(
    "text",
    [
        "Vi rekryterar 15 undersköterskor till det nya äldreboendet och vill utbilda dem innan "
        "de börjar i augusti.",
        "Utbildningen riktar sig till nyanställda som ska börja under hösten.",
        "De tio barnskötare vi anställer till hösten går en introduktionsutbildning innan "
        "tillträdet.",
        "Rekryteringsutbildning för personliga assistenter i samarbete med Arbetsförmedlingen.",
        "Deltagarna erbjuds anställning i hemtjänsten efter godkänd utbildning.",
        "Vi planerar att rekrytera 8 personliga assistenter och ge dem grundutbildning före "
        "anställningens start.",
        "Utbildning av nya medarbetare innan de pabörjar sin anstallning.",  # no å/ä
        "Kursen ingår som en del av rekryteringen av nya kockar till centralköket.",
        "Deltagarna får anställningsgaranti när de klarat kursen.",
    ],
)
def test_recruits_and_training_before_start_are_warned(text):
    result = check_recruitment_training({"description": text}, context=CTX)
    assert result.status == "varning", result.evidence
    assert result.evidence and "egen personal" in result.message


@pytest.mark.parametrize(
    "text",
    [
        "Det är svårt att rekrytera sjuksköterskor, så vi utbildar befintliga undersköterskor "
        "till specialistundersköterskor.",
        "I stället för att rekrytera utbildar vi egna medarbetare till förskollärare.",
        "Vi har svårigheter att rekrytera kockar och vill därför vidareutbilda kökspersonalen.",
        "Rekryteringsläget är ansträngt och flera går i pension de närmaste åren.",
        "Insatsen minskar behovet av att rekrytera och anställa externt och utbildar i stället "
        "våra barnskötare.",
        "20 tillsvidareanställda vårdbiträden läser till undersköterska på halvfart.",
        "Introduktion för medarbetare som började i januari, med handledning under våren.",
        "",
    ],
)
def test_recruitment_needs_and_current_staff_are_not_flagged(text):
    assert status(text) == "ok"


def test_employment_after_training_is_info_when_participants_are_current_staff():
    text = ("Befintliga vårdbiträden läser till undersköterska och anställs som "
            "undersköterskor efter avslutad utbildning.")
    assert status(text) == "info"
    assert status("Deltagarna anställs som undersköterskor efter avslutad utbildning.") == "varning"


def test_special_money_goes_to_manual_check():
    text = ("Inom pilotprojektet i Norrbotten utbildar vi nya medarbetare innan de börjar i "
            "hemtjänsten.")
    result = check_recruitment_training({"description": text}, context=CTX)
    assert result.status == "manuell kontroll" and "pilotprojekt" in " ".join(result.evidence)


def test_rule_declares_criterion_one_and_its_public_sources():
    rule = RULES_BY_CODE["recruitment_training"]
    assert rule.criterion == "employed" and rule.severity == "varning"
    assert [s.key for s in rule.sources] == ["S2", "S28"]
    assert "omstallningsfonden.se" in rule.source and "sobona.se" in rule.source


def test_runs_in_the_checklist_for_every_agreement():
    text = {"description": "Vi rekryterar 5 kockar och utbildar dem före anställningens start."}
    for submitted in ("2019-05-01", "2021-05-01", "2025-02-01"):
        codes = {r.code: r.status for r in run_rules({**text, "submitted": submitted},
                                                       context=CTX)}
        assert codes["recruitment_training"] == "varning"
