"""Hours as exact integer quarter-hours: parsing, validation and formatting.

All arithmetic in the project is done on `int` quarter-hours (1 hour = 4); no binary floats are stored or summed.
A quarter-hour count divided by 4 is exactly representable as a float, so JSON output is exact too.
"""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

PER_HOUR = 4


class HoursError(ValueError):
    """A text that is not a positive quarter-hour amount."""


def parse_hours(text: str | int | Decimal) -> int:
    """'2.25' -> 9 quarters. Refuses empty, non-numeric, zero, negative or non-quarter values."""
    raw = str(text).strip()
    if not raw:
        raise HoursError("hours are missing")
    try:
        value = Decimal(raw)
    except InvalidOperation:
        raise HoursError(f"hours '{raw}' are not a number") from None
    if not value.is_finite():
        raise HoursError(f"hours '{raw}' are not a number")
    if value <= 0:
        raise HoursError(f"hours must be positive, not {raw}")
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
