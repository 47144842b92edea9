"""What the routers get from the running application: the service and the templates."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request
from fastapi.templating import Jinja2Templates

from .services import KompredService


def get_service(request: Request) -> KompredService:
    """The application's :class:`~kompred.web.services.KompredService` (models loaded once)."""
    return request.app.state.service


def get_templates(request: Request) -> Jinja2Templates:
    """The application's Jinja2 templates (autoescaping on)."""
    return request.app.state.templates


#: ``service: Service`` in a route's signature gives it the running application's service
Service = Annotated[KompredService, Depends(get_service)]
#: ``templates: Templates`` gives it the templates
Templates = Annotated[Jinja2Templates, Depends(get_templates)]
