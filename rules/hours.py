"""Hours as exact integer quarter-hours: parsing, validation and formatting.

All arithmetic in the project is done on `int` quarter-hours (1 hour = 4); no binary floats are stored or summed.
A quarter-hour count divided by 4 is exactly representable as a float, so JSON output is exact too.
"""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation

PER_HOUR = 4
MAX_HOURS = 1000  # no single amount (a claim, a cap, a requirement) comes near; keeps counts inside 32-bit columns
_NUMBER = re.compile(r"^[+-]?(?:\d+(?:\.\d*)?|\.\d+)$")


class HoursError(ValueError):
    """A text that is not a positive quarter-hour amount."""


def parse_hours(text: str | int | Decimal) -> int:
    """'2.25' -> 9 quarters. Refuses empty, non-numeric (exponents, NaN, '1_0' too), zero, negative, non-quarter
    values and amounts over MAX_HOURS."""
    raw = str(text).strip()
    if not raw:
        raise HoursError("hours are missing")
    if len(raw) > 40 or not _NUMBER.match(raw):
        raise HoursError(f"hours '{raw[:40]}' are not a number like 1.5")
    try:
        value = Decimal(raw)
    except InvalidOperation:
        raise HoursError(f"hours '{raw}' are not a number like 1.5") from None
    if value <= 0:
        raise HoursError(f"hours must be positive, not {raw}")
    if value > MAX_HOURS:
        raise HoursError(f"{raw} hours is more than {MAX_HOURS}")
    quarters = value * PER_HOUR
    if quarters != quarters.to_integral_value():
        raise HoursError(f"hours must be a multiple of 0.25, not {raw}")
    return int(quarters)


def hours_of(quarters: int) -> Decimal:
    """9 -> Decimal('2.25')."""
    return Decimal(quarters) / PER_HOUR


def as_number(quarters: int) -> float:
    """Exact JSON number for a quarter-hour count (9 -> 2.25, 40 -> 10.0)."""
    return quarters / PER_HOUR


def fmt_hours(quarters: int) -> str:
    """Human form: 8 -> '2', 9 -> '2.25', 10 -> '2.5'."""
    text = format(hours_of(quarters).normalize(), "f")
    return text


def fmt_hours_unit(quarters: int) -> str:
    """'1 hour', '2.5 hours'."""
    text = fmt_hours(quarters)
    return f"{text} hour" if quarters == PER_HOUR else f"{text} hours"
