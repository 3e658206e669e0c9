"""Credit arithmetic per TD per fiscal year (SPEC §2), on quarter-hours.

credited = alet + min(external_approved, max); remaining_alet = max(0, min_alet - alet);
remaining = max(0, required - credited, remaining_alet); compliant = alet >= min_alet and credited >= required.
Strand coverage counts credited hours only: an hour on two strands counts once in the total and toward both
strands. External hours are credited in date order up to the maximum, so strand hours of the external record that
crosses the maximum count only for its credited part.
"""

from __future__ import annotations

from collections.abc import Iterable
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
    order: int = 0  # tie-breaker for records on the same day (record id)


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


def totals(credits: Iterable[Credit], policy: Policy) -> Totals:
    alet = 0
    pending = 0
    strand_hours = dict.fromkeys(policy.strands, 0)
    externals: list[Credit] = []
    for c in credits:
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
    externals.sort(key=lambda c: (c.day, c.order))
    external = 0
    external_credited = 0
    for c in externals:
        external += c.quarters
        part = min(c.quarters, policy.external_maximum - external_credited)
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


def _add_strands(strand_hours: dict[int, int], mask: int, quarters: int) -> None:
    for n in strand_tuple(mask):
        if n in strand_hours:
            strand_hours[n] += quarters
