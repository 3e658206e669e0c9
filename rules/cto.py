"""CTO Academy: who must complete it, by when (role start + N calendar months, month end clamped), and status."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from enum import StrEnum

from dateutil.relativedelta import relativedelta

from rules.policy import Policy


class CtoStatus(StrEnum):
    NOT_REQUIRED = "not_required"
    ON_TRACK = "on_track"
    DUE_SOON = "due_soon"
    OVERDUE = "overdue"
    COMPLETED = "completed"


@dataclass(frozen=True)
class Cto:
    required: bool
    deadline: date | None
    completed_on: date | None
    status: CtoStatus
    days_left: int | None


def is_required(role_start: date | None, policy: Policy) -> bool:
    return role_start is not None and role_start >= policy.cto_applies_from


def deadline_of(role_start: date, months: int) -> date:
    """2025-08-31 + 24 months -> 2027-08-31; 2024-02-29 + 24 months -> 2026-02-28."""
    return role_start + relativedelta(months=months)


def cto_status(role_start: date | None, completed_on: date | None, policy: Policy, today: date) -> Cto:
    if not is_required(role_start, policy):
        return Cto(False, None, completed_on, CtoStatus.NOT_REQUIRED, None)
    assert role_start is not None
    deadline = deadline_of(role_start, policy.cto_months)
    if completed_on is not None:
        return Cto(True, deadline, completed_on, CtoStatus.COMPLETED, None)
    left = (deadline - today).days
    if left < 0:
        status = CtoStatus.OVERDUE
    elif left <= policy.cto_due_soon_days:
        status = CtoStatus.DUE_SOON
    else:
        status = CtoStatus.ON_TRACK
    return Cto(True, deadline, None, status, left)
