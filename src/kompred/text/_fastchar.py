"""A faster, exact ``transform`` for fitted char_wb TF-IDF vectorizers.

scikit-learn's char_wb analyzer pads every whitespace-separated word as ``" word "`` and takes
its n-grams word by word, so a text's n-gram counts are the sum of its words' counts. The same
words recur in every text, so each distinct word is analysed once (cached, for all vectorizers
of the same n-gram range) and a batch's counts are one sparse product: (texts x words token
counts) @ (words x n-grams). The counts are integers, so the result is the same matrix as
``vectorizer.transform`` gives; the idf, sublinear tf and normalization are then applied by the
vectorizer's own fitted ``TfidfTransformer``, so those steps are scikit-learn's to the bit.

The words of a batch are analysed together with numpy: each character gets a small number
(its *code*, 1 to ``_BASE - 1``, given in order of first sight) and an n-gram of up to
``_MAX_N`` characters is the integer ``sum(code_j * _BASE ** (n - 1 - j))``, one number per
distinct string (codes are never 0, so strings of different lengths never share a number). A
vectorizer's vocabulary is numbered the same way once, and looked up with a binary search.
"""

from __future__ import annotations

import threading
import weakref
from itertools import chain
from typing import Any

import numpy as np
import scipy.sparse as sp

#: n-gram numbers: base (codes per character) and the longest n-gram that fits in an int64
_BASE = 4096
_MAX_N = 5
#: distinct n-grams, words, n-grams of words, or texts, kept before every cache starts afresh
_MAX_GRAMS = 2_000_000
_MAX_WORDS = 2_000_000
_MAX_CODES = 40_000_000
_MAX_TEXTS = 200_000
#: one thread at a time analyses words and numbers characters (a web server scores in threads)
_LOCK = threading.RLock()


class _Grow:
    """A numpy array that grows at its end (the capacity doubles)."""

    def __init__(self, dtype, first: Any = ()):
        self.data = np.zeros(max(1024, len(first)), dtype=dtype)
        self.n = 0
        self.extend(np.asarray(first, dtype=dtype))

    def extend(self, values: np.ndarray) -> None:
        need = self.n + len(values)
        if need > len(self.data):
            bigger = np.zeros(max(2 * len(self.data), need), dtype=self.data.dtype)
            bigger[: self.n] = self.data[: self.n]
            self.data = bigger
        self.data[self.n : need] = values
        self.n = need

    def view(self) -> np.ndarray:
        return self.data[: self.n]


class _Alphabet:
    """Character codes and the vocabularies numbered with them: kept when the word caches
    start afresh (they hold no text), replaced only when the codes run out."""

    def __init__(self):
        #: Unicode code point -> character code (0: not seen yet); allocated on first use
        self.codes: np.ndarray | None = None
        self.n_codes = 0
        #: vectorizer -> (its vocabulary dict, its n-grams' sorted numbers, their columns)
        self.vocabs: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()


class _State:
    """The word caches: emptied together, as n-gram ids mean nothing across resets."""

    def __init__(self, alphabet: _Alphabet | None = None):
        self.alphabet = alphabet or _Alphabet()
        #: n-gram number -> n-gram id (in order of first sight), and id -> number
        self.gram_id: dict[int, int] = {}
        self.gram_number = _Grow(np.int64)
        #: (min_n, max_n) -> _Words
        self.words: dict[tuple[int, int], _Words] = {}
        #: ((min_n, max_n), True) -> {text: the rows of text.lower().split()}; with False,
        #: of text.split() for texts that are not lowercase
        self.texts: dict[tuple, dict[str, np.ndarray]] = {}
        #: vectorizer -> (its vocabulary dict, n-gram id -> column or -1)
        self.columns: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()


class _Words:
    """The analysed words of one n-gram range: word -> row; row r's n-gram ids are
    ``grams[ptr[r]:ptr[r + 1]]`` (n ascending, then position: sklearn's order)."""

    def __init__(self):
        self.row: dict[str, int] = {}
        self.words: list[str] = []
        self.ptr = _Grow(np.int64, [0])
        self.grams = _Grow(np.int32)

    def add(self, words: list[str], ptr: np.ndarray, grams: np.ndarray) -> None:
        self.row.update(zip(words, range(len(self.words), len(self.words) + len(words)),
                            strict=True))
        self.words.extend(words)
        self.ptr.extend(self.grams.n + ptr[1:])
        self.grams.extend(grams)


