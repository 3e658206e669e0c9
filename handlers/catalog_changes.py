"""A catalog re-import that changes an activity already in use: the records a change of dates (date, end,
earliest) or a lower cap would invalidate, so the import is refused with them listed instead of leaving records
that the catalog no longer allows."""

from __future__ import annotations

from collections import defaultdict

from sqlmodel import Session, col, select

from rules.claims import cap_key, dates_of
from rules.hours import fmt_hours
from rules.policy import CatalogItem
from storage.records import NOT_LIVE_VALUES
from storage.tables import CatalogEntry, CreditRecord, Person

SHOWN = 5  # records listed per activity; the rest are counted


def invalidated(session: Session, old: CatalogEntry, fresh: CatalogItem) -> str | None:
    """Why changing `old` to `fresh` is refused (the records it would invalidate), or None when it may be."""
    dates_changed = (old.day, old.end_day, old.earliest) != (fresh.day, fresh.end, fresh.earliest)
    if not dates_changed and fresh.cap >= old.cap:
        return None
    rows = session.execute(
        select(col(Person.email), col(CreditRecord.day), col(CreditRecord.unit), col(CreditRecord.quarters))
        .join(Person, col(Person.id) == col(CreditRecord.person_id))
        .where(CreditRecord.catalog_id == old.id, col(CreditRecord.status).not_in(NOT_LIVE_VALUES))
        .order_by(col(CreditRecord.day), col(Person.email))
    )
    outside: list[str] = []
    sums: dict[tuple[str, str], int] = defaultdict(int)
    for email, day, unit, quarters in rows:
        last = fresh.last_day
        if (fresh.day is not None and last is not None and not fresh.day <= day <= last) or (
            fresh.earliest is not None and day < fresh.earliest
        ):
            outside.append(f"{email} on {day} ({fmt_hours(quarters)} h)")
        sums[(email, cap_key(fresh, unit))] += quarters
    if outside:
        when = dates_of(fresh) if fresh.day is not None else "on any day of its FY"
        if fresh.earliest is not None:
            when += f", on or after {fresh.earliest}"
        return f"{fresh.code}: the new dates ({when}) would leave {_listed(outside, 'record')} outside them"
    over = [f"{email} ({fmt_hours(q)} h)" for (email, _unit), q in sorted(sums.items()) if q > fresh.cap]
    if over:
        return (
            f"{fresh.code}: the new cap of {fmt_hours(fresh.cap)} hours is below the hours already recorded for "
            + _listed(over, "director")
        )
    return None


def _listed(records: list[str], noun: str) -> str:
    n = len(records)
    text = "; ".join(records[:SHOWN])
    if n > SHOWN:
        text += f" and {n - SHOWN} more"
    return f"{n} {noun}{'s' if n != 1 else ''} ({text})"
