"""Texts in, numbers (or cleaned texts) out.

This module owns everything kompred does to raw application text before a model sees it:

- the cached spaCy loader (:func:`get_nlp`), word tokens (:func:`tokenize`, :func:`content_tokens`)
  and the domain-adjusted stop-word list (``STOP_WORDS``);
- text cleaning (:func:`normalize_text`, :class:`TextCleaner`);
- personal identity numbers: finding and masking Swedish personnummer and samordningsnummer
  (:func:`find_personnummer`, :func:`redact_personnummer`);
- the language check (:func:`detect_language`, :func:`is_swedish`);
- feature extraction: character n-gram and word TF-IDF factories (:func:`char_ngram_vectorizer`,
  :func:`word_vectorizer`), the :class:`TextFeaturizer` transformer for application tables, and
  :func:`words_from_char_ngrams`, which maps n-gram weights back onto whole words to explain a
  prediction.

Nothing here reads files or downloads anything. spaCy and the language model of ``py3langid``
are loaded lazily, on first use, and cached.
"""

from __future__ import annotations

import functools
import re
import unicodedata
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any, Literal

import numpy as np
import pandas as pd
from sklearn.base import BaseEstimator, TransformerMixin
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.utils.validation import check_is_fitted

from .exceptions import ValidationError
from .schema import is_missing

__all__ = [
    "DEFAULT_MAX_CHARS",
    "LANGUAGES",
    "PERSONNUMMER_TOKEN",
    "STOP_WORDS",  # noqa: F822 - provided lazily by __getattr__ (keeps spaCy out of import)
    "PersonnummerMatch",
    "TextCleaner",
    "TextFeaturizer",
    "char_ngram_vectorizer",
    "content_tokens",
    "detect_language",
    "find_personnummer",
    "get_nlp",
    "is_swedish",
    "join_texts",
    "normalize_text",
    "redact_personnummer",
    "tokenize",
    "word_vectorizer",
    "words_from_char_ngrams",
]

#: Texts longer than this many characters are cut (after normalizing). Real descriptions are
#: 1 to 5 sentences (well under 2,000 characters); 20,000 only cuts accidental pastes of whole
#: documents, which would otherwise dominate fitting time and the n-gram vocabulary while adding
#: nothing to an l2-normalized TF-IDF vector that a few sentences do not already give.
DEFAULT_MAX_CHARS = 20_000

#: What :func:`normalize_text` puts where a personnummer was (lowercase, no digits, so that
#: normalizing twice gives the same text).
PERSONNUMMER_TOKEN = "[personnummer]"

#: Languages :func:`detect_language` chooses between (ISO 639-1 codes known to py3langid):
#: Swedish, its neighbours that it is confused with, the other working languages of Swedish
#: workplaces, and the most common languages of recent migrants. Restricting the set makes the
#: probabilities meaningful and removes confusions with languages no application is written in.
LANGUAGES: tuple[str, ...] = (
    "sv", "no", "da", "fi", "en", "de", "fr", "es", "pl", "ar", "fa", "so", "tr", "ru", "uk",
)  # fmt: skip

# spaCy's Swedish list minus words that carry meaning in these applications: decisions, amounts,
# durations ("två dagar"), needs ("behöver utbildning"), levels ("högre utbildning", "första
# linjens chefer"). In a generic text they are filler; in an application they are content.
_DOMAIN_WORDS = frozenset({
    "beslut", "beslutat", "beslutit",
    "kr",
    "dag", "dagar", "dagarna", "dagen",
    "del", "delen",
    "behöva", "behövas", "behövde", "behövt",
    "nödvändig", "nödvändiga", "nödvändigt", "nödvändigtvis",
    "hög", "högre", "högst",
    "första",
})  # fmt: skip


# --------------------------------------------------------------------------------------------
# spaCy, tokens, stop words
# --------------------------------------------------------------------------------------------


@functools.lru_cache(maxsize=1)
def get_nlp():
    """Return the shared blank Swedish spaCy pipeline (tokenizer only), loading it once.

    The pipeline is ``spacy.blank("sv")``: Swedish tokenizer rules, no trained components and
    nothing to download. spaCy is imported on first call, so importing kompred stays fast.

    Returns
    -------
    spacy.language.Language
        The same object on every call.

    Examples
    --------
    >>> nlp = get_nlp()
    >>> nlp is get_nlp(), nlp.lang
    (True, 'sv')
    >>> [t.text for t in nlp("Kurs i t.ex. HLR 2023-2024.")]
    ['Kurs', 'i', 't.ex.', 'HLR', '2023-2024', '.']
    """
    import spacy

    return spacy.blank("sv")


