"""One router per page or API: ``check`` (GET/POST /), ``analys`` (/analys), ``api``
(POST /api/check) and ``health`` (GET /health)."""
