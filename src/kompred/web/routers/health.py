"""``GET /health``: the server runs and which models it loaded."""

from __future__ import annotations

from fastapi import APIRouter

from ..._version import __version__
from ..deps import Service

router = APIRouter(tags=["drift"])


@router.get("/health", summary="Driftstatus")
def health(service: Service) -> dict:
    s = service.scorer
    return {"status": "ok", "version": __version__, "model": service.model_label,
            "topic_model": s.topic_model is not None, "grant_model": s.grant_model is not None,
            "reference_applications": 0 if s.reference is None else len(s.reference)}
