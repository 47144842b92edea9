"""kompred's local web page: the pre-submission check for HR and the analysis for analysts.

``kompred serve`` starts it (FastAPI with Jinja2 templates, served by uvicorn). The web
dependencies are the optional extra ``kompred[web]``; :func:`create_app` builds the application::

    from kompred.web import Settings, create_app
    app = create_app(Settings())          # bundled models, loaded once, here

Layout: :mod:`~kompred.web.app` (the factory), :mod:`~kompred.web.routers` (one module per page or
API), :mod:`~kompred.web.services` (the only module that calls kompred's library functions),
:mod:`~kompred.web.forms` (input validation with Swedish messages), ``templates/`` and ``static/``.
"""

from __future__ import annotations

from .settings import Settings

__all__ = ["Settings", "create_app"]


def create_app(settings: Settings | None = None):
    """Build the web application; see :func:`kompred.web.app.create_app`."""
    from .app import create_app as _create

    return _create(settings)
