"""The words of the consistency results: handler effect, period effect, inconsistency index.

The analyses return codes and numbers (``conclusion``, ``reason_values``); :func:`explain`
writes what they mean, in Swedish or English. ``result.reason`` and ``result.reason_sv`` call it.
"""

from __future__ import annotations

import math
from typing import Any

from ..consistency.results import ALPHA
from .numbers import decimal_comma, fill
from .words import check_lang

__all__ = ["explain", "format_p"]

# (English, Swedish) per conclusion of the handler effect
_HANDLER = {
    "too_few_handlers": (
        "Only {h} handlers: at least {mh} are needed to estimate how much decisions vary between "
        "handlers; with fewer, a difference between handlers cannot be told apart from chance "
        "and from differences in what they received.",
        "Bara {h} handläggare: minst {mh} behövs för att uppskatta hur mycket besluten varierar "
        "mellan handläggare; med färre går en skillnad inte att skilja från slumpen eller från "
        "skillnader i vilka ansökningar de fick.",
    ),
    "too_few_decisions": (
        "Only {d} decisions ({per:.1f} per handler): at least {md} per handler on average are "
        "needed before a handler effect can be estimated reliably.",
        "Bara {d} beslut ({per:.1f} per handläggare): i genomsnitt minst {md} per handläggare "
        "behövs för att en handläggareffekt ska kunna uppskattas tillförlitligt.",
    ),
    "inconclusive": (
        "Not enough data to say: the permutation test does not show handler dependence "
        "(p = {p}, not below 0.05), and the 95 % interval of the handler SD ({lo:.2f} to "
        "{hi}) still includes effects large enough to matter (median odds ratio up to {mor}).",
        "Underlaget räcker inte för att säga något: permutationstestet visar inget "
        "handläggarberoende (p = {p}, inte under 0,05), och 95 %-intervallet för "
        "handläggarnas spridning ({lo:.2f} till {hi}) rymmer fortfarande effekter som spelar "
        "roll (median-oddskvot upp till {mor}).",
    ),
    "no_material_dependence": (
        "No material handler dependence: the permutation test does not show handler dependence "
        "(p = {p}, not below 0.05) and the 95 % interval of the handler SD ({lo:.2f} to "
        "{hi}) rules out effects larger than SD {neg} on the log-odds scale.",
        "Inget tecken på handläggarberoende av betydelse: permutationstestet visar inget "
        "handläggarberoende (p = {p}, inte under 0,05) och 95 %-intervallet för "
        "handläggarnas spridning ({lo:.2f} till {hi}) utesluter större spridning än {neg} på "
        "log-odds-skalan.",
    ),
    "handler_dependence": (
        "Decisions depend on the handler after adjusting for content: SD {sd:.2f} on the "
        "log-odds scale (95 % interval {lo:.2f} to {hi}); about {flip:.0%} of decisions would "
        "likely change with another handler. Permutation test p = {p}, below 0.05.",
        "Besluten beror på handläggaren även när innehållet hålls konstant: spridning {sd:.2f} "
        "på log-odds-skalan (95 %-intervall {lo:.2f} till {hi}); ungefär {flip:.0%} av besluten "
        "skulle sannolikt bli annorlunda med en annan handläggare. Permutationstest p = {p}, "
        "under 0,05.",
    ),
}


def format_hi(x: float, lang: str = "en") -> str:
    """An upper bound, "∞" when unbounded."""
    return "∞" if not math.isfinite(x) else decimal_comma(f"{x:.2f}", lang)


def format_p(p: float, alpha: float = ALPHA, lang: str = "en") -> str:
    """A p-value in three decimals, unless rounding would carry a p below alpha up to it.

    >>> format_p(0.04998), format_p(0.0123), format_p(float("nan"))
    ('0.0499', '0.012', 'not computed')
    >>> format_p(0.04998, lang="sv"), format_p(float("nan"), lang="sv")
    ('0,0499', 'inte beräknat')
    """
    if not math.isfinite(p):
        return "inte beräknat" if lang == "sv" else "not computed"
    if p < alpha <= round(p, 3):
        return decimal_comma(f"{math.floor(p * 1e4) / 1e4:.4f}", lang)
    return decimal_comma(f"{p:.3f}", lang)


