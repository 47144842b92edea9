"""The language check: which language a text is written in, and whether it is Swedish."""

from __future__ import annotations

import functools
import re
import unicodedata
from itertools import islice
from typing import Any

from ..exceptions import ValidationError
from ._inputs import _text_or_empty
from .normalize import DEFAULT_MAX_CHARS

#: Languages :func:`detect_language` chooses between (ISO 639-1 codes known to py3langid):
#: Swedish, its neighbours that it is confused with, the other working languages of Swedish
#: workplaces, and the most common languages of recent migrants. Restricting the set makes the
#: probabilities meaningful and removes confusions with languages no application is written in.
LANGUAGES: tuple[str, ...] = (
    "sv", "no", "da", "fi", "en", "de", "fr", "es", "pl", "ar", "fa", "so", "tr", "ru", "uk",
)  # fmt: skip

# --------------------------------------------------------------------------------------------
# Language
# --------------------------------------------------------------------------------------------


@functools.lru_cache(maxsize=1)
def _language_identifier():
    # Our own instance: py3langid.set_languages() would change the library-wide identifier for
    # every other user in the process. Its arrays come from a per-user cache when there is one
    # (py3langid decompresses its model for 0.5 s otherwise): the same arrays, the same answers.
    from ._langid_model import load_identifier

    return load_identifier(LANGUAGES)


def _for_ranking(text: Any) -> str | None:
    # what py3langid is given: NFC, whitespace runs as one space, cut; None without letters
    text = _text_or_empty(text, what="text")
    if not _HAS_LETTER.search(text):
        return None
    text = " ".join(unicodedata.normalize("NFC", text[: 2 * DEFAULT_MAX_CHARS]).split())
    return text[:DEFAULT_MAX_CHARS]


def _rank_languages(text: Any) -> list[tuple[str, float]] | None:
    """py3langid's probabilities over ``LANGUAGES``, best first; None when there are no letters."""
    text = _for_ranking(text)
    if text is None:
        return None
    return [(str(lang), float(p)) for lang, p in _language_identifier().rank(text)]


@functools.lru_cache(maxsize=1)
def _automaton() -> tuple | None:
    # py3langid's byte automaton as arrays (next state, row offsets, feature per state);
    # None when this py3langid keeps it otherwise (the per-text path is then used)
    import numpy as np

    ident = _language_identifier()
    try:
        nm = np.frombuffer(ident.tk_nextmove, dtype=np.dtype(ident.tk_nextmove.typecode))
        return (nm.astype(np.int64), np.asarray(ident._rowbase, dtype=np.int64),
                np.asarray(ident.tk_output, dtype=np.int64))
    except (AttributeError, TypeError, ValueError):  # pragma: no cover - another py3langid
        return None


def _feature_hits(encoded: list[bytes], auto) -> tuple[Any, Any]:
    """Where py3langid's ``visit_counts`` counts a feature in many byte strings at once:
    (string index, feature) of every byte whose automaton state outputs one, in byte order.
    The automaton steps every string one byte further per numpy step."""
    import numpy as np

    nm, rowbase, out = auto
    n = len(encoded)
    lengths = np.fromiter(map(len, encoded), dtype=np.int64, count=n)
    flat = np.frombuffer(b"".join(encoded), dtype=np.uint8)
    offs = np.zeros(n, dtype=np.int64)
    np.cumsum(lengths[:-1], out=offs[1:])
    order = np.argsort(-lengths, kind="stable")  # the texts still walking are a prefix
    first_byte, still = offs[order], lengths[order]
    state = np.zeros(n, dtype=np.int64)
    states = np.zeros(len(flat), dtype=np.int64)
    for pos in range(int(lengths.max()) if n else 0):
        k = int(np.searchsorted(-still, -pos, side="left"))  # texts longer than pos
        at = first_byte[:k] + pos
        state[:k] = nm[rowbase[state[:k]] + flat[at]]
        states[at] = state[:k]
    feats = out[states]
    seen = feats >= 0
    return np.repeat(np.arange(n, dtype=np.int64), lengths)[seen], feats[seen]


