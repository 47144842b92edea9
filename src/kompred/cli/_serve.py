"""kompred serve: the local web page (pre-submission check and analysis) on http://127.0.0.1:8000/."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

WEB_PACKAGES = {"fastapi": "fastapi", "jinja2": "jinja2", "uvicorn": "uvicorn",
                "multipart": "python-multipart"}


def add_parser(sub) -> None:
    p = sub.add_parser(
        "serve", help="start the local web page: the pre-submission check for HR and the analysis "
        "of a decision table (needs the 'web' extra)",
        description="Serve kompred's web page: the check of a draft (/) and the analysis of an "
        "uploaded decision table (/analys), plus POST /api/check. Binds to 127.0.0.1 (this machine "
        "only) unless --host says otherwise. Install the web extra first: "
        "python -m pip install 'kompred[web]'.")
    p.add_argument("--host", default="127.0.0.1",
                   help="address to bind (default: %(default)s; anything else prints a warning)")
    p.add_argument("--port", type=int, default=8000, help="port (default: %(default)s)")
    p.add_argument("--model", metavar="DIR", help="a model folder written by 'kompred train' "
                   "(default: the bundled models); it loads only if every type in it is on "
                   "kompred's trusted list")
    p.set_defaults(func=run)


def missing_web_packages() -> list[str]:
    """The PyPI names of the web extra's packages that are not installed."""
    return [pip for mod, pip in WEB_PACKAGES.items() if importlib.util.find_spec(mod) is None]


def run(args) -> int:
    missing = missing_web_packages()
    if missing:
        print("kompred serve: error: the web page needs the optional web dependencies; missing: "
              f"{', '.join(missing)}.\nInstall them with:  python -m pip install 'kompred[web]'\n"
              "(in a clone of the repository:  python -m pip install -e '.[web]')", file=sys.stderr)
        return 2
    if not 0 < args.port < 65536:
        print(f"kompred serve: error: --port must be between 1 and 65535, got {args.port}",
              file=sys.stderr)
        return 2
    from ..web import Settings
    from ..web.server import serve

    serve(Settings(model_dir=Path(args.model) if args.model else None, host=args.host), port=args.port)
    return 0
