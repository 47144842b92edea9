"""A faster, exact ``transform`` for the topic model's word TF-IDF (spaCy content tokens).

spaCy's tokenizer splits a text on whitespace first and tokenizes each chunk on its own, so the
tokens of an NFC text are its chunks' tokens in order: each distinct chunk is tokenized once
(cached) and a batch is counted with one sparse product. Most chunks are plain words that spaCy
keeps whole; those are recognised without spaCy (see :func:`_one_token_pattern`).
"""

from __future__ import annotations

import functools
import re
from itertools import chain
from typing import Any

import numpy as np
import scipy.sparse as sp

#: chunks remembered before the cache starts afresh (bounded memory)
_MAX_CHUNKS = 500_000
#: whitespace-free chunk of a text -> its content_tokens (spaCy)
_CHUNK_TOKENS: dict[str, list[str]] = {}


def clear_caches() -> None:
    """Forget every tokenized chunk."""
    _CHUNK_TOKENS.clear()


# -- chunks spaCy keeps whole --------------------------------------------------------------------

def _class_of(items) -> tuple[str, bool, int] | None:
    # a regex character class (body, holds a letter, size) of parsed class items; None if
    # it holds something not written out here (a negation, a category other than \d)
    from re import _constants as K

    body, letter, size = [], False, 0
    for op, av in items:
        if op is K.LITERAL:
            body.append(re.escape(chr(av)))
            letter, size = letter or chr(av).isalpha(), size + 1
        elif op is K.RANGE:
            body.append(re.escape(chr(av[0])) + "-" + re.escape(chr(av[1])))
            letter = letter or any(chr(c).isalpha() for c in range(av[0], av[1] + 1))
            size += av[1] - av[0] + 1
        elif op is K.CATEGORY and av is K.CATEGORY_DIGIT:
            body.append(r"\d")
            size += 1000
        else:
            return None
    return "".join(body), letter, size


def _pick(classes: list) -> tuple[str, bool, int]:
    # the class to test for: without letters if there is one, then the smallest
    return min(classes, key=lambda c: (c[1], c[2]))


def _required(items) -> list[tuple[str, bool, int]]:
    """Character classes a match of the parsed pattern must each take a character from
    (its mandatory literals and classes, inside groups, repeats of at least one and positive
    lookarounds; an alternation needs one of its branches' classes)."""
    from re import _constants as K

    out = []
    for op, av in items:
        if op is K.LITERAL:
            out.append(_class_of([(op, av)]))
        elif op is K.IN and not (av and av[0][0] is K.NEGATE):
            found = _class_of(av)
            if found is not None:
                out.append(found)
        elif op is K.ASSERT:  # (direction, pattern): the text around must match it too
            out.extend(_required(av[1]))
        elif op is K.SUBPATTERN:
            out.extend(_required(av[-1]))
        elif op in (K.MAX_REPEAT, K.MIN_REPEAT, K.POSSESSIVE_REPEAT) and av[0] >= 1:
            out.extend(_required(av[2]))
        elif op is K.BRANCH:
            branches = [_required(b) for b in av[1]]
            if all(branches):
                picked = [_pick(b) for b in branches]
                out.append(("".join(p[0] for p in picked), any(p[1] for p in picked),
                            sum(p[2] for p in picked)))
    return out


def _one_token_pattern(tokenizer: Any) -> tuple[re.Pattern, bool] | None:
    """A character class such that spaCy keeps a chunk without any of its characters whole
    (unless the chunk is a special case), and whether the class holds no letter; None when
    the tokenizer's patterns do not allow it.

    ``Tokenizer._split_affixes`` strips a prefix or suffix only where its pattern matches a
    non-empty piece, and ``_attach_tokens`` splits at infix matches only; a chunk in which
    none of the three patterns can match is pushed as one token. Each pattern can only match
    where the chunk holds a character from every class the match requires (parsed from the
    pattern: for "(?<=[0-9])km$" a digit), so a chunk with no character from one required
    class of each of them stays whole.
    """
    from re import _parser

    parts = []
    for method in (tokenizer.prefix_search, tokenizer.suffix_search, tokenizer.infix_finditer):
        if method is None:
            continue
        pattern = getattr(method, "__self__", None)
        if not isinstance(pattern, re.Pattern) or pattern.flags & re.IGNORECASE:
            return None
        required = _required(_parser.parse(pattern.pattern, pattern.flags))
        if not required:  # could match anything (or nothing): no shortcut
            return None
        parts.append(_pick(required))
    if not parts:
        return None
    found = re.compile("[" + "".join(p[0] for p in parts) + "]")
    return found, not any(p[1] for p in parts)


