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
        value = 0.0  # added left to right (sum() compensates on Python 3.12+): the batch's order
        for g, c in counts.items():
            value += float(ngram_weights[g]) * c / totals[g]
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
    ``words[ptr[i]:ptr[i + 1]]`` (in order of first appearance) with their summed ``values``.

    The arithmetic is :func:`words_from_char_ngrams`'s, in its order: each distinct n-gram
    of a word (first appearance first) adds ``weight * count / total``, and each occurrence
    of a word adds its value to its key in text order. Rows are done in blocks with a dense
    (block x vocabulary) scratch of the weights and n-gram totals, so memory stays bounded.
    """
    import numpy as np
    import pandas as pd
    import scipy.sparse as sp

    from ._fastchar import _supported, word_matrices

    if not _supported(vectorizer) or contributions.shape[1] != len(vectorizer.vocabulary_):
        return None
    n = len(texts)
    n_cols = len(vectorizer.vocabulary_)
    found = word_matrices(vectorizer, [normalize_text(t) for t in texts], lower=False,
                          with_words=True)
    if found is None:
        return None
    T, W, local = found
    C = sp.csr_array(contributions, dtype=np.float64)
    if not C.has_canonical_format:
        C = C.copy()
        C.sum_duplicates()
    g_ptr, g_col, g_cnt = _distinct_grams(W, n_cols)
    # each occurrence of a word, in text order
    occ_row = np.repeat(np.arange(n, dtype=np.int64), np.diff(T.indptr))
    occ_word = T.indices.astype(np.int64)
    occ_vals = np.zeros(len(occ_word))
    block = int(max(1, min(n, _SCRATCH_CELLS // max(n_cols, 1))))
    # dense (block x vocabulary) scratch for the weights and n-gram totals, zeroed after use
    scratch = np.zeros(block * n_cols), np.zeros(block * n_cols)
    for start in range(0, n, block):
        stop = min(n, start + block)
        a, b = T.indptr[start], T.indptr[stop]
        occ_vals[a:b] = _block_occurrence_values(
            occ_row[a:b] - start, occ_word[a:b], stop - start, n_cols,
            C.indptr[start:stop + 1] - C.indptr[start], C.indices[C.indptr[start]:C.indptr[stop]],
            C.data[C.indptr[start]:C.indptr[stop]], g_ptr, g_col, g_cnt, scratch)
    # a word without its edge punctuation: "demens," and "demens" add up to one value
    keys: dict[str, int] = {}
    key_of = np.fromiter((keys.setdefault(_EDGE_PUNCT.sub("", w) or w, len(keys)) for w in local),
                         dtype=np.int64, count=len(local))
    n_keys = max(len(keys), 1)
    # each (text, word) in order of first appearance (a hash table, no sort)
    inverse, uniq = pd.factorize(occ_row * n_keys + key_of[occ_word])
    # bincount adds each (text, word)'s occurrences in text order, as the per-row loop does
    sums = np.bincount(inverse, weights=occ_vals, minlength=len(uniq))
    names = list(keys)
    words = [names[k] for k in (uniq % n_keys).tolist()]
    ptr = np.searchsorted(uniq // n_keys, np.arange(n + 1))
    return ptr, words, sums


#: dense scratch cells per block of rows in batch_word_values (two float64 arrays of this size)
_SCRATCH_CELLS = 1 << 20


def _distinct_grams(W: Any, n_cols: int) -> tuple[Any, Any, Any]:
    """Each word's distinct n-gram columns in order of first appearance, with their counts:
    word ``w``'s are ``cols[ptr[w]:ptr[w + 1]]`` (``W`` lists an n-gram once per occurrence)."""
    import numpy as np
    import pandas as pd

    row = np.repeat(np.arange(W.shape[0], dtype=np.int64), np.diff(W.indptr))
    # the distinct (word, n-gram) pairs in order of first appearance: rows in order, each
    # row's n-grams as they came (a hash table, no sort)
    inverse, pairs = pd.factorize(row * max(n_cols, 1) + W.indices)
    counts = np.bincount(inverse, minlength=len(pairs))
    ptr = np.searchsorted(pairs // max(n_cols, 1), np.arange(W.shape[0] + 1))
    return ptr, pairs % max(n_cols, 1), counts.astype(np.float64)


def _block_occurrence_values(occ_row, occ_word, n_rows, n_cols, c_ptr, c_col, c_val, g_ptr,
                             g_col, g_cnt, scratch):
    """The value of each word occurrence of a block of texts (rows local to the block)."""
    import numpy as np

    # one entry per distinct n-gram of each occurrence's word, in the word's order
    lengths = g_ptr[occ_word + 1] - g_ptr[occ_word]
    e_occ = np.repeat(np.arange(len(occ_word), dtype=np.int64), lengths)
    offsets = np.zeros(len(occ_word) + 1, dtype=np.int64)
    np.cumsum(lengths, out=offsets[1:])
    e_gram = np.arange(len(e_occ), dtype=np.int64) + (g_ptr[occ_word] - offsets[:-1])[e_occ]
    e_cell = occ_row[e_occ] * n_cols + g_col[e_gram]
    e_cnt = g_cnt[e_gram]
    # occurrences of each n-gram in each text of the block (whole numbers: exact in any order),
    # and the texts' weights
    weights, totals = scratch
    np.add.at(totals, e_cell, e_cnt)
    c_cell = np.repeat(np.arange(n_rows, dtype=np.int64), np.diff(c_ptr)) * n_cols + c_col
    weights[c_cell] = c_val
    # weight * count / total, summed per occurrence in the word's order (an n-gram without
    # weight adds 0.0): every occurrence of a word in a text gets the same value
    vals = np.bincount(e_occ, weights=weights[e_cell] * e_cnt / totals[e_cell],
                       minlength=len(occ_word))
    totals[e_cell] = 0.0
    weights[c_cell] = 0.0
    return vals
