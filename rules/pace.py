"""Where a director stands in a fiscal year: compliant, on track or behind.

"On track" means a steady pace still gets there: the hours still owed are at most the requirement's share of the
days left in the FY (today included), and the same for the ALET minimum. On October 1 every director is on track;
someone who owes 6 of 12 hours is on track until the FY is half over; after September 30 anyone not compliant is
behind. Integer arithmetic on quarter-hours and days (no floats).
"""

from __future__ import annotations

from datetime import date
from enum import StrEnum

from rules.credit import Totals
from rules.fiscal import fiscal_year_bounds
from rules.policy import Policy


class Standing(StrEnum):
    COMPLIANT = "compliant"
    ON_TRACK = "on_track"
    BEHIND = "behind"


def days_left(fy: int, today: date) -> tuple[int, int]:
    """(days left in `fy` counting today, days in `fy`): (365, 365) before it starts, (0, 365) after it ends."""
    start, end = fiscal_year_bounds(fy)
    total = (end - start).days + 1
    return max(0, min(total, (end - today).days + 1)), total


def standing(t: Totals, policy: Policy, fy: int, today: date) -> Standing:
    if t.compliant:
        return Standing.COMPLIANT
    left, total = days_left(fy, today)
    if left == 0:
        return Standing.BEHIND
    steady = t.remaining * total <= policy.required * left and t.remaining_alet * total <= policy.alet_minimum * left
    return Standing.ON_TRACK if steady else Standing.BEHIND