@functools.lru_cache(maxsize=1)
def _one_token_test() -> tuple[Any, ...] | None:
    # (pattern, no letters in it, special cases, the LOWER getter, prefix and suffix search)
    # of the shared tokenizer, or None when its chunks must all go through spaCy
    from spacy.attrs import LOWER

    from .tokens import get_nlp

    tokenizer = get_nlp().tokenizer
    pattern = _one_token_pattern(tokenizer)
    lower = tokenizer.vocab.lex_attr_getters.get(LOWER)
    if pattern is None or lower is None or tokenizer.token_match is not None:
        return None
    return (*pattern, tokenizer.rules, lower, tokenizer.prefix_search, tokenizer.suffix_search)


def _affix(search: Any, text: str) -> int:
    # the length spaCy's find_prefix / find_suffix strips (0 without a match)
    if search is None:
        return 0
    m = search(text)
    return 0 if m is None else m.end() - m.start()


def _plain_chunks(chunks: list[str]) -> tuple[dict[str, list[str]], list[str]]:
    """(content tokens of the chunks whose tokens are known without spaCy, the other chunks).

    Known: a chunk spaCy keeps whole (see :func:`_one_token_pattern`), and a chunk from which
    ``Tokenizer._split_affixes`` strips one prefix and/or one suffix, leaving such a chunk
    (its core): the prefix and suffix patterns are run on it as spaCy runs them, the core
    then has nothing more to strip or split, and no special case applies to the chunk, the
    pieces or any run of them (so neither the affix loop nor the special-case matcher changes
    the tokens: prefix, core, suffix).
    """
    test = _one_token_test()
    if test is None:
        return {}, chunks
    from .normalize import _HAS_WORD_CHAR
    from .tokens import _stop_words

    pattern, no_letters, rules, lower, prefix, suffix = test
    stop, search, known, rest = _stop_words(), pattern.search, {}, []

    def whole(c):  # a word of letters only holds no character of a class without letters
        return ((no_letters and c.isalpha()) or search(c) is None) and c not in rules

    def content(pieces):
        out = []
        for piece in pieces:
            low = lower(piece)  # what spaCy's lexeme keeps as the token's lower_
            if _HAS_WORD_CHAR.search(piece) and low not in stop:
                out.append(low)
        return out

    for c in chunks:
        if whole(c):
            known[c] = content((c,))
            continue
        if c in rules:
            rest.append(c)
            continue
        pre = _affix(prefix, c)
        suf = _affix(suffix, c[pre:])
        core = c[pre : len(c) - suf]
        pieces = [p for p in (c[:pre], core, c[len(c) - suf :]) if p]
        if (pre or suf) and core and whole(core) and not any(
                "".join(pieces[i:j]) in rules for i in range(len(pieces))
                for j in range(i + 1, len(pieces) + 1)):
            known[c] = content(pieces)
        else:
            rest.append(c)
    return known, rest


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
    # so one Doc of many chunks joined by spaces gives the same tokens with far fewer Docs.
    # The tokens are read as arrays (offset, text and lowercase hashes): no Token objects
    from spacy.attrs import IDX, LOWER, ORTH

    from .normalize import _HAS_WORD_CHAR
    from .tokens import _stop_words, get_nlp

    tokenizer, stop = get_nlp().tokenizer, _stop_words()
    strings = tokenizer.vocab.strings
    out: list[list[str]] = [[] for _ in chunks]
    for first in range(0, len(chunks), step):
        part = chunks[first : first + step]
        starts = np.zeros(len(part), dtype=np.int64)
        np.cumsum(np.fromiter((len(c) + 1 for c in part[:-1]), dtype=np.int64,
                              count=max(len(part) - 1, 0)), out=starts[1:])
        doc = tokenizer(" ".join(part))
        if not len(doc):
            continue
        idx, orth, low = doc.to_array([IDX, ORTH, LOWER]).T
        # each distinct token text once: kept when it has a letter or digit and its lowercase
        # form is no stop word
        kinds, which = np.unique(np.stack([orth, low]), axis=1, return_inverse=True)
        content = [strings[int(lo)] if _HAS_WORD_CHAR.search(strings[int(o)]) else None
                   for o, lo in kinds.T.tolist()]
        content = [c if c is not None and c not in stop else None for c in content]
        where = np.searchsorted(starts, idx.astype(np.int64), side="right") - 1
        for k, t in zip(where.tolist(), which.ravel().tolist(), strict=True):
            if content[t] is not None:
                out[first + k].append(content[t])
    return out


