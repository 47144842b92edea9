"""Compatibility: kompred's text handling lives in :mod:`kompred.text` now.

Every public name of the former ``kompred.featurize`` module is importable from here still (code
and saved models that name ``kompred.featurize.TextFeaturizer`` keep working); new code imports
from :mod:`kompred.text`.
"""

from typing import Any

from .text import *  # noqa: F403
from .text import __all__  # noqa: F401
from .text.language import _rank_languages  # noqa: F401 - used by tests of the language check


def __getattr__(name: str) -> Any:
    from . import text

    return getattr(text, name)
