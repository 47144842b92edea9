"""Formatting the pre-submission check for an HR officer: terminal, Markdown, HTML and JSON.

Everything here is in Swedish and shows no handler names (the result carries none).
"""

from __future__ import annotations

import html
import json
import math

__all__ = ["check_to_html", "check_to_json", "check_to_markdown", "check_to_terminal"]

_STATUS_ORDER = {"saknas": 0, "varning": 1, "manuell kontroll": 2, "info": 3, "ok": 4}
_SYMBOL = {"ok": "✓", "info": "i", "varning": "!", "saknas": "✗", "manuell kontroll": "?"}
_ANSI = {"ok": "32", "info": "36", "varning": "33", "saknas": "31", "manuell kontroll": "35"}


def _pct(x) -> str:
    if x is None or (isinstance(x, float) and math.isnan(x)):
        return "–"
    # a rounded "100 %" or "0 %" claims a certainty no model has
    return "> 99 %" if x > 0.995 else "< 1 %" if x < 0.005 else f"{100 * x:.0f} %"


def _grant_line(r) -> str:
    if r.grant_probability is None:
        return "Sannolikhet för beviljande: kan inte bedömas (tom text eller ingen modell)"
    return (f"Sannolikhet för beviljande: {_pct(r.grant_probability)} "
            f"(osäkerhetsintervall {_pct(r.grant_low)}–{_pct(r.grant_high)})")


def _topic_line(r) -> str:
    line = f"Ämne: {r.topic}"
    if not math.isnan(r.topic_confidence):
        line += f" (säkerhet {_pct(r.topic_confidence)})"
    alts = [f"{t} {_pct(c)}" for t, c in r.topic_alternatives if t != r.topic and c >= 0.05]
    if alts:
        line += "; alternativ: " + ", ".join(alts)
    return line


def _sorted_checklist(r):
    return sorted(r.checklist, key=lambda c: _STATUS_ORDER.get(c.status, 9))


def check_to_terminal(r, *, color: bool = True) -> str:
    """A readable, optionally coloured report for the terminal."""
    def paint(text, status):
        return f"\033[{_ANSI.get(status, '0')}m{text}\033[0m" if color else text

    bold = (lambda t: f"\033[1m{t}\033[0m") if color else (lambda t: t)
    out = [bold("kompred check: förhandskontroll av ansökan"), ""]
    out += [_topic_line(r), _grant_line(r)]
    if r.reasons:
        out.append("Det som påverkar mest:")
        out += [f"  - {x}" for x in r.reasons]
    for c in r.caveats:
        out.append(paint(f"Obs: {c}", "varning"))
    out += ["", bold("Liknande tidigare ansökningar")]
    if not r.similar:
        out.append("  (inga att jämföra med)")
    for s in r.similar:
        out.append(f"  {s.similarity:.2f}  {paint(s.decision, 'ok' if s.decision == 'beviljad' else 'saknas'):<10} "
                   f"{s.id}  {s.title}")
    if r.similar_split:
        out.append(paint("  Liknande ansökningar har fått olika beslut: bedömningen kan bero på vem som "
                         "handlägger. Argumentera behov och kompetensförflyttning tydligt.", "varning"))
    out += ["", bold("Checklista")]
    for c in _sorted_checklist(r):
        out.append(f"  {paint(_SYMBOL.get(c.status, '-'), c.status)} {paint(c.status, c.status)}: {c.message}")
        if c.status != "ok":
            out.append(f"      Regel: {c.rule} Källa: {c.source}")
    out += ["", f"{len(r.warnings)} varningar. Sannolikheten bygger på tidigare beslut och är ett stöd, "
            "inte ett beslut."]
    return "\n".join(out)