_STATE = _State()


def _plain_char_wb(vec: Any) -> bool:
    # a TfidfVectorizer whose analysis is exactly "lowercase, split on whitespace, pad each word"
    from sklearn.feature_extraction.text import TfidfVectorizer

    return (type(vec) is TfidfVectorizer and vec.analyzer == "char_wb" and vec.input == "content"
            and vec.preprocessor is None and vec.tokenizer is None and bool(vec.lowercase)
            and vec.strip_accents is None and not vec.binary
            and 1 <= vec.ngram_range[0] <= vec.ngram_range[1] <= _MAX_N)


def _supported(vec: Any) -> bool:
    return _plain_char_wb(vec) and hasattr(vec, "vocabulary_") and hasattr(vec, "_tfidf")


def _char_codes(text: str) -> np.ndarray | None:
    """The codes of a string's characters (new characters numbered); None when more than
    ``_BASE - 1`` distinct characters would be needed."""
    alphabet = _STATE.alphabet
    if alphabet.codes is None:
        alphabet.codes = np.zeros(0x110000, dtype=np.int16)  # codes < _BASE
    points = np.frombuffer(text.encode("utf-32-le", "surrogatepass"), dtype=np.uint32)
    codes = alphabet.codes[points]
    if not codes.all():
        fresh = np.unique(points[codes == 0])
        if alphabet.n_codes + len(fresh) >= _BASE:
            return None
        alphabet.codes[fresh] = np.arange(alphabet.n_codes + 1, alphabet.n_codes + 1 + len(fresh))
        alphabet.n_codes += len(fresh)
        codes = alphabet.codes[points]
    return codes


def _numbered_grams(words: list[str], min_n: int, max_n: int
                    ) -> tuple[np.ndarray, np.ndarray] | None:
    """(ptr, numbers): the n-grams of each ``" word "`` exactly as sklearn's ``_char_wb_ngrams``
    takes them (every n-gram of each length up to the padded word's own, n ascending, then
    position; a padded word shorter than ``min_n`` is itself the one n-gram); None when the
    characters cannot be numbered."""
    lengths = np.fromiter(map(len, words), dtype=np.int64, count=len(words)) + 2
    codes = _char_codes("".join(f" {w} " for w in words))
    if codes is None:
        return None
    starts = np.zeros(len(words), dtype=np.int64)
    np.cumsum(lengths[:-1], out=starts[1:])
    count = np.maximum(lengths[:, None] - np.arange(min_n, max_n + 1)[None, :] + 1, 0)
    short = lengths < min_n  # no n-gram of any length in range (count is 0): the word itself
    ptr = np.zeros(len(words) + 1, dtype=np.int64)
    np.cumsum(np.where(short, 1, count.sum(axis=1)), out=ptr[1:])
    run = ptr[:-1, None] + np.cumsum(count, axis=1) - count  # where each length's run begins
    out = np.empty(int(ptr[-1]), dtype=np.int64)

    def emit(number, how_many, dest):  # number[start + i] goes to dest + i, i < how_many
        word = np.repeat(np.arange(len(words), dtype=np.int64), how_many)
        first = np.zeros(len(words) + 1, dtype=np.int64)
        np.cumsum(how_many, out=first[1:])
        i = np.arange(len(word), dtype=np.int64) - first[word]
        out[dest[word] + i] = number[starts[word] + i]

    # number[i]: the n characters from i on (windows that cross a word are never read)
    padded = np.concatenate([codes, np.zeros(max_n, dtype=np.int64)])
    number = padded
    for n in range(1, max_n + 1):
        if n > 1:
            number = number[:-1] * _BASE + padded[n - 1 :]
        if n >= min_n:
            emit(number, count[:, n - min_n], run[:, n - min_n])
        if short.any():
            emit(number, (short & (lengths == n)).astype(np.int64), ptr[:-1])
    return ptr, out


