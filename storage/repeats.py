"""Keeping the no-repeat rule true in the database: once records of a no-repeat activity (an online TD-Talent
course, a `once` activity) arrive or a catalog changes which activities are `once`, each TD's earliest-dated
record keeps the credit and the later ones are recorded without it (rules.repeats decides, by date alone)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

from sqlalchemy import update
from sqlmodel import Session, col, select

from rules.credit import Status
from rules.policy import Kind
from rules.repeats import REPEAT_NOTES, Taken, credited_refs, repeat_note
from storage.tables import CatalogEntry, CreditRecord


@dataclass(frozen=True)
class Moved:
    """A record whose credit changed: `counted` is its new flag."""

    record_id: int
    person_id: int
    code: str
    fy: int
    day: date
    counted: bool
    note: str


def settle_repeats(session: Session, codes: Iterable[str], person_ids: Iterable[int] | None = None) -> list[Moved]:
    """Recompute which approved records of these activity codes keep the credit (for these TDs, or all) and
    update the ones that changed; returns them so the caller can audit them."""
    codes = sorted(set(codes))
    if not codes:
        return []
    query = (
        select(
            col(CreditRecord.id),
            col(CreditRecord.person_id),
            col(CreditRecord.fy),
            col(CreditRecord.day),
            col(CreditRecord.unit),
            col(CreditRecord.counted),
            col(CreditRecord.note),
            col(CatalogEntry.code),
            col(CatalogEntry.kind),
            col(CatalogEntry.once),
            col(CatalogEntry.counts_for_td),
        )
        .join(CatalogEntry, col(CatalogEntry.id) == col(CreditRecord.catalog_id))
        .where(col(CatalogEntry.code).in_(codes), CreditRecord.status == Status.APPROVED.value)
    )
    if person_ids is not None:
        query = query.where(col(CreditRecord.person_id).in_(sorted(set(person_ids))))
    groups: dict[tuple[int, str], list[tuple[Taken, int, bool, bool]]] = defaultdict(list)
    moved: list[Moved] = []
    for rid, pid, fy, day, unit, counted, note, code, kind, once, counts in session.execute(query):
        if not counts:
            continue
        if kind == Kind.TALENT_ONLINE.value or once:
            groups[(pid, code)].append((Taken(fy, day, unit, rid), rid, counted, once))
        elif not counted and note in REPEAT_NOTES:  # no longer a no-repeat activity: the record earns again
            moved.append(Moved(rid, pid, code, fy, day, True, ""))
    for (pid, code), members in groups.items():
        kept = credited_refs(t for t, *_ in members)
        for taken, rid, counted, once in members:
            want = rid in kept
            if want != counted:
                moved.append(Moved(rid, pid, code, taken.fy, taken.day, want, "" if want else repeat_note(once)))
    for m in moved:
        session.execute(
            update(CreditRecord).where(col(CreditRecord.id) == m.record_id).values(counted=m.counted, note=m.note)
        )
    return moved


def credit_if_added(
    session: Session, person_id: int, code: str, new: Taken, catalog_id: int, unit: str | None
) -> tuple[bool, int]:
    """For a claim of a no-repeat activity not recorded yet: whether it would keep the credit, and the quarter-hours
    of the TD's records of `catalog_id` (of `unit`, when given) that would lose it to the claim."""
    rows = session.execute(
        select(
            col(CreditRecord.id),
            col(CreditRecord.fy),
            col(CreditRecord.day),
            col(CreditRecord.unit),
            col(CreditRecord.quarters),
            col(CreditRecord.catalog_id),
        )
        .join(CatalogEntry, col(CatalogEntry.id) == col(CreditRecord.catalog_id))
        .where(
            CreditRecord.person_id == person_id,
            CatalogEntry.code == code,
            CreditRecord.status == Status.APPROVED.value,
        )
    )
    records = [(Taken(fy, day, u, rid), q, cid) for rid, fy, day, u, q, cid in rows]
    kept = credited_refs([*(t for t, _, _ in records), new])
    if new.ref not in kept:
        return False, 0
    dropped = sum(
        q for t, q, cid in records if t.ref not in kept and cid == catalog_id and (unit is None or t.unit == unit)
    )
    return True, dropped