def _handler(r: Any, lang: str) -> str:
    v = dict(r.reason_values)
    why = r.conclusion
    i = 0 if lang == "en" else 1
    gate = why in ("too_few_handlers", "too_few_decisions")
    if gate and "p" not in v:  # the analysis stopped before fitting
        if v.get("one_kind"):
            return (f"All {v['d']} decisions are the same; nothing can vary between handlers.",
                    f"Alla {v['d']} beslut är likadana; inget kan variera mellan handläggare.")[i]
        return fill(_HANDLER[why][i], lang, **v)
    p, lo = v["p"], v["lo"]
    fmt = {**v, "hi": format_hi(v["hi"], lang), "mor": format_hi(v["mor"], lang),
           "p": format_p(p, lang=lang),
           "power": 100 * v["power"], "plo": 100 * v["plo"], "phi": 100 * v["phi"]}
    if why == "inconclusive" and not math.isfinite(p):
        text = ("Not enough data to say: no permutation test was run (n_permutations=0), and "
                "the verdict follows that test; the 95 % interval of the handler SD is {lo:.2f} "
                "to {hi}.",
                "Underlaget räcker inte för att säga något: inget permutationstest kördes "
                "(n_permutations=0), och slutsatsen bygger på det testet; 95 %-intervallet för "
                "handläggarnas spridning är {lo:.2f} till {hi}.")[i]
    else:
        text = _HANDLER[why][i]
        if why == "handler_dependence" and lo <= 0.0:
            text += (" The interval reaching 0 does not contradict the test: the verdict "
                     "follows the test, which asks whether decisions cluster by handler more "
                     "than chance allows; the interval is an approximate range for the SD of a "
                     "population of handlers and is wide near 0.",
                     " Att intervallet når 0 motsäger inte testet: slutsatsen följer testet, som "
                     "prövar om besluten klumpar sig per handläggare mer än slumpen tillåter; "
                     "intervallet är ett ungefärligt spann för spridningen i en population av "
                     "handläggare och är brett nära 0.")[i]
        elif why in ("inconclusive", "no_material_dependence") and lo > 0.0:
            text += (" The interval excluding 0 does not contradict the test: the verdict "
                     "follows the test at the 5 % level; the interval is an approximate range "
                     "for the SD.",
                     " Att intervallet utesluter 0 motsäger inte testet: slutsatsen följer "
                     "testet på 5 %-nivån; intervallet är ett ungefärligt spann för "
                     "spridningen.")[i]
    if why != "handler_dependence":
        text += (" With this design the test would detect a handler SD of {psd} (p < 0.05) in "
                 "about {power:.0f} % of data sets (simulated, {plo:.0f}–{phi:.0f} %).",
                 " Med det här underlaget skulle testet upptäcka en spridning på {psd} "
                 "(p < 0,05) i ungefär {power:.0f} % av fallen (simulerat, "
                 "{plo:.0f}–{phi:.0f} %).")[i]
        if v["power"] < 0.8:
            text += (" That is below 80 %: a result without handler dependence is weak "
                     "evidence that decisions do not depend on the handler.",
                     " Det är under 80 %: att inget handläggarberoende syns är ett svagt belägg "
                     "för att besluten inte beror på handläggaren.")[i]
    if gate:
        text += (" The estimate (handler SD {sd:.2f}, 95 % interval {lo:.2f} to {hi}, "
                 "permutation p = {p}) is indicative only: at this size the method signals "
                 "handler dependence too often in data without any.",
                 " Skattningen (spridning {sd:.2f}, 95 %-intervall {lo:.2f} till {hi}, "
                 "permutationstest p = {p}) är bara vägledande: med så lite data signalerar "
                 "metoden handläggarberoende för ofta även där inget finns.")[i]
    return fill(text, lang, **fmt)


def _period(r: Any, lang: str) -> str:
    v = r.reason_values
    if v.get("code") == "too_few":
        small = ", ".join(v["small"])
        return (f"Too few decisions (or only one kind) in period(s) {small}: at least "
                f"{v['min_per_period']} with both outcomes are needed per period.",
                f"För få beslut (eller bara ett slags beslut) under {small}: minst "
                f"{v['min_per_period']} beslut med båda utfallen behövs per period.")[lang == "sv"]
    text = ("Content-adjusted log-odds difference {a} vs {b}: {d:+.2f} (95 % interval "
            "{lo:+.2f} to {hi:+.2f}, p = {p}).",
            "Skillnad i log-odds {a} mot {b} med innehållet konstant: {d:+.2f} "
            "(95 %-intervall {lo:+.2f} till {hi:+.2f}, p = {p}).")[lang == "sv"]
    return fill(text, lang, a=r.comparison, b=r.reference, d=r.log_odds_diff, lo=r.ci_low,
                hi=r.ci_high, p=format_p(r.p_value, lang=lang))


def _inconsistency(r: Any, lang: str) -> str:
    code = r.reason_values.get("code")
    sv = lang == "sv"
    if code == "no_pairs":
        return (f"Inga par av beslutade ansökningar med likhet >= {r.min_similarity}." if sv else
                f"No pairs of decided applications with similarity >= {r.min_similarity}.")
    if code == "too_few_pairs":
        return (f"Bara {r.n_pairs} par av nästan identiska ansökningar i {r.n_clusters} grupper: "
                "för få för att skilja konsekventa beslut från inkonsekventa." if sv else
                f"Only {r.n_pairs} near-duplicate pairs in {r.n_clusters} clusters: too few to "
                "tell consistent from inconsistent decisions.")
    text = ("{obs:.0%} of {n} near-duplicate pairs were decided differently; the content "
            "model expects {exp:.0%} if decisions were independent given content (ratio "
            "{ratio:.2f}).",
            "{obs:.0%} av {n} par av nästan identiska ansökningar fick olika beslut; "
            "innehållsmodellen väntar sig {exp:.0%} om besluten vore oberoende givet innehållet "
            "(kvot {ratio:.2f}).")[sv]
    return fill(text, lang, obs=r.observed_split, n=r.n_pairs, exp=r.expected_split,
                ratio=r.ratio)


def explain(result: Any, lang: str = "sv") -> str:
    """A consistency result (handler, period or inconsistency) in words."""
    lang = check_lang(lang)
    kind = type(result).__name__
    if kind == "HandlerEffectResult":
        return _handler(result, lang)
    if kind == "PeriodEffectResult":
        return _period(result, lang)
    if kind == "InconsistencyResult":
        return _inconsistency(result, lang)
    raise TypeError(f"no words for a {kind}")
