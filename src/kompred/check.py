"""The pre-submission check: one draft in, one immutable result out.

:func:`check_application` puts together the predicted topic, the grant probability with its
interval and reasons, the most similar earlier applications with their decisions (never handler
names), and the checklist of :mod:`kompred.rules`. Personnummer are redacted before anything else
sees the text. :mod:`kompred.report` formats the result for the terminal, Markdown, HTML and JSON.
"""

from __future__ import annotations

import os
import warnings
from dataclasses import asdict, dataclass, field
from datetime import date
from pathlib import Path

import pandas as pd

from .exceptions import SmallDataWarning, ValidationError
from .inputs import resolve_columns
from .io import read_applications, read_table, validate_applications
from .rules import agreement_of, run_rules
from .schema import DECIDED, GRANTED, is_blank
from .scoring import Scorer, load_scorer
from .text import find_personnummer, join_texts, redact_personnummer

__all__ = ["CheckResult", "SimilarApplication", "check_application"]


@dataclass(frozen=True)
class SimilarApplication:
    """An earlier application like the draft, with its decision (no handler: this is HR's view)."""

    id: str
    title: str
    decision: str
    similarity: float
    topic: str | None = None
    cost_per_participant: float | None = None


@dataclass(frozen=True)
class CheckResult:
    """Everything the pre-submission check found, for one draft."""

    text: str  # the draft, personnummer redacted
    title: str | None
    topic: str
    topic_confidence: float
    topic_alternatives: tuple[tuple[str, float], ...]
    grant_probability: float | None
    grant_low: float | None
    grant_high: float | None
    reasons: tuple[str, ...]
    similar: tuple[SimilarApplication, ...]
    similar_split: bool
    checklist: tuple  # of kompred.rules.RuleResult
    warnings: tuple[dict, ...]  # {code, message}
    caveats: tuple[str, ...] = field(default=())
    agreement: str | None = None  # the agreement version the checklist judged the draft by

    def to_dict(self) -> dict:
        """JSON-ready: keys ``topic``, ``grant_probability``, ``similar`` (list), ``warnings``
        (list of ``{code, message}``), ``checklist`` and more."""
        d = asdict(self)
        d["similar"] = [asdict(s) for s in self.similar]
        d["checklist"] = [asdict(r) if hasattr(r, "__dataclass_fields__") else dict(r) for r in self.checklist]
        d["topic_alternatives"] = [{"topic": t, "confidence": c} for t, c in self.topic_alternatives]
        d["warnings"] = list(self.warnings)
        return d


def _mapping_for(headers, schema: dict | None, source: str | None) -> dict | None:
    """The column mapping the model was trained with, fitted to this table's headers."""
    if not schema or not schema.get("columns"):
        return None
    return resolve_columns(headers, schema, source=source)


def _application_from(text, application, source, schema: dict | None = None) -> pd.DataFrame:
    if application is None and text is None:
        raise ValidationError("check_application needs a text or an application (a dict, a Series, a "
                              "one-row table or a file)")
    if application is None:
        if not isinstance(text, str):
            raise ValidationError(f"text must be a string, got {type(text).__name__}")
        return validate_applications(pd.DataFrame({"description": [text]}), source=source or "utkast")
    if isinstance(application, (str, os.PathLike)):
        path = Path(application)
        if path.suffix.lower() in {".txt", ".md"}:
            return _application_from(path.read_text(encoding="utf-8-sig"), None, str(path))
        # a table read with the column mapping the model remembers (the day after training)
        columns = _mapping_for(read_table(path).columns, schema, str(path))
        frame = read_applications(path, columns=columns)
    elif isinstance(application, pd.Series | dict | pd.DataFrame):
        raw = (application.to_frame().T if isinstance(application, pd.Series) else
               pd.DataFrame([application]) if isinstance(application, dict) else application)
        frame = validate_applications(raw, columns=_mapping_for(raw.columns, schema, source),
                                      source=source)
    else:
        raise ValidationError("application must be a dict, a pandas Series, a one-row DataFrame or a "
                              f"file path; got {type(application).__name__}")
    if len(frame) != 1:
        raise ValidationError(f"{source or 'table'}: the check takes one application, the table has "
                              f"{len(frame)} rows; use 'kompred score' for many")
    if text is not None:
        frame["description"] = text
    return frame