@functools.lru_cache(maxsize=1)
def _stop_words() -> frozenset[str]:
    from spacy.lang.sv.stop_words import STOP_WORDS as SPACY_SV_STOP_WORDS

    return frozenset(SPACY_SV_STOP_WORDS) - _DOMAIN_WORDS


def __getattr__(name: str) -> Any:
    # STOP_WORDS is computed on first access so that importing this module does not import spaCy.
    if name == "STOP_WORDS":
        return _stop_words()
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def tokenize(text: Any) -> list[str]:
    """Split a text into lowercased word tokens with spaCy's Swedish tokenizer.

    Punctuation and whitespace tokens are dropped (a token is kept when it contains a letter or
    a digit). Stop words are kept; see :func:`content_tokens`.

    Parameters
    ----------
    text : str or None
        The text. None or NaN gives an empty list.

    Returns
    -------
    list of str

    Examples
    --------
    >>> tokenize("Utbildning i demens, t.ex. för undersköterskor (2 dagar)!")
    ['utbildning', 'i', 'demens', 't.ex.', 'för', 'undersköterskor', '2', 'dagar']
    """
    text = _text_or_empty(text, what="text")
    if not text:
        return []
    text = unicodedata.normalize("NFC", text)
    # nlp.tokenizer rather than nlp(): no pipeline overhead and no max_length limit.
    return [t.lower_ for t in get_nlp().tokenizer(text) if _HAS_WORD_CHAR.search(t.text)]


def content_tokens(text: Any) -> list[str]:
    """Return :func:`tokenize` tokens without ``STOP_WORDS``.

    This is the tokenizer of :func:`word_vectorizer`. It is a module-level function so that a
    fitted pipeline using it can be pickled.

    Examples
    --------
    >>> content_tokens("Vi behöver en utbildning om demens för alla i personalen")
    ['behöver', 'utbildning', 'demens', 'personalen']
    """
    stop = _stop_words()
    return [t for t in tokenize(text) if t not in stop]


# --------------------------------------------------------------------------------------------
# Missing values and input shapes
# --------------------------------------------------------------------------------------------


_is_missing = is_missing  # None, NA, NaT or NaN


def _text_or_empty(value: Any, *, what: str) -> str:
    """Return value if it is a str, "" if it is missing; raise TypeError otherwise."""
    if isinstance(value, str):
        return value
    if _is_missing(value):
        return ""
    raise TypeError(
        f"expected {what} to be a str or missing (None/NaN); got {type(value).__name__}"
    )


def _as_value_list(X: Any, *, what: str = "X") -> list:
    """Return the values of a 1-D collection of texts as a list (values not yet checked)."""
    if isinstance(X, str | bytes):
        raise TypeError(
            f"expected {what} to be a list, array or Series of texts; got a single "
            f"{type(X).__name__} (wrap it in a list: [text])"
        )
    if isinstance(X, pd.DataFrame):
        if X.shape[1] != 1:
            raise TypeError(
                f"expected {what} to be 1-D texts or a DataFrame with one column; got a DataFrame "
                f"with {X.shape[1]} columns {list(X.columns)[:10]}"
            )
        return X.iloc[:, 0].tolist()
    if isinstance(X, pd.Series | pd.Index):
        return X.tolist()
    if isinstance(X, np.ndarray):
        if X.ndim == 2 and X.shape[1] == 1:
            X = X[:, 0]
        if X.ndim != 1:
            raise TypeError(f"expected {what} to be a 1-D array of texts; got shape {X.shape}")
        return X.tolist()
    if isinstance(X, list | tuple):
        return list(X)
    raise TypeError(
        f"expected {what} to be a list, tuple, numpy array or pandas Series of texts; "
        f"got {type(X).__name__}"
    )


def _as_texts(X: Any, *, what: str = "X") -> list[str]:
    values = _as_value_list(X, what=what)
    out = []
    for i, v in enumerate(values):
        if isinstance(v, str):
            out.append(v)
        elif _is_missing(v):
            out.append("")
        else:
            raise TypeError(
                f"expected every value of {what} to be a str or missing (None/NaN); "
                f"got {type(v).__name__} {v!r:.40} at position {i}"
            )
    return out


# --------------------------------------------------------------------------------------------
# Personnummer and samordningsnummer
# --------------------------------------------------------------------------------------------