def check_to_markdown(r) -> str:
    """The report as Markdown."""
    md = ["# Förhandskontroll av ansökan", "", f"- {_topic_line(r)}", f"- {_grant_line(r)}"]
    if r.reasons:
        md += ["", "**Det som påverkar mest**", ""] + [f"- {x}" for x in r.reasons]
    if r.caveats:
        md += [""] + [f"> Obs: {c}" for c in r.caveats]
    md += ["", "## Liknande tidigare ansökningar", "", "| likhet | beslut | id | rubrik |", "|---:|---|---|---|"]
    md += [f"| {s.similarity:.2f} | {s.decision} | {s.id} | {s.title.replace('|', '/')} |" for s in r.similar]
    if r.similar_split:
        md += ["", "> Liknande ansökningar har fått olika beslut: bedömningen kan bero på vem som handlägger."]
    md += ["", "## Checklista", "", "| status | kontroll | regel | källa |", "|---|---|---|---|"]
    md += [f"| {c.status} | {c.message.replace('|', '/')} | {c.rule.replace('|', '/')} | {c.source.replace('|', '/')} |"
           for c in _sorted_checklist(r)]
    md += ["", "## Varningar", ""] + ([f"- `{w['code']}`: {w['message']}" for w in r.warnings] or ["- inga"])
    return "\n".join(md) + "\n"


def check_to_html(r) -> str:
    """The report as a standalone HTML page."""
    e = html.escape
    colors = {"ok": "#2a9d8f", "info": "#457b9d", "varning": "#e9a23b", "saknas": "#e76f51",
              "manuell kontroll": "#8e6cb0"}
    rows = "".join(
        f"<tr><td style='color:{colors.get(c.status, '#000')};font-weight:bold'>{e(c.status)}</td>"
        f"<td>{e(c.message)}</td><td><small>{e(c.rule)}<br>{e(c.source)}</small></td></tr>"
        for c in _sorted_checklist(r))
    sim = "".join(f"<tr><td>{s.similarity:.2f}</td><td>{e(s.decision)}</td><td>{e(s.id)}</td><td>{e(s.title)}</td></tr>"
                  for s in r.similar)
    reasons = "".join(f"<li>{e(x)}</li>" for x in r.reasons)
    split = ("<p class='warn'>Liknande ansökningar har fått olika beslut: bedömningen kan bero på vem som "
             "handlägger.</p>" if r.similar_split else "")
    caveats = "".join(f"<p class='warn'>Obs: {e(c)}</p>" for c in r.caveats)
    style = ("body{font-family:system-ui,sans-serif;max-width:60rem;margin:2rem auto;padding:0 1rem}"
             "table{border-collapse:collapse;width:100%}td,th{border:1px solid #ddd;padding:.3rem .5rem;"
             "vertical-align:top}.warn{background:#fff3cd;padding:.5rem}")
    return (f"<!doctype html><html lang='sv'><head><meta charset='utf-8'><title>Förhandskontroll</title>"
            f"<style>{style}</style></head><body><h1>Förhandskontroll av ansökan</h1>"
            f"<p>{e(_topic_line(r))}</p><p><strong>{e(_grant_line(r))}</strong></p><ul>{reasons}</ul>{caveats}"
            f"<h2>Liknande tidigare ansökningar</h2><table><tr><th>likhet</th><th>beslut</th><th>id</th>"
            f"<th>rubrik</th></tr>{sim}</table>{split}<h2>Checklista</h2><table><tr><th>status</th>"
            f"<th>kontroll</th><th>regel och källa</th></tr>{rows}</table></body></html>\n")


def check_to_json(r) -> str:
    """The JSON document (``topic``, ``grant_probability``, ``similar``, ``warnings`` …)."""
    def clean(o):
        if isinstance(o, float) and math.isnan(o):
            return None
        if isinstance(o, dict):
            return {k: clean(v) for k, v in o.items()}
        if isinstance(o, (list, tuple)):
            return [clean(v) for v in o]
        return o
    return json.dumps(clean(r.to_dict()), ensure_ascii=False, indent=2, default=str) + "\n"
