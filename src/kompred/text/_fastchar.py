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
from itertools import chain
from typing import Any

import numpy as np
import scipy.sparse as sp

#: every n-gram of every word analysed so far -> its number (shared by all vectorizers)
_GRAMS: dict[str, int] = {}
_GRAM_LIST: list[str] = []
#: (min_n, max_n) -> {word: numbers of the n-grams of " word ", repeated as often as they occur}
_WORDS: dict[tuple[int, int], dict[str, np.ndarray]] = {}
#: vectorizer -> array: n-gram number -> column in its vocabulary, or -1
_CACHES: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()
#: distinct n-grams kept before the caches start afresh (bounded memory)
_MAX_GRAMS = 2_000_000


def _plain_char_wb(vec: Any) -> bool:
    # a TfidfVectorizer whose analysis is exactly "lowercase, split on whitespace, pad each word"
    from sklearn.feature_extraction.text import TfidfVectorizer

    return (type(vec) is TfidfVectorizer and vec.analyzer == "char_wb" and vec.input == "content"
            and vec.preprocessor is None and vec.tokenizer is None and bool(vec.lowercase)
            and vec.strip_accents is None and not vec.binary)


def _supported(vec: Any) -> bool:
    return _plain_char_wb(vec) and hasattr(vec, "vocabulary_") and hasattr(vec, "_tfidf")


def _word_grams(word: str, min_n: int, max_n: int) -> np.ndarray:
    # the n-grams of one word exactly as sklearn's _char_wb_ngrams takes them, as numbers
    # every n-gram of each length up to the padded word's own; a padded word shorter than
    # min_n is itself the one n-gram (sklearn takes w[0:n] once, then stops)
    w = " " + word + " "
    w_len = len(w)
    if w_len < min_n:
        found = [w]
    else:
        found = [w[i : i + n] for n in range(min_n, min(max_n, w_len) + 1)
                 for i in range(w_len - n + 1)]
    ids = list(map(_GRAMS.get, found))
    if None in ids:
        for i, j in enumerate(ids):
            if j is None:
                g = found[i]
                j = _GRAMS.get(g)  # the same new n-gram can occur twice in a word
                if j is None:
                    j = _GRAMS[g] = len(_GRAM_LIST)
                    _GRAM_LIST.append(g)
                ids[i] = j
    return np.asarray(ids, dtype=np.int64)


def _words_for(ngram_range: tuple[int, int]) -> dict:
    # all caches start afresh together once the n-gram table is past _MAX_GRAMS
    if len(_GRAM_LIST) > _MAX_GRAMS:
        _GRAMS.clear()
        _GRAM_LIST.clear()
        _WORDS.clear()
        _CACHES.clear()
    return _WORDS.setdefault(tuple(ngram_range), {})


def _columns_of(vec: Any) -> np.ndarray:
    # n-gram number -> column of vec's vocabulary (-1: not in it), extended to the new n-grams
    cols = _CACHES.get(vec)
    have = 0 if cols is None else len(cols)
    if have < len(_GRAM_LIST):
        get = vec.vocabulary_.get
        more = np.fromiter((get(g, -1) for g in _GRAM_LIST[have:]), dtype=np.int64,
                           count=len(_GRAM_LIST) - have)
        cols = more if cols is None else np.concatenate([cols, more])
        _CACHES[vec] = cols
    return cols


def _gram_rows(vec: Any, words: Any) -> tuple[np.ndarray, np.ndarray]:
    # (indptr, indices) of the (words x vocabulary) n-gram matrix, rows in the order of words
    cache, (min_n, max_n) = _words_for(vec.ngram_range), vec.ngram_range
    rows = []
    for w in words:
        ids = cache.get(w)
        if ids is None:
            ids = cache[w] = _word_grams(w, min_n, max_n)
        rows.append(ids)
    lengths = np.fromiter((len(r) for r in rows), dtype=np.int64, count=len(rows))
    ids = np.concatenate(rows) if rows else np.zeros(0, dtype=np.int64)
    cols = _columns_of(vec)[ids] if len(ids) else ids
    # n-grams outside the vocabulary are dropped; a row keeps its own in their order
    kept = np.zeros(len(ids) + 1, dtype=np.int64)
    np.cumsum(cols >= 0, out=kept[1:])
    ends = np.zeros(len(rows) + 1, dtype=np.int64)
    np.cumsum(lengths, out=ends[1:])
    return kept[ends], cols[cols >= 0].astype(np.int32)


def word_columns(vec: Any, word: str) -> np.ndarray:
    """Column indices in ``vec``'s vocabulary of the n-grams of ``" word "`` (cached)."""
    return _gram_rows(vec, [word])[1]


def word_matrices(vec: Any, words_per_text: list[list[str]], dtype: Any = None
                  ) -> tuple[sp.csr_array, sp.csr_array, dict[str, int]]:
    """(texts x distinct words) token counts ``T``, (distinct words x n-grams) ``W`` and the
    distinct words' row numbers: ``T @ W`` counts each text's n-grams in ``vec``'s vocabulary."""
    dtype = vec.dtype if dtype is None else dtype
    all_words = list(chain.from_iterable(words_per_text))
    local = {w: i for i, w in enumerate(dict.fromkeys(all_words))}  # first appearance order
    tokens = np.fromiter(map(local.__getitem__, all_words), dtype=np.int64, count=len(all_words))
    indptr = np.zeros(len(words_per_text) + 1, dtype=np.int64)
    np.cumsum(np.fromiter(map(len, words_per_text), dtype=np.int64, count=len(words_per_text)),
              out=indptr[1:])
    w_indptr, w_indices = _gram_rows(vec, local)
    W = sp.csr_array((np.ones(len(w_indices), dtype=dtype), w_indices, w_indptr),
                     shape=(len(local), len(vec.vocabulary_)))
    T = sp.csr_array((np.ones(len(tokens), dtype=dtype), tokens, indptr),
                     shape=(len(words_per_text), len(local)))
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


