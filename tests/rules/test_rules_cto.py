"""rules.cto: who must complete the CTO Academy, the 24-calendar-month deadline (month end clamped) and status."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from rules.cto import CtoStatus, cto_status, deadline_of, is_required
from tests.rules.test_rules_credit import POLICY


@pytest.mark.parametrize(
    ("start", "deadline"),
    [
        (date(2025, 8, 31), date(2027, 8, 31)),
        (date(2024, 2, 29), date(2026, 2, 28)),
        (date(2024, 10, 1), date(2026, 10, 1)),
        (date(2024, 10, 15), date(2026, 10, 15)),
        (date(2025, 12, 31), date(2027, 12, 31)),
        (date(2026, 1, 1), date(2028, 1, 1)),
        (date(2026, 2, 28), date(2028, 2, 28)),  # not moved to the 29th of a leap year
        (date(2025, 9, 30), date(2027, 9, 30)),
    ],
)
def test_deadline_is_24_calendar_months_later(start: date, deadline: date) -> None:
    assert deadline_of(start, 24) == deadline


def test_deadline_with_another_period() -> None:
    assert deadline_of(date(2024, 2, 29), 36) == date(2027, 2, 28)
    assert deadline_of(date(2024, 2, 29), 48) == date(2028, 2, 29)
    assert deadline_of(date(2025, 8, 31), 6) == date(2026, 2, 28)


@given(st.dates(min_value=date(2024, 10, 1), max_value=date(2090, 1, 1)))
def test_deadline_properties(start: date) -> None:
    d = deadline_of(start, 24)
    months = (d.year - start.year) * 12 + d.month - start.month
    assert months == 24
    assert d.day == start.day or (d.day < start.day and (d + timedelta(days=1)).day == 1)


@pytest.mark.parametrize(
    ("start", "required"),
    [(None, False), (date(2010, 8, 1), False), (date(2024, 9, 30), False), (date(2024, 10, 1), True)],
)
def test_who_must_complete_it(start: date | None, required: bool) -> None:
    assert is_required(start, POLICY) is required
    cto = cto_status(start, None, POLICY, date(2025, 3, 3))
    assert cto.required is required
    if not required:
        assert cto.status is CtoStatus.NOT_REQUIRED
        assert cto.deadline is None


@pytest.mark.parametrize(
    ("today", "status", "left"),
    [
        (date(2025, 3, 3), CtoStatus.ON_TRACK, None),
        (date(2027, 6, 1), CtoStatus.ON_TRACK, 91),  # 91 days before 2027-08-31
        (date(2027, 6, 2), CtoStatus.DUE_SOON, 90),
        (date(2027, 8, 31), CtoStatus.DUE_SOON, 0),
        (date(2027, 9, 1), CtoStatus.OVERDUE, -1),
        (date(2028, 9, 1), CtoStatus.OVERDUE, -367),
    ],
)
def test_status_around_the_deadline(today: date, status: CtoStatus, left: int | None) -> None:
    cto = cto_status(date(2025, 8, 31), None, POLICY, today)
    assert cto.required is True
    assert cto.deadline == date(2027, 8, 31)
    assert cto.status is status
    if left is not None:
        assert cto.days_left == left


def test_completed_wins_even_after_the_deadline() -> None:
    cto = cto_status(date(2024, 10, 15), date(2026, 11, 1), POLICY, date(2027, 1, 1))
    assert cto.status is CtoStatus.COMPLETED
    assert cto.completed_on == date(2026, 11, 1)
    assert cto.deadline == date(2026, 10, 15)


def test_policy_period_and_start_are_data() -> None:
    three_years = replace(POLICY, cto_months=36, cto_applies_from=date(2025, 1, 1))
    assert cto_status(date(2024, 12, 31), None, three_years, date(2025, 3, 3)).status is CtoStatus.NOT_REQUIRED
    assert cto_status(date(2025, 1, 1), None, three_years, date(2025, 3, 3)).deadline == date(2028, 1, 1)