# Dashes people type or word processors insert between date and serial: hyphen, non-breaking
# hyphen, en dash, minus sign. "+" marks someone aged 100 or more (10-digit form only).
_PNR_DASHES = "-\u2010\u2011\u2012\u2013\u2212"
_PNR_RE = re.compile(
    rf"""
    (?<!\d)                       # not the tail of a longer digit run
    (?<!\d[{_PNR_DASHES}/.,:])    # nor the second half of 123-456..., 1.234..., 12/345...
    (?P<century>\d{{2}})?
    (?P<yymmdd>\d{{6}})
    (?P<sep>[{_PNR_DASHES}+ \u00a0])?
    (?P<serial>\d{{4}})
    (?!\d)                        # not the head of a longer digit run
    (?![{_PNR_DASHES}/.,:]\d)     # nor followed by -5, .5, /5 ...
    """,
    re.VERBOSE,
)


@dataclass(frozen=True, slots=True)
class PersonnummerMatch:
    """A personnummer or samordningsnummer found in a text.

    Attributes
    ----------
    start, end : int
        ``text[start:end]`` is the number as written.
    text : str
        The number as written (e.g. ``"121212-1212"``).
    kind : {"personnummer", "samordningsnummer"}
        Samordningsnummer have 60 added to the day of birth.
    """

    start: int
    end: int
    text: str
    kind: Literal["personnummer", "samordningsnummer"]


def _luhn_ok(digits: str) -> bool:
    total = 0
    for i, ch in enumerate(digits):
        d = int(ch) * (2 - i % 2)  # weights 2, 1, 2, 1, ... from the left (10 digits)
        total += d - 9 if d > 9 else d
    return total % 10 == 0


def _real_date(year: int, month: int, day: int) -> bool:
    try:
        date(year, month, day)
    except ValueError:
        return False
    return True


def _classify_pnr(m: re.Match[str]) -> str | None:
    """Return the kind of a regex match, or None when it is not a valid number."""
    century, yymmdd, sep, serial = m.group("century", "yymmdd", "sep", "serial")
    if century is not None and sep == "+":
        return None  # "+" belongs to the 10-digit form only
    if century is None and sep is None and yymmdd.startswith("07"):
        # A bare 10-digit number starting 07 is read as a mobile number (070-, 072-, 073-, 076-,
        # 079-...), not as someone born in 1907/2007 written without a dash.
        return None
    yy, month, day = int(yymmdd[:2]), int(yymmdd[2:4]), int(yymmdd[4:6])
    kind = "personnummer"
    if day > 60:
        kind, day = "samordningsnummer", day - 60
    if century is not None:
        if century not in ("18", "19", "20"):
            return None
        years = [int(century) * 100 + yy]
    else:
        # Without a century the exact year is unknown; it matters only for 29 February.
        years = [1800 + yy, 1900 + yy] if sep == "+" else [1900 + yy, 2000 + yy]
    if not any(_real_date(y, month, day) for y in years):
        return None  # also rejects organisationsnummer, whose "month" is 20 or more
    if not _luhn_ok(yymmdd + serial):
        return None
    return kind


def find_personnummer(text: str) -> list[PersonnummerMatch]:
    """Find Swedish personnummer and samordningsnummer in a text.

    Recognised forms: ``YYYYMMDD-NNNN``, ``YYYYMMDDNNNN``, ``YYMMDD-NNNN``, ``YYMMDD+NNNN``,
    ``YYMMDDNNNN`` and the same with a space (or an en dash) instead of the dash. A candidate is
    accepted only if its date is a real date (for samordningsnummer the day has 60 added) and the
    Luhn checksum over the 10-digit form passes. Digit runs that are part of longer numbers are
    skipped, and so are organisationsnummer (month 20 or more), phone numbers, amounts and dates.
    A bare 10-digit number starting with ``07`` is read as a mobile number.

    Parameters
    ----------
    text : str

    Returns
    -------
    list of PersonnummerMatch
        In order of appearance.

    Examples
    --------
    ``121212-1212`` ("Tolvan Tolvansson") is the customary example number.

    >>> find_personnummer("Kontakt: Tolvan, 121212-1212, tfn 070-123 45 67, org.nr 212000-1355.")
    [PersonnummerMatch(start=17, end=28, text='121212-1212', kind='personnummer')]
    """
    if not isinstance(text, str):
        raise TypeError(f"expected text to be a str; got {type(text).__name__}")
    found = []
    for m in _PNR_RE.finditer(text):
        kind = _classify_pnr(m)
        if kind is not None:
            found.append(PersonnummerMatch(m.start(), m.end(), m.group(), kind))
    return found


