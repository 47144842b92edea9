"""Settings of the web application (plain data: importing this needs no web framework).

>>> s = Settings(max_body_bytes=1000)
>>> s.max_body_bytes, s.host
(1000, '127.0.0.1')
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class Settings:
    """What :func:`kompred.web.create_app` needs.

    Parameters
    ----------
    model_dir : path or None
        A model folder written by ``kompred train``; None uses kompred's bundled models. Naming a
        folder means you trust it (loading a model runs code from it).
    host : str
        Only shown on the page and used by ``kompred serve``; the app itself binds nothing.
    max_body_bytes : int
        Largest request body for the check page and the API (a form post or JSON).
    max_upload_bytes : int
        Largest request body on the analysis page (the uploaded table).
    work_dir : path or None
        Where the analysis jobs write their report folders (default: a new temporary folder).
    max_jobs : int
        Finished analysis jobs kept (their folders are deleted beyond this many).
    max_waiting_jobs : int
        Analyses queued or running at once; an upload beyond this gets a "try again" message.
    warm_up : bool
        Run one check at start so that the first real check is fast.
    """

    model_dir: Path | None = None
    host: str = "127.0.0.1"
    max_body_bytes: int = 256 * 1024
    max_upload_bytes: int = 10 * 1024 * 1024
    work_dir: Path | None = None
    max_jobs: int = 20
    max_waiting_jobs: int = 4
    warm_up: bool = True
