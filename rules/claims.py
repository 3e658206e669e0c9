"""Whether a claim of hours for a catalog activity may be recorded (attendance rows, submissions).

The cap of an activity applies to a TD's total for it in the FY (per unit for per-unit activities):
"up to" lets any quarter-hour amount up to the cap, otherwise exactly the cap.
An online TD-Talent course already credited (any earlier date or FY) is recorded but earns nothing again.
A dated live ALET event (conference, Cyber Camp, region meeting) counts only on its date; any other dated activity
(an external event, a dated online course) counts from its date on, never before it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from rules.fiscal import fiscal_year_bounds, in_fiscal_year
from rules.hours import fmt_hours, fmt_hours_unit
from rules.policy import CatalogItem, Kind, Policy
from rules.strands import numbers_of

LIVE_ALET = frozenset({Kind.CONFERENCE, Kind.CYBER_CAMP, Kind.REGION_MEETING})


@dataclass(frozen=True)
class Claim:
    item: CatalogItem
    day: date
    quarters: int
    strands: int


def check_claim(claim: Claim, policy: Policy, today: date, already: int = 0) -> list[str]:
    """Problems with a claim, empty when it may be recorded. `already`: quarter-hours this TD already has
    recorded (pending or approved) for the same activity and unit in that FY."""
    item = claim.item
    problems: list[str] = []
    start, end = fiscal_year_bounds(item.fy)
    if not in_fiscal_year(claim.day, item.fy):
        problems.append(f"date {claim.day} is outside FY{item.fy} ({start} to {end}) of {item.code}")
    if claim.day > today:
        problems.append(f"date {claim.day} is in the future")
    if item.day is not None:
        if item.kind in LIVE_ALET and claim.day != item.day:
            problems.append(f"date {claim.day} is not the day of {item.code}, which took place on {item.day}")
        elif claim.day < item.day:
            problems.append(f"date {claim.day} is before {item.code} starts on {item.day}")
    if item.earliest is not None and claim.day < item.earliest:
        problems.append(f"{item.code} counts only on or after {item.earliest}")
    if claim.quarters <= 0:
        problems.append("hours must be positive")
    elif item.up_to:
        if claim.quarters + already > item.cap:
            left = max(0, item.cap - already)
            extra = f" ({fmt_hours(already)} already recorded)" if already else ""
            problems.append(
                f"{fmt_hours(claim.quarters)} hours is over the cap of {fmt_hours(item.cap)} for {item.code}{extra};"
                f" at most {fmt_hours(left)} more"
            )
    elif already:
        problems.append(f"{item.code} is already recorded ({fmt_hours(already)} hours)")
    elif claim.quarters != item.cap:
        problems.append(f"{item.code} counts exactly {fmt_hours_unit(item.cap)}, not {fmt_hours(claim.quarters)}")
    if claim.strands == 0:
        problems.append("no strand given")
    else:
        unknown = [n for n in numbers_of(claim.strands) if n not in policy.strands]
        if unknown:
            problems.append(f"strand {unknown[0]} is not a strand of FY{item.fy}")
    return problems


def is_repeat(item: CatalogItem, credited_before: bool) -> bool:
    """An online TD-Talent course earns nothing when already credited to the TD (any FY)."""
    return item.kind is Kind.TALENT_ONLINE and credited_before


def earns_credit(item: CatalogItem) -> bool:
    """Online courses marked as not counting for TD credit are recorded without credit."""
    return item.counts_for_td


def unit_key(item: CatalogItem, day: date, unit: str | None = None) -> str:
    """The unit a cap applies to: per-unit activities are capped per unit (its label, else its date)."""
    if not item.per_unit:
        return ""
    return (unit or day.isoformat()).strip().lower()
