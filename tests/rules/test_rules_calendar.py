"""rules.calendar: which reminder step is due on a date; weekends move to the Friday before; only the latest missed
step is due; overdue CTO steps come monthly, never before the deadline has passed."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from rules.calendar import can_snooze, cto_step, cto_steps, fy_deadline_step, next_weekday, on_weekday, steps_before
from tests.rules.test_rules_credit import POLICY


def test_weekend_days_move() -> None:
    assert on_weekday(date(2028, 9, 30)) == date(2028, 9, 29)  # Saturday -> Friday
    assert on_weekday(date(2029, 9, 30)) == date(2029, 9, 28)  # Sunday -> Friday
    assert on_weekday(date(2025, 9, 30)) == date(2025, 9, 30)  # Tuesday stays
    assert next_weekday(date(2028, 1, 1)) == date(2028, 1, 3)  # Saturday -> Monday
    assert next_weekday(date(2027, 9, 1)) == date(2027, 9, 1)


def _fy_sends(fy_end: date) -> dict[str, date]:
    return {s.name: s.send_on for s in steps_before(fy_end, POLICY.fy_reminder_days)}


def test_fy_deadline_steps_in_fy2025() -> None:
    assert _fy_sends(date(2025, 9, 30)) == {
        "90d": date(2025, 7, 2),
        "60d": date(2025, 8, 1),
        "30d": date(2025, 8, 29),  # Aug 31 is a Sunday
        "14d": date(2025, 9, 16),
        "7d": date(2025, 9, 23),
        "1d": date(2025, 9, 29),
    }


def test_fy_deadline_steps_when_september_30_is_a_saturday() -> None:
    sends = _fy_sends(date(2028, 9, 30))
    assert sends["1d"] == date(2028, 9, 29)  # Friday
    assert sends["7d"] == date(2028, 9, 22)  # Sep 23 is a Saturday
    assert sends["14d"] == date(2028, 9, 15)
    assert sends["90d"] == date(2028, 6, 30)  # Jul 2 is a Sunday


def test_fy_deadline_steps_when_september_30_is_a_sunday() -> None:
    sends = _fy_sends(date(2029, 9, 30))
    assert sends["1d"] == date(2029, 9, 28)  # Sep 29 is a Saturday
    assert sends["7d"] == date(2029, 9, 21)
    assert sends["30d"] == date(2029, 8, 31)


@pytest.mark.parametrize(
    ("today", "step"),
    [
        (date(2024, 10, 1), None),
        (date(2024, 12, 31), None),
        (date(2025, 1, 1), None),
        (date(2025, 7, 1), None),
        (date(2025, 7, 2), "90d"),
        (date(2025, 7, 31), "90d"),
        (date(2025, 8, 1), "60d"),
        (date(2025, 8, 29), "30d"),  # Friday before Sunday Aug 31
        (date(2025, 8, 31), "30d"),
        (date(2025, 9, 22), "14d"),
        (date(2025, 9, 23), "7d"),
        (date(2025, 9, 29), "1d"),
        (date(2025, 9, 30), "1d"),
        (date(2025, 10, 1), None),  # a new FY: nothing until its 90-day step
        (date(2028, 9, 29), "1d"),
        (date(2029, 9, 28), "1d"),
        (date(2029, 9, 27), "7d"),
    ],
)
def test_fy_deadline_step_due_on(today: date, step: str | None) -> None:
    due = fy_deadline_step(today, POLICY)
    assert (due.name if due else None) == step


def test_only_the_latest_missed_step_is_due() -> None:
    # the bot was down from July to September 24: only the 7-day step is due, not the 90/60/30/14 ones
    due = fy_deadline_step(date(2025, 9, 24), POLICY)
    assert due is not None and due.name == "7d" and due.send_on == date(2025, 9, 23)


def test_last_reminders_cannot_be_snoozed() -> None:
    names = {s.name: can_snooze(s, POLICY) for s in steps_before(date(2025, 9, 30), POLICY.fy_reminder_days)}
    assert names == {"90d": True, "60d": True, "30d": True, "14d": True, "7d": False, "1d": False}


DEADLINE = date(2027, 8, 31)  # role start 2025-08-31


@pytest.mark.parametrize(
    ("today", "step", "send_on"),
    [
        (date(2027, 3, 3), None, None),
        (date(2027, 3, 4), "180d", date(2027, 3, 4)),
        (date(2027, 6, 2), "90d", date(2027, 6, 2)),
        (date(2027, 7, 30), "30d", date(2027, 7, 30)),  # Aug 1 is a Sunday
        (date(2027, 8, 24), "7d", date(2027, 8, 24)),
        (date(2027, 8, 31), "7d", date(2027, 8, 24)),  # the deadline day itself: no overdue notice yet
        (date(2027, 9, 1), "overdue-1", date(2027, 9, 1)),
        (date(2027, 9, 30), "overdue-1", date(2027, 9, 1)),
        (date(2027, 10, 1), "overdue-2", date(2027, 10, 1)),
        (date(2027, 12, 31), "overdue-4", date(2027, 12, 1)),
        (date(2028, 1, 1), "overdue-4", date(2027, 12, 1)),  # Jan 1 2028 is a Saturday: next on Monday
        (date(2028, 1, 3), "overdue-5", date(2028, 1, 3)),
    ],
)
def test_cto_step_due_on(today: date, step: str | None, send_on: date | None) -> None:
    due = cto_step(DEADLINE, today, POLICY)
    assert (due.name if due else None) == step
    assert (due.send_on if due else None) == send_on


def test_cto_overdue_notice_after_a_friday_deadline_waits_for_monday() -> None:
    deadline = date(2027, 10, 1)  # a Friday
    assert cto_step(deadline, date(2027, 10, 2), POLICY).name == "7d"  # type: ignore[union-attr]
    due = cto_step(deadline, date(2027, 10, 4), POLICY)
    assert due is not None and due.name == "overdue-1" and due.send_on == date(2027, 10, 4)


@given(
    st.dates(min_value=date(2026, 1, 1), max_value=date(2030, 12, 31)),
    st.integers(min_value=-200, max_value=800),
)
def test_cto_steps_properties(deadline: date, offset: int) -> None:
    today = deadline + timedelta(days=offset)
    steps = cto_steps(deadline, today, POLICY)
    for s in steps:
        assert s.send_on.weekday() < 5
        if s.name.startswith("overdue"):
            assert s.send_on > deadline  # never before the deadline has passed
            assert s.send_on <= today
        else:
            assert s.send_on <= deadline
    sends = [s.send_on for s in steps]
    assert sends == sorted(sends)
    due = cto_step(deadline, today, POLICY)
    if due is not None:
        assert due.send_on <= today
        assert all(s.send_on <= due.send_on for s in steps if s.send_on <= today)


@given(st.dates(min_value=date(2024, 10, 1), max_value=date(2040, 9, 30)))
def test_fy_steps_properties(today: date) -> None:
    due = fy_deadline_step(today, POLICY)
    if due is not None:
        assert due.send_on <= today
        assert due.send_on.weekday() < 5
        assert today.month in (6, 7, 8, 9)
