"""Request body size limits and security headers, as plain ASGI middleware.

A body over the limit is refused with 413 before the application sees it: by its
Content-Length, or, for a streamed body without one, as soon as the bytes read pass the limit. The answer is a short Swedish
page, or JSON under ``/api/``.
"""

from __future__ import annotations

import json
from html import escape

from ..render.numbers import decimal_comma

__all__ = ["BodySizeLimit", "SecurityHeaders"]


def _mb(n: int) -> str:
    return decimal_comma(f"{n / (1024 * 1024):.1f} MB") if n >= 1024 * 1024 else f"{n // 1024} kB"


class BodySizeLimit:
    """Refuse request bodies larger than ``limit`` bytes (``upload_limit`` on ``upload_paths``)."""

    def __init__(self, app, *, limit: int, upload_limit: int, upload_paths: tuple[str, ...] = ()):
        self.app, self.limit, self.upload_limit = app, limit, upload_limit
        self.upload_paths = upload_paths

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        path = scope.get("path", "")
        limit = self.upload_limit if path in self.upload_paths else self.limit
        declared = dict(scope.get("headers") or []).get(b"content-length")
        if declared is not None and declared.isdigit() and int(declared) > limit:
            await self._refuse(scope, send, limit)
            return
        if declared is not None:
            # the server holds the client to its Content-Length: the app can read as usual
            await self.app(scope, receive, send)
            return
        # a streamed body without a length: read it here, up to the limit, then replay it
        messages, seen = [], 0
        while True:
            message = await receive()
            messages.append(message)
            if message["type"] != "http.request":
                break
            seen += len(message.get("body", b""))
            if seen > limit:
                await self._refuse(scope, send, limit)
                return
            if not message.get("more_body", False):
                break

        async def replay():
            return messages.pop(0) if messages else await receive()

        await self.app(scope, replay, send)

    @staticmethod
    async def _refuse(scope, send, limit: int) -> None:
        what = "tabellen" if scope.get("path") == "/analys" else "texten"
        text = f"Det du skickade är för stort: högst {_mb(limit)} tas emot. Korta {what}."
        if what == "tabellen":
            text = f"Filen är för stor: högst {_mb(limit)} tas emot. Dela upp tabellen."
        if scope.get("path", "").startswith("/api/"):
            body = json.dumps({"error": text, "problems": []}, ensure_ascii=False).encode()
            ctype = b"application/json"
        else:
            body = ("<!doctype html><html lang='sv'><head><meta charset='utf-8'><title>För stort"
                    "</title><link rel='stylesheet' href='/static/kompred.css'></head><body><main>"
                    f"<h1>För stort</h1><p role='alert' class='fel'>{escape(text)}</p>"
                    "<p><a href='/'>Tillbaka till kontrollen</a> · <a href='/analys'>Till analysen"
                    "</a></p></main></body></html>").encode()
            ctype = b"text/html; charset=utf-8"
        await send({"type": "http.response.start", "status": 413,
                    "headers": [(b"content-type", ctype), (b"content-length", str(len(body)).encode()),
                                (b"connection", b"close")]})
        await send({"type": "http.response.body", "body": body})


# No scripts at all: the pages work without JavaScript, so none may run, injected or not.
PAGE_CSP = ("default-src 'none'; style-src 'self'; img-src 'self'; form-action 'self'; "
            "base-uri 'none'; frame-ancestors 'none'")
# the report's own HTML carries an inline <style>
REPORT_CSP = "default-src 'none'; style-src 'unsafe-inline'; img-src 'self'; frame-ancestors 'self'"


class SecurityHeaders:
    """Add a Content-Security-Policy and related headers to every response."""

    def __init__(self, app):
        self.app = app

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        csp = REPORT_CSP if "/fil/" in scope.get("path", "") else PAGE_CSP

        async def send_with_headers(message):
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", []))
                names = {k.lower() for k, _ in headers}
                for k, v in ((b"content-security-policy", csp.encode()),
                             (b"x-content-type-options", b"nosniff"),
                             (b"referrer-policy", b"no-referrer")):
                    if k not in names:
                        headers.append((k, v))
                message = {**message, "headers": headers}
            await send(message)

        await self.app(scope, receive, send_with_headers)
