"""Serving the web application with uvicorn (what ``kompred serve`` calls).

>>> is_loopback("127.0.0.1"), is_loopback("localhost"), is_loopback("::1"), is_loopback("0.0.0.0")
(True, True, True, False)
"""

from __future__ import annotations

import ipaddress
import sys

from .settings import Settings

__all__ = ["is_loopback", "serve"]


def is_loopback(host: str) -> bool:
    """Whether ``host`` is only reachable from this machine."""
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def serve(settings: Settings, *, port: int = 8000, log_level: str = "info") -> None:
    """Load the models, build the app and serve it until interrupted.

    Binding to anything but the loopback address prints a warning: the page has no login, and
    whoever reaches the address can use it.
    """
    import uvicorn

    from .app import create_app

    if not is_loopback(settings.host):
        print(f"kompred serve: varning: binder till {settings.host}: sidan har ingen inloggning, och "
              "alla som når adressen kan använda den. Använd --host 127.0.0.1 för bara den här datorn.",
              file=sys.stderr)
    print("kompred serve: laddar modellerna …", file=sys.stderr)
    app = create_app(settings)
    shown = f"[{settings.host}]" if ":" in settings.host else settings.host
    print(f"kompred serve: webbsidan finns på http://{shown}:{port}/ (Ctrl+C avslutar)", file=sys.stderr)
    # uvicorn's access log has method, path and status only: no form text, no file contents
    uvicorn.run(app, host=settings.host, port=port, log_level=log_level)
