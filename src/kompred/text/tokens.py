"""Word tokens with spaCy's Swedish tokenizer and the domain-adjusted stop words."""

from __future__ import annotations

import functools
import unicodedata
from typing import Any

from ._inputs import _text_or_empty
from .normalize import _HAS_WORD_CHAR

# spaCy's Swedish list minus words that carry meaning in these applications: decisions, amounts,
# durations ("två dagar"), needs ("behöver utbildning"), levels ("högre utbildning", "första
# linjens chefer"). In a generic text they are filler; in an application they are content.
_DOMAIN_WORDS = frozenset({
    "beslut", "beslutat", "beslutit",
    "kr",
    "dag", "dagar", "dagarna", "dagen",
    "del", "delen",
    "behöva", "behövas", "behövde", "behövt",
    "nödvändig", "nödvändiga", "nödvändigt", "nödvändigtvis",
    "hög", "högre", "högst",
    "första",
})  # fmt: skip

# --------------------------------------------------------------------------------------------
# spaCy, tokens, stop words
# --------------------------------------------------------------------------------------------


@functools.lru_cache(maxsize=1)
def get_nlp():
    """Return the shared blank Swedish spaCy pipeline (tokenizer only), loading it once.

    The pipeline is ``spacy.blank("sv")``: Swedish tokenizer rules, no trained components and
    nothing to download. spaCy is imported on first call, so importing kompred stays fast.

    Returns
    -------
    spacy.language.Language
        The same object on every call.

    Examples
    --------
    >>> nlp = get_nlp()
    >>> nlp is get_nlp(), nlp.lang
    (True, 'sv')
    >>> [t.text for t in nlp("Kurs i t.ex. HLR 2023-2024.")]
    ['Kurs', 'i', 't.ex.', 'HLR', '2023-2024', '.']
    """
    import spacy

    return spacy.blank("sv")


@functools.lru_cache(maxsize=1)
def _stop_words() -> frozenset[str]:
    from spacy.lang.sv.stop_words import STOP_WORDS as SPACY_SV_STOP_WORDS

    return frozenset(SPACY_SV_STOP_WORDS) - _DOMAIN_WORDS


def __getattr__(name: str) -> Any:
    # STOP_WORDS is computed on first access so that importing this module does not import spaCy.
    if name == "STOP_WORDS":
        return _stop_words()
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def tokenize(text: Any) -> list[str]:
    """Split a text into lowercased word tokens with spaCy's Swedish tokenizer.

    Punctuation and whitespace tokens are dropped (a token is kept when it contains a letter or
    a digit). Stop words are kept; see :func:`content_tokens`.

    Parameters
    ----------
    text : str or None
        The text. None or NaN gives an empty list.

    Returns
    -------
    list of str

    Examples
    --------
    >>> tokenize("Utbildning i demens, t.ex. för undersköterskor (2 dagar)!")
    ['utbildning', 'i', 'demens', 't.ex.', 'för', 'undersköterskor', '2', 'dagar']
    """
    text = _text_or_empty(text, what="text")
    if not text:
        return []
    text = unicodedata.normalize("NFC", text)
    # nlp.tokenizer rather than nlp(): no pipeline overhead and no max_length limit.
    return [t.lower_ for t in get_nlp().tokenizer(text) if _HAS_WORD_CHAR.search(t.text)]


def content_tokens(text: Any) -> list[str]:
    """Return :func:`tokenize` tokens without ``STOP_WORDS``.

    This is the tokenizer of :func:`word_vectorizer`. It is a module-level function so that a
    fitted pipeline using it can be pickled.

    Examples
    --------
    >>> content_tokens("Vi behöver en utbildning om demens för alla i personalen")
    ['behöver', 'utbildning', 'demens', 'personalen']
    """
    stop = _stop_words()
    return [t for t in tokenize(text) if t not in stop]
