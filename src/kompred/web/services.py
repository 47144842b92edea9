"""The web layer's one adapter to kompred: every library call the pages make goes through here.

The routers never import kompred's modules; they call a :class:`KompredService`, which calls
kompred's public functions (``check_application``, ``read_applications``, ``seed_tables``,
``write_report``, ``analyse`` and ``render_analysis``) and returns plain, JSON-ready dicts for the templates and the API.
Application text is never logged.
"""

from __future__ import annotations

import math
import re
import secrets
import shutil
import tempfile
import threading
import time
import warnings
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import kompred
from kompred.datasets import STOCKHOLM_NOTE, is_stockholm
from kompred.report import render_analysis, seed_tables, write_report
from kompred.scoring import load_scorer
from kompred.text import redact_personnummer

from .forms import CheckInput
from .settings import Settings

__all__ = ["AnalysisJob", "InputProblem", "KompredService", "TABLE_SUFFIXES"]

TABLE_SUFFIXES = (".csv", ".tsv", ".txt", ".xlsx", ".parquet")
FIGURE_TITLES = {
    "ansokningar_per_forvaltning.png": "Ansökningar per förvaltning och år",
    "beslut_per_ar.png": "Beslut per år",
    "amnen_beviljade.png": "Ämnen för beviljade insatser",
    "likhet_och_beslut.png": "Samma beslut som mer eller mindre lika ansökningar",
    "handlaggare_tratt.png": "Handläggarnas beviljandegrad (trattdiagram)",
}
REPORT_FILES = ("rapport.html", "rapport.md", "tables.json")
ZIP_NAME = "kompred-rapport.zip"
_WARM_UP_TEXT = ("Vi behöver utbilda 20 undersköterskor i demensvård eftersom behovet ökar; "
                 "utbildningen ges av Komvux hösten 2026 och kostar 200 000 kr.")


class InputProblem(Exception):
    """Input kompred could not use; ``messages`` are shown to the user as they are."""

    def __init__(self, messages: list[str] | str):
        self.messages = [messages] if isinstance(messages, str) else list(messages)
        super().__init__("; ".join(self.messages))


def _clean(obj: Any) -> Any:
    """NaN and infinities become None; tuples become lists (JSON has neither)."""
    if isinstance(obj, float) and not math.isfinite(obj):
        return None
    if isinstance(obj, dict):
        return {str(k): _clean(v) for k, v in obj.items()}
    if isinstance(obj, list | tuple):
        return [_clean(v) for v in obj]
    if hasattr(obj, "item") and not isinstance(obj, str):  # numpy scalars
        return _clean(obj.item())
    return obj


@dataclass
class AnalysisJob:
    """One uploaded table's analysis, run in the background; the page polls it."""

    id: str
    name: str
    folder: Path
    steps: tuple[str, ...]
    step: int = 0
    status: str = "köad"  # köad, arbetar, klar, fel
    error: str | None = None
    result: dict = field(default_factory=dict)
    started: float = field(default_factory=time.monotonic)
    seconds: float | None = None

    @property
    def done(self) -> bool:
        return self.status in ("klar", "fel")

    def files(self) -> list[str]:
        """Names of the files the page may serve from this job's report folder."""
        if self.status != "klar":
            return []
        return sorted(p.name for p in (self.folder / "rapport").iterdir() if p.is_file()) + [ZIP_NAME]


