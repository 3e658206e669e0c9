"""No repeats (SPEC §2): which records of one TD's no-repeat activity (an online TD-Talent course, a `once`
activity) keep the credit, decided by date alone, never by the order the records arrived in.

The earliest-dated record keeps the credit: a record in a later FY earns nothing, and within that FY a record of
the same unit (part) on a later day is a retake that earns nothing. Parts with different units (one Talent course
per hour of an event) are each credited on their earliest day, their sum held to the activity's cap elsewhere.
"""

from __future__ import annotations

from collections.abc import Hashable, Iterable
from datetime import date
from typing import NamedTuple


class Taken(NamedTuple):
    """One approved record of a no-repeat activity. `ref` identifies it (a record id, a file line)."""

    fy: int
    day: date
    unit: str
    ref: Hashable


def credited_refs(records: Iterable[Taken]) -> set[Hashable]:
    """The refs of the records that keep the credit."""
    ordered = sorted(records, key=lambda r: (r.day, r.unit, str(r.ref)))
    if not ordered:
        return set()
    first_fy = ordered[0].fy
    first_day: dict[str, date] = {}
    kept: set[Hashable] = set()
    for r in ordered:
        if r.fy == first_fy and first_day.setdefault(r.unit, r.day) == r.day:
            kept.add(r.ref)
    return kept


TALENT_REPEAT = "repeat of a course already credited"
ONCE_REPEAT = "one-time activity already credited"
REPEAT_NOTES = frozenset({TALENT_REPEAT, ONCE_REPEAT})


def repeat_note(once: bool) -> str:
    """The note of a record recorded without credit because an earlier-dated one holds it."""
    return ONCE_REPEAT if once else TALENT_REPEAT
