"""Catalog queries: a FY's activities, look-ups by code, the dated activities still to come (ranked by
rules.upcoming), and rolling a catalog's undated external events forward into a later FY (flags such as `once`
kept)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlmodel import Session, col, func, select

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
    """The FY's dated activities not over by `today` (their last day on or after it) that count for TD credit
    (plain columns, no ORM objects: this runs on every status); rules.upcoming ranks them."""
    rows = session.execute(
        select(
            col(CatalogEntry.code),
            col(CatalogEntry.title),
            col(CatalogEntry.kind),
            col(CatalogEntry.cap),
            col(CatalogEntry.strands),
            col(CatalogEntry.day),
            col(CatalogEntry.end_day),
            col(CatalogEntry.up_to),
        ).where(
            CatalogEntry.fy == fy,
            func.coalesce(CatalogEntry.end_day, CatalogEntry.day) >= today,
            col(CatalogEntry.counts_for_td).is_(True),
        )
    )
    return [
        CatalogItem(fy=fy, code=c, title=t, kind=Kind(k), cap=cap, strands=m, day=d, end=e, up_to=u)
        for c, t, k, cap, m, d, e, u in rows
    ]


@dataclass(frozen=True)
class RollForward:
    """What rolling a catalog forward did: `added` copied, `kept` already in the target (by code), and the
    activities not copied because they belong to their own FY: dated events (one-off, or a new FY needs its own
    date) and ALET activities (ALET imports each FY's sessions and courses)."""

    added: int
    kept: int
    skipped_dated: int = 0
    skipped_alet: int = 0

    def summary(self, from_fy: int, to_fy: int) -> str:
        text = f"FY{to_fy}: {self.added} external events copied from FY{from_fy}, {self.kept} already there."
        skipped = []
        if self.skipped_dated:
            n = self.skipped_dated
            skipped.append(
                f"{n} dated external event{'s' if n != 1 else ''} (one-off; approve the new date for FY{to_fy})"
            )
        if self.skipped_alet:
            n = self.skipped_alet
            skipped.append(
                f"{n} ALET activit{'ies' if n != 1 else 'y'} (import FY{to_fy}'s sessions and courses with its dates)"
            )
        if skipped:
            text += " Not copied: " + "; ".join(skipped) + "."
        return text


def roll_catalog_forward(session: Session, from_fy: int, to_fy: int) -> RollForward:
    """Copy the undated external events of `from_fy` into `to_fy` (their `earliest` kept only inside the new FY).
    Dated events and ALET activities stay behind: a dated event happened once, and ALET's own activities are
    imported per FY with their dates. Entries the target already has (by code) are kept."""
    have = {r.code for r in catalog_rows(session, to_fy)}
    added = dated = alet = 0
    for item in catalog(session, from_fy):
        if item.code in have:
            continue
        if item.is_alet:
            alet += 1
            continue
        if item.day is not None:
            dated += 1
            continue
        entry = entry_of(item)
        entry.fy = to_fy
        if entry.earliest is not None and entry.earliest < date(to_fy - 1, 10, 1):
            entry.earliest = None
        session.add(entry)
        added += 1
    return RollForward(added, len(have), dated, alet)


def roll_forward(session: Session, from_fy: int, to_fy: int) -> tuple[int, int]:
    """`roll_catalog_forward` as (added, kept); use its `summary` to tell what was not copied and why."""
    done = roll_catalog_forward(session, from_fy, to_fy)
    return done.added, done.kept
