"""Kazakhstan's personal identification number (IIN): twelve digits, the holder's date of birth
first, a check digit last."""

from __future__ import annotations

from datetime import date

FIRST_WEIGHTS = tuple(range(1, 12))
SECOND_WEIGHTS = (3, 4, 5, 6, 7, 8, 9, 10, 11, 1, 2)
# The seventh digit: the century of birth (and the holder's sex), 1-2 the 1800s, 3-4 the 1900s,
# 5-6 the 2000s.
CENTURIES = {"1": 1800, "2": 1800, "3": 1900, "4": 1900, "5": 2000, "6": 2000}


def check_digit(first_eleven: str) -> int | None:
    """The check digit of an IIN's first eleven digits; None when the number can have none."""
    digits = [int(char) for char in first_eleven]
    for weights in (FIRST_WEIGHTS, SECOND_WEIGHTS):
        remainder = sum(d * w for d, w in zip(digits, weights, strict=True)) % 11
        if remainder != 10:
            return remainder
    return None  # such numbers are never issued


def checked_iin(value: str) -> str:
    """Refuse anything but twelve ASCII digits with a birth date and a correct check digit."""
    if len(value) != 12 or not (value.isascii() and value.isdigit()):
        raise ValueError("an IIN is twelve digits")
    if birth_date(value) is None:
        raise ValueError("an IIN begins with a date of birth and its century")
    if check_digit(value[:11]) != int(value[11]):
        raise ValueError("the IIN's check digit does not match")
    return value


def birth_date(value: str) -> date | None:
    """The date of birth an IIN encodes, or None when it encodes none."""
    century = CENTURIES.get(value[6])
    if century is None:
        return None
    try:
        return date(century + int(value[:2]), int(value[2:4]), int(value[4:6]))
    except ValueError:
        return None
