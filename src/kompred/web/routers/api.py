"""``POST /api/check``: the check as JSON, on the same code path as the page."""

from __future__ import annotations

from fastapi import APIRouter
from fastapi.responses import JSONResponse
from pydantic import BaseModel

from ..deps import Service
from ..forms import CheckInput
from ..services import InputProblem

router = APIRouter(prefix="/api", tags=["api"])


class TopicAlternative(BaseModel):
    topic: str
    confidence: float | None


class Similar(BaseModel):
    id: str
    title: str
    decision: str
    similarity: float
    topic: str | None = None
    cost_per_participant: float | None = None


class RuleOutcome(BaseModel):
    code: str
    status: str
    message: str
    rule: str
    source: str
    evidence: list[str] = []


class CheckWarning(BaseModel):
    code: str
    message: str


class CheckOutput(BaseModel):
    """The check of one draft (personnummer masked; no handler names)."""

    text: str
    title: str | None
    topic: str
    topic_confidence: float | None
    topic_alternatives: list[TopicAlternative]
    grant_probability: float | None
    grant_low: float | None
    grant_high: float | None
    reasons: list[str]
    similar: list[Similar]
    similar_split: bool
    checklist: list[RuleOutcome]
    warnings: list[CheckWarning]
    caveats: list[str]
    model: str


class ErrorOutput(BaseModel):
    error: str
    problems: list[dict[str, str]] = []


@router.post("/check", response_model=CheckOutput, summary="Kontrollera ett utkast",
             responses={400: {"model": ErrorOutput}, 413: {"model": ErrorOutput},
                        422: {"model": ErrorOutput}})
def api_check(inp: CheckInput, service: Service):
    """Topic, grant probability with interval and reasons, similar earlier applications and the
    checklist, for one draft given as the form's fields."""
    try:
        return service.check(inp)
    except InputProblem as exc:
        return JSONResponse({"error": " ".join(exc.messages), "problems": []}, status_code=400)
