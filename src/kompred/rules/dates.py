"""Dates: the insats starts after approval and ends in time for the period's deadlines.

Every date comes from :data:`kompred.schema.FUND_PERIODS` (rekvirering deadline, submission
cut-off): Omställningsfonden's Ansökan steg för steg, Nya medel för förebyggande insatser and
Tolkningar och förtydliganden i TLO-KL.
"""

from __future__ import annotations

from datetime import timedelta

from ..schema import FUND_PERIODS, SOURCES, fund_period, to_date
from ._engine import _SEVERITY, INFO, OK, VARNING, Finding, _App, rule

#: The latest fund period with a rekvirering deadline (named in the rule's text).
_LATEST = [p for p in FUND_PERIODS if p.rekvirering_deadline is not None][-1]
#: A period longer than this many days gets a note.
LONG_PERIOD_DAYS = 3 * 365
#: Ending less than this many days before the rekvirering deadline gets a note.
REKVIRERING_MARGIN_DAYS = 90


@rule(
    id="dates", title="Datum och tidsfrister", criterion="timing", severity=VARNING,
    source=(SOURCES["S1"], SOURCES["S4"], SOURCES["S10"]),
    text="Insatsen får genomföras först när fonden godkänt anmälan, och ska rekvireras senast "
         f"tre år efter medelsperiodens slut ({_LATEST.rekvirering_deadline} för "
         f"{_LATEST.name.replace('-', '–')}).",
)
def check_dates(app: _App) -> Finding:
    """Rule ``dates``: start after approval, end in time for rekvirering.

    Gives ``varning`` when the period ends before it starts, starts before submission (or
    before ``decision_date``, or within ``decision_lead_days`` of submission: approval comes
    first), ends after the period's rekvirering deadline, or was submitted after the period's cut-off
    for a complete anmälan (both from :data:`kompred.schema.FUND_PERIODS`). ``info`` for a period longer than three
    years, an end close to the deadline, a start after the fund period, or missing dates.
    Without ``submitted`` the reference date is ``context["today"]`` (default: today).
    """
    start, end = to_date(app.get("period_start")), to_date(app.get("period_end"))
    submitted = to_date(app.get("submitted"))
    decided = to_date(app.get("decision_date"))
    ref = submitted or app.today
    ref_name = "ansökningsdatumet" if submitted else "dagens datum"
    period = fund_period(app.fund_period)
    findings: list[tuple[str, str]] = []
    evidence = [f"{k}: {v.isoformat()}" for k, v in
                (("start", start), ("slut", end), ("inskickad", submitted)) if v is not None]
    for key in ("period_start", "period_end", "submitted"):
        if app.get(key) is not None and to_date(app.get(key)) is None:
            findings.append((INFO, f"Datumet i {key} ({app.get(key)!s:.30}) kunde inte läsas; "
                                   "skriv det som ÅÅÅÅ-MM-DD."))
    if start is None and end is None:
        findings.append((INFO, "Start- och slutdatum saknas, så tidsfristerna kan inte "
                               "kontrolleras. Ange period för genomförande."))
    if start is not None and end is not None and end < start:
        findings.append((VARNING, f"Slutdatum ({end}) ligger före startdatum ({start})."))
    if start is not None:
        if start < ref:
            findings.append((VARNING, f"Insatsen startar ({start}) före {ref_name} ({ref}). "
                                      "Insatsen får starta först efter att fonden godkänt "
                                      "anmälan."))
        elif decided is not None and start < decided:
            findings.append((VARNING, f"Insatsen startar ({start}) före beslutsdatumet "
                                      f"({decided}). Insatsen får starta först efter "
                                      "godkännande."))
        elif decided is None and start < ref + timedelta(days=app.lead_days):
            findings.append((VARNING, f"Insatsen startar {(start - ref).days} dagar efter "
                                      f"{ref_name} ({ref}). Insatsen får starta först efter "
                                      "godkännande; räkna med handläggningstid (här antas minst "
                                      f"{app.lead_days} dagar)."))
    elif end is not None and end < ref:
        findings.append((VARNING, f"Slutdatum ({end}) har redan passerat ({ref_name} {ref})."))
    if start is not None and end is not None and (end - start).days > LONG_PERIOD_DAYS:
        findings.append((INFO, f"Perioden är lång ({(end - start).days} dagar, över tre år). "
                               "Kontrollera att den ryms i medelsperioden och tidsfristen för "
                               "rekvirering."))
    if period is not None:
        deadline = period.rekvirering_deadline
        if deadline is not None and end is not None:
            if end > deadline:
                findings.append((VARNING, f"Insatsen slutar {end}, efter sista dag för "
                                          f"rekvirering för medelsperioden {period.name} "
                                          f"({deadline}). Alla insatser ska rekvireras senast "
                                          "tre år efter periodens slut."))
            elif (deadline - end).days < REKVIRERING_MARGIN_DAYS:
                findings.append((INFO, f"Insatsen slutar {end}, mindre än "
                                       f"{REKVIRERING_MARGIN_DAYS} dagar före sista dag för "
                                       f"rekvirering ({deadline}). Planera rekvireringen i tid."))
        if period.submission_cutoff is not None and submitted is not None and (
            submitted > period.submission_cutoff
        ):
            findings.append((VARNING, f"Ansökan skickades {submitted}, efter sista dag för "
                                      f"komplett anmälan i medelsperioden {period.name} "
                                      f"({period.submission_cutoff})."))
    else:
        which = f" ({app.fund_period})" if app.fund_period else ""
        findings.append((INFO, f"Medelsperioden{which} är okänd för kompred, så ingen tidsfrist "
                               "för rekvirering kunde kontrolleras. Stäm av fristen med fonden."))
    if not findings:
        deadline_note = ""
        if period is not None and period.rekvirering_deadline is not None:
            deadline_note = (f" Sista dag för rekvirering för {period.name} är "
                             f"{period.rekvirering_deadline}.")
        return Finding(OK, f"Datumen ser rimliga ut: insatsen startar efter "
                       f"{ref_name} och slutar i tid.{deadline_note}", evidence)
    status = min((s for s, _ in findings), key=_SEVERITY.__getitem__)
    inferred = (f" (Medelsperiod {app.fund_period} antagen utifrån {ref_name}.)"
                if app.fund_period_inferred and app.fund_period else "")
    return Finding(status, " ".join(m for _, m in findings) + inferred, evidence)
