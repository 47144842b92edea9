"""Text cleaning: one normalized form of an application text for every model."""

from __future__ import annotations

import functools
import re
import unicodedata
from typing import Any

import numpy as np
from sklearn.base import BaseEstimator, TransformerMixin

from ..exceptions import ValidationError, WrongTypeError
from ._inputs import _as_texts, _as_value_list, _text_or_empty
from .pii import PERSONNUMMER_TOKEN, redact_personnummer

#: Texts longer than this many characters are cut (after normalizing). Real descriptions are
#: 1 to 5 sentences (well under 2,000 characters); 20,000 only cuts accidental pastes of whole
#: documents, which would otherwise dominate fitting time and the n-gram vocabulary while adding
#: nothing to an l2-normalized TF-IDF vector that a few sentences do not already give.
DEFAULT_MAX_CHARS = 20_000

# --------------------------------------------------------------------------------------------
# Normalizing
# --------------------------------------------------------------------------------------------

_HAS_WORD_CHAR = re.compile(r"[^\W_]")
# Characters Word and PDFs leave in pasted text: soft hyphen, zero-width space/no-break, BOM.
_INVISIBLE = dict.fromkeys(map(ord, "\u00ad\u200b\u2060\ufeff"))
# Typographic dashes and quotes -> ASCII, so "lågaffektivt–bemötande" and "’demens’" give the
# same character n-grams as their ASCII spellings.
_TYPOGRAPHY = str.maketrans({
    "\u2010": "-", "\u2011": "-", "\u2012": "-", "\u2013": "-", "\u2014": "-", "\u2015": "-",
    "\u2212": "-",
    "\u2018": "'", "\u2019": "'", "\u201a": "'", "\u2032": "'",
    "\u201c": '"', "\u201d": '"', "\u201e": '"', "\u00ab": '"', "\u00bb": '"', "\u2033": '"',
    **_INVISIBLE,
})  # fmt: skip
_TYPOGRAPHY_PAIRS = tuple((chr(k), v or "") for k, v in _TYPOGRAPHY.items())
# A number: a digit run, optionally with thousands groups ("1 250 000", "1.250.000") and decimals.
_NUMBER_RE = re.compile(r"\d+(?:[ \u00a0\u202f.]\d{3}(?!\d))*(?:[.,]\d+)?")


def normalize_text(text: Any, *, max_chars: int | None = None) -> str:
    """Normalize a text for character n-gram features.

    Steps, in order: Unicode NFC (so a decomposed "å" equals a composed one); personnummer and
    samordningsnummer become ``"[personnummer]"``; typographic dashes and quotes become ASCII and
    invisible characters (soft hyphens, zero-width spaces) are removed; lowercase; every number
    becomes ``"0"``; whitespace runs become one space; leading and trailing space is removed;
    the result is cut to ``max_chars``.

    Numbers become ``"0"`` because their digits (years, amounts, dates, phone numbers) would make
    n-grams that tie a text to its period or its cost rather than to its content, and fill the
    vocabulary; ``"0"`` keeps the shape (``"0 kr"``, ``"0 dagar"``, ``"0-0-0"``). A thousands-
    grouped amount (``"1 250 000"``) or a decimal (``"1,5"``) is one number. Accents are kept:
    å, ä and ö tell words apart. The function is idempotent.

    Parameters
    ----------
    text : str or None
        The text; None, NaN and ``pd.NA`` give ``""``.
    max_chars : int or None, default None
        Cut the normalized text to at most this many characters (None: no limit).

    Returns
    -------
    str

    Examples
    --------
    >>> normalize_text("  Utbildning i DEMENS\\n för 12 undersköterskor –  1 250 000 kr ")
    'utbildning i demens för 0 undersköterskor - 0 kr'
    >>> normalize_text("Deltagare 19121212-1212, start 2023-10-01.")
    'deltagare [personnummer], start 0-0-0.'
    >>> normalize_text(None)
    ''
    """
    text = _text_or_empty(text, what="text")
    if max_chars is not None and (not isinstance(max_chars, int) or max_chars < 1):
        raise ValidationError(f"expected max_chars to be a positive int or None; got {max_chars!r}")
    if not text:
        return ""
    if not _is_normal(text):
        text = _normalize(text)
    if max_chars is not None and len(text) > max_chars:
        text = text[:max_chars].rstrip()
    return text


