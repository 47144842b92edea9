"""Cell values: what counts as empty, and the one normalization of each categorical column.

Every module that asks "is this cell empty?" or "which insats form is this?" asks here, so a
file read by :mod:`kompred.io` and a draft checked by :mod:`kompred.rules` agree.

>>> is_blank("  "), is_blank(0), normalize_insats_form("Kurs"), normalize_agreement("kom kr 2022")
(True, False, 'utbildning', 'KOM-KR-2022')
"""

from __future__ import annotations

import math
import re
import unicodedata

import numpy as np
import pandas as pd

__all__ = [
    "AGREEMENT_NAMES",
    "INSATS_FORMS",
    "PROVIDER_TYPES",
    "is_blank",
    "is_missing",
    "normalize_agreement",
    "normalize_insats_form",
    "normalize_provider_type",
    "normalize_token",
    "value_map",
]

INSATS_FORMS = ("utbildning", "validering", "handledning", "föreläsning", "annan")
PROVIDER_TYPES = ("omställningsfonden", "egen regi", "extern leverantör")
# The agreement names; their dates live in :mod:`kompred.schema.agreements` (which imports this).
AGREEMENT_NAMES = ("TLO-KL", "KOM-KR-2020", "KOM-KR-2022")


_NA, _NAT, _FLOATS = pd.NA, pd.NaT, (float, np.floating)


def is_missing(value: object) -> bool:
    """True for None, pandas' NA and NaT, and float NaN (not for empty strings)."""
    if value is None or value is _NA or value is _NAT:
        return True
    return isinstance(value, _FLOATS) and math.isnan(value)


def is_blank(value: object) -> bool:
    """True for a missing value or a string of only whitespace: an empty spreadsheet cell."""
    if isinstance(value, str):
        return not value.strip()
    if is_missing(value):
        return True
    try:
        return bool(pd.isna(value))
    except (TypeError, ValueError):
        return False


def normalize_token(text: object) -> str:
    """Lowercase, NFC, collapse whitespace and drop surrounding punctuation, for matching."""
    text = unicodedata.normalize("NFC", str(text)).replace("\ufeff", "").strip().lower()
    text = re.sub(r"[\s_]+", " ", text)
    return text.strip(" :;.*")


def value_map(pairs: dict[str, tuple[str, ...]]) -> dict[str, str]:
    """A lookup from every accepted spelling (normalized) to its canonical value."""
    out = {}
    for canon, aliases in pairs.items():
        out[normalize_token(canon)] = canon
        for a in aliases:
            out[normalize_token(a)] = canon
    return out


FORM_MAP = value_map({
    "utbildning": ("kurs", "utbildningsinsats", "fortbildning", "education", "training"),
    "validering": ("validation",),
    "handledning": ("handledning/coachning", "coachning", "handledning och coachning", "mentorskap",
                    "coaching"),
    "föreläsning": ("forelasning", "föreläsningar", "seminarium", "inspirationsdag", "lecture"),
    "annan": ("annat", "annan kompetenshöjande insats", "övrigt", "other"),
})  # fmt: skip
PROVIDER_MAP = value_map({
    "omställningsfonden": ("omstallningsfonden", "fonden", "of"),
    "egen regi": ("egen", "i egen regi", "internt", "intern"),
    "extern leverantör": ("extern", "egen leverantör", "leverantör", "extern aktör",
                          "extern utbildningsanordnare", "annan aktör"),
})  # fmt: skip
AGREEMENT_MAP = value_map({
    "TLO-KL": ("tlo", "tlo kl", "tlokl"),
    "KOM-KR-2020": ("kom-kr 2020", "kom kr 2020", "kom-kr", "kom kr", "komkr 2020"),
    "KOM-KR-2022": ("kom-kr 2022", "kom kr 2022", "kom-kr i lydelse 2022-10-01", "komkr 2022",
                    "kom-kr-2022-10-01"),
})  # fmt: skip


def lookup(value: object, mapping: dict[str, str]) -> str | None:
    """The canonical value of a cell under ``mapping``; None for blank or unknown."""
    if is_blank(value):
        return None
    return mapping.get(normalize_token(str(value)))


def normalize_insats_form(value: object) -> str | None:
    """Map an insats form as written to one of :data:`INSATS_FORMS`, or None."""
    return lookup(value, FORM_MAP)


def normalize_provider_type(value: object) -> str | None:
    """Map a provider type as written to one of :data:`PROVIDER_TYPES`, or None."""
    return lookup(value, PROVIDER_MAP)


def normalize_agreement(value: object) -> str | None:
    """Map an agreement version as written to one of the agreement names, or None."""
    return lookup(value, AGREEMENT_MAP)
