"""Builds the notebooks from the cells below, with outputs stripped (run: python notebooks/_build.py).

The notebooks only import and call kompred; CI executes them (pytest --nbmake).
"""

from pathlib import Path

import nbformat as nbf

HERE = Path(__file__).parent


def md(text):
    return nbf.v4.new_markdown_cell(text.strip())


def code(text):
    return nbf.v4.new_code_cell(text.strip())


NOTEBOOKS = {}

NOTEBOOKS["02_batchbedomning.ipynb"] = [
    md("""
# Batchbedömning av en fil med ansökningar

`kompred.scoring.score_file` läser CSV, XLSX eller Parquet i delar (så att minnet räcker även för
mycket stora filer) och skriver samma format tillbaka: **varje rad, i samma ordning**, med dina
egna kolumner oförändrade och kompreds kolumner efter. Kolumnen `status` säger vad som var fel på
en rad som inte kunde bedömas. Personnummer i textceller maskeras.

Här används den medföljande Stockholmsdatan (aggregaten verkliga, varje post syntetisk) och några
nya, påhittade utkast.
"""),
    code("""
import tempfile
from pathlib import Path

import pandas as pd

import kompred
from kompred.scoring import load_scorer, score_file

scorer = load_scorer()  # de medföljande modellerna och tidigare ansökningar att jämföra med
work = Path(tempfile.mkdtemp())
"""),
    md("Några nya ansökningar, som en handläggare på HR kan skriva dem i Excel:"),
    code("""
nya = pd.DataFrame({
    "Ärende": ["N-1", "N-2", "N-3", "N-4", "N-5"],
    "Förvaltning": ["Farsta sdf", "Järva sdf", "Bromma sdf", "Serviceförvaltningen", "Farsta sdf"],
    "Beskrivning": [
        "Yrkessvenska för 14 undersköterskor i hemtjänsten, 10 veckor via Komvux, för att klara dokumentationskraven.",
        "Föreläsning om palliativ vård för personalen på äldreboendet, en eftermiddag.",
        "Barnskötarutbildning för 12 outbildade barnskötare; leder till yrkesbevis. Samverkat i LSG 2024-02-01.",
        "",
        "Lågaffektivt bemötande, tre utbildningsdagar och handledning för personal på LSS-boende.",
    ],
    "Kostnad (kr)": ["310 000", "35 000", "1 150 000", "", "tjugotusen"],
    "Antal deltagare": [14, 60, 12, None, 18],
})
infil = work / "nya_ansokningar.xlsx"
nya.to_excel(infil, index=False)
"""),
    code("""
summary = score_file(infil, work / "bedomda.xlsx", scorer=scorer)
summary
"""),
    code("""
ut = pd.read_excel(work / "bedomda.xlsx")
ut[["Ärende", "topic", "topic_confidence", "grant_probability", "grant_low", "grant_high", "status"]]
"""),
    md("""
Raden utan text (N-4) och raden med en kostnad som inte är en siffra (N-5) kommer tillbaka med en
förklaring i `status`; ingen rad försvinner. Skälen bakom varje sannolikhet står i `grant_reasons`:
"""),
    code("""
for _, r in ut.dropna(subset=["grant_probability"]).iterrows():
    print(f"{r['Ärende']}: {r['grant_probability']:.2f} [{r['grant_low']:.2f}-{r['grant_high']:.2f}]  {r['grant_reasons']}")
"""),
    md("""
Intervallen är breda: modellen har bara 73 beslut att lära av. Det är en ärlig bild av hur lite
73 ansökningar kan säga, inte ett fel. Från kommandoraden gör `kompred score FIL -o UT.xlsx` samma sak,
med en förloppsindikator.
"""),
]

NOTEBOOKS["03_forhandskontroll.ipynb"] = [
    md("""
# Förhandskontroll av ett utkast

`kompred.check_application` ger en HR-handläggare, innan ansökan skickas: ämne, sannolikhet för
beviljande med osäkerhetsintervall och skäl, de fem mest lika tidigare ansökningarna med beslut
(aldrig handläggarnas namn), och en checklista byggd på fondens regler, där varje punkt anger sin
källa. Personnummer varnas för och maskeras i allt som visas.
"""),
    code("""
import kompred
from kompred.report._check import check_to_markdown, check_to_terminal

utkast = (
    "Vi vill bjuda in en föreläsare en eftermiddag om palliativ vård för personalen på vårt äldreboende. "
    "Kontaktperson är Kim, 811218-9876. Kostnad 40 000 kr, ca 60 deltagare."
)
result = kompred.check_application(utkast)
print(check_to_terminal(result, color=False))
"""),
    md("Resultatet är ett oföränderligt objekt; `to_dict()` ger JSON-dokumentet:"),
    code("""
doc = result.to_dict()
print(doc["topic"], round(doc["grant_probability"], 2))
[w["code"] for w in doc["warnings"]]
"""),
    code("""
assert "811218-9876" not in check_to_markdown(result)  # numret syns inte i någon utdata
"""),
    md("""
Samma sak från kommandoraden: `kompred check --text "…" --json ut.json` (eller en textfil, eller
en tabell med en rad), med `--markdown` och `--html` för en rapport att spara.
"""),
]


def main():
    for name, cells in NOTEBOOKS.items():
        nb = nbf.v4.new_notebook()
        nb.cells = cells
        nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
        nb.metadata["language_info"] = {"name": "python"}
        nbf.write(nb, HERE / name)
        print("wrote", HERE / name)


if __name__ == "__main__":
    main()
