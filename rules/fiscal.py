"""Fiscal years (October 1 to September 30, named by the year they end) and local calendar dates."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

FIRST_MONTH = 10  # a fiscal year starts on October 1 (Alabama state fiscal year)


def fiscal_year_of(day: date) -> int:
    """The fiscal year `day` falls in: 2024-10-01 .. 2025-09-30 is FY2025."""
    return day.year + 1 if day.month >= FIRST_MONTH else day.year


def fiscal_year_bounds(fy: int) -> tuple[date, date]:
    """First and last day of fiscal year `fy`."""
    return date(fy - 1, FIRST_MONTH, 1), date(fy, FIRST_MONTH - 1, 30)


def in_fiscal_year(day: date, fy: int) -> bool:
    start, end = fiscal_year_bounds(fy)
    return start <= day <= end


def days_left_in_fy(today: date) -> int:
    """Days from `today` to September 30 of its fiscal year (0 on September 30)."""
    return (fiscal_year_bounds(fiscal_year_of(today))[1] - today).days


def local_date(instant: datetime, zone: str) -> date:
    """The calendar date of an aware instant in the given IANA zone (America/Chicago for TD-CEU)."""
    if instant.tzinfo is None:
        raise ValueError("instant must be timezone-aware")
    return instant.astimezone(ZoneInfo(zone)).date()
