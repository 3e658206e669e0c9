"""Calendar edge cases the reminder sweep relies on (rules.calendar with rules.cto.deadline_of): September 30 on a
Monday, leap years, month-end role starts, and the FY a CTO step is logged under staying put across October 1."""

from __future__ import annotations

from datetime import date

import pytest

from rules.calendar import can_snooze, cto_step, cto_steps, fy_deadline_step
from rules.cto import deadline_of
from rules.fiscal import fiscal_year_of
from tests.rules.test_rules_credit import POLICY


@pytest.mark.parametrize(
    ("today", "step", "send_on"),
    [
        (date(2024, 9, 20), "14d", date(2024, 9, 16)),
        (date(2024, 9, 23), "7d", date(2024, 9, 23)),
        (date(2024, 9, 26), "7d", date(2024, 9, 23)),
        (date(2024, 9, 27), "1d", date(2024, 9, 27)),  # Sep 29 is a Sunday: the last one goes out on Friday
        (date(2024, 9, 28), "1d", date(2024, 9, 27)),
        (date(2024, 9, 30), "1d", date(2024, 9, 27)),  # the deadline Monday itself: still the Friday's step
        (date(2024, 10, 1), None, None),
    ],
)
def test_september_30_on_a_monday(today: date, step: str | None, send_on: date | None) -> None:
    assert date(2024, 9, 30).weekday() == 0
    due = fy_deadline_step(today, POLICY)
    got = (due.name, due.send_on) if due else (None, None)
    assert got == (step, send_on)


@pytest.mark.parametrize(
    ("role_start", "deadline", "sends"),
    [
        # month-end start, deadline on a Saturday: 7d moves back to Friday, the first overdue notice on to Monday
        (
            date(2024, 10, 31),
            date(2026, 10, 31),
            {"7d": date(2026, 10, 23), "overdue-1": date(2026, 11, 2), "overdue-2": date(2026, 12, 1)},
        ),
        # Jan 31 start: deadline a Sunday; overdue notices on the 1st of each month
        (
            date(2025, 1, 31),
            date(2027, 1, 31),
            {"7d": date(2027, 1, 22), "overdue-1": date(2027, 2, 1), "overdue-2": date(2027, 3, 1)},
        ),
        # a leap-day start clamps to Feb 28; 180 days back crosses Sep 1 2029 (a Saturday) -> Friday Aug 31
        (
            date(2028, 2, 29),
            date(2030, 2, 28),
            {"180d": date(2029, 8, 31), "overdue-1": date(2030, 3, 1), "overdue-2": date(2030, 4, 1)},
        ),
        # a deadline of Feb 28 in a leap year: overdue from Feb 29, then monthly from that day
        (
            date(2026, 2, 28),
            date(2028, 2, 28),
            {"7d": date(2028, 2, 21), "overdue-1": date(2028, 2, 29), "overdue-2": date(2028, 3, 29)},
        ),
    ],
)
def test_cto_month_ends_and_leap_years(role_start: date, deadline: date, sends: dict[str, date]) -> None:
    assert deadline_of(role_start, POLICY.cto_months) == deadline
    steps = {s.name: s.send_on for s in cto_steps(deadline, date(deadline.year + 1, 12, 31), POLICY)}
    for name, day in sends.items():
        assert steps[name] == day, name
        assert cto_step(deadline, day, POLICY).name == name  # type: ignore[union-attr]


def test_cto_snooze_spares_only_the_7_day_step() -> None:
    deadline = date(2027, 8, 31)
    steps = cto_steps(deadline, date(2028, 1, 31), POLICY)
    assert {s.name for s in steps if not can_snooze(s, POLICY)} == {"7d"}


def test_a_cto_step_keeps_its_fy_across_october_1() -> None:
    """The sweep logs a CTO step under the FY of its send date, so the step still due on Oct 1 is the same key."""
    deadline = date(2026, 10, 8)  # 7d step: Thursday Oct 1 2026; 30d: Tuesday Sep 8 2026
    on_sep_30 = cto_step(deadline, date(2026, 9, 30), POLICY)
    assert on_sep_30 is not None and on_sep_30.name == "30d"
    on_oct_1 = cto_step(deadline, date(2026, 10, 1), POLICY)
    assert on_oct_1 is not None and on_oct_1.name == "7d"
    assert fiscal_year_of(on_sep_30.send_on) == 2026 and fiscal_year_of(on_oct_1.send_on) == 2027
    later = cto_step(deadline, date(2026, 10, 7), POLICY)
    assert later is not None and (later.name, fiscal_year_of(later.send_on)) == ("7d", 2027)
