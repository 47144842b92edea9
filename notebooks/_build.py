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

NOTEBOOKS["01_analys.ipynb"] = [
    md("""
# Analys: ämnen, avvikande beslut, handläggar- och periodeffekter

Stockholms stads rapport 2021–2023 oroar sig för att samma slags insats beviljades av en handläggare
och avslogs av en annan (*individbundna* beslut). Den här anteckningsboken går igenom hur kompred
svarar på det, på den medföljande datan.

**Verkligt och syntetiskt:** aggregaten (ansökningar per förvaltning och år, ämnen, 53 beviljade och
20 avslag) är verkliga, ur stadens rapport. Varje post (text, kostnad, datum, handläggare H01–H07) är
syntetisk. Handläggareffekterna nedan säger därför ingenting om verkliga handläggare; de visar vad
metoden kan och inte kan säga med 73 ansökningar.
"""),
    code("""
import matplotlib
matplotlib.use("Agg")
import pandas as pd

import kompred
from kompred.report import seed_tables
from kompred.report._consistency import funnel_plot, similarity_agreement_plot

apps = kompred.load_stockholm()
tables = seed_tables(apps)
tables.per_unit_year
"""),
    md("Tabellerna byggs upp ur posterna; där den tryckta rapporten inte går ihop säger kompred det:"),
    code("""
tables.discrepancies
"""),
    md("""
## Ämnen
Den medföljande ämnesmodellen är tränad på taxonomin (`taxonomies/default.toml`) och de 73 posterna.
Här klassificeras texterna utan att titta på handetiketten:
"""),
    code("""
from kompred.modeling.topic import load_default_topic_model

topics = load_default_topic_model().predict_details(apps[["title", "description"]])
pd.crosstab(apps["topic"], topics["topic"], rownames=["handetikett"], colnames=["modellen"])
"""),
    md("""
(Modellen har sett dessa texter under träningen, så tabellen visar samstämmighet, inte kvalitet. Den
ärliga siffran kommer från ett separat testset: se README och `kompred evaluate`.)

## Lika ansökningar med olika beslut
`find_divergent_pairs` jämför texterna med tecken-n-gram och rangordnar par med olika beslut efter hur
överraskande splittringen är givet innehållet:
"""),
    code("""
pairs = kompred.find_divergent_pairs(apps)
pairs[["id_a", "id_b", "similarity", "decision_a", "decision_b", "divergence_score"]].head(10)
"""),
    code("""
titles = apps.set_index("id")["title"]
for _, p in pairs.head(5).iterrows():
    print(f"{p.similarity:.2f}  {titles[p.id_a]!r} ({p.decision_a})  <->  {titles[p.id_b]!r} ({p.decision_b})")
"""),
    code("""
groups = kompred.find_divergent_groups(apps)
groups.head()
"""),
    md("Hur ofta fattas lika beslut för lika ansökningar, mot vad innehållsmodellen väntar sig?"),
    code("""
all_pairs = kompred.find_divergent_pairs(apps, include_agreeing=True, min_similarity=0.3)
fig = similarity_agreement_plot(all_pairs, bins=5)
fig
"""),
    md("""
## Beror besluten på handläggaren?
`handler_effect` skattar variationen mellan handläggare *efter justering för innehållet*, med
osäkerhetsintervall, och säger uttryckligen när datan inte räcker:
"""),
    code("""
he = kompred.handler_effect(apps)
{k: he.to_dict()[k] for k in ["handler_sd", "ci_low", "ci_high", "p_value", "flip_rate", "enough_data", "design_power"]}
"""),
    code("""
print(he.reason)
fig = funnel_plot(he)
fig
"""),
    md("""
Trattdiagrammet visar varje handläggares innehållsjusterade andel beviljade mot antalet beslut, med
kontrollgränser: en handläggare utanför gränserna avviker mer än slumpen förklarar. Det är inte en
topplista.

### Hur mycket data skulle behövas?
`design_power` räknar ut hur ofta en spridning mellan handläggare på 0,5 (log-odds) skulle upptäckas
med ett visst upplägg. Stjärnan är den här datan: med 73 beslut skulle en verklig effekt av den
storleken oftast inte synas, så ett "inget fynd" säger lite. Kurvorna är ungefärliga och något
optimistiska (se `evaluation/README_consistency.md`).
"""),
    code("""
from kompred.report._consistency import design_power_plot

print(f"Styrka med den här datan: {he.design_power:.0%}")
fig = design_power_plot(observed=he)
fig
"""),
    md("""

## Spelar tidpunkten roll (KOM-KR i lydelse 2022-10-01)?
"""),
    code("""
pe = kompred.period_effect(apps)
pe.to_dict()
"""),
    md("""
## Samma analys på simulerade data, där sanningen är känd
`kompred.simulate` skapar en större tabell från en känd process med en inplanterad handläggareffekt.
Med 2 000 ansökningar och 10 handläggare hittar analysen effekten:
"""),
    code("""
sim = kompred.simulate(2000, n_handlers=10, handler_sd=0.5, seed=1)
he_sim = kompred.handler_effect(sim.applications, n_permutations=500)
print(f"sant SD i populationen: 0.5; skattat: {he_sim.handler_sd:.2f} [{he_sim.ci_low:.2f}, {he_sim.ci_high:.2f}], p = {he_sim.p_value:.3f}")
"""),
]

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
