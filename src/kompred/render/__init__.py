"""The one layer that writes words: Swedish by default, English on request.

Computation returns codes and numbers; this package turns them into sentences, labels and
numbers formatted for people. :func:`say` looks a message up in :data:`WORDS` and fills it in;
:func:`format_sek` and :func:`format_number` write numbers the Swedish way.

>>> say("plot.funnel.x", "en"), say("plot.funnel.x", "sv")
('decisions per handler', 'beslut per handläggare')
>>> format_sek(27342650)
'27 342 650 kr'
"""

from .numbers import format_number, format_percent, format_sek
from .words import LANGS, WORDS, check_lang, say

__all__ = ["LANGS", "WORDS", "check_lang", "format_number", "format_percent", "format_sek", "say"]