def _gram_ids(numbers: np.ndarray) -> np.ndarray:
    """The id of each n-gram number (new ones numbered in order of first sight)."""
    import pandas as pd

    state = _STATE
    inverse, uniq = pd.factorize(numbers)  # a hash table: no sort of every n-gram
    get = state.gram_id.get
    ids = np.fromiter((get(x, -1) for x in uniq.tolist()), dtype=np.int64, count=len(uniq))
    fresh = np.flatnonzero(ids < 0)
    first = len(state.gram_id)
    ids[fresh] = np.arange(first, first + len(fresh))
    state.gram_id.update(zip(uniq[fresh].tolist(), range(first, first + len(fresh)), strict=True))
    state.gram_number.extend(uniq[fresh])
    return ids[inverse]


def _table(ngram_range: tuple[int, int]) -> _Words:
    """The analysed words of the range; every cache starts afresh first when one is full."""
    state = _STATE
    table = state.words.get(ngram_range)
    if len(state.gram_id) > _MAX_GRAMS or sum(map(len, state.texts.values())) > _MAX_TEXTS \
            or (table is not None and (len(table.row) > _MAX_WORDS or table.grams.n > _MAX_CODES)):
        _reset()
        state, table = _STATE, None
    if table is None:
        table = state.words[ngram_range] = _Words()
    return table


def _rows(table: _Words, words: list[str], ngram_range: tuple[int, int]) -> np.ndarray | None:
    """Each word's row in the table (new words analysed); None when the characters cannot be
    numbered."""
    row = table.row
    new = [w for w in dict.fromkeys(words) if w not in row]
    if new:
        found = _numbered_grams(new, *ngram_range)
        if found is None:
            return None
        table.add(new, found[0], _gram_ids(found[1]))
    return np.fromiter(map(row.__getitem__, words), dtype=np.int32, count=len(words))


def _text_rows(texts: list[str], ngram_range: tuple[int, int], lower: bool
               ) -> tuple[_Words, list[np.ndarray]] | None:
    """The table and each text's word rows in order (``text.lower().split()``, or
    ``text.split()``), remembered per distinct text: a batch's texts pass through several
    vectorizers and the reasons. A lowercase text's words are the same either way."""
    table = _table(ngram_range)
    memos = {flag: _STATE.texts.setdefault((ngram_range, flag), {}) for flag in (True, False)}
    memo_of = {t: memos[lower or t.lower() == t] for t in dict.fromkeys(texts)}
    missing = [t for t, memo in memo_of.items() if t not in memo]
    if missing:
        split = [(t.lower() if lower else t).split() for t in missing]
        rows = _rows(table, list(chain.from_iterable(split)), ngram_range)
        if rows is None:
            return None
        ends = np.cumsum(np.fromiter(map(len, split), dtype=np.int64, count=len(split))).tolist()
        for t, a, b in zip(missing, [0, *ends[:-1]], ends, strict=True):
            memo_of[t][t] = rows[a:b]
    return table, [memo_of[t][t] for t in texts]


def _vocabulary_numbers(vec: Any) -> tuple[np.ndarray, np.ndarray] | None:
    """The vectorizer's n-grams as sorted numbers, with their columns (cached per fitted
    vocabulary); None when its characters cannot be numbered. Terms longer than ``_MAX_N``
    characters can never be found and are left out."""
    vocab = vec.vocabulary_
    alphabet = _STATE.alphabet
    cached = alphabet.vocabs.get(vec)
    if cached is not None and cached[0] is vocab:
        return cached[1], cached[2]
    terms = [t for t in vocab if 0 < len(t) <= _MAX_N]
    lengths = np.fromiter(map(len, terms), dtype=np.int64, count=len(terms))
    codes = _char_codes("".join(terms))
    if codes is None:
        return None
    starts = np.zeros(len(terms) + 1, dtype=np.int64)
    np.cumsum(lengths, out=starts[1:])
    numbers = np.zeros(len(terms), dtype=np.int64)
    for j in range(_MAX_N):
        more = lengths > j
        numbers[more] = numbers[more] * _BASE + codes[starts[:-1][more] + j]
    columns = np.fromiter((vocab[t] for t in terms), dtype=np.int64, count=len(terms))
    order = np.argsort(numbers)
    alphabet.vocabs[vec] = (vocab, numbers[order], columns[order])
    return numbers[order], columns[order]


