"""Explaining char n-gram weights at the level of whole words."""

from __future__ import annotations

import functools
import re
from collections.abc import Mapping
from typing import Any

from ..exceptions import WrongTypeError
from .normalize import normalize_text

# --------------------------------------------------------------------------------------------
# Explaining n-gram weights at word level
# --------------------------------------------------------------------------------------------

_EDGE_PUNCT = re.compile(r"^[\W_]+|[\W_]+$")


@functools.lru_cache(maxsize=1 << 16)
def _word_ngram_counts(word: str, lengths: tuple[int, ...]) -> tuple[tuple[str, int], ...]:
    """The n-grams of ``" word "`` of the given lengths with their counts, in order of first
    appearance (lengths ascending): cached, as the same words recur in every batch."""
    padded = f" {word} "
    counts: dict[str, int] = {}
    for n in lengths:
        if n > len(padded):
            break
        for i in range(len(padded) - n + 1):
            gram = padded[i : i + n]
            counts[gram] = counts.get(gram, 0) + 1
    return tuple(counts.items())


def words_from_char_ngrams(text: Any, ngram_weights: Mapping[str, float]) -> dict[str, float]:
    """Sum character n-gram weights back onto the words of a text.

    The text is normalized as for the features (:func:`normalize_text`) and split into words as
    the char_wb analyzer does (on whitespace, each word padded as ``" word "``). Each n-gram's
    weight is shared among the words whose padded form contains it, in proportion to how many
    times it occurs there. N-grams that occur nowhere in the text are ignored, so for the
    weights of a linear model times the text's features the word values add up to the text's
    score.

    Parameters
    ----------
    text : str or None
        The text the weights belong to (raw or already normalized: normalizing is idempotent).
    ngram_weights : mapping of str to float
        E.g. ``{ngram: coef * tfidf}`` for the n-grams of this text.

    Returns
    -------
    dict of str to float
        Word (normalized, without surrounding punctuation) to summed weight, in order of first
        appearance in the text. Numbers appear as ``"0"``, personnummer as ``"personnummer"``.

    Examples
    --------
    >>> w = words_from_char_ngrams("Föreläsning om demens.", {"demen": 1.0, " om ": 0.5, "s": 0.3})
    >>> {k: round(v, 2) for k, v in w.items()}
    {'föreläsning': 0.15, 'om': 0.5, 'demens': 1.15}
    """
    if not isinstance(ngram_weights, Mapping):
        raise WrongTypeError(
            f"expected ngram_weights to be a mapping of n-gram to weight; "
            f"got {type(ngram_weights).__name__}"
        )
    words = normalize_text(text).split()
    lengths = sorted({len(g) for g in ngram_weights if isinstance(g, str) and g})
    if not words or not lengths:
        return {}
    per_word: list[dict[str, int]] = []
    totals: dict[str, int] = {}
    key = tuple(lengths)
    for word in words:
        counts: dict[str, int] = {}
        for gram, c in _word_ngram_counts(word, key):
            if gram in ngram_weights:
                counts[gram] = c
                totals[gram] = totals.get(gram, 0) + c
        per_word.append(counts)
    result: dict[str, float] = {}
    for word, counts in zip(words, per_word, strict=True):
        key = _EDGE_PUNCT.sub("", word) or word
        value = sum(float(ngram_weights[g]) * c / totals[g] for g, c in counts.items())
        result[key] = result.get(key, 0.0) + value
    return result
