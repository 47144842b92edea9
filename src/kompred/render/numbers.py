"""Numbers as Swedish readers write them: a space between thousands, a decimal comma.

>>> format_sek(1250000.4), format_number(0.25), format_number(12.0), format_percent(0.274)
('1 250 000 kr', '0,25', '12', '27 %')
"""

from __future__ import annotations

import math

from ..schema.values import is_missing

__all__ = ["format_number", "format_percent", "format_sek"]

# a narrow no-break space would be more correct typographically, but plain spaces survive
# every terminal, CSV and e-mail client the users paste into
_THOUSANDS = " "


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