# a character a normalized text may hold when normalizing it again changes nothing for sure:
# printable ASCII but the digits 1-9, and U+00A1..U+02FF but « » and the soft hyphen (so no
# whitespace other than " ", no typography character and nothing NFC could change)
_OUTSIDE_NORMAL = re.compile(r"[^ !-/0:-~\u00a1-\u00aa\u00ac\u00ae-\u00ba\u00bc-\u02ff]")


def _is_normal(text: str) -> bool:
    """True only when every step of :func:`_normalize` leaves ``text`` as it is: a quick test
    for texts normalized before (the joined normalized title and description are normalized
    again for the reasons).

    Below U+0300 NFC changes nothing (no combining marks, singletons or exclusions there);
    when every digit is a lone "0" (no "00", "0.0" or "0,0"), no six digits make a
    personnummer and every number is "0" already; the rest is lowercase and single spaces.
    """
    return (_OUTSIDE_NORMAL.search(text) is None and text[0] != " " and text[-1] != " "
            and "  " not in text and "00" not in text and "0.0" not in text
            and "0,0" not in text and text.lower() == text)


# the topic model, the grant model, the reference index and the reasons normalize the same
# texts of a batch: each distinct text is normalized once (normalize_text is a pure function),
# whatever max_chars each of them cuts the result to
@functools.lru_cache(maxsize=1 << 16)
def _normalize(text: str) -> str:
    text = unicodedata.normalize("NFC", text)
    text = redact_personnummer(text, PERSONNUMMER_TOKEN)
    # str.translate looks up every character; most texts have none of these, or a few
    for ch, repl in _TYPOGRAPHY_PAIRS:
        if ch in text:
            text = text.replace(ch, repl)
    text = text.lower()
    text = _NUMBER_RE.sub("0", text)
    return " ".join(text.split())


class TextCleaner(TransformerMixin, BaseEstimator):
    """Normalize texts with :func:`normalize_text` (a stateless scikit-learn transformer).

    Parameters
    ----------
    max_chars : int, default 20_000
        Cut each normalized text to this many characters. Real descriptions are far shorter; the
        limit only stops an accidentally pasted document from dominating time and vocabulary.

    Examples
    --------
    >>> TextCleaner().fit_transform(["Kurs i HLR, 2 dagar", None, float("nan"), "  "])
    array(['kurs i hlr, 0 dagar', '', '', ''], dtype=object)
    """

    def __init__(self, *, max_chars: int = DEFAULT_MAX_CHARS):
        self.max_chars = max_chars

    def fit(self, X: Any, y: Any = None) -> TextCleaner:
        """Check ``X`` and return self (nothing is learned)."""
        _as_value_list(X)
        self._check_params()
        return self

    def transform(self, X: Any) -> np.ndarray:
        """Return the normalized texts as a 1-D object array, one per input value.

        Parameters
        ----------
        X : list, tuple, numpy array, pandas Series or one-column DataFrame of str
            Missing values (None, NaN, ``pd.NA``) give ``""``.

        Returns
        -------
        numpy.ndarray of str, shape (n_samples,)
        """
        self._check_params()
        texts = _as_texts(X)
        out = np.empty(len(texts), dtype=object)
        out[:] = [normalize_text(t, max_chars=self.max_chars) for t in texts]
        return out

    def _check_params(self) -> None:
        if isinstance(self.max_chars, bool) or not isinstance(self.max_chars, int | np.integer):
            raise WrongTypeError(f"expected max_chars to be an int; got {type(self.max_chars).__name__}")
        if self.max_chars < 1:
            raise ValidationError(f"expected max_chars >= 1; got {self.max_chars}")

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.requires_fit = False
        tags.input_tags.one_d_array = True
        tags.input_tags.two_d_array = False
        tags.input_tags.string = True
        return tags
