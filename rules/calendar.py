"""The reminder calendar: on which weekday each reminder step is sent, and which step is due on a date.

A step "N days before" a deadline is sent on deadline - N days, moved to the Friday before when that is a weekend.
Only the latest step whose send date has come is due (after downtime the older missed ones are skipped).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from dateutil.relativedelta import relativedelta

from rules.fiscal import fiscal_year_bounds, fiscal_year_of
from rules.policy import Policy

SATURDAY, SUNDAY = 5, 6


def on_weekday(day: date) -> date:
    """Saturday and Sunday move back to the Friday before."""
    if day.weekday() == SATURDAY:
        return day - timedelta(days=1)
    if day.weekday() == SUNDAY:
        return day - timedelta(days=2)
    return day


def next_weekday(day: date) -> date:
    """Saturday and Sunday move on to the Monday after (for overdue notices, which must not come early)."""
    while day.weekday() in (SATURDAY, SUNDAY):
        day += timedelta(days=1)
    return day


@dataclass(frozen=True)
class Step:
    name: str  # stable id stored in the reminder log: "90d", "overdue-3"
    send_on: date
    days_before: int  # negative when after the deadline


def steps_before(deadline: date, days: tuple[int, ...]) -> list[Step]:
    return sorted(
        (Step(f"{d}d", on_weekday(deadline - timedelta(days=d)), d) for d in days),
        key=lambda s: s.send_on,
    )


def latest_due(steps: list[Step], today: date) -> Step | None:
    """The last step whose send date is on or before `today`."""
    due = [s for s in steps if s.send_on <= today]
    return due[-1] if due else None


def fy_deadline_step(today: date, policy: Policy) -> Step | None:
    """The FY-deadline reminder step due on `today` (None before the first and after September 30)."""
    end = fiscal_year_bounds(fiscal_year_of(today))[1]
    if today > end:
        return None
    return latest_due(steps_before(end, policy.fy_reminder_days), today)


def cto_steps(deadline: date, today: date, policy: Policy) -> list[Step]:
    """CTO Academy steps before the deadline, then one a month while overdue (first the day after it)."""
    steps = steps_before(deadline, policy.cto_reminder_days)
    k = 0
    while True:
        day = deadline + timedelta(days=1) + relativedelta(months=k * policy.cto_overdue_every_months)
        if next_weekday(day) > today:
            break
        steps.append(Step(f"overdue-{k + 1}", next_weekday(day), -(day - deadline).days))
        k += 1
    return steps


def cto_step(deadline: date, today: date, policy: Policy) -> Step | None:
    return latest_due(cto_steps(deadline, today, policy), today)


def can_snooze(step: Step, policy: Policy) -> bool:
    """The last reminders (7 and 1 days before) are sent even to a TD who paused reminders."""
    return step.days_before not in policy.unsnoozable_days