def check_application(text: str | None = None, *, application=None, scorer: Scorer | None = None,
                      today: date | None = None, k_similar: int = 5) -> CheckResult:
    """Check one draft application before it is sent.

    Parameters
    ----------
    text : str, optional
        The draft's text (bakgrund och behov + vilken insats).
    application : dict, pandas.Series, one-row DataFrame or path, optional
        The draft as a row of the canonical table (or a .txt / table file); ``text`` overrides
        its description.
    scorer : Scorer, optional
        Default: kompred's bundled models and the bundled earlier applications.
    today : datetime.date, optional
        For the date rules (default: today).
    k_similar : int
        How many similar earlier applications to show.

    Returns
    -------
    CheckResult
        Frozen; ``to_dict()`` gives the JSON document. No personnummer appear in it.
    """
    scorer = scorer or load_scorer()
    frame = _application_from(text, application, None, getattr(scorer, "inputs", None))
    original_row = frame.iloc[0].copy()  # the rules redact by themselves and report the finding
    raw_text = " ".join(str(frame.iloc[0].get(c) or "") for c in ("title", "description"))
    has_pnr = bool(find_personnummer(raw_text))
    # redact before any model, rule or output sees the text
    for col in ("title", "description"):
        if col in frame.columns and isinstance(frame[col].iloc[0], str):
            frame[col] = redact_personnummer(frame[col].iloc[0])
    row = frame.iloc[0]
    caveats: list[str] = []

    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        texts = [join_texts(row.get("title"), row.get("description"))]
        if scorer.topic_model is not None:
            det = scorer.topic_model.predict_details(texts).iloc[0]
            topic, conf = str(det["topic"]), float(det["topic_confidence"])
            alts = tuple((str(det[a]), float(det[b])) for a, b in
                         (("topic_first", "topic_confidence"), ("topic_second", "topic_second_confidence"))
                         if pd.notna(det.get(a)) and str(det.get(a)) != topic)
        else:
            topic, conf, alts = "okänt", float("nan"), ()
        p = lo = hi = None
        reasons: tuple[str, ...] = ()
        if scorer.grant_model is not None and raw_text.strip():
            gframe = frame if "topic" in frame.columns or topic == "osäker" else frame.assign(topic=topic)
            iv = scorer.grant_model.predict_interval(gframe).iloc[0]
            p, lo, hi = (float(iv["grant_probability"]), float(iv["grant_low"]), float(iv["grant_high"]))
            reasons = tuple(str(r) for r in scorer.grant_model.explain(gframe, top=5)[0])
    caveats += sorted({str(w.message) for w in caught if issubclass(w.category, SmallDataWarning)})
    n_train = getattr(scorer.grant_model, "n_train_", None)
    if p is not None and n_train is not None and n_train < 200:
        caveats.append(f"Sannolikheten bygger på bara {n_train} tidigare beslut: intervallet är brett och "
                       "siffran är en fingervisning, inte en prognos. Läs skälen och checklistan.")

    similar: list[SimilarApplication] = []
    split = False
    context: dict = {"today": today or date.today()}
    if scorer.reference is not None and len(scorer.reference):
        idx, sims = scorer.similar(frame, k=k_similar)
        ref = scorer.reference
        for i, s in zip(idx[0], sims[0], strict=True):
            r = ref.iloc[int(i)]
            cpp = None
            if "cost_sek" in ref.columns and "participants" in ref.columns and pd.notna(r["participants"]) \
                    and float(r["participants"]) > 0 and pd.notna(r["cost_sek"]):
                cpp = float(r["cost_sek"]) / float(r["participants"])
            # a reference table without titles (one free-text column) shows its text instead
            shown = r.get("title") if not is_blank(r.get("title")) else r.get("description")
            shown = "" if is_blank(shown) else redact_personnummer(" ".join(str(shown).split()))
            similar.append(SimilarApplication(
                id=str(r["id"]), title=shown[:120], decision=str(r.get("decision")),
                similarity=round(float(s), 3), topic=None if pd.isna(r.get("topic")) else str(r.get("topic")),
                cost_per_participant=cpp))
        close = [s for s in similar if s.similarity >= scorer.min_similarity]
        split = len({s.decision for s in close} & set(DECIDED)) == 2
        # cost per participant of similar *granted* applications, for the cost rule
        idx_all, sims_all = scorer.similar(frame, k=min(25, len(ref)))
        granted = ref.iloc[idx_all[0][sims_all[0] >= scorer.min_similarity]]
        if "decision" in granted.columns:
            granted = granted[granted["decision"] == GRANTED]
        if {"cost_sek", "participants"} <= set(granted.columns):
            cpp_all = (granted["cost_sek"] / granted["participants"].where(granted["participants"] > 0)).dropna()
            context["similar_granted_cost_per_participant"] = cpp_all.to_numpy(dtype=float)

    checklist = tuple(run_rules(original_row, context=context))
    agreement = agreement_of(original_row, context=context)
    warns = [{"code": r.code, "message": r.message} for r in checklist
             if r.status not in ("ok", "info")]
    if has_pnr and not any(w["code"] == "personnummer" for w in warns):
        warns.append({"code": "personnummer", "message": "Texten innehåller ett personnummer; det är "
                      "maskerat i all utdata. Ta bort det innan du skickar ansökan."})
    if split:
        warns.append({"code": "similar_split", "message": "Liknande tidigare ansökningar fick olika beslut. "
                      "Det kan tyda på att bedömningen beror på handläggaren; argumentera behovet tydligt."})
    if topic == "osäker":
        warns.append({"code": "topic_uncertain", "message": "Ämnet är osäkert; beskriv insatsen tydligare."})
    return CheckResult(
        text=str(row.get("description") or ""), title=None if pd.isna(row.get("title")) else row.get("title"),
        topic=topic, topic_confidence=conf, topic_alternatives=alts,
        grant_probability=p, grant_low=lo, grant_high=hi, reasons=reasons,
        similar=tuple(similar), similar_split=split, checklist=checklist, warnings=tuple(warns),
        caveats=tuple(caveats), agreement=agreement)
