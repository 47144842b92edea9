"""Text in, numbers (or cleaned text) out: everything kompred does to application text.

==================  ==========================================================================
module              owns
==================  ==========================================================================
``normalize``       one cleaned form of a text (:func:`normalize_text`, :class:`TextCleaner`)
``pii``             finding and masking personnummer (:func:`find_personnummer`,
                    :func:`redact_personnummer`)
``language``        the language check (:func:`detect_language`, :func:`is_swedish`)
``tokens``          spaCy word tokens and the domain-adjusted ``STOP_WORDS``
``vectorize``       char n-gram and word TF-IDF factories, :class:`TextFeaturizer`
``explain``         n-gram weights mapped back onto whole words (:func:`words_from_char_ngrams`)
``neighbours``      the one top-k cosine search (:func:`nearest_neighbors`, :func:`top_k_similar`)
==================  ==========================================================================

Nothing here reads files or downloads anything. spaCy and the language model of ``py3langid``
are loaded lazily, on first use, and cached. The title + description join is
:func:`kompred.schema.join_texts` (re-exported here).
"""

from typing import Any

from ..schema import join_texts
from .explain import words_from_char_ngrams
from .language import LANGUAGES, detect_language, is_swedish
from .normalize import DEFAULT_MAX_CHARS, TextCleaner, normalize_text
from .pii import PERSONNUMMER_TOKEN, PersonnummerMatch, find_personnummer, redact_personnummer
from .tokens import content_tokens, get_nlp, tokenize
from .vectorize import TextFeaturizer, char_ngram_vectorizer, word_vectorizer

__all__ = [
    "DEFAULT_MAX_CHARS",
    "LANGUAGES",
    "PERSONNUMMER_TOKEN",
    "STOP_WORDS",
    "PersonnummerMatch",
    "TextCleaner",
    "TextFeaturizer",
    "char_ngram_vectorizer",
    "content_tokens",
    "detect_language",
    "find_personnummer",
    "get_nlp",
    "is_swedish",
    "join_texts",
    "normalize_text",
    "redact_personnummer",
    "tokenize",
    "word_vectorizer",
    "words_from_char_ngrams",
]


def __getattr__(name: str) -> Any:
    # STOP_WORDS is computed on first access so that importing kompred.text does not import spaCy
    if name == "STOP_WORDS":
        from .tokens import _stop_words

        return _stop_words()
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