def redact_personnummer(text: str, replacement: str = "[PERSONNUMMER]") -> str:
    """Replace every personnummer and samordningsnummer in a text with ``replacement``.

    Parameters
    ----------
    text : str
    replacement : str, default "[PERSONNUMMER]"

    Returns
    -------
    str

    See Also
    --------
    find_personnummer : which numbers are recognised.

    Examples
    --------
    >>> redact_personnummer("Deltagare: Tolvan Tolvansson 19121212-1212 och 121272-1219.")
    'Deltagare: Tolvan Tolvansson [PERSONNUMMER] och [PERSONNUMMER].'
    >>> redact_personnummer("Ring 08-508 000 00 eller 070-123 45 67.")
    'Ring 08-508 000 00 eller 070-123 45 67.'
    """
    if not isinstance(replacement, str):
        raise TypeError(f"expected replacement to be a str; got {type(replacement).__name__}")
    matches = find_personnummer(text)
    if not matches:
        return text
    parts, last = [], 0
    for m in matches:
        parts += [text[last : m.start], replacement]
        last = m.end
    parts.append(text[last:])
    return "".join(parts)


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
    text = unicodedata.normalize("NFC", text)
    text = redact_personnummer(text, PERSONNUMMER_TOKEN)
    text = text.translate(_TYPOGRAPHY).lower()
    text = _NUMBER_RE.sub("0", text)
    text = " ".join(text.split())
    if max_chars is not None and len(text) > max_chars:
        text = text[:max_chars].rstrip()
    return text


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
            raise TypeError(f"expected max_chars to be an int; got {type(self.max_chars).__name__}")
        if self.max_chars < 1:
            raise ValidationError(f"expected max_chars >= 1; got {self.max_chars}")

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.requires_fit = False
        tags.input_tags.one_d_array = True
        tags.input_tags.two_d_array = False
        tags.input_tags.string = True
        return tags


# --------------------------------------------------------------------------------------------
# Language
# --------------------------------------------------------------------------------------------


@functools.lru_cache(maxsize=1)
def _language_identifier():
    # Our own instance: py3langid.set_languages() would change the library-wide identifier for
    # every other user in the process.
    from py3langid.langid import MODEL_FILE, LanguageIdentifier

    identifier = LanguageIdentifier.from_model_file(MODEL_FILE, norm_probs=True)
    identifier.set_languages(list(LANGUAGES))
    return identifier


def _rank_languages(text: Any) -> list[tuple[str, float]] | None:
    """py3langid's probabilities over ``LANGUAGES``, best first; None when there are no letters."""
    text = _text_or_empty(text, what="text")
    if not _HAS_LETTER.search(text):
        return None
    text = " ".join(unicodedata.normalize("NFC", text[: 2 * DEFAULT_MAX_CHARS]).split())
    return [
        (str(lang), float(p)) for lang, p in _language_identifier().rank(text[:DEFAULT_MAX_CHARS])
    ]


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
    if isinstance(min_chars, bool) or not isinstance(min_chars, int) or min_chars < 1:
        raise ValidationError(f"expected min_chars to be a positive int; got {min_chars!r}")
    text = _text_or_empty(text, what="text")
    if sum(1 for _ in _HAS_LETTER.finditer(text)) < min_chars:
        return None
    ranked = _rank_languages(text)
    if ranked is None:  # pragma: no cover - min_chars >= 1 letters guarantees a ranking
        return None
    top = ranked[0][0]
    if top == "sv":
        return True
    if top in _NEIGHBOURS and dict(ranked).get("sv", 0.0) >= _NEIGHBOUR_SV_MIN_PROB:
        return None
    return False


# --------------------------------------------------------------------------------------------
# Vectorizers
# --------------------------------------------------------------------------------------------


