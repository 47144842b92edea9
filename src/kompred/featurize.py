"""Compatibility: kompred's text handling lives in :mod:`kompred.text` now.

Every public name of the former ``kompred.featurize`` module is importable from here still (code
and saved models that name ``kompred.featurize.TextFeaturizer`` keep working); new code imports
from :mod:`kompred.text`.
"""

from typing import Any

from . import text as _text
from .text import __all__
from .text.language import _rank_languages  # noqa: F401 - used by tests of the language check

# not ``from .text import *``: that would compute STOP_WORDS, which imports spaCy (a second of
# a model's load); __getattr__ gives it on first use
globals().update({name: getattr(_text, name) for name in __all__ if name != "STOP_WORDS"})


def __getattr__(name: str) -> Any:
    from . import text

    return getattr(text, name)
