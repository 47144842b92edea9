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


def batch_words_from_char_ngrams(vectorizer: Any, texts: list[str], contributions: Any) -> list[dict[str, float]]:
    """:func:`words_from_char_ngrams` for a whole batch, from a contribution matrix.

    ``contributions`` is a sparse (texts x n-grams) matrix whose columns are the fitted char_wb
    ``vectorizer``'s vocabulary, e.g. coefficient times TF-IDF. Each n-gram's weight is shared
    among the words of the text that contain it, as :func:`words_from_char_ngrams` does, but the
    per-word sums are one sparse product for the batch: the n-grams of each distinct word come
    from the same per-word cache as the features (:mod:`kompred.text._fastchar`). The result
    equals ``[words_from_char_ngrams(t, row) for ...]`` up to float rounding (the sums run in a
    different order; about 1e-16 relative).

    Returns None when the vectorizer is not a plain char_wb TF-IDF (use the per-row function).
    """
    found = batch_word_values(vectorizer, texts, contributions)
    if found is None:
        return None
    ptr, words, values = found
    vals = values.tolist()
    return [dict(zip(words[a:b], vals[a:b], strict=True))
            for a, b in zip(ptr[:-1].tolist(), ptr[1:].tolist(), strict=True)]


def batch_word_values(vectorizer: Any, texts: list[str], contributions: Any
                      ) -> tuple[Any, list[str], Any] | None:
    """:func:`batch_words_from_char_ngrams` as flat arrays: text ``i``'s words are
    ``words[ptr[i]:ptr[i + 1]]`` (in order of first appearance) with their summed ``values``."""
    import numpy as np
    import scipy.sparse as sp

    from ._fastchar import _supported, word_matrices

    if not _supported(vectorizer) or contributions.shape[1] != len(vectorizer.vocabulary_):
        return None
    words_per_text = [normalize_text(t).split() for t in texts]
    n = len(texts)
    T, W, local = word_matrices(vectorizer, words_per_text, np.float64)
    # each occurrence of a word, in text order (T is summed to one entry per distinct word next)
    occ_row = np.repeat(np.arange(n, dtype=np.int64), np.diff(T.indptr))
    occ_word = T.indices.astype(np.int64)
    T.sum_duplicates()  # one entry per (text, distinct word)
    counts = sp.csr_array(T @ W)  # occurrences of each n-gram in each text
    C = sp.csr_array(contributions, dtype=np.float64, copy=True)
    C.sum_duplicates()
    # weight of one occurrence of each n-gram: contribution / occurrences in the text
    per = C.multiply(counts.power(-1.0) if counts.nnz else counts).tocsr()
    n_words = max(len(local), 1)
    # value of one occurrence of word w in text i: sum over its n-grams of (count x weight)
    pair_vals = np.zeros(T.nnz)
    step = 2_000
    for start in range(0, n, step):
        stop = min(n, start + step)
        Tb = T[start:stop]
        row_of = np.repeat(np.arange(Tb.shape[0]), np.diff(Tb.indptr))
        a, b = T.indptr[start], T.indptr[stop]
        pair_vals[a:b] = np.asarray(W[Tb.indices].multiply(per[start:stop][row_of]).sum(axis=1)).ravel()
    pair_key = np.repeat(np.arange(n, dtype=np.int64), np.diff(T.indptr)) * n_words + T.indices
    occ_vals = pair_vals[np.searchsorted(pair_key, occ_row * n_words + occ_word)]
    # a word without its edge punctuation: "demens," and "demens" add up to one value
    keys: dict[str, int] = {}
    key_of = np.fromiter((keys.setdefault(_EDGE_PUNCT.sub("", w) or w, len(keys)) for w in local),
                         dtype=np.int64, count=len(local))
    n_keys = max(len(keys), 1)
    occ_key = occ_row * n_keys + key_of[occ_word]
    uniq, first, inverse = np.unique(occ_key, return_index=True, return_inverse=True)
    # bincount adds each (text, word)'s occurrences in text order, as the per-row loop does
    sums = np.bincount(inverse.ravel(), weights=occ_vals, minlength=len(uniq))
    order = np.argsort(first, kind="stable")  # first appearance within each text
    uniq, sums = uniq[order], sums[order]
    names = list(keys)
    words = [names[k] for k in (uniq % n_keys).tolist()]
    ptr = np.searchsorted(uniq // n_keys, np.arange(n + 1))
    return ptr, words, sums
