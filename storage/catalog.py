"""Catalog queries: a FY's activities, look-ups by code, upcoming activities that would close a gap,
and rolling a catalog forward into the next FY."""

from __future__ import annotations

from datetime import date

from sqlmodel import Session, col, select

from rules.policy import CatalogItem, Kind
from storage.policy_data import entry_of, item_of
from storage.tables import CatalogEntry


def catalog_rows(session: Session, fy: int) -> list[CatalogEntry]:
    return list(
        session.exec(
            select(CatalogEntry)
            .where(CatalogEntry.fy == fy)
            .order_by(col(CatalogEntry.kind) == "external", col(CatalogEntry.day), col(CatalogEntry.code))
        ).all()
    )


def catalog(session: Session, fy: int) -> list[CatalogItem]:
    return [item_of(r) for r in catalog_rows(session, fy)]


def entry_by_code(session: Session, fy: int, code: str) -> CatalogEntry | None:
    return session.exec(select(CatalogEntry).where(CatalogEntry.fy == fy, CatalogEntry.code == code)).first()


def entries_by_code(session: Session, fys: set[int]) -> dict[tuple[int, str], CatalogEntry]:
    rows = session.exec(select(CatalogEntry).where(col(CatalogEntry.fy).in_(fys))).all()
    return {(r.fy, r.code): r for r in rows}


def upcoming_candidates(session: Session, fy: int, today: date) -> list[CatalogItem]:
    """The FY's dated activities from `today` on that count for TD credit (plain columns, no ORM objects:
    this runs on every status)."""
    rows = session.execute(
        select(
            col(CatalogEntry.code),
            col(CatalogEntry.title),
            col(CatalogEntry.kind),
            col(CatalogEntry.cap),
            col(CatalogEntry.strands),
            col(CatalogEntry.day),
            col(CatalogEntry.up_to),
        ).where(
            CatalogEntry.fy == fy,
            col(CatalogEntry.day) >= today,
            col(CatalogEntry.counts_for_td).is_(True),
        )
    ).tuples()
    return [
        CatalogItem(fy=fy, code=c, title=t, kind=Kind(k), cap=cap, strands=m, day=d, up_to=u)
        for c, t, k, cap, m, d, u in rows
    ]


def upcoming(items: list[CatalogItem], today: date, *, need_alet: bool, gap_mask: int, limit: int) -> list[CatalogItem]:
    """Up to `limit` dated activities from today on that would close the largest gap: ALET ones first when
    ALET hours are missing, then those covering the most missing strands, then the most hours, then the soonest."""

    def score(item: CatalogItem) -> tuple[int, int, int, date]:
        covers = bin(item.strands & gap_mask).count("1")
        return (0 if (item.is_alet or not need_alet) else 1, -covers, -item.cap, item.day or date.max)

    candidates = [
        i for i in items if i.day is not None and i.day >= today and i.counts_for_td and (i.is_alet or not need_alet)
    ]
    if not candidates:
        candidates = [i for i in items if i.day is not None and i.day >= today and i.counts_for_td]
    return sorted(candidates, key=score)[:limit]


def roll_forward(session: Session, from_fy: int, to_fy: int) -> tuple[int, int]:
    """Copy the catalog of `from_fy` into `to_fy` (dates dropped: a new FY needs its own dates). Entries the
    target already has (by code) are kept. Returns (added, kept)."""
    have = {r.code for r in catalog_rows(session, to_fy)}
    added = 0
    for item in catalog(session, from_fy):
        if item.code in have:
            continue
        entry = entry_of(item)
        entry.fy = to_fy
        entry.day = None
        if entry.earliest is not None and entry.earliest < date(to_fy - 1, 10, 1):
            entry.earliest = None
        session.add(entry)
        added += 1
    return added, len(have)