class KompredService:
    """The models, loaded once, and the analysis jobs of one running web application."""

    def __init__(self, settings: Settings):
        self.settings = settings
        model = settings.model_dir
        self.scorer = load_scorer(model, trusted=model is not None)
        self.model_label = str(model) if model is not None else "kompreds medföljande modeller"
        self.has_grant_model = self.scorer.grant_model is not None
        if settings.work_dir is None:
            self._tmp = tempfile.TemporaryDirectory(prefix="kompred-web-")
            self.work_dir = Path(self._tmp.name)
        else:
            self._tmp = None
            self.work_dir = Path(settings.work_dir)
            self.work_dir.mkdir(parents=True, exist_ok=True)
        self.jobs: dict[str, AnalysisJob] = {}
        self._lock = threading.Lock()
        # one analysis at a time: the machine is small, and matplotlib is not thread-safe
        self._pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="kompred-analys")
        if settings.warm_up:
            self.check(CheckInput(draft=_WARM_UP_TEXT))

    def close(self) -> None:
        """Stop the analysis worker and delete the temporary folder."""
        self._pool.shutdown(wait=True, cancel_futures=True)
        if self._tmp is not None:
            self._tmp.cleanup()

    # ------------------------------------------------------------------ the check
    def check(self, inp: CheckInput) -> dict:
        """The pre-submission check of one draft, as the API's JSON document.

        Keys as :meth:`kompred.check.CheckResult.to_dict` (``topic``, ``grant_probability``,
        ``grant_low``, ``grant_high``, ``reasons``, ``similar``, ``checklist``, ``warnings`` …);
        NaN becomes None. No personnummer appear in it.
        """
        try:
            result = kompred.check_application(application=inp.application(), scorer=self.scorer)
        except kompred.KompredError as exc:
            raise InputProblem(f"Utkastet kunde inte kontrolleras: {exc}") from None
        doc = _clean(result.to_dict())
        doc["model"] = self.model_label
        return doc

    @staticmethod
    def redact(text: str | None) -> str | None:
        """The text with personnummer masked, for showing the user's own input back."""
        return redact_personnummer(text) if isinstance(text, str) else text

    # ------------------------------------------------------------------ the analysis
    def read_table(self, data: bytes, filename: str, *, columns: dict[str, str] | None = None,
                   sheet: str | int | None = None):
        """Read an uploaded table through kompred's reader and build the seed tables.

        Returns ``(job folder, table, seed tables, warnings, saved path)``. Raises
        :class:`InputProblem` whose messages name the user's file, row and column.
        """
        name = Path(filename or "").name
        suffix = Path(name).suffix.lower()
        if suffix not in TABLE_SUFFIXES:
            raise InputProblem(f"{name or 'Filen'}: det här är ingen tabell som kompred kan läsa. "
                               "Ladda upp en CSV-, XLSX- eller Parquet-fil.")
        if not data:
            raise InputProblem(f"{name}: filen är tom.")
        # the user's file name is only shown, never used as a path
        safe = re.sub(r"[^\w.\-]", "_", Path(name).stem)[:80] or "tabell"
        folder = Path(tempfile.mkdtemp(prefix="jobb-", dir=self.work_dir))
        path = folder / f"{safe}{suffix}"
        path.write_bytes(data)
        try:
            with warnings.catch_warnings(record=True) as caught:
                warnings.simplefilter("always", kompred.KompredWarning)
                apps = kompred.read_applications(path, columns=columns or None, require=(), sheet=sheet)
                tables = seed_tables(apps, source=name)
        except kompred.KompredError as exc:
            shutil.rmtree(folder, ignore_errors=True)
            message = str(exc).replace(str(path), name).replace(str(folder) + "/", "")
            if not message.startswith(name):
                message = f"{name}: {message}"
            raise InputProblem(_split_problems(message)) from None
        except Exception as exc:
            # e.g. an .xlsx that is no zip file: the parsers under kompred's reader raise their own
            shutil.rmtree(folder, ignore_errors=True)
            raise InputProblem(f"{name}: filen kunde inte läsas som en {suffix[1:].upper()}-tabell "
                               f"({type(exc).__name__}). Kontrollera att det är en riktig CSV-, XLSX- "
                               "eller Parquet-fil.") from None
        notes = sorted({str(w.message).replace(str(path), name) for w in caught})
        return folder, apps, tables, notes, path

    def start_analysis(self, folder: Path, apps, tables, notes: list[str], name: str,
                       path: Path) -> AnalysisJob:
        """Start the analysis of a table read by :meth:`read_table`; returns the job to poll."""
        job = AnalysisJob(id=secrets.token_urlsafe(12), name=name, folder=folder,
                          steps=("Tabellen läst", "Ämnen, lika ansökningar med olika beslut, "
                                 "handläggar- och periodeffekt", "Rapport och diagram skrivs",
                                 "Rapportmappen packas"))
        job.step = 1
        with self._lock:
            waiting = sum(1 for j in self.jobs.values() if not j.done)
            if waiting >= self.settings.max_waiting_jobs:
                shutil.rmtree(folder, ignore_errors=True)
                raise InputProblem(f"Servern arbetar redan med {waiting} tabeller. Försök igen om en "
                                   "stund.")
            self.jobs[job.id] = job
            self._forget_old_jobs()
        self._pool.submit(self._run, job, apps, tables, notes, path)
        return job

    def job(self, job_id: str) -> AnalysisJob | None:
        return self.jobs.get(job_id)

    def _forget_old_jobs(self) -> None:
        finished = [j for j in self.jobs.values() if j.done]
        for old in sorted(finished, key=lambda j: j.started)[:max(0, len(finished) - self.settings.max_jobs)]:
            shutil.rmtree(old.folder, ignore_errors=True)
            del self.jobs[old.id]

    def _run(self, job: AnalysisJob, apps, tables, notes: list[str], path: Path) -> None:
        job.status = "arbetar"
        try:
            synthetic = is_stockholm(path)
            provenance = STOCKHOLM_NOTE if synthetic else f"Källa: {job.name} (uppladdad tabell)"
            with warnings.catch_warnings(record=True) as caught:
                warnings.simplefilter("always", kompred.KompredWarning)
                job.step = 2
                analysis = render_analysis(kompred.analyse(apps), provenance=provenance,
                                           synthetic=synthetic)
                job.step = 3
                out = write_report(apps, job.folder / "rapport", tables=tables, provenance=provenance,
                                   extra_sections=analysis.sections, extra_tables=analysis.tables)
                analysis.save_figures(out)
            job.step = 4
            shutil.make_archive(str(job.folder / ZIP_NAME.removesuffix(".zip")), "zip", out)
            notes = sorted(set(notes) | {str(w.message) for w in caught})
            job.result = _analysis_view(apps, tables, analysis, out, provenance, notes)
            job.status = "klar"
        except Exception as exc:
            # shown on the page: one bad table must not stop the server's worker
            job.error = (f"Analysen kunde inte göras: {exc}" if isinstance(exc, kompred.KompredError)
                         else f"Analysen avbröts av ett oväntat fel ({type(exc).__name__}).")
            job.status = "fel"
        finally:
            job.seconds = time.monotonic() - job.started
            path.unlink(missing_ok=True)  # the uploaded table is not kept


