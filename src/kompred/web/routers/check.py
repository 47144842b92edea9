"""The check page: a plain form post (no JavaScript needed) and the check's report below it."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse
from starlette.concurrency import run_in_threadpool

from ..deps import Service, Templates
from ..forms import FIELD_LABELS, InsatsForm, ProviderType, form_to_input
from ..services import InputProblem

router = APIRouter(tags=["sidor"])


def _page(request: Request, templates, service, *, values=None, errors=(), result=None,
          status_code: int = 200):
    return templates.TemplateResponse(request, "check.html", {
        "title": "Förhandskontroll", "values": values or {}, "errors": list(errors),
        "error_fields": {e["field"] for e in errors}, "result": result,
        "labels": FIELD_LABELS, "provider_types": [p.value for p in ProviderType],
        "insats_forms": [f.value for f in InsatsForm], "model": service.model_label,
        "has_grant_model": service.has_grant_model}, status_code=status_code)


@router.get("/", response_class=HTMLResponse, summary="Kontrollsidan")
def check_page(request: Request, service: Service, templates: Templates):
    return _page(request, templates, service)


@router.post("/", response_class=HTMLResponse, summary="Kontrollera ett utkast (formulär)")
async def check_form(request: Request, service: Service,
                     templates: Templates):
    form = await request.form(max_files=0, max_fields=30)
    raw = {k: v for k, v in form.items() if isinstance(v, str) and k in FIELD_LABELS}
    # what the user typed is shown back with personnummer masked
    values = {k: service.redact(v) for k, v in raw.items()}
    inp, errors = form_to_input(raw)
    if inp is None:
        return _page(request, templates, service, values=values, errors=errors, status_code=400)
    try:
        # the API's code path: the same service call, the same document
        result = await run_in_threadpool(service.check, inp)
    except InputProblem as exc:
        return _page(request, templates, service, values=values, status_code=400,
                     errors=[{"field": "", "message": m} for m in exc.messages])
    return _page(request, templates, service, values=values, result=result)