def char_ngram_vectorizer(**overrides: Any) -> TfidfVectorizer:
    """Return an unfitted character n-gram TF-IDF vectorizer with kompred's measured defaults.

    Defaults: ``analyzer="char_wb"``, ``ngram_range=(2, 5)``, ``sublinear_tf=True``,
    ``min_df=1``, ``lowercase=True``, ``strip_accents=None`` (å, ä and ö tell words apart) and
    ``dtype=numpy.float32``. char_wb 2–5 with sublinear tf ranked Swedish paraphrases best of the
    representations measured (13/15 top-1), because n-grams match parts of compounds
    ("demenssjukdom" shares "demen", "emens" with "demens").

    Parameters
    ----------
    **overrides
        Any :class:`~sklearn.feature_extraction.text.TfidfVectorizer` parameter.

    Examples
    --------
    >>> vec = char_ngram_vectorizer(min_df=2)
    >>> vec.analyzer, vec.ngram_range, vec.min_df
    ('char_wb', (2, 5), 2)
    """
    params: dict[str, Any] = {
        "analyzer": "char_wb",
        "ngram_range": (2, 5),
        "sublinear_tf": True,
        "min_df": 1,
        "lowercase": True,
        "strip_accents": None,
        "dtype": np.float32,
    }
    params.update(overrides)
    return TfidfVectorizer(**params)


def word_vectorizer(**overrides: Any) -> TfidfVectorizer:
    """Return an unfitted word TF-IDF vectorizer (the baseline to compare char n-grams with).

    Tokens come from :func:`content_tokens` (spaCy's Swedish tokenizer, lowercased, no
    punctuation, without ``STOP_WORDS``). It is a module-level function, so fitted pipelines pickle.

    Examples
    --------
    >>> vec = word_vectorizer().fit(["Utbildning i demens", "Kurs i yrkessvenska för personalen"])
    >>> vec.get_feature_names_out().tolist()
    ['demens', 'kurs', 'personalen', 'utbildning', 'yrkessvenska']
    """
    params: dict[str, Any] = {
        "tokenizer": content_tokens,
        "token_pattern": None,
        "lowercase": False,  # content_tokens lowercases
        "sublinear_tf": True,
        "min_df": 1,
        "strip_accents": None,
        "dtype": np.float32,
    }
    params.update(overrides)
    return TfidfVectorizer(**params)


# --------------------------------------------------------------------------------------------
# TextFeaturizer
# --------------------------------------------------------------------------------------------


def join_texts(*parts: Any) -> str:
    """Join text fields (title, description) into one text: the one place this is decided.

    Missing and blank parts are skipped; a part that does not end in ``.!?:;`` gets ``". "``
    before the next one, so a title reads as its own sentence.

    Examples
    --------
    >>> join_texts("Demens", "Kurs om demens.")
    'Demens. Kurs om demens.'
    >>> join_texts(None, " HLR ", float("nan"), "Ny kurs?", "Ja")
    'HLR. Ny kurs? Ja'
    """
    out = ""
    for part in parts:
        if is_missing(part):
            continue
        text = str(part).strip()
        if not text:
            continue
        if out:
            out += " " if out[-1] in ".!?:;" else ". "
        out += text
    return out


def _join_parts(parts: Iterable[str]) -> str:
    return join_texts(*parts)


