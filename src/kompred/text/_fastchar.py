"""A faster, exact ``transform`` for fitted char_wb TF-IDF vectorizers.

scikit-learn's char_wb analyzer pads every whitespace-separated word as ``" word "`` and takes
its n-grams word by word, so a text's n-gram counts are the sum of its words' counts. The same
words recur in every text, so each distinct word is analyzed once (cached per vectorizer) and a
batch's counts are one sparse product: (texts x words token counts) @ (words x n-grams). The
counts are integers, so the result is the same matrix as ``vectorizer.transform`` gives; the
idf, sublinear tf and normalization are then applied by the vectorizer's own fitted
``TfidfTransformer``, so those steps are scikit-learn's to the bit.
"""

from __future__ import annotations

import weakref
from typing import Any

import numpy as np
import scipy.sparse as sp

#: vectorizer -> {word: column indices of the word's n-grams, repeated as often as they occur}
_CACHES: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()
#: distinct words kept per vectorizer before the cache starts afresh (bounded memory)
_MAX_WORDS = 300_000


def _plain_char_wb(vec: Any) -> bool:
    # a TfidfVectorizer whose analysis is exactly "lowercase, split on whitespace, pad each word"
    from sklearn.feature_extraction.text import TfidfVectorizer

    return (type(vec) is TfidfVectorizer and vec.analyzer == "char_wb" and vec.input == "content"
            and vec.preprocessor is None and vec.tokenizer is None and bool(vec.lowercase)
            and vec.strip_accents is None and not vec.binary)


def _supported(vec: Any) -> bool:
    return _plain_char_wb(vec) and hasattr(vec, "vocabulary_") and hasattr(vec, "_tfidf")


def _word_columns(word: str, vocab: dict, min_n: int, max_n: int) -> np.ndarray:
    # the n-grams of one word exactly as sklearn's _char_wb_ngrams takes them
    w = " " + word + " "
    w_len = len(w)
    cols = []
    for n in range(min_n, max_n + 1):
        offset = 0
        j = vocab.get(w[offset : offset + n])
        if j is not None:
            cols.append(j)
        while offset + n < w_len:
            offset += 1
            j = vocab.get(w[offset : offset + n])
            if j is not None:
                cols.append(j)
        if offset == 0:  # a word shorter than n is counted once
            break
    return np.asarray(cols, dtype=np.int32)


def _cache_for(vec: Any) -> dict:
    # one word -> columns cache per vectorizer, started afresh when it grows past _MAX_WORDS
    cache = _CACHES.get(vec)
    if cache is None or len(cache) > _MAX_WORDS:
        cache = _CACHES[vec] = {}
    return cache


def word_columns(vec: Any, word: str) -> np.ndarray:
    """Column indices in ``vec``'s vocabulary of the n-grams of ``" word "`` (cached)."""
    cache = _cache_for(vec)
    cols = cache.get(word)
    if cols is None:
        cols = cache[word] = _word_columns(word, vec.vocabulary_, *vec.ngram_range)
    return cols


def word_matrices(vec: Any, words_per_text: list[list[str]], dtype: Any = None
                  ) -> tuple[sp.csr_array, sp.csr_array, dict[str, int]]:
    """(texts x distinct words) token counts ``T``, (distinct words x n-grams) ``W`` and the
    distinct words' row numbers: ``T @ W`` counts each text's n-grams in ``vec``'s vocabulary."""
    dtype = vec.dtype if dtype is None else dtype
    local: dict[str, int] = {}
    tokens: list[int] = []
    indptr = [0]
    for words in words_per_text:
        tokens.extend([local.setdefault(w, len(local)) for w in words])
        indptr.append(len(tokens))
    cache, vocab, (min_n, max_n) = _cache_for(vec), vec.vocabulary_, vec.ngram_range
    rows = []
    for w in local:
        cols = cache.get(w)
        if cols is None:
            cols = cache[w] = _word_columns(w, vocab, min_n, max_n)
        rows.append(cols)
    lengths = np.fromiter((len(r) for r in rows), dtype=np.int64, count=len(rows))
    w_indptr = np.zeros(len(rows) + 1, dtype=np.int64)
    np.cumsum(lengths, out=w_indptr[1:])
    w_indices = np.concatenate(rows) if rows else np.zeros(0, dtype=np.int32)
    W = sp.csr_array((np.ones(len(w_indices), dtype=dtype), w_indices, w_indptr),
                     shape=(len(rows), len(vec.vocabulary_)))
    T = sp.csr_array((np.ones(len(tokens), dtype=dtype), np.asarray(tokens, dtype=np.int64),
                      np.asarray(indptr, dtype=np.int64)), shape=(len(words_per_text), len(rows)))
    return T, W, local


def char_wb_counts(vec: Any, texts: list[str]) -> sp.csr_array:
    """The n-gram count matrix ``vec`` would build for ``texts`` (float, sorted indices)."""
    T, W, _ = word_matrices(vec, [text.lower().split() for text in texts])
    counts = sp.csr_array(T @ W, dtype=vec.dtype)
    counts.sort_indices()
    return counts


def char_wb_transform(vec: Any, texts: Any):
    """``vec.transform(texts)``, the same matrix, faster for a fitted char_wb TfidfVectorizer.

    Falls back to ``vec.transform`` for any other vectorizer or input that is not a list of str.
    """
    if not isinstance(texts, list) or not _supported(vec) or not all(isinstance(t, str) for t in texts):
        return vec.transform(texts)
    return vec._tfidf.transform(char_wb_counts(vec, texts), copy=False)


def _fit_supported(vec: Any) -> bool:
    return (_plain_char_wb(vec) and vec.vocabulary is None and vec.min_df == 1
            and vec.max_df == 1.0 and vec.max_features is None)


def char_wb_fit_transform(vec: Any, texts: Any):
    """``vec.fit_transform(texts)``, the same fitted vectorizer and matrix, faster.

    char_wb n-grams never cross a word boundary, so the vocabulary (every n-gram of every
    word, with ``min_df=1`` and no ``max_df``/``max_features`` cut) is what fitting on the
    distinct words gives; the counts then come from :func:`char_wb_counts` and the idf is
    fitted on them as ``fit_transform`` does. Falls back to ``vec.fit_transform`` otherwise.
    """
    if not isinstance(texts, list) or not _fit_supported(vec) or not texts \
            or not all(isinstance(t, str) for t in texts):
        return vec.fit_transform(texts)
    words = dict.fromkeys(w for t in texts for w in t.lower().split())
    if not words:
        return vec.fit_transform(texts)  # sklearn's own error for an empty vocabulary
    vec.fit([" ".join(words)])  # the vocabulary: the n-grams of the distinct words
    counts = char_wb_counts(vec, texts)
    vec._tfidf.fit(counts)
    return vec._tfidf.transform(counts, copy=False)
