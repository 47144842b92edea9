"""Valid Swedish personnummer for tests, from a Luhn implementation independent of kompred's."""

from __future__ import annotations


def luhn_check_digit(nine_digits: str) -> str:
    """The digit that makes the 10-digit number pass Luhn (weights 2,1,2,... from the left).

    >>> luhn_check_digit("121212121")  # Skatteverket's example number 121212-1212
    '2'
    """
    assert len(nine_digits) == 9 and nine_digits.isdigit()
    total = 0
    for i, ch in enumerate(nine_digits):
        product = int(ch) * (2 if i % 2 == 0 else 1)
        total += product // 10 + product % 10
    return str((10 - total % 10) % 10)


def make_number(yymmdd: str, serial3: str = "238") -> str:
    """A valid 10-digit number (without separator) for a birth date written as YYMMDD."""
    return yymmdd + serial3 + luhn_check_digit(yymmdd + serial3)