class TextFeaturizer(TransformerMixin, BaseEstimator):
    """Character n-gram TF-IDF features for applications (title + description).

    Takes a DataFrame of applications (or 1-D texts), joins the extra text columns and the text
    column into one text per row (``"title. description"``), normalizes it with
    :func:`normalize_text` and returns char_wb TF-IDF features as a sparse CSR matrix.

    Parameters
    ----------
    text_column : str, default "description"
        Column holding the main text; required when ``X`` is a DataFrame.
    extra_text_columns : sequence of str, default ("title",)
        Columns put before the text column. A column missing from ``X`` is treated as empty
        (only the description is needed to score).
    ngram_range : (int, int), default (2, 5)
    max_features : int or None, default None
    min_df : int or float, default 1
    sublinear_tf : bool, default True
        Passed on to :func:`char_ngram_vectorizer`.

    Attributes
    ----------
    vectorizer_ : TfidfVectorizer
        The fitted vectorizer.
    feature_names_in_ : ndarray of str
        The columns used, when fitted on a DataFrame (not set for 1-D input).
    n_features_in_ : int
        Number of input columns used (1 for 1-D input).

    Examples
    --------
    >>> df = pd.DataFrame({"title": ["Demens", "Yrkessvenska"],
    ...                    "description": ["Utbildning om demenssjukdom.", "Kurs i svenska."]})
    >>> feat = TextFeaturizer().fit(df)
    >>> feat.prepare_texts(df)
    ['demens. utbildning om demenssjukdom.', 'yrkessvenska. kurs i svenska.']
    >>> X = feat.transform(df)
    >>> X.shape[0], X.format, X.dtype
    (2, 'csr', dtype('float32'))
    """

    def __init__(
        self,
        *,
        text_column: str = "description",
        extra_text_columns: tuple[str, ...] = ("title",),
        ngram_range: tuple[int, int] = (2, 5),
        max_features: int | None = None,
        min_df: int | float = 1,
        sublinear_tf: bool = True,
    ):
        self.text_column = text_column
        self.extra_text_columns = extra_text_columns
        self.ngram_range = ngram_range
        self.max_features = max_features
        self.min_df = min_df
        self.sublinear_tf = sublinear_tf

    # -- input ------------------------------------------------------------------------------

    def _extra_columns(self) -> list[str]:
        extra = self.extra_text_columns
        if extra is None:
            return []
        if isinstance(extra, str):
            return [extra]
        extra = list(extra)
        if not all(isinstance(c, str) for c in extra):
            raise TypeError(f"expected extra_text_columns to be column names (str); got {extra!r}")
        return extra

    def _used_columns(self, X: pd.DataFrame) -> list[str]:
        if not isinstance(self.text_column, str):
            raise TypeError(
                f"expected text_column to be a str; got {type(self.text_column).__name__}"
            )
        if self.text_column not in X.columns:
            raise ValidationError(
                f"expected a text column {self.text_column!r} in X; got columns "
                f"{[str(c) for c in X.columns][:20]}"
            )
        return [c for c in self._extra_columns() if c in X.columns] + [self.text_column]

    def prepare_texts(self, X: Any) -> list[str]:
        """Return the normalized texts that the vectorizer sees, one per row of ``X``.

        Needs no fitting. Use it to explain a prediction with :func:`words_from_char_ngrams`.

        Parameters
        ----------
        X : DataFrame, or list/array/Series of str

        Returns
        -------
        list of str
        """
        cleaner = TextCleaner()
        if isinstance(X, pd.DataFrame):
            columns = [
                cleaner.transform(X[c].reset_index(drop=True)) for c in self._used_columns(X)
            ]
            return [_join_parts(parts) for parts in zip(*columns, strict=True)]
        return cleaner.transform(X).tolist()

    # -- sklearn API ------------------------------------------------------------------------

    def _set_input_attributes(self, X: Any) -> None:
        if isinstance(X, pd.DataFrame):
            self.feature_names_in_ = np.asarray(self._used_columns(X), dtype=object)
            self.n_features_in_ = len(self.feature_names_in_)
        else:
            if hasattr(self, "feature_names_in_"):
                del self.feature_names_in_
            self.n_features_in_ = 1

    def fit(self, X: Any, y: Any = None) -> TextFeaturizer:
        """Learn the n-gram vocabulary and idf weights.

        Parameters
        ----------
        X : DataFrame with ``text_column``, or list/array/Series of str
        y : ignored

        Returns
        -------
        self
        """
        self.fit_transform(X)
        return self

    def fit_transform(self, X: Any, y: Any = None, **fit_params: Any):
        """Fit and return the features of ``X`` (faster than ``fit(X).transform(X)``).

        Returns
        -------
        scipy.sparse.csr_matrix of float32, shape (n_samples, n_features)
        """
        texts = self.prepare_texts(X)
        if not any(texts):
            raise ValidationError(
                f"expected at least one non-empty text to fit on; got {len(texts)} texts, "
                "all empty or missing"
            )
        vectorizer = char_ngram_vectorizer(
            ngram_range=tuple(self.ngram_range),
            max_features=self.max_features,
            min_df=self.min_df,
            sublinear_tf=self.sublinear_tf,
        )
        features = vectorizer.fit_transform(texts)
        self.vectorizer_ = vectorizer
        self._set_input_attributes(X)
        return features.tocsr()

    def transform(self, X: Any):
        """Return the char n-gram TF-IDF features of ``X``.

        Empty or missing texts give all-zero rows; n-grams not seen in fitting are ignored.

        Returns
        -------
        scipy.sparse.csr_matrix of float32, shape (n_samples, n_features)
        """
        check_is_fitted(self, "vectorizer_")
        return self.vectorizer_.transform(self.prepare_texts(X)).tocsr()

    def get_feature_names_out(self, input_features: Any = None) -> np.ndarray:
        """Return the character n-grams, one per output column."""
        check_is_fitted(self, "vectorizer_")
        return self.vectorizer_.get_feature_names_out()

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.string = True
        tags.input_tags.one_d_array = True
        return tags


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
        raise TypeError(
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