def _split_problems(message: str) -> list[str]:
    """kompred lists every problem of a table on its own '  - ' line; keep them apart."""
    lines = [ln.strip() for ln in message.splitlines() if ln.strip()]
    return [ln[2:] if ln.startswith("- ") else ln for ln in lines] or [message]


def _kr(x) -> str:
    if x is None or (isinstance(x, float) and not math.isfinite(x)):
        return "–"
    return f"{x:,.0f} kr".replace(",", "\u00a0")


def _record(apps, app_id) -> dict:
    rows = apps.loc[apps["id"].astype(str) == str(app_id)]
    if not len(rows):
        return {"id": str(app_id)}
    r = rows.iloc[0]

    def get(col):
        v = r.get(col) if col in rows.columns else None
        return None if v is None or (not isinstance(v, str) and _is_na(v)) else v

    sub = get("submitted")
    return {"id": str(app_id), "title": get("title"), "description": get("description"),
            "decision": get("decision"), "unit": get("unit"),
            "submitted": sub.date().isoformat() if hasattr(sub, "date") else sub,
            "cost": _kr(get("cost_sek")) if get("cost_sek") is not None else None,
            "participants": get("participants")}


def _is_na(v) -> bool:
    try:
        return bool(v != v)  # NaN, NaT
    except (TypeError, ValueError):
        return False


def _analysis_view(apps, tables, analysis, folder: Path, provenance: str, notes: list[str]) -> dict:
    """Everything the result page shows, as plain values (the templates format nothing)."""
    per = tables.per_unit_year
    view: dict[str, Any] = {
        "provenance": provenance,
        "n_applications": int(tables.n_applications),
        "per_unit_year": {"columns": [str(c) for c in per.columns],
                          "rows": [(str(u), [int(v) for v in per.loc[u]]) for u in per.index]},
        "decisions": dict(tables.decisions),
        "topic_counts_granted": dict(tables.topic_counts_granted),
        "costs": [{"decision": str(d), "n": int(r["n"]), "cost_sum": _kr(r["cost_sum"]),
                   "granted_sum": _kr(r["granted_sum"]),
                   "cpp_median": _kr(r["cost_per_participant_median"])}
                  for d, r in tables.costs.iterrows()],
        "discrepancies": list(tables.discrepancies),
        "topics_model": {str(k): int(v) for k, v in analysis.results.get("topics", {}).items()},
        "pairs": [], "n_pairs": None, "handler": None, "period": None,
        "summary": list(analysis.terminal), "notes": notes,
        "figures": [(p.name, FIGURE_TITLES.get(p.name, p.stem)) for p in sorted(folder.glob("*.png"))],
    }
    pairs = analysis.results.get("pairs")
    if pairs is not None:
        view["n_pairs"] = len(pairs)
        view["pairs"] = [{"similarity": float(p.similarity), "surprise": float(p.divergence_score),
                          "a": _record(apps, p.id_a), "b": _record(apps, p.id_b)}
                         for p in pairs.head(10).itertuples()]
    he = analysis.results.get("handler")
    if he is not None:
        view["handler"] = _clean({k: he.to_dict().get(k) for k in (
            "reason_sv", "handler_sd", "ci_low", "ci_high", "p_value", "flip_rate", "enough_data",
            "n_handlers", "n_decisions")})
    pe = analysis.results.get("period")
    if pe is not None:
        d = pe.to_dict()
        view["period"] = _clean({k: d.get(k) for k in (
            "reason_sv", "reference", "comparison", "log_odds_diff", "ci_low", "ci_high", "p_value",
            "enough_data")})
    return view
