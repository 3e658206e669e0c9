"""Whether a claim of hours for a catalog activity may be recorded (attendance rows, submissions).

The cap of an activity applies to a TD's total for it in the FY (per unit for per-unit activities):
"up to" lets any quarter-hour amount up to the cap, otherwise exactly the cap; parts of one activity (rows told
apart by a `unit`) may be any amount, their sum held to the cap. A dated activity counts from its `date` to its
`end` (its date alone without an end); an undated one on any day of its FY. Each problem names the form field it
belongs to, so a chat form shows it beside that field and an import prints its text.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Literal

from rules.fiscal import fiscal_year_bounds, in_fiscal_year
from rules.hours import fmt_hours, fmt_hours_unit
from rules.policy import CatalogItem, Kind, Policy
from rules.strands import strand_tuple

LIVE_ALET = frozenset({Kind.CONFERENCE, Kind.CYBER_CAMP, Kind.REGION_MEETING})

Field = Literal["date", "hours", "strands"]


@dataclass(frozen=True)
class Problem:
    """One reason a claim cannot be recorded, tagged with the field it is about."""

    field: Field
    text: str

    def __str__(self) -> str:
        return self.text


@dataclass(frozen=True)
class Claim:
    item: CatalogItem
    day: date
    quarters: int
    strands: int
    part: bool = False  # one named part (unit) of an activity that is not per unit: any amount, the sum capped


def dates_of(item: CatalogItem) -> str:
    """'on 2025-01-30' or 'from 2025-01-30 to 2025-01-31' (for a dated activity)."""
    if item.end is None or item.end == item.day:
        return f"on {item.day}"
    return f"from {item.day} to {item.end}"


def check_claim(claim: Claim, policy: Policy, today: date, already: int = 0) -> list[Problem]:
    """Problems with a claim, empty when it may be recorded. `already`: quarter-hours this TD already has
    recorded (pending or credited) toward the same cap (the activity in that FY, or its unit when per unit)."""
    return [*_date_problems(claim, today), *_hour_problems(claim, already), *_strand_problems(claim, policy)]


def _date_problems(claim: Claim, today: date) -> list[Problem]:
    item, day = claim.item, claim.day
    out: list[Problem] = []
    if not in_fiscal_year(day, item.fy):
        start, end = fiscal_year_bounds(item.fy)
        out.append(Problem("date", f"date {day} is outside FY{item.fy} ({start} to {end}) of {item.code}"))
    if day > today:
        out.append(Problem("date", f"date {day} is in the future"))
    last = item.last_day
    if item.day is not None and last is not None and not item.day <= day <= last:
        if last == item.day:
            out.append(Problem("date", f"date {day} is not the day of {item.code}, which took place on {item.day}"))
        else:
            out.append(Problem("date", f"date {day} is not during {item.code}, which took place {dates_of(item)}"))
    if item.earliest is not None and day < item.earliest:
        out.append(Problem("date", f"{item.code} counts only on or after {item.earliest}"))
    return out


def _hour_problems(claim: Claim, already: int) -> list[Problem]:
    item, quarters = claim.item, claim.quarters
    if quarters <= 0:
        return [Problem("hours", "hours must be positive")]
    if item.up_to or claim.part:
        if quarters + already > item.cap:
            left = max(0, item.cap - already)
            extra = f" ({fmt_hours(already)} already recorded)" if already else ""
            return [
                Problem(
                    "hours",
                    f"{fmt_hours_unit(quarters)} is over the cap of {fmt_hours(item.cap)} for {item.title}{extra};"
                    f" at most {fmt_hours(left)} more",
                )
            ]
        return []
    if already:
        return [Problem("hours", f"{item.code} is already recorded ({fmt_hours_unit(already)})")]
    if quarters != item.cap:
        return [Problem("hours", f"{item.code} counts exactly {fmt_hours_unit(item.cap)}, not {fmt_hours(quarters)}")]
    return []


def _strand_problems(claim: Claim, policy: Policy) -> list[Problem]:
    if claim.strands == 0:
        return [Problem("strands", "no strand given")]
    known = policy.strands
    unknown = [n for n in strand_tuple(claim.strands) if n not in known]
    if unknown:
        return [Problem("strands", f"strand {unknown[0]} is not a strand of FY{claim.item.fy}")]
    return []


def is_repeat(item: CatalogItem, credited_before: bool) -> bool:
    """An online TD-Talent course or a `once` activity earns nothing when already credited to the TD."""
    return item.no_repeat and credited_before


def earns_credit(item: CatalogItem) -> bool:
    """Online courses marked as not counting for TD credit are recorded without credit."""
    return item.counts_for_td


def unit_key(item: CatalogItem, day: date, unit: str | None = None) -> str:
    """The unit that tells one record of an activity on a day from another: the label given (any activity, so
    several parts of one activity on one day are separate records), else the date for a per-unit activity (one
    workshop a day), else nothing."""
    label = (unit or "").strip().lower()
    if label:
        return label
    return day.isoformat() if item.per_unit else ""


def cap_key(item: CatalogItem, unit: str) -> str:
    """What a cap applies to: the unit for a per-unit activity, else the whole activity (all its parts)."""
    return unit if item.per_unit else ""
