"""Every sentence and label the report and its plots show, in Swedish and English.

Keys are ``area.item``; values are ``{"sv": ..., "en": ...}`` format strings. A test checks that
every key has both languages.
"""

from __future__ import annotations

from ..exceptions import ValidationError
from .numbers import fill

__all__ = ["LANGS", "WORDS", "check_lang", "say"]

LANGS = ("sv", "en")

WORDS: dict[str, dict[str, str]] = {
    # --- report: analysis sections ------------------------------------------------------
    "report.no_text": {
        "sv": "Ingen text i tabellen: ämnen och lika ansökningar hoppas över.",
        "en": "No text in the table: topics and similar applications are skipped."},
    "report.no_decisions": {
        "sv": "Inga beslut i tabellen: avvikande beslut och handläggareffekt hoppas över.",
        "en": "No decisions in the table: divergent decisions and handler effect are skipped."},
    "report.topics.heading": {"sv": "Ämnen", "en": "Topics"},
    "report.topics.body": {
        "sv": "Ämnen enligt kompreds ämnesmodell (alla ansökningar):",
        "en": "Topics according to kompred's topic model (all applications):"},
    "report.topics.agreement": {
        "sv": "Samma ämne som tabellens egen ämneskolumn: {share} av raderna (den medföljande "
              "modellen har tränats på den medföljande datan, så det här är samstämmighet, "
              "inte kvalitet).",
        "en": "Same topic as the table's own topic column: {share} of the rows (the bundled "
              "model was trained on the bundled data, so this is agreement, not quality)."},
    "report.topics.terminal": {"sv": "Ämnen (modellen): {counts}",
                               "en": "Topics (model): {counts}"},
    "report.pairs.heading": {"sv": "Lika ansökningar med olika beslut",
                             "en": "Similar applications with different decisions"},
    "report.pairs.body": {
        "sv": "{n} par med olika beslut och likhet ≥ {min_sim}; de {top} mest överraskande "
              "givet innehållet:",
        "en": "{n} pairs with different decisions and similarity ≥ {min_sim}; the {top} most "
              "surprising given their content:"},
    "report.pairs.terminal": {
        "sv": "Lika ansökningar med olika beslut: {n:,} par; mest överraskande:",
        "en": "Similar applications with different decisions: {n:,} pairs; most surprising:"},
    "report.pairs.col.similarity": {"sv": "likhet", "en": "similarity"},
    "report.pairs.col.surprise": {"sv": "överraskning", "en": "surprise"},
    "report.groups.heading": {
        "sv": "Grupper av nästan likadana ansökningar med olika beslut",
        "en": "Groups of near-identical applications with different decisions"},
    "report.groups.body": {
        "sv": "{n:,} grupper av nästan likadana ansökningar där besluten skiljer sig åt. En grupp "
              "bildas genom enkel länkning: två ansökningar hamnar i samma grupp när en kedja av "
              "par med likhet ≥ {sim} förbinder dem. Kedjan kan föra ihop A och C via B fast A "
              "och C är mindre lika, så \"minsta länk\" säger hur tät gruppen är (nära {sim}: en "
              "lös kedja; nära 1: nästan samma text) och \"medellikhet\" är likheten i "
              "genomsnitt över alla par i gruppen. Grupperna med flest minoritetsbeslut står "
              "först; tabellen visar {top} av dem, tables.json alla:",
        "en": "{n:,} groups of near-identical applications whose decisions differ. A group is "
              "built by single linkage: two applications share a group when a chain of pairs "
              "with similarity ≥ {sim} links them. The chain can join A and C through B although "
              "A and C are less alike, so \"weakest link\" says how tight the group is (near "
              "{sim}: a loose chain; near 1: almost the same text) and \"mean similarity\" is "
              "the similarity averaged over every pair in the group. The groups with the most "
              "minority decisions come first; the table shows {top} of them, tables.json all:"},
    "report.groups.none": {
        "sv": "Ingen grupp av nästan likadana ansökningar (likhet ≥ {sim}) har olika beslut.",
        "en": "No group of near-identical applications (similarity ≥ {sim}) has different "
              "decisions."},
    "report.groups.terminal": {
        "sv": "Grupper av nästan likadana ansökningar med olika beslut: {n:,}; största: {size:,} "
              "ansökningar (beviljade {granted:,}, avslag {rejected:,}), ord: {terms}",
        "en": "Groups of near-identical applications with different decisions: {n:,}; largest: "
              "{size:,} applications (granted {granted:,}, rejected {rejected:,}), words: {terms}"},
    "report.groups.terminal_none": {
        "sv": "Grupper av nästan likadana ansökningar med olika beslut: 0",
        "en": "Groups of near-identical applications with different decisions: 0"},
    "report.groups.synthetic": {
        "sv": "Syntetiska poster: säger inget om verkliga ansökningar.",
        "en": "Synthetic records: they say nothing about real applications."},
    "report.groups.more": {"sv": "+ {n:,} till", "en": "+ {n:,} more"},
    "report.groups.col.size": {"sv": "ansökningar", "en": "applications"},
    "report.groups.col.min_link": {"sv": "minsta länk", "en": "weakest link"},
    "report.groups.col.mean": {"sv": "medellikhet", "en": "mean similarity"},
    "report.groups.col.granted": {"sv": "beviljade", "en": "granted"},
    "report.groups.col.rejected": {"sv": "avslag", "en": "rejected"},
    "report.groups.col.handlers": {"sv": "handläggare: beviljat / avslagit",
                                   "en": "handlers: granting / rejecting"},
    "report.groups.col.terms": {"sv": "vanliga ord", "en": "common words"},
    "report.handler.heading": {"sv": "Beror besluten på handläggaren?",
                               "en": "Do decisions depend on the handler?"},
    "report.handler.body": {
        "sv": "{reason}\n\n- spridning mellan handläggare (SD, log-odds): {sd} (95 % intervall "
              "{lo}–{hi})\n- andel beslut som sannolikt skulle bli annorlunda med en annan "
              "handläggare: {flip}\n- permutationstest p = {p}\n- tillräckligt med data: "
              "{enough} ({handlers} handläggare, {decisions} beslut)",
        "en": "{reason}\n\n- spread between handlers (SD, log-odds): {sd} (95 % interval "
              "{lo}–{hi})\n- share of decisions that would likely differ with another "
              "handler: {flip}\n- permutation test p = {p}\n- enough data: {enough} "
              "({handlers} handlers, {decisions} decisions)"},
    "report.handler.pseudonyms": {"sv": "Handläggarna är pseudonymer.",
                                  "en": "The handlers are pseudonyms."},
    "report.handler.terminal": {"sv": "Handläggare: {reason}", "en": "Handlers: {reason}"},
    "report.handler.synthetic": {
        "sv": " (Syntetiska poster: säger inget om verkliga handläggare.)",
        "en": " (Synthetic records: they say nothing about real handlers.)"},
    "report.handler.cannot": {"sv": "Kan inte skattas: {error}",
                              "en": "Cannot be estimated: {error}"},
    "report.handler.cannot_terminal": {"sv": "Handläggare: kan inte skattas ({error})",
                                       "en": "Handlers: cannot be estimated ({error})"},
    "report.period.heading": {"sv": "Spelar tidpunkten roll?", "en": "Does timing matter?"},
    "report.period.terminal": {"sv": "Period: {reason}", "en": "Period: {reason}"},
    "report.period.cannot_terminal": {"sv": "Period: kan inte skattas ({error})",
                                      "en": "Period: cannot be estimated ({error})"},
    "report.notes.heading": {"sv": "Förbehåll", "en": "Caveats"},
    "yes": {"sv": "ja", "en": "yes"},
    "no": {"sv": "nej", "en": "no"},
    # --- plots ----------------------------------------------------------------------------
    "plot.funnel.overall": {"sv": "total andel beviljade {rate}", "en": "overall rate {rate}"},
    "plot.funnel.limits": {"sv": "{level} kontrollgränser", "en": "{level} limits"},
    "plot.funnel.raw": {"sv": "observerad (rå)", "en": "observed (raw)"},
    "plot.funnel.adjusted": {"sv": "justerad för innehållet", "en": "content-adjusted"},
    "plot.funnel.x": {"sv": "beslut per handläggare", "en": "decisions per handler"},
    "plot.funnel.y": {"sv": "andel beviljade", "en": "approval rate"},
    "plot.funnel.title": {
        "sv": "Spridning mellan handläggare {sd} (95 %-intervall {lo}–{hi}), p = {p}",
        "en": "Handler SD {sd} (95 % CI {lo}–{hi}), p = {p}"},
    "plot.similarity.observed": {
        "sv": "observerad andel par med samma beslut (95 %-intervall)",
        "en": "observed share with the same decision (95 % CI)"},
    "plot.similarity.expected": {
        "sv": "väntad om besluten vore oberoende givet innehållet",
        "en": "expected if independent given content"},
    "plot.similarity.x": {"sv": "textlikhet (cosinus av teckensekvenser)",
                          "en": "text similarity (char n-gram cosine)"},
    "plot.similarity.y": {"sv": "andel par med samma beslut",
                          "en": "share of pairs with the same decision"},
    "plot.power.handlers": {"sv": "{h} handläggare", "en": "{h} handlers"},
    "plot.power.observed": {"sv": "era data: {h} handläggare, {d} beslut",
                            "en": "your data: {h} handlers, {d} decisions"},
    "plot.power.x": {"sv": "beslut per handläggare", "en": "decisions per handler"},
    "plot.power.y": {"sv": "sannolikhet att upptäcka spridning {sd} (p < 0,05)",
                     "en": "probability of detecting SD {sd} (p < 0.05)"},
    "plot.power.rate": {"sv": "beviljandegrad {rate}", "en": "approval rate {rate}"},
    "plot.power.info": {"sv": "information per beslut som i era data",
                        "en": "information per decision as in your data"},
    "plot.power.title": {"sv": "Testets styrka efter upplägg ({what}; simulerad)",
                         "en": "Power of the test by design ({what}; simulated)"},
}


def check_lang(lang: str) -> str:
    """``lang`` when it is one of :data:`LANGS`, else a ValidationError."""
    if lang not in LANGS:
        raise ValidationError(f"expected lang to be one of {list(LANGS)}; got {lang!r}")
    return lang


def say(key: str, lang: str = "sv", **params) -> str:
    """The message ``key`` in ``lang``, filled in with ``params``."""
    lang = check_lang(lang)
    return fill(WORDS[key][lang], lang, **params)
