"""Splitting Swedish compounds against a vocabulary (a feature helper of the topic classifier).

Real texts name insatser with compounds the training material writes apart, or with another
head: "förflyttningsutbildning", "demensutbildningen", "ledarutvecklingsprogram". A compound is
split when both parts are words of a vocabulary (the training texts' words), with the linking
``s`` allowed, so "förflyttningsutbildning" also yields "förflyttning" and "utbildning".

>>> vocab = build_vocabulary(["förflyttning och ergonomi", "utbildning för chefer", "demens"])
>>> split_compound("förflyttningsutbildningen", vocab)
('förflyttning', 'utbildningen')
>>> compound_parts("En förflyttningsutbildning och demenskurser", vocab | {"kurser"})
['förflyttning', 'utbildning', 'demens', 'kurser']
>>> split_compound("förflyttningsutbildning", {"förflyttningsteknik", "utbildning"})  # no modifier
>>> split_compound("förflyttningsutbildning", frozenset({"utbildning"}),
...                build_prefixes({"förflyttningsteknik"}))
('förflyttning', 'utbildning')
"""

from __future__ import annotations

import re
from collections.abc import Iterable

__all__ = ["build_prefixes", "build_vocabulary", "compound_parts", "split_compound"]

_WORD = re.compile(r"[^\W\d_]+")
#: Shortest part kept; shorter ones ("in", "för") split too many words by chance.
MIN_PART = 4
#: Shortest word tried; shorter words are rarely compounds of two MIN_PART parts.
MIN_WORD = 9
# inflectional endings stripped from the head before looking it up
_ENDINGS = ("erna", "arna", "orna", "ena", "en", "et", "er", "ar", "or", "na", "n", "t")


#: A modifier may also be the first :data:`MIN_PREFIX` or more letters of a vocabulary word, so
#: "förflyttnings-" counts as known from "förflyttningsteknik".
MIN_PREFIX = 6


def build_vocabulary(texts: Iterable[str]) -> frozenset[str]:
    """The lowercase words (letters only, at least :data:`MIN_PART` long) of ``texts``."""
    return frozenset(w for t in texts for w in _WORD.findall(str(t).lower()) if len(w) >= MIN_PART)


def build_prefixes(vocab: Iterable[str]) -> frozenset[str]:
    """Every beginning of at least :data:`MIN_PREFIX` letters of the vocabulary's words."""
    return frozenset(w[:i] for w in vocab for i in range(MIN_PREFIX, len(w) + 1))


def _known(word: str, vocab: frozenset[str]) -> bool:
    if word in vocab:
        return True
    return any(word.endswith(e) and len(word) - len(e) >= MIN_PART and word[: -len(e)] in vocab
               for e in _ENDINGS)


def split_compound(word: str, vocab: frozenset[str],
                   prefixes: frozenset[str] = frozenset()) -> tuple[str, str] | None:
    """``(modifier, head)`` when ``word`` is two vocabulary words, else None.

    Among several splits the most balanced one wins (the longest shorter part), so a word is not
    cut into a long modifier and a short, accidental head.
    """
    word = word.lower()
    if len(word) < MIN_WORD:
        return None
    best, best_key = None, -1
    for i in range(MIN_PART, len(word) - MIN_PART + 1):
        left, right = word[:i], word[i:]
        if not _known(right, vocab):
            continue
        # without the linking s first: "förflyttnings" + "utbildning" gives "förflyttning"
        for mod in (left[:-1] if left.endswith("s") else None, left):
            if mod and len(mod) >= MIN_PART and (mod in vocab or mod in prefixes):
                key = min(len(mod), len(right))
                if key > best_key:
                    best, best_key = (mod, right), key
                break
    return best


def compound_parts(text: str, vocab: frozenset[str],
                   prefixes: frozenset[str] = frozenset()) -> list[str]:
    """The parts of every splittable compound in ``text``, in order (each distinct part once)."""
    out: dict[str, None] = {}
    for w in _WORD.findall(text.lower()):
        parts = split_compound(w, vocab, prefixes)
        if parts:
            out.update(dict.fromkeys(parts))
    return list(out)
