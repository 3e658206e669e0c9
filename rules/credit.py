"""Credit arithmetic per TD per fiscal year (SPEC §2), on quarter-hours.

credited = alet + min(external_approved, max); remaining_alet = max(0, min_alet - alet);
remaining = max(0, required - credited, remaining_alet); compliant = alet >= min_alet and credited >= required.
Strand coverage counts credited hours only: an hour on two strands counts once in the total and toward both
strands. External hours are credited in date order up to the maximum, so strand hours of the external record that
crosses the maximum count only for its credited part. Records of one day are taken in a stable order (activity
code, then unit), so which one crosses the maximum never depends on the order they were recorded in.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date
from enum import StrEnum
from typing import NamedTuple

from rules.policy import Policy
from rules.strands import strand_tuple


class Status(StrEnum):
    PENDING = "pending"
    APPROVED = "approved"
    REJECTED = "rejected"
    VOIDED = "voided"  # taken back by an admin (recorded by mistake): kept for the record, never counted


NOT_LIVE = frozenset({Status.REJECTED, Status.VOIDED})  # records that count for nothing and block no new one


class Credit(NamedTuple):
    """One record as the arithmetic sees it. `counted` is False for recorded-but-never-credited rows (repeats).
    A NamedTuple: the report and the reminder sweep build hundreds of thousands of these."""

    alet: bool
    day: date
    quarters: int
    strands: int
    status: Status = Status.APPROVED
    counted: bool = True
    order: str = ""  # tie-breaker for records on the same day: activity code and unit (see `tie`)


class AletSum(NamedTuple):
    """A TD's approved, counted ALET quarter-hours summed by the database (ALET has no maximum, so their order does
    not matter): in all, and per strand number (an hour on two strands counts toward both). The bulk reads
    (report, sweep, overview) hand one of these per TD to `totals` instead of one Credit per strand set."""

    quarters: int
    strands: Mapping[int, int]


def tie(code: str, unit: str) -> str:
    """The same-day order of a record: by activity code, then unit (stable whatever the import order)."""
    return f"{code}\x1f{unit}"


@dataclass(frozen=True)
class Totals:
    alet: int
    external: int
    external_credited: int
    credited: int
    pending: int
    remaining: int
    remaining_alet: int
    compliant: bool
    strand_hours: dict[int, int]
    strand_gaps: list[int]


def totals(credits: Iterable[Credit | AletSum], policy: Policy) -> Totals:
    alet = 0
    pending = 0
    strand_hours = dict.fromkeys(policy.strands, 0)
    externals: list[Credit] = []
    for c in credits:
        if isinstance(c, AletSum):
            alet += c.quarters
            for n, q in c.strands.items():
                if n in strand_hours:
                    strand_hours[n] += q
            continue
        if not c.counted or c.status in NOT_LIVE:
            continue
        if c.status is Status.PENDING:
            pending += c.quarters
            continue
        if c.alet:
            alet += c.quarters
            _add_strands(strand_hours, c.strands, c.quarters)
        else:
            externals.append(c)
    external = sum(c.quarters for c in externals)
    external_credited = 0
    for c, part in zip(externals, external_parts(externals, policy.external_maximum), strict=True):
        if part > 0:
            external_credited += part
            _add_strands(strand_hours, c.strands, part)
    credited = alet + external_credited
    remaining_alet = max(0, policy.alet_minimum - alet)
    remaining = max(0, policy.required - credited, remaining_alet)
    gaps = [n for n in sorted(strand_hours) if strand_hours[n] == 0]
    compliant = alet >= policy.alet_minimum and credited >= policy.required
    if policy.require_all_strands and gaps:
        compliant = False
    return Totals(
        alet=alet,
        external=external,
        external_credited=external_credited,
        credited=credited,
        pending=pending,
        remaining=remaining,
        remaining_alet=remaining_alet,
        compliant=compliant,
        strand_hours=strand_hours,
        strand_gaps=gaps,
    )


def external_parts(externals: list[Credit], maximum: int) -> list[int]:
    """The credited quarter-hours of each approved external record (in the order given): records are credited in
    date order (then activity code and unit) until the maximum; the one that crosses it is partly credited."""
    quarters = [c.quarters for c in externals]
    if sum(quarters) <= maximum and min(quarters, default=0) >= 0:
        return quarters  # all within the maximum: every one credited in full, whatever the order
    order = sorted(range(len(externals)), key=lambda i: (externals[i].day, externals[i].order))
    parts = [0] * len(externals)
    left = maximum
    for i in order:
        parts[i] = max(0, min(externals[i].quarters, left))
        left -= parts[i]
    return parts


def _add_strands(strand_hours: dict[int, int], mask: int, quarters: int) -> None:
    for n in strand_tuple(mask):
        if n in strand_hours:
            strand_hours[n] += quarters
