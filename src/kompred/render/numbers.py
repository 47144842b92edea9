"""Numbers as Swedish readers write them: a space between thousands, a decimal comma.

>>> format_sek(1250000.4), format_number(0.25), format_number(12.0), format_percent(0.274)
('1 250 000 kr', '0,25', '12', '27 %')
>>> fill("SD {sd:.2f}, {share:.0%} of {n}", "sv", sd=0.456, share=0.12, n=40)
'SD 0,46, 12 % of 40'
>>> fill("{rows:,} rader, {mean:,.1f} kr", "sv", rows=1272, mean=10250.25)
'1 272 rader, 10 250,2 kr'
"""

from __future__ import annotations

import math
import string
from numbers import Real

from ..schema.values import is_missing

__all__ = ["decimal_comma", "fill", "format_number", "format_percent", "format_sek"]

# a narrow no-break space would be more correct typographically, but plain spaces survive
# every terminal, CSV and e-mail client the users paste into
_THOUSANDS = " "
_SV_SIGNS = str.maketrans({",": _THOUSANDS, ".": ","})


def format_sek(value: float) -> str:
    """An amount in whole kronor: ``"27 342 650 kr"``; ``"–"`` when missing."""
    if is_missing(value) or not math.isfinite(float(value)):
        return "–"
    return f"{round(float(value)):,}".replace(",", _THOUSANDS) + " kr"


def format_number(x: float, *, thousands: str = "\u00a0") -> str:
    """A number to show: whole above 10, two decimals (comma) below, ``"–"`` when missing."""
    if is_missing(x) or not math.isfinite(float(x)):
        return "–"
    x = float(x)
    if abs(x) >= 1000:
        return f"{x:,.0f}".replace(",", thousands)
    if abs(x) >= 10 or x.is_integer():
        return f"{x:.0f}"
    return f"{x:.2f}".replace(".", ",")


def format_percent(share: float) -> str:
    """A share as a whole percentage with a space before the sign (both languages)."""
    if is_missing(share) or not math.isfinite(float(share)):
        return "–"
    return f"{round(100 * float(share))} %"


def decimal_comma(text: str, lang: str = "sv") -> str:
    """A number already written with a decimal point, in ``lang``'s convention.

    >>> decimal_comma("0.034"), decimal_comma("0.034", "en")
    ('0,034', '0.034')
    """
    return text.replace(".", ",") if lang == "sv" else text


class _LocalFormatter(string.Formatter):
    # numbers get the language's decimal sign (and Swedish "12 %"); other fields as given
    def __init__(self, lang: str) -> None:
        self.lang = lang

    def format_field(self, value, format_spec):
        text = super().format_field(value, format_spec)
        if self.lang != "sv" or isinstance(value, bool) or not isinstance(value, Real):
            return text
        text = text.translate(_SV_SIGNS)  # "1,272.5" -> "1 272,5"
        return text[:-1] + " %" if format_spec.endswith("%") else text


def fill(template: str, lang: str, **values) -> str:
    """``template.format(**values)`` with numbers written as readers of ``lang`` write them."""
    return _LocalFormatter(lang).format(template, **values)
