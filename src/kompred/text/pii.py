"""Personal identity numbers: finding and masking Swedish personnummer and samordningsnummer."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from typing import Literal

from ..exceptions import WrongTypeError

#: What :func:`normalize_text` puts where a personnummer was (lowercase, no digits, so that
#: normalizing twice gives the same text).
PERSONNUMMER_TOKEN = "[personnummer]"

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
#: every match of _PNR_RE has six digits in a row (its yymmdd): a quicker test for "none here"
_SIX_DIGITS = re.compile(r"\d{6}")


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
        raise WrongTypeError(f"expected text to be a str; got {type(text).__name__}")
    found = []
    if not _SIX_DIGITS.search(text):
        return found
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
        raise WrongTypeError(f"expected replacement to be a str; got {type(replacement).__name__}")
    matches = find_personnummer(text)
    if not matches:
        return text
    parts, last = [], 0
    for m in matches:
        parts += [text[last : m.start], replacement]
        last = m.end
    parts.append(text[last:])
    return "".join(parts)
