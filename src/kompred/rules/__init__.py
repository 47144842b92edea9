"""The pre-submission checklist (being split into an engine and one module per family).

Every public name of the former ``kompred.rules`` module is importable from here.
"""

from . import _engine
from ._engine import *  # noqa: F403
from ._engine import __all__, find_personnummer  # noqa: F401

__doc__ = _engine.__doc__