def _chunk_tokens(chunks: list[str]) -> dict[str, list[str]]:
    """content_tokens of each distinct NFC chunk without whitespace: the chunks spaCy keeps
    whole (or strips one affix from) without spaCy, the rest through it."""
    known, rest = _plain_chunks(chunks)
    known.update(zip(rest, _tokens_of_chunks(rest), strict=True))
    return known


def content_tokens_many(texts: list[str]) -> list[list[str]]:
    """``content_tokens`` of each text, each distinct whitespace-free chunk tokenized once.

    spaCy splits a text on whitespace first and tokenizes each chunk on its own, so the tokens
    of an NFC text are its chunks' tokens in order; a text that is not NFC is tokenized whole,
    as ``content_tokens`` normalizes it first.
    """
    import unicodedata

    from .tokens import content_tokens

    chunks = [t.split() if unicodedata.is_normalized("NFC", t) else None for t in texts]
    of = _chunk_tokens(list(dict.fromkeys(c for cs in chunks if cs for c in cs)))
    return [[tok for c in cs for tok in of[c]] if cs is not None else content_tokens(t)
            for t, cs in zip(texts, chunks, strict=True)]


def content_word_transform(vec: Any, texts: Any):
    """``vec.transform(texts)`` for a fitted :func:`~kompred.text.word_vectorizer`, the same
    matrix, faster.

    Texts that are not NFC go through ``content_tokens`` whole. Falls back to
    ``vec.transform`` for another vectorizer.
    """
    if not isinstance(texts, list) or not _plain_content_words(vec) \
            or not all(isinstance(t, str) for t in texts):
        return vec.transform(texts)
    import unicodedata

    from .tokens import content_tokens

    if len(_CHUNK_TOKENS) > _MAX_CHUNKS:
        _CHUNK_TOKENS.clear()
    # a text not in NFC is one "chunk": tokenize() normalizes the whole text first
    chunks = [t.split() if unicodedata.is_normalized("NFC", t) else [t] for t in texts]
    whole = {t for t, c in zip(texts, chunks, strict=True) if c and c[0] is t}
    all_chunks = list(chain.from_iterable(chunks))
    local = {c: i for i, c in enumerate(dict.fromkeys(all_chunks))}
    # this batch's chunks from the cache, the new ones tokenized (a local dict: another
    # thread may empty the shared cache meanwhile)
    tokens_of = {c: _CHUNK_TOKENS.get(c) for c in local}
    new = [c for c, t in tokens_of.items() if t is None]
    known = _chunk_tokens([c for c in new if c not in whole
                           and unicodedata.is_normalized("NFC", c)])
    for c in new:
        if c not in known:  # a whole text that is not NFC
            known[c] = content_tokens(c)
    tokens_of.update(known)
    _CHUNK_TOKENS.update(known)
    get = vec.vocabulary_.get
    rows = [[j for j in map(get, tokens_of[c]) if j is not None] for c in local]
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
