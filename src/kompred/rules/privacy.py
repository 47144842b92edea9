"""Privacy: no personnummer or samordningsnummer in the application.

Dataskyddsförordningen art. 5.1 c, uppgiftsminimering (:data:`kompred.schema.SOURCES`
``"GDPR"``).
"""

from __future__ import annotations

from ..schema import SOURCES
from ..text.pii import find_personnummer
from ._engine import OK, VARNING, Finding, _App, rule
from ._text import PNR_EVIDENCE, SNR_EVIDENCE


@rule(
    id="personnummer", title="Personnummer", criterion="data_protection", severity=VARNING,
    source=SOURCES["GDPR"],
    text="Ansökan ska inte innehålla personnummer eller samordningsnummer.",
)
def check_personnummer(app: _App) -> Finding:
    """Rule ``personnummer``: no personnummer or samordningsnummer in any text field.

    Every string field is searched with :func:`kompred.text.find_personnummer` (date and
    Luhn checked). ``evidence`` holds the field and the masked form only, never the number.
    """
    evidence: list[str] = []
    n_pnr = n_snr = 0
    for name, text in app.raw_fields:
        for m in find_personnummer(text):
            token = SNR_EVIDENCE if m.kind == "samordningsnummer" else PNR_EVIDENCE
            if m.kind == "samordningsnummer":
                n_snr += 1
            else:
                n_pnr += 1
            item = f"{name}: {token}"
            if item not in evidence:
                evidence.append(item)
    if not evidence:
        return Finding(OK, "Inga personnummer eller samordningsnummer hittades.")
    what = []
    if n_pnr:
        what.append(f"{n_pnr} personnummer")
    if n_snr:
        what.append(f"{n_snr} samordningsnummer")
    fields = sorted({e.split(":")[0] for e in evidence})
    return Finding(
        VARNING,
        f"Ansökan innehåller {' och '.join(what)} (i {', '.join(fields)}). Ta bort dem: "
        "ansökan behöver inga personuppgifter om deltagarna. Numren är maskerade i allt kompred "
        "visar.",
        evidence,
    )
