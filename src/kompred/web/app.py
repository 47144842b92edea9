"""The application factory: :func:`create_app` builds the FastAPI app for ``kompred serve``.

Models are loaded once, here, not per request. Every error becomes a Swedish message: a page for
the browser, ``{"error", "problems"}`` JSON under ``/api/``; never a traceback.
"""

from __future__ import annotations

import logging
import math
import traceback
from contextlib import asynccontextmanager
from pathlib import Path

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from fastapi.staticfiles import StaticFiles
from fastapi.templating import Jinja2Templates
from jinja2 import Environment, FileSystemLoader
from starlette.exceptions import HTTPException as StarletteHTTPException

from .._version import __version__
from ..render.numbers import decimal_comma
from .forms import errors_in_swedish
from .limits import BodySizeLimit, SecurityHeaders
from .routers import analys, api, check, health
from .services import KompredService
from .settings import Settings

__all__ = ["create_app"]

HERE = Path(__file__).parent
log = logging.getLogger("kompred.web")

_HTTP_MESSAGES = {
    404: "Sidan finns inte.",
    405: "Den här adressen tar inte emot den sortens förfrågan.",
    413: "Det du skickade är för stort.",
}


def pct(x) -> str:
    """A probability as a Swedish percentage; never a rounded "100 %" or "0 %".

    >>> pct(0.456), pct(0.999), pct(None)
    ('46 %', '> 99 %', '–')
    """
    if x is None or (isinstance(x, float) and math.isnan(x)):
        return "–"
    return "> 99 %" if x > 0.995 else "< 1 %" if x < 0.005 else f"{100 * x:.0f} %"


def num(x, digits: int = 2) -> str:
    """A number with a decimal comma (``–`` when missing).

    >>> num(1.234), num(None), num(float("inf"))
    ('1,23', '–', '∞')
    """
    if x is None or (isinstance(x, float) and math.isnan(x)):
        return "–"
    if isinstance(x, float) and math.isinf(x):
        return "∞"
    return decimal_comma(f"{x:.{digits}f}")


_STATUS_ORDER = {"saknas": 0, "varning": 1, "manuell kontroll": 2, "info": 3, "ok": 4}


def by_status(checklist):
    """The checklist with what needs fixing first."""
    return sorted(checklist, key=lambda c: _STATUS_ORDER.get(c.get("status"), 9))


def _templates() -> Jinja2Templates:
    env = Environment(loader=FileSystemLoader(HERE / "templates"), autoescape=True,
                      trim_blocks=True, lstrip_blocks=True)
    env.filters.update(pct=pct, num=num, by_status=by_status)
    env.globals["version"] = __version__
    return Jinja2Templates(env=env)


def _wants_json(request: Request) -> bool:
    return request.url.path.startswith("/api/") or request.url.path == "/health"


def create_app(settings: Settings | None = None) -> FastAPI:
    """Build the web application.

    Parameters
    ----------
    settings : Settings, optional
        Model folder, size limits, work folder (default: :class:`Settings`).

    Returns
    -------
    fastapi.FastAPI
        Serve it with uvicorn (``kompred serve`` does). The models are loaded before this returns.
    """
    settings = settings or Settings()
    service = KompredService(settings)

    @asynccontextmanager
    async def lifespan(app):
        yield
        service.close()

    app = FastAPI(
        title="kompred", version=__version__, lifespan=lifespan,
        description="Förhandskontroll av ansökningar till Omställningsfonden (förebyggande "
                    "insatser) och analys av beslutstabeller. Allt körs på den här datorn.",
        # the interactive docs pages load their scripts from a CDN; the OpenAPI document is local
        docs_url=None, redoc_url=None, openapi_url="/openapi.json")
    app.state.service = service
    app.state.settings = settings
    app.state.templates = _templates()
    app.mount("/static", StaticFiles(directory=HERE / "static"), name="static")
    for router in (check.router, analys.router, api.router, health.router):
        app.include_router(router)
    app.add_middleware(BodySizeLimit, limit=settings.max_body_bytes,
                       upload_limit=settings.max_upload_bytes, upload_paths=("/analys",))
    app.add_middleware(SecurityHeaders)

    @app.exception_handler(RequestValidationError)
    async def invalid_request(request: Request, exc: RequestValidationError):
        problems = errors_in_swedish(list(exc.errors()))
        return JSONResponse({"error": "Förfrågan är ogiltig: " + " ".join(p["message"] for p in problems),
                             "problems": problems}, status_code=422)

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, exc: StarletteHTTPException):
        message = _HTTP_MESSAGES.get(exc.status_code, "Förfrågan kunde inte besvaras.")
        if _wants_json(request):
            return JSONResponse({"error": message, "problems": []}, status_code=exc.status_code)
        return app.state.templates.TemplateResponse(
            request, "fel.html", {"title": "Fel", "message": message}, status_code=exc.status_code)

    @app.exception_handler(Exception)
    async def unexpected(request: Request, exc: Exception):
        # the frames only: an exception's message may quote the user's text
        log.error("unexpected %s at %s\n%s", type(exc).__name__, request.url.path,
                  "".join(traceback.format_tb(exc.__traceback__)))
        message = "Ett oväntat fel inträffade. Försök igen; händer det igen, meddela den som driver sidan."
        if _wants_json(request):
            return JSONResponse({"error": message, "problems": []}, status_code=500)
        return app.state.templates.TemplateResponse(
            request, "fel.html", {"title": "Oväntat fel", "message": message}, status_code=500)

    return app
