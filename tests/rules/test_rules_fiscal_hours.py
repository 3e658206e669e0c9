"""rules.fiscal and rules.hours: fiscal years and their bounds on every date edge, exact quarter-hours."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from rules.fiscal import days_left_in_fy, fiscal_year_bounds, fiscal_year_of, in_fiscal_year, local_date
from rules.hours import HoursError, as_number, fmt_hours, fmt_hours_unit, hours_of, parse_hours


@pytest.mark.parametrize(
    ("day", "fy"),
    [
        (date(2024, 9, 30), 2024),
        (date(2024, 10, 1), 2025),
        (date(2024, 12, 31), 2025),
        (date(2025, 1, 1), 2025),
        (date(2024, 2, 29), 2024),
        (date(2025, 8, 31), 2025),
        (date(2025, 9, 30), 2025),
        (date(2025, 10, 1), 2026),
        (date(2028, 2, 29), 2028),
        (date(2028, 9, 30), 2028),  # a Saturday
        (date(2029, 9, 30), 2029),  # a Sunday
        (date(2029, 10, 1), 2030),
    ],
)
def test_fiscal_year_of_date_edges(day: date, fy: int) -> None:
    assert fiscal_year_of(day) == fy
    assert in_fiscal_year(day, fy)
    assert not in_fiscal_year(day, fy - 1)
    assert not in_fiscal_year(day, fy + 1)


def test_fiscal_year_bounds() -> None:
    assert fiscal_year_bounds(2025) == (date(2024, 10, 1), date(2025, 9, 30))
    assert fiscal_year_bounds(2026) == (date(2025, 10, 1), date(2026, 9, 30))
    assert fiscal_year_bounds(2028) == (date(2027, 10, 1), date(2028, 9, 30))


@given(st.dates(min_value=date(1901, 1, 1), max_value=date(9998, 9, 30)))
def test_every_date_lies_inside_the_bounds_of_its_fiscal_year(day: date) -> None:
    fy = fiscal_year_of(day)
    start, end = fiscal_year_bounds(fy)
    assert start <= day <= end
    assert (start - timedelta(days=1)) == fiscal_year_bounds(fy - 1)[1]
    assert (end + timedelta(days=1)) == fiscal_year_bounds(fy + 1)[0]
    assert 0 <= days_left_in_fy(day) <= 365


def test_days_left_in_fy() -> None:
    assert days_left_in_fy(date(2025, 9, 30)) == 0
    assert days_left_in_fy(date(2025, 9, 29)) == 1
    assert days_left_in_fy(date(2024, 10, 1)) == 364
    assert days_left_in_fy(date(2027, 10, 1)) == 365  # FY2028 holds Feb 29


def test_local_date_is_america_chicago() -> None:
    # 2025-10-01 03:00 UTC is still September 30 in Chicago (CDT, UTC-5): FY2025, not FY2026.
    instant = datetime(2025, 10, 1, 3, 0, tzinfo=UTC)
    assert local_date(instant, "America/Chicago") == date(2025, 9, 30)
    assert local_date(datetime(2025, 1, 1, 5, 59, tzinfo=UTC), "America/Chicago") == date(2024, 12, 31)
    assert local_date(datetime(2025, 1, 1, 6, 0, tzinfo=UTC), "America/Chicago") == date(2025, 1, 1)
    with pytest.raises(ValueError):
        local_date(datetime(2025, 1, 1), "America/Chicago")


@pytest.mark.parametrize(
    ("text", "quarters"),
    [("1", 4), ("0.25", 1), ("2.5", 10), ("2.50", 10), (" 3.75 ", 15), ("12", 48), ("6.0", 24), (Decimal("1.5"), 6)],
)
def test_parse_hours_accepts_quarter_hours(text: str, quarters: int) -> None:
    assert parse_hours(text) == quarters


@pytest.mark.parametrize(
    "text",
    [
        "",
        "  ",
        "0",
        "0.0",
        "-1",
        "-0.25",
        "0.1",
        "0.3",
        "1.2",
        "abc",
        "NaN",
        "Infinity",
        "1,5",
        "1e400",
        "1e12",
        "1e1",
        "1_0",
        "1001",
        "0x10",
    ],
)
def test_parse_hours_refuses_what_is_not_a_positive_quarter_hour(text: str) -> None:
    with pytest.raises(HoursError):
        parse_hours(text)


def test_formatting() -> None:
    assert fmt_hours(8) == "2"
    assert fmt_hours(9) == "2.25"
    assert fmt_hours(10) == "2.5"
    assert fmt_hours(40) == "10"
    assert fmt_hours(400) == "100"
    assert fmt_hours(0) == "0"
    assert fmt_hours_unit(4) == "1 hour"
    assert fmt_hours_unit(6) == "1.5 hours"
    assert hours_of(9) == Decimal("2.25")
    assert as_number(9) == 2.25
    assert as_number(40) == 10.0


@given(st.integers(min_value=1, max_value=4000))
def test_quarter_hours_round_trip_exactly(quarters: int) -> None:
    assert parse_hours(fmt_hours(quarters)) == quarters
    assert parse_hours(str(as_number(quarters))) == quarters
    assert Decimal(str(as_number(quarters))) == hours_of(quarters)
    assert as_number(quarters) * 4 == quarters  # exactly representable, no binary rounding


@given(st.lists(st.integers(min_value=1, max_value=400), max_size=50))
def test_sums_of_quarter_hours_are_exact(values: list[int]) -> None:
    assert sum(as_number(q) for q in values) == as_number(sum(values))
    assert sum(hours_of(q) for q in values) == hours_of(sum(values))
