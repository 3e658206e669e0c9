"""The per-fiscal-year policy and catalog entries, as plain values (loaded from policy data elsewhere)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from enum import StrEnum


class Kind(StrEnum):
    CONFERENCE = "conference"
    CYBER_CAMP = "cyber_camp"
    REGION_MEETING = "region_meeting"
    TALENT_ONLINE = "talent_online"
    EXTERNAL = "external"

    @property
    def is_alet(self) -> bool:
        return self is not Kind.EXTERNAL


class Evidence(StrEnum):
    NONE = "none"
    FILE = "file"
    FILE_AND_ASSIGNMENT = "file+assignment"

    @property
    def needs_file(self) -> bool:
        return self is not Evidence.NONE

    @property
    def needs_assignment(self) -> bool:
        return self is Evidence.FILE_AND_ASSIGNMENT


@dataclass(frozen=True)
class Policy:
    """Every number of the TD-CEU requirement for one fiscal year (hours as quarter-hours)."""

    fy: int
    required: int  # quarter-hours credited per FY
    alet_minimum: int
    external_maximum: int
    strands: dict[int, str]
    require_all_strands: bool = False
    cto_applies_from: date = date(2024, 10, 1)
    cto_months: int = 24
    cto_due_soon_days: int = 90
    fy_reminder_days: tuple[int, ...] = (90, 60, 30, 14, 7, 1)
    cto_reminder_days: tuple[int, ...] = (180, 90, 30, 7)
    cto_overdue_every_months: int = 1
    unsnoozable_days: tuple[int, ...] = (7, 1)
    snooze_days: int = 7
    review_wait_days: int = 3
    upcoming_suggestions: int = 3
    contact: str = "your ALET TD-CEU coordinator"


@dataclass(frozen=True)
class CatalogItem:
    """One activity of a FY's catalog. `cap` is the hour cap in quarter-hours (per unit when `per_unit`).
    A dated activity counts from `day` to `end` (`day` alone without an `end`); `once`: credited at most once per
    TD, ever (certifications, exams, single courses)."""

    fy: int
    code: str
    title: str
    kind: Kind
    cap: int
    strands: int  # mask of default strands
    day: date | None = None
    up_to: bool = True
    per_unit: bool = False
    counts_for_td: bool = True
    evidence: Evidence = Evidence.NONE
    earliest: date | None = None
    end: date | None = None
    once: bool = False
    extra: dict[str, str] = field(default_factory=dict, compare=False)

    @property
    def is_alet(self) -> bool:
        return self.kind.is_alet

    @property
    def last_day(self) -> date | None:
        """The last day a dated activity counts on (None for an undated one)."""
        return self.end or self.day

    @property
    def span(self) -> str:
        """'2025-01-30', '2025-01-30 to 2025-01-31', or '' for an undated activity."""
        if self.day is None:
            return ""
        if self.end is None or self.end == self.day:
            return self.day.isoformat()
        return f"{self.day.isoformat()} to {self.end.isoformat()}"

    @property
    def no_repeat(self) -> bool:
        """Credited once per TD ever: online TD-Talent courses and activities marked `once`."""
        return self.once or self.kind is Kind.TALENT_ONLINE
