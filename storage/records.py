"""Credit-record queries: one TD's records for a FY (as rules.credit values and as history rows), hours already
claimed for an activity, and earlier credits of an online course."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlmodel import Session, col, func, select

from rules.credit import NOT_LIVE, Credit, Status, tie
from storage.tables import CatalogEntry, CreditRecord

NOT_LIVE_VALUES = sorted(s.value for s in NOT_LIVE)  # rejected, voided: they hold no claim on an activity


@dataclass(frozen=True)
class HistoryRow:
    id: int
    day: date
    code: str
    title: str
    kind: str
    unit: str
    alet: bool
    quarters: int
    strands: int
    status: str
    counted: bool
    note: str
    source: str
    void_reason: str = ""


def credits_of(session: Session, person_id: int, fy: int) -> list[Credit]:
    rows = session.exec(
        select(
            col(CatalogEntry.code),
            col(CreditRecord.unit),
            col(CreditRecord.alet),
            col(CreditRecord.day),
            col(CreditRecord.quarters),
            col(CreditRecord.strands),
            col(CreditRecord.status),
            col(CreditRecord.counted),
        )
        .join(CatalogEntry, col(CatalogEntry.id) == col(CreditRecord.catalog_id))
        .where(CreditRecord.person_id == person_id, CreditRecord.fy == fy)
    ).all()
    return [
        Credit(alet=a, day=d, quarters=q, strands=s, status=Status(st), counted=c, order=tie(code, u))
        for code, u, a, d, q, s, st, c in rows
    ]


def history_of(session: Session, person_id: int, fy: int) -> list[HistoryRow]:
    rows = session.exec(
        select(CreditRecord, CatalogEntry)
        .join(CatalogEntry, col(CatalogEntry.id) == col(CreditRecord.catalog_id))
        .where(CreditRecord.person_id == person_id, CreditRecord.fy == fy)
        .order_by(col(CreditRecord.day), col(CreditRecord.id))
    ).all()
    return [
        HistoryRow(
            id=r.id or 0,
            day=r.day,
            code=c.code,
            title=c.title,
            kind=c.kind,
            unit=r.unit,
            alet=r.alet,
            quarters=r.quarters,
            strands=r.strands,
            status=r.status,
            counted=r.counted,
            note=r.note,
            source=r.source,
            void_reason=r.void_reason,
        )
        for r, c in rows
    ]


def claimed_quarters(session: Session, person_id: int, catalog_id: int, unit: str | None) -> int:
    """Hours (pending or approved) a TD already has for an activity and unit (None: all its units and parts)."""
    query = select(func.coalesce(func.sum(CreditRecord.quarters), 0)).where(
        CreditRecord.person_id == person_id,
        CreditRecord.catalog_id == catalog_id,
        col(CreditRecord.status).not_in(NOT_LIVE_VALUES),
    )
    if unit is not None:
        query = query.where(CreditRecord.unit == unit)
    total = session.exec(query).one()
    return int(total)


def credited_codes(session: Session, person_id: int, kind: str) -> set[str]:
    """Codes of activities of `kind` already credited to a TD in any FY (for the no-repeat rule)."""
    rows = session.exec(
        select(CatalogEntry.code)
        .join(CreditRecord, col(CreditRecord.catalog_id) == col(CatalogEntry.id))
        .where(
            CreditRecord.person_id == person_id,
            CreditRecord.status == Status.APPROVED.value,
            col(CreditRecord.counted).is_(True),
            CatalogEntry.kind == kind,
        )
    ).all()
    return set(rows)