def _columns(vec: Any) -> np.ndarray | None:
    """n-gram id -> column in the vectorizer's vocabulary, or -1 (cached, extended to the
    ids numbered since); None when the vocabulary's characters cannot be numbered."""
    found = _vocabulary_numbers(vec)
    if found is None:
        return None
    numbers, columns = found
    state = _STATE
    cached = state.columns.get(vec)
    if cached is None or cached[0] is not vec.vocabulary_:
        cached = state.columns[vec] = (vec.vocabulary_, _Grow(np.int32))
    colmap = cached[1]
    if colmap.n < state.gram_number.n:
        new = state.gram_number.view()[colmap.n :]
        pos = np.searchsorted(numbers, new)
        hit = pos < len(numbers)
        hit[hit] = numbers[pos[hit]] == new[hit]
        colmap.extend(np.where(hit, columns[np.minimum(pos, len(numbers) - 1)], -1))
    return colmap.view()


def _reset(alphabet: bool = False) -> None:
    # the word caches start afresh; the character codes too when they ran out
    global _STATE
    _STATE = _State(None if alphabet else _STATE.alphabet)


def _word_grams(table: _Words, rows: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(first, ids): the n-gram ids of the table's rows, one row after another, and where each
    row's run begins (``first[i]:first[i + 1]``)."""
    ptr = table.ptr.view()
    lengths = ptr[rows + 1] - ptr[rows]
    first = np.zeros(len(rows) + 1, dtype=np.int64)
    np.cumsum(lengths, out=first[1:])
    at = np.repeat(ptr[rows] - first[:-1], lengths) + np.arange(int(first[-1]))
    return first, table.grams.view()[at]


def _gram_matrix(vec: Any, table: _Words, rows: np.ndarray
                 ) -> tuple[np.ndarray, np.ndarray] | None:
    """(indptr, indices) of the (rows x vocabulary) n-gram matrix of the table's rows, each
    row's columns in the word's n-gram order (n-grams outside the vocabulary dropped; repeated
    ones repeated); None when the vocabulary's characters cannot be numbered."""
    colmap = _columns(vec)
    if colmap is None:
        return None
    first, ids = _word_grams(table, rows)
    cols = colmap[ids]
    hit = cols >= 0
    kept = np.zeros(len(cols) + 1, dtype=np.int64)
    np.cumsum(hit, out=kept[1:])
    return kept[first], cols[hit]


#: vectorizer -> (its vocabulary dict, whether its n-grams alone need too many character codes)
_CROWDED: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()


def _crowded(vec: Any) -> bool:
    cached = _CROWDED.get(vec)
    if cached is None or cached[0] is not vec.vocabulary_:
        cached = _CROWDED[vec] = (vec.vocabulary_,
                                  len(set("".join(vec.vocabulary_))) >= _BASE - 1)
    return cached[1]


def _retry(vec: Any, analyse):
    # an analysis that ran out of character codes runs once more with fresh ones (all word
    # caches start afresh), unless the vocabulary alone has too many characters (vec None:
    # no vocabulary yet, as when fitting one)
    with _LOCK:
        found = analyse()
        if found is None and _STATE.alphabet.n_codes and (vec is None or not _crowded(vec)):
            _reset(alphabet=True)
            found = analyse()
    return found


def word_columns(vec: Any, word: str) -> np.ndarray | None:
    """Column indices in ``vec``'s vocabulary of the n-grams of ``" word "`` (cached)."""
    ngram_range = tuple(vec.ngram_range)

    def analyse():
        table = _table(ngram_range)
        rows = _rows(table, [word], ngram_range)
        return None if rows is None else _gram_matrix(vec, table, rows)

    found = _retry(vec, analyse)
    return None if found is None else found[1]


def word_matrices(vec: Any, texts: list[str], dtype: Any = None, *, lower: bool = True,
                  with_words: bool = False
                  ) -> tuple[sp.csr_array, sp.csr_array, list[str] | None] | None:
    """(texts x distinct words) token counts ``T`` (one entry per occurrence, in text order),
    (distinct words x n-grams) ``W`` and, ``with_words``, the distinct words: ``T @ W``
    counts each text's n-grams in ``vec``'s vocabulary. The words are ``text.lower().split()``
    (``lower=False``: ``text.split()``). None when the characters cannot be numbered (more
    than ``_BASE - 1`` of them in the texts and the vocabulary)."""
    dtype = vec.dtype if dtype is None else dtype
    ngram_range = tuple(vec.ngram_range)

    def analyse():
        found = _text_rows(texts, ngram_range, lower)
        if found is None:
            return None
        table, per_text = found
        occ = np.concatenate(per_text) if per_text else np.zeros(0, dtype=np.int32)
        # the distinct words (in table order) and each occurrence's number among them
        distinct = np.flatnonzero(np.bincount(occ, minlength=len(table.words)))
        local = np.zeros(len(table.words), dtype=np.int64)
        local[distinct] = np.arange(len(distinct))
        grams = _gram_matrix(vec, table, distinct)
        if grams is None:
            return None
        words = [table.words[r] for r in distinct.tolist()] if with_words else None
        return per_text, distinct, local[occ], grams, words

    found = _retry(vec, analyse)
    if found is None:
        return None
    per_text, distinct, tokens, grams, words = found
    indptr = np.zeros(len(texts) + 1, dtype=np.int64)
    np.cumsum(np.fromiter(map(len, per_text), dtype=np.int64, count=len(per_text)), out=indptr[1:])
    W = sp.csr_array((np.ones(len(grams[1]), dtype=dtype), grams[1], grams[0]),
                     shape=(len(distinct), len(vec.vocabulary_)))
    T = sp.csr_array((np.ones(len(tokens), dtype=dtype), tokens, indptr),
                     shape=(len(texts), len(distinct)))
    return T, W, words


def char_wb_counts(vec: Any, texts: list[str], product: Any = None) -> sp.csr_array | None:
    """The n-gram count matrix ``vec`` would build for ``texts`` (float, sorted indices);
    None when the texts' characters cannot be numbered. ``product(T, W)``, when given,
    returns ``(indptr, indices, data)`` of ``T @ W`` with sorted indices (a compiled kernel)."""
    found = word_matrices(vec, texts)
    if found is None:
        return None
    T, W, _ = found
    if product is not None:
        indptr, indices, data = product(T, W)
        return sp.csr_array((data, indices, indptr), shape=(T.shape[0], W.shape[1]),
                            dtype=vec.dtype)
    counts = sp.csr_array(T @ W, dtype=vec.dtype)
    counts.sort_indices()
    return counts


def char_wb_transform(vec: Any, texts: Any):
    """``vec.transform(texts)``, the same matrix, faster for a fitted char_wb TfidfVectorizer.

    Falls back to ``vec.transform`` for any other vectorizer or input that is not a list of str.
    """
    if not isinstance(texts, list) or not _supported(vec) or not all(isinstance(t, str) for t in texts):
        return vec.transform(texts)
    counts = char_wb_counts(vec, texts)
    if counts is None:
        return vec.transform(texts)
    return vec._tfidf.transform(counts, copy=False)


def _fit_supported(vec: Any) -> bool:
    return (_plain_char_wb(vec) and vec.vocabulary is None and vec.min_df == 1
            and vec.max_df == 1.0 and vec.max_features is None)


def _vocabulary_of(vec: Any, texts: list[str]
                   ) -> tuple[dict[str, int], np.ndarray, np.ndarray, _Alphabet] | None:
    """The ``vocabulary_`` fitting ``vec`` on ``texts`` gives: every n-gram of every lowercased
    word, numbered in sorted order as sklearn numbers them, built from the analysed words
    (sklearn's fit would make a string of each n-gram of each word once more); with the
    n-grams' sorted numbers, their columns and the alphabet that numbers them. None when the
    characters cannot be numbered or include U+0000 (a fixed-width numpy string drops it)."""
    ngram_range = tuple(vec.ngram_range)

    def analyse():
        found = _text_rows(texts, ngram_range, lower=True)
        if found is None:
            return None
        table, per_text = found
        rows = np.unique(np.concatenate(per_text)) if per_text else np.zeros(0, np.int64)
        numbers = _STATE.gram_number.view()[np.unique(_word_grams(table, rows)[1])]
        alphabet = _STATE.alphabet
        seen = np.flatnonzero(alphabet.codes)  # code point of each character code
        points = np.zeros(alphabet.n_codes + 1, dtype=np.uint32)
        points[alphabet.codes[seen]] = seen
        return numbers, alphabet, points

    found = _retry(None, analyse)
    if found is None or not len(found[0]) or found[1].codes[0] != 0:
        return None
    numbers, alphabet, points = found
    # each number's characters, most significant first; shorter n-grams have leading zeros
    digits = np.empty((len(numbers), _MAX_N), dtype=np.int64)
    rest = numbers.copy()
    for j in range(_MAX_N - 1, -1, -1):
        digits[:, j] = rest % _BASE
        rest //= _BASE
    col = np.arange(_MAX_N)[None, :] + (_MAX_N - (digits > 0).sum(axis=1))[:, None]
    inside = col < _MAX_N
    chars = np.zeros((len(numbers), _MAX_N), dtype=np.uint32)
    chars[inside] = points[digits[np.nonzero(inside)[0], col[inside]]]
    terms = chars.view(f"<U{_MAX_N}").ravel()  # trailing zeros are the strings' padding
    order = np.argsort(terms, kind="stable")  # code point order, as Python sorts str
    vocab = dict(zip(terms[order].tolist(), range(len(order)), strict=True))
    if len(vocab) != len(order):
        return None
    rank = np.empty(len(order), dtype=np.int64)
    rank[order] = np.arange(len(order))
    by_number = np.argsort(numbers)
    return vocab, numbers[by_number], rank[by_number], alphabet


def char_wb_fit_transform(vec: Any, texts: Any, product: Any = None):
    """``vec.fit_transform(texts)``, the same fitted vectorizer and matrix, faster.

    char_wb n-grams never cross a word boundary, so the vocabulary (every n-gram of every
    word, with ``min_df=1`` and no ``max_df``/``max_features`` cut) is what fitting on the
    distinct words gives; the counts then come from :func:`char_wb_counts` (``product``
    passed on) and the idf is fitted on them as ``fit_transform`` does. Falls back to
    ``vec.fit_transform`` otherwise.
    """
    if not isinstance(texts, list) or not _fit_supported(vec) or not texts \
            or not all(isinstance(t, str) for t in texts):
        return vec.fit_transform(texts)
    found = _vocabulary_of(vec, texts)
    if found is not None:
        vocab, numbers, columns, alphabet = found
        # sklearn's fit on one of the n-grams sets every fitted attribute its way; the
        # vocabulary is then replaced by the whole one (the idf is fitted on the counts below)
        vec.fit([next(iter(vocab)).strip() or "x"])
        vec.vocabulary_ = vocab
        with _LOCK:
            alphabet.vocabs[vec] = (vocab, numbers, columns)
    else:
        words = dict.fromkeys(w for t in texts for w in t.lower().split())
        if not words:
            return vec.fit_transform(texts)  # sklearn's own error for an empty vocabulary
        vec.fit([" ".join(words)])  # the vocabulary: the n-grams of the distinct words
    counts = char_wb_counts(vec, texts, product)
    if counts is None:
        return vec.fit_transform(texts)
    vec._tfidf.fit(counts)
    return vec._tfidf.transform(counts, copy=False)


def clear_caches() -> None:
    """Forget every analysed word and n-gram (for timing a batch that sees its texts once)."""
    from . import _fastwords

    with _LOCK:
        _reset()
    _fastwords.clear_caches()