def clear_caches() -> None:
    """Forget every analysed word and n-gram (for timing a batch that sees its texts once)."""
    _GRAMS.clear()
    _GRAM_LIST.clear()
    _WORDS.clear()
    _CACHES.clear()
    _CHUNK_TOKENS.clear()


# -- the topic model's word tokens -------------------------------------------------------------

#: whitespace-free chunk of a text -> its content_tokens (spaCy), bounded like the n-grams
_CHUNK_TOKENS: dict[str, list[str]] = {}


def _plain_content_words(vec: Any) -> bool:
    # a fitted TfidfVectorizer of single content_tokens, with nothing done to the text first
    from sklearn.feature_extraction.text import TfidfVectorizer

    from .tokens import content_tokens

    return (type(vec) is TfidfVectorizer and vec.analyzer == "word" and vec.input == "content"
            and vec.tokenizer is content_tokens and vec.preprocessor is None
            and not vec.lowercase and vec.strip_accents is None and vec.stop_words is None
            and tuple(vec.ngram_range) == (1, 1) and not vec.binary
            and hasattr(vec, "vocabulary_") and hasattr(vec, "_tfidf"))


def _tokens_of_chunks(chunks: list[str], step: int = 20_000) -> list[list[str]]:
    # content_tokens of each NFC chunk without whitespace; spaCy tokenizes chunks one by one,
    # so one Doc of many chunks joined by spaces gives the same tokens with far fewer Docs
    from .normalize import _HAS_WORD_CHAR
    from .tokens import _stop_words, get_nlp

    tokenizer, stop = get_nlp().tokenizer, _stop_words()
    out: list[list[str]] = [[] for _ in chunks]
    for first in range(0, len(chunks), step):
        part = chunks[first : first + step]
        starts = np.zeros(len(part), dtype=np.int64)
        np.cumsum(np.fromiter((len(c) + 1 for c in part[:-1]), dtype=np.int64,
                              count=max(len(part) - 1, 0)), out=starts[1:])
        doc = tokenizer(" ".join(part))
        kept = [(t.idx, t.lower_) for t in doc if _HAS_WORD_CHAR.search(t.text)]
        where = np.searchsorted(starts, [i for i, _ in kept], side="right") - 1
        for k, (_, low) in zip(where.tolist(), kept, strict=True):
            if low not in stop:
                out[first + k].append(low)
    return out


def content_word_transform(vec: Any, texts: Any):
    """``vec.transform(texts)`` for a fitted :func:`~kompred.text.word_vectorizer`, the same
    matrix, faster.

    spaCy's tokenizer splits a text on whitespace first and tokenizes each chunk on its own,
    so the tokens of an NFC text are its chunks' tokens in order: each distinct chunk is
    tokenized once (cached) and a batch is counted with one sparse product. Texts that are
    not NFC go through ``content_tokens`` whole. Falls back to ``vec.transform`` otherwise.
    """
    if not isinstance(texts, list) or not _plain_content_words(vec) \
            or not all(isinstance(t, str) for t in texts):
        return vec.transform(texts)
    import unicodedata

    from .tokens import content_tokens

    if len(_CHUNK_TOKENS) > _MAX_GRAMS // 4:
        _CHUNK_TOKENS.clear()
    # a text not in NFC is one "chunk": tokenize() normalizes the whole text first
    chunks = [t.split() if unicodedata.is_normalized("NFC", t) else [t] for t in texts]
    whole = {t for t, c in zip(texts, chunks, strict=True) if c and c[0] is t}
    all_chunks = list(chain.from_iterable(chunks))
    local = {c: i for i, c in enumerate(dict.fromkeys(all_chunks))}
    new = [c for c in local if c not in _CHUNK_TOKENS]
    single = [c for c in new if c not in whole and unicodedata.is_normalized("NFC", c)]
    _CHUNK_TOKENS.update(zip(single, _tokens_of_chunks(single), strict=True))
    for c in new:
        if c not in _CHUNK_TOKENS:  # a whole text that is not NFC
            _CHUNK_TOKENS[c] = content_tokens(c)
    get = vec.vocabulary_.get
    rows = [[j for j in map(get, _CHUNK_TOKENS[c]) if j is not None] for c in local]
    w_indptr = np.zeros(len(rows) + 1, dtype=np.int64)
    np.cumsum(np.fromiter(map(len, rows), dtype=np.int64, count=len(rows)), out=w_indptr[1:])
    w_indices = np.fromiter(chain.from_iterable(rows), dtype=np.int32, count=int(w_indptr[-1]))
    W = sp.csr_array((np.ones(len(w_indices), dtype=vec.dtype), w_indices, w_indptr),
                     shape=(len(rows), len(vec.vocabulary_)))
    tokens = np.fromiter(map(local.__getitem__, all_chunks), dtype=np.int64, count=len(all_chunks))
    indptr = np.zeros(len(texts) + 1, dtype=np.int64)
    np.cumsum(np.fromiter(map(len, chunks), dtype=np.int64, count=len(chunks)), out=indptr[1:])
    T = sp.csr_array((np.ones(len(tokens), dtype=vec.dtype), tokens, indptr),
                     shape=(len(texts), len(rows)))
    counts = sp.csr_array(T @ W, dtype=vec.dtype)
    counts.sort_indices()
    return vec._tfidf.transform(counts, copy=False)