def _visits_many(encoded: list[bytes], auto) -> list[dict | None]:
    """py3langid's ``visit_counts`` of many byte strings at once; each text's features keep
    their first-seen order."""
    import numpy as np

    n = len(encoded)
    rows, feats = _feature_hits(encoded, auto)
    n_feat = int(auto[2].max()) + 1
    uniq, first, counts = np.unique(rows * n_feat + feats, return_index=True, return_counts=True)
    o = np.argsort(first, kind="stable")
    uniq, counts = uniq[o], counts[o]
    ptr = np.searchsorted(uniq // n_feat, np.arange(n + 1)).tolist()
    f, c = (uniq % n_feat).tolist(), counts.tolist()
    return [dict(zip(f[a:b], c[a:b], strict=True)) or None
            for a, b in zip(ptr[:-1], ptr[1:], strict=True)]


#: below this many texts with letters, a batch is ranked text by text (the same floats)
_BATCH_MIN = 32


@functools.lru_cache(maxsize=1)
def _score_table():
    # the (features x languages) log-probability table and priors in float64, and where "sv" is
    import numpy as np

    ident = _language_identifier()
    table = np.asarray(ident.nb_ptc, dtype=np.float64)
    return table, np.abs(table), np.asarray(ident.nb_pc, dtype=np.float64), \
        list(ident.nb_classes).index("sv")


def _surely_swedish(prepared: list[str], auto) -> Any:
    """Which prepared texts py3langid certainly ranks Swedish first (a boolean array).

    py3langid scores a text in float32: ``log1p(counts) @ table + prior``, scaled by
    ``1 / sqrt(bytes)``, then a softmax. The same scores in float64 differ from its float32
    ones by at most ``γ = (k + 20) u / (1 - (k + 20) u)`` times the sum of the terms'
    magnitudes (prior included) plus ``2 u`` of the score (``u = 2**-24``, ``k`` features: the
    error bound of a float32 dot product in any order, with room for ``log1p``'s ulps and the
    float64 sums). A text counts as surely Swedish when Swedish leads
    every other language by more than both bounds, with room left after the scaling for the
    float32 softmax to keep Swedish strictly first. Every other text (no features, or a
    closer race) goes through py3langid itself, so the answers are its answers.
    """
    import numpy as np
    import scipy.sparse as sp

    ident = _language_identifier()
    n = len(prepared)
    if not n or ident._alias_pairs or "sv" not in ident.nb_classes:
        return np.zeros(n, dtype=bool)
    encoded = [ident._encode(p) for p in prepared]
    rows, feats = _feature_hits(encoded, auto)
    table, abs_table, prior, sv = _score_table()
    # (features x texts): the hits come in text order, so each feature's texts are sorted
    # and summing the repeats needs no sort; the products below add in any order (bound)
    counts = sp.csr_array((np.ones(len(rows)), (feats, rows)), shape=(table.shape[0], n))
    counts.sum_duplicates()
    k = np.bincount(counts.indices, minlength=n).astype(np.float64)
    x = sp.csr_array((np.log1p(counts.data), counts.indices, counts.indptr), shape=counts.shape).T
    score = x @ table + prior
    # (k + 20) u / (1 - (k + 20) u): a float32 dot product's bound, with room for log1p's ulps
    ku = (k + 20.0) * 2.0 ** -24
    bound = (ku / (1.0 - ku))[:, None] * (x @ abs_table + np.abs(prior)) \
        + 2.0 ** -23 * np.abs(score)
    scale = (1.0 / np.sqrt(np.fromiter(map(len, encoded), dtype=np.float64, count=n).clip(1))
             ).astype(np.float32).astype(np.float64)
    low = score[:, sv] - bound[:, sv]
    high = score + bound
    high[:, sv] = -np.inf
    # Swedish leads by >= 1e-5 after the float32 scaling (the scaled scores rounded too): the
    # float32 exp of the others' gap stays below 1 by far more than its rounding
    gap = (low[:, None] - high) * scale[:, None]
    slack = 1e-5 + 2.0 ** -22 * (np.abs(score[:, [sv]]) + np.abs(score) + bound[:, [sv]]
                                  + bound) * scale[:, None]
    return (k > 0) & np.all(gap > slack, axis=1)


def _rank_many(texts: list[Any]) -> list[list[tuple[str, float]] | None]:
    """:func:`_rank_languages` of each text: the byte automaton runs for the batch at once,
    the scoring is py3langid's own (a subclass answers ``_raw_score`` from the batch)."""
    prepared = [_for_ranking(t) for t in texts]
    # a few texts (one check): py3langid's per-text walk, rather than building the automaton's
    # arrays (40 ms and 120 MB) for them
    if sum(p is not None for p in prepared) < _BATCH_MIN:
        return [None if p is None else _rank_languages(p) for p in prepared]
    ident = _language_identifier()
    auto = _automaton()
    if auto is None:
        return [None if p is None else _rank_languages(p) for p in prepared]
    encoded = {}
    for p in prepared:
        if p is not None:
            encoded.setdefault(ident._encode(p), None)
    cls = _batch_identifier_class()
    batch = cls.__new__(cls)  # a per-batch copy: the shared identifier is never changed
    for name in type(ident).__slots__:
        setattr(batch, name, getattr(ident, name))
    batch._known = dict(zip(encoded, _visits_many(list(encoded), auto), strict=True))
    return [None if p is None else [(str(lang), float(q)) for lang, q in batch.rank(p)]
            for p in prepared]


@functools.lru_cache(maxsize=1)
def _batch_identifier_class():
    from py3langid.langid import LanguageIdentifier

    class BatchIdentifier(LanguageIdentifier):
        __slots__ = ("_known",)

        def _raw_score(self, text):
            visits = self._known.get(text)
            if visits:  # what py3langid's _raw_score does with the visits it counts
                return self._sparse_score(visits, self.nb_ptc)
            return super()._raw_score(text)

    return BatchIdentifier


def detect_language(text: Any) -> tuple[str, float]:
    """Guess the language of a text among ``LANGUAGES``.

    Uses py3langid's naive Bayes model restricted to ``LANGUAGES``, so the probability is
    normalised over those languages only.

    Parameters
    ----------
    text : str or None

    Returns
    -------
    (str, float)
        ISO 639-1 code and its probability; ``("und", 0.0)`` when the text has no letters
        (empty, missing, only digits or punctuation).

    Notes
    -----
    Short Swedish texts are sometimes taken for Danish or Norwegian. On prefixes of Swedish
    government pages (regeringen.se) cut at 20, 30, 50 and 80 letters, 7.1 %, 3.5 %, 1.3 % and
    0.7 % were not "sv" (at 20 and 30 letters mostly "da"/"no"; such guesses have low
    probability). :func:`is_swedish` accounts for this.

    Examples
    --------
    >>> detect_language("Vi ansöker om medel för att ge medarbetarna utbildning i demens.")
    ('sv', ...)
    >>> detect_language("We apply for funding to train our staff in dementia care.")[0]
    'en'
    >>> detect_language("12 345")
    ('und', 0.0)
    """
    ranked = _rank_languages(text)
    if ranked is None:
        return "und", 0.0
    return ranked[0]


_HAS_LETTER = re.compile(r"[^\W\d_]")
_NEIGHBOURS = frozenset({"no", "da"})
#: is_swedish says "cannot tell" (None) when Norwegian or Danish wins but Swedish keeps at least
#: this probability. Real Norwegian/Danish sentences give Swedish < 0.01; misread short Swedish
#: texts mostly give it more than this.
_NEIGHBOUR_SV_MIN_PROB = 0.05


def is_swedish(text: Any, *, min_chars: int = 20) -> bool | None:
    """Tell whether a text is Swedish, or None when it cannot tell.

    Parameters
    ----------
    text : str or None
    min_chars : int, default 20
        Texts with fewer letters than this give None. Below about 20 letters (a title such as
        "Kurs i HLR") the guess is unreliable.

    Returns
    -------
    bool or None
        True when :func:`detect_language` says ``"sv"``. None when the text has fewer than
        ``min_chars`` letters, or when Norwegian or Danish wins but Swedish still has a
        probability of at least 0.05 (short Swedish texts are misread this way; real Norwegian
        and Danish texts give Swedish far less). False otherwise.

        On prefixes of Swedish government pages cut at 20 / 30 / 50 letters this gives False for
        1.9 % / 0.8 % / 0.7 % (None for 5.2 % / 2.7 % / 0.6 %), against 7.1 % / 3.5 % / 1.3 %
        non-"sv" answers from :func:`detect_language`.

    Examples
    --------
    >>> is_swedish("Utbildning i lågaffektivt bemötande för personal på gruppbostäder.")
    True
    >>> is_swedish("Training in low-arousal approaches for staff in group homes.")
    False
    >>> is_swedish("Opplæring i demens for helsefagarbeidere i eldreomsorgen.")
    False
    >>> is_swedish("Kurs i HLR") is None
    True
    """
    _check_min_chars(min_chars)
    text = _text_or_empty(text, what="text")
    if len(_HAS_LETTER.findall(text)) < min_chars:
        return None
    return _swedish_from(_rank_languages(text))


def is_swedish_many(texts: list[Any], *, min_chars: int = 20) -> list[bool | None]:
    """:func:`is_swedish` of each text, the same answers, faster for a batch."""
    _check_min_chars(min_chars)
    texts = [_text_or_empty(t, what="text") for t in texts]
    # enough letters: the scan stops at the min_chars-th
    long_enough = [len(list(islice(_HAS_LETTER.finditer(t), min_chars))) == min_chars
                   for t in texts]
    live = [t for t, ok in zip(texts, long_enough, strict=True) if ok]
    answers = iter(_swedish_of(live))
    return [next(answers) if ok else None for ok in long_enough]


def _swedish_of(texts: list[str]) -> list[bool | None]:
    # texts that py3langid surely ranks Swedish first are Swedish without their full ranking;
    # a few texts (one check) are ranked one by one without the batch arrays
    auto = _automaton() if len(texts) >= _BATCH_MIN else None
    if auto is None:
        return [_swedish_from(r) for r in _rank_many(texts)]
    prepared = [_for_ranking(t) for t in texts]
    sure = _surely_swedish([p or "" for p in prepared], auto)
    ranked = iter(_rank_many([t for t, s in zip(texts, sure.tolist(), strict=True) if not s]))
    return [True if s else _swedish_from(next(ranked)) for s in sure.tolist()]


def _check_min_chars(min_chars: Any) -> None:
    if isinstance(min_chars, bool) or not isinstance(min_chars, int) or min_chars < 1:
        raise ValidationError(f"expected min_chars to be a positive int; got {min_chars!r}")


def _swedish_from(ranked: list[tuple[str, float]] | None) -> bool | None:
    if ranked is None:  # pragma: no cover - min_chars >= 1 letters guarantees a ranking
        return None
    top = ranked[0][0]
    if top == "sv":
        return True
    if top in _NEIGHBOURS and dict(ranked).get("sv", 0.0) >= _NEIGHBOUR_SV_MIN_PROB:
        return None
    return False
